"""`manage.py import_fr` : import executive orders from the Federal Register.

    import_fr META.json [XML]        one document (the .xml next to the JSON, else its raw text
                                     .txt/.htm/.html, else fetched)
    import_fr FOLDER                 every JSON (+ XML) in a folder, with a progress line
    import_fr --number 13768         through the API (settings.FEDERAL_REGISTER_API)
    import_fr --signed-from 2017-01-01 --signed-to 2017-12-31

Each document is its own transaction: a refused one is reported and the run goes on.
"""

import json
import sys
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from obligations import federal_register as fr
from obligations.extraction import ExtractionError, read_file
from obligations.importers import EffectError
from obligations.management.commands.extract_obligations import iso_date
from obligations.revisions import RevisionError

# What refuses one document (its reason is reported) without stopping a run.
REFUSALS = (ExtractionError, EffectError, RevisionError, fr.FederalRegisterError)
OUTCOMES = {
    "created": "imported", "updated": "updated", "unchanged": "unchanged",
    "pending": "new version pending",
}  # fmt: skip


class Command(BaseCommand):
    help = (
        "Import executive orders from Federal Register JSON and XML (files, a folder, or the API)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="META.json [XML], or a folder of them")
        parser.add_argument("--number", action="append", default=[], help="an EO number (API)")
        parser.add_argument("--signed-from", type=iso_date, help="YYYY-MM-DD (API)")
        parser.add_argument("--signed-to", type=iso_date, help="YYYY-MM-DD (API)")
        parser.add_argument(
            "--save", type=Path, help="with the API: also write each document's JSON and XML here"
        )

    def handle(self, paths, number, signed_from, signed_to, save=None, **options):
        self.verbosity = options["verbosity"]
        api = number or signed_from or signed_to
        if api and paths:
            raise CommandError("give files or a folder, or --number / --signed-from, not both")
        if api:
            return self._run(self._from_api(number, signed_from, signed_to, save))
        if not paths:
            raise CommandError("give META.json [XML], a folder, --number or --signed-from")
        first = Path(paths[0])
        if first.is_dir():
            if len(paths) > 1:
                raise CommandError("give one folder")
            return self._run(self._from_folder(first))
        if len(paths) > 2:
            raise CommandError("give META.json and at most one XML file")
        self._one(first, Path(paths[1]) if len(paths) > 1 else None)

    # One file: its summary, or a CommandError with the reason ------------------------------

    def _one(self, json_path, xml_path):
        try:
            meta = read_meta(json_path)
            imported = fr.import_document(meta, read_xml(json_path, meta, xml_path))
        except REFUSALS as error:
            raise CommandError(f"{json_path.name}: {error}") from None
        except DatabaseError as error:
            raise CommandError(f"{json_path.name}: {failure(error)}") from None
        self.stdout.write(imported.result.summary())
        for line in imported.result.review_lines():
            self.stdout.write(f"  {line}")
        for warning in imported.warnings:
            self.stdout.write(f"  warning: {warning}")

    # Many documents: a progress line, then a summary -----------------------------------------

    def _run(self, documents):
        """`documents`: (label, load) pairs; load() gives (meta, xml) or raises a refusal."""
        counts, refused, failed, warnings, unresolved = Counter(), [], [], 0, Counter()
        documents = list(documents)
        with Progress(len(documents), self.stderr) as progress:
            for label, load in documents:
                progress.step(label)
                try:
                    imported = fr.import_document(*load())
                except REFUSALS as error:
                    refused.append((label, str(error)))
                    continue
                except DatabaseError as error:  # rolled back; the next document is its own
                    failed.append((label, failure(error)))
                    continue
                counts[imported.outcome] += 1
                warnings += len(imported.warnings)
                unresolved.update(actor for _, actor in imported.result.flagged)
                self._report(label, imported, progress)
        self._summary(len(documents), counts, refused, failed, warnings)
        self._unresolved(unresolved)

    def _report(self, label, imported, progress):
        if self.verbosity >= 2 or imported.outcome == "pending" or imported.warnings:
            progress.clear()  # a report line must not start after the counter on a terminal
        if self.verbosity >= 2 or imported.outcome == "pending":
            self.stdout.write(f"{label}: {imported.result.summary()}")
        if self.verbosity >= 2:
            for line in imported.result.review_lines():
                self.stdout.write(f"{label}: {line}")
        for warning in imported.warnings:
            self.stdout.write(f"{label}: warning: {warning}")

    def _summary(self, total, counts, refused, failed, warnings):
        parts = [f"{counts[key]} {name}" for key, name in OUTCOMES.items()]
        parts += [f"{counts[key]} {key}" for key in counts if key not in OUTCOMES]
        parts.append(f"{len(refused)} refused")
        if failed:
            parts.append(f"{len(failed)} failed")
        self.stdout.write(f"{total} documents: {', '.join(parts)}")
        if warnings:
            self.stdout.write(f"{warnings} warnings: the notes and the text disagree (above)")
        for label, reason in refused:
            self.stdout.write(f"refused: {label}: {reason}")
        for label, reason in failed:
            self.stdout.write(f"failed: {label}: {reason}")

    def _unresolved(self, unresolved, top=20):
        """The actors that named no known agency, commonest first: kept as text, for review."""
        if not unresolved:
            return
        total = sum(unresolved.values())
        self.stdout.write(
            f"{total} actor{'s' * (total > 1)} ({len(unresolved)} distinct) "
            f"name{'s' * (total == 1)} no known agency: kept as text, "
            "with no agency, for review (Obligation.unresolved_actors). The commonest:"
        )
        for actor, n in unresolved.most_common(top):
            self.stdout.write(f"  {n:5d}  {actor}")

    def _from_folder(self, folder):
        for json_path in sorted(folder.glob("*.json")):
            yield json_path.name, _loader(json_path)

    def _from_api(self, numbers, start, end, save):
        try:
            found = [meta for n in numbers for meta in fr.documents_by_number(n)]
            if start or end:
                if not (start and end):
                    raise CommandError("give both --signed-from and --signed-to")
                found += fr.documents_signed(start, end)
        except fr.FederalRegisterError as error:
            raise CommandError(str(error)) from None
        if not found:
            raise CommandError("the Federal Register has no executive order matching that")
        for meta in found:
            label = f"EO {meta.get('executive_order_number')} ({meta.get('document_number')})"
            yield label, _fetcher(meta, save)


def _loader(json_path):
    def load():
        meta = read_meta(json_path)
        return meta, read_xml(json_path, meta)

    return load


def _fetcher(meta, save):
    def load():
        text, kind = fr.fetch_text(meta)
        if save:
            save.mkdir(parents=True, exist_ok=True)
            stem = save / f"EO_{meta.get('executive_order_number') or meta['document_number']}"
            stem.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
            stem.with_suffix(f".{kind}").write_text(text)
        return meta, text

    return load


def failure(error) -> str:
    """A database error is the tracker's fault, not the document's: say so, in one line."""
    return f"could not be stored ({type(error).__name__}: {error}); nothing was written"


def read_meta(path: Path) -> dict:
    """A document's API JSON, or ExtractionError with a one-line reason."""
    try:
        meta = json.loads(read_file(path))
    except ValueError as error:
        raise ExtractionError(f"not JSON ({error})") from None
    if not isinstance(meta, dict) or not (
        meta.get("document_number") or meta.get("executive_order_number")
    ):
        raise ExtractionError("not a Federal Register document (no document_number)")
    return meta


# Beside META.json, the full text under the same stem: the XML first, else the raw text.
TEXT_SUFFIXES = (".xml", ".txt", ".htm", ".html")


def read_xml(json_path: Path, meta: dict, xml_path: Path | None = None) -> str:
    """The given file, else the full text next to the JSON (same stem), else the API's."""
    if xml_path:
        return read_file(xml_path)
    for suffix in TEXT_SUFFIXES:
        beside = json_path.with_suffix(suffix)
        if beside.is_file():
            return read_file(beside)
    return fr.fetch_text(meta)[0]


class Progress:
    """A progress bar on stderr: tqdm when it is installed, else one counter line rewritten."""

    def __init__(self, total, stream):
        self.total, self.stream, self.done, self.bar = total, stream, 0, None
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
        if tqdm and total > 1:
            self.bar = tqdm(total=total, file=sys.stderr, unit="doc", leave=False)

    def __enter__(self):
        return self

    def step(self, label):
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(label, refresh=False)
            self.bar.update()
        elif self.total > 1:
            self.stream.write(f"\r[{self.done}/{self.total}] {label}"[:60].ljust(60), ending="")
            self.stream.flush()

    def clear(self):
        if self.bar is None and self.total > 1:
            self.stream.write("\r" + " " * 60 + "\r", ending="")
            self.stream.flush()

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        elif self.total > 1:
            self.stream.write("")  # end the counter line
