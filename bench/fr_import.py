"""Importing a folder of Federal Register documents (API JSON + full-text XML) into a fresh SQLite
database: speed, memory, outcomes, refusals, obligation kinds, the slowest files.

Run: .venv/bin/python bench/fr_import.py [FOLDER]     (default /work/fr-corpus)
Each document goes through obligations.federal_register.import_document, as `manage.py import_fr
FOLDER` does, one transaction each. The network is never used: a JSON without its XML or raw text (.txt/.htm/.html) beside it is refused.
Targets: the whole folder in under 2 minutes; every document imports (none refused or failed).
"""

import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT = Path("/work/fr-corpus")
TARGET_SECONDS = 120


def rss_mb() -> float:
    """The resident set now (not the peak): sampled along the run to see it stays flat."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def setup(work: str) -> None:
    """Django on a fresh SQLite file in `work`, whatever the environment says."""
    for name in ("DATABASE_URL", "DB_ENGINE"):
        os.environ.pop(name, None)
    os.environ["DB_NAME"] = str(Path(work) / "bench.sqlite3")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def offline(url):
    from obligations.federal_register import FederalRegisterError

    raise FederalRegisterError(f"{url}: the bench does not use the network (no XML beside it)")


def run(folder: Path) -> bool:
    from django.db import DatabaseError

    from obligations import federal_register as fr
    from obligations.management.commands.import_fr import REFUSALS, _loader
    from obligations.models import Obligation, Occurrence, Order

    fr.get = offline
    paths = sorted(folder.glob("*.json"))
    outcomes, refused, failed, times, samples, warnings = Counter(), [], [], [], [], 0
    start = time.perf_counter()
    for i, path in enumerate(paths, 1):
        began = time.perf_counter()
        try:
            imported = fr.import_document(*_loader(path)())
            outcomes[imported.outcome] += 1
            warnings += len(imported.warnings)
        except REFUSALS as error:
            refused.append((path.name, str(error)))
        except DatabaseError as error:
            failed.append((path.name, f"{type(error).__name__}: {error}"))
        times.append((time.perf_counter() - began, path.name))
        if i in {max(1, len(paths) // 10), len(paths) // 2, len(paths)}:
            samples.append((i, rss_mb()))
    total = time.perf_counter() - start
    n = len(paths)

    fast = total < TARGET_SECONDS
    print(
        f"fr import: {n} documents in {total:.1f} s, {n / total:.1f} orders/s "
        f"(target < {TARGET_SECONDS} s) {'PASS' if fast else 'FAIL'}"
    )
    flat = ", ".join(f"{mb:.0f} MB after {i}" for i, mb in samples)
    print(f"memory: peak RSS {peak_mb():.0f} MB; RSS {flat}")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    whole = not refused and not failed
    print(f"refused {len(refused)}, failed {len(failed)} (target 0) {'PASS' if whole else 'FAIL'}")
    for name, reason in refused:
        print(f"  refused: {name}: {reason}")
    for name, reason in failed:
        print(f"  failed: {name}: {reason}")
    kinds = Counter(Obligation.objects.values_list("rule__kind", flat=True))
    none = Order.objects.filter(obligations=None).count()
    print(
        f"stored: {Order.objects.count()} orders ({none} with no obligations), "
        f"{sum(kinds.values())} obligations, {Occurrence.objects.count()} occurrences; "
        f"{warnings} notes-vs-text warnings"
    )
    print("obligation kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    print("slowest files: " + ", ".join(f"{name} {s * 1000:.0f} ms" for s, name in
                                        sorted(times, reverse=True)[:10]))  # fmt: skip
    agency_figures()
    return fast and whole


def agency_figures(top=20) -> None:
    """Who is responsible: the Agency rows the import made (those outside the table of
    fixtures/agencies.json are extraction artefacts), the actors that resolve to an agency of the
    table and those left for review, and the commonest of those."""
    from obligations.agencies import ALL, agency_for
    from obligations.hierarchy import known
    from obligations.models import Agency, Obligation

    table = set(known()) | {ALL}
    rows = Agency.objects.count()
    outside = Agency.objects.exclude(name__in=table).count()
    print(f"agencies: {rows} rows, {outside} not in the table of {len(known())} agencies")
    resolved, unresolved, texts = 0, 0, Counter()
    obligations = Counter()
    # What the import flagged (Obligation.unresolved_actors); before it existed, the actors
    # whose agency is not in the table (what agency_for made up).
    flagged = any(f.name == "unresolved_actors" for f in Obligation._meta.fields)
    fields = ("actors", "unresolved_actors") if flagged else ("actors", "actors")
    for actors, stored in Obligation.objects.values_list(*fields).iterator():
        if flagged:
            misses = stored
        else:
            misses = [a for a in actors if not (found := agency_for(a)) or found[0] not in table]
        resolved += len(actors) - len(misses)
        unresolved += len(misses)
        texts.update(misses)
        obligations["no actor" if not actors else "flagged" if misses else "resolved"] += 1
    print(
        f"actors: {resolved} resolved to an agency of the table, {unresolved} unresolved; "
        f"obligations: {obligations['resolved']} resolved, {obligations['flagged']} with an "
        f"unresolved actor, {obligations['no actor']} with no actor"
    )
    print(f"most common unresolved actors ({len(texts)} distinct):")
    for text, n in texts.most_common(top):
        print(f"  {n:5d}  {text}")


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not folder.is_dir():
        print(
            f"{folder}: no such folder: put the JSON+XML pairs there, e.g. the executive_orders/ "
            "folder of github.com/tony-landreth/presidential_executive_order_corpus",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory() as work:
        setup(work)
        return 0 if run(folder) else 1


if __name__ == "__main__":
    sys.exit(main())
