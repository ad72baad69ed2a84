"""axe-core's findings on every page, as every role, at 1280 and 390 pixels wide: the full matrix
that tests/test_accessibility.py samples on CI (A11Y_FULL=1), plus axe's best-practice rules as
advice. Prints one row per page, role and width with its violation counts and rule ids, then a
summary per rule (nodes, pages). The target is 0 WCAG 2.1 AA violations; exits 1 otherwise.

Run: .venv/bin/python bench/accessibility.py [--json out.json]
(the database is pytest-django's: SQLite by default, DB_ENGINE=postgres ... as for the tests)
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(report: Path) -> float:
    """The accessibility tests with the full matrix; their findings go to `report`."""
    env = {**os.environ, "A11Y_FULL": "1", "A11Y_REPORT": str(report)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_accessibility.py", "-q", "-p",
         "no:cacheprovider", "-k", "test_no_wcag_violations"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    return time.perf_counter() - started


def ids(violations):
    return " ".join(f"{v['id']}({len(v['nodes'])})" for v in violations) or "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the findings to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "a11y.jsonl"
        seconds = run(report)
        rows = (
            [json.loads(line) for line in report.read_text().splitlines()]
            if report.exists()
            else []
        )
    if not rows:
        print(
            "no findings written: did the tests run? (chromium, playwright, axe-playwright-python)"
        )
        return 2
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    rules = defaultdict(lambda: {"impact": "", "nodes": 0, "pages": set(), "gate": True})
    print(f"{'page':<34} {'role':<16} {'width':>5} {'gate':>4} {'adv':>4}  gated rule ids (nodes)")
    gated = 0
    for row in sorted(rows, key=lambda r: (r["width"], r["role"])):
        for page in row["pages"]:
            held = [v for v in page["violations"] if v["gate"]]
            advice = [v for v in page["violations"] if not v["gate"]]
            gated += len(held)
            for v in page["violations"]:
                rule = rules[v["id"]]
                rule.update(impact=v["impact"], gate=v["gate"])
                rule["nodes"] += len(v["nodes"])
                rule["pages"].add(page["page"])
            print(f"{page['page'][:34]:<34} {row['role']:<16} {row['width']:>5} {len(held):>4} "
                  f"{len(advice):>4}  {ids(held)}")  # fmt: skip
    print(f"\n{'rule':<28} {'kind':<8} {'impact':<9} {'nodes':>6}  pages")
    for rule_id, rule in sorted(rules.items(), key=lambda kv: (not kv[1]["gate"], kv[0])):
        kind = "gate" if rule["gate"] else "advice"
        pages = ", ".join(sorted(rule["pages"]))
        print(f"{rule_id:<28} {kind:<8} {rule['impact']:<9} {rule['nodes']:>6}  {pages}")
    checks = sum(len(row["pages"]) for row in rows)
    print(f"\n{checks} page checks in {len(rows)} role/width runs, {seconds:.0f} s; "
          f"gated violations (rule x page, WCAG 2.1 AA and house rules): {gated} (target 0): "
          f"{'PASS' if gated == 0 else 'FAIL'}")  # fmt: skip
    return 0 if gated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
