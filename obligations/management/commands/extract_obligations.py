"""`manage.py extract_obligations PATH [--signed DATE] [--json]`: the machine interface.

The JSON output contract is fixed (other tools read it): one object per obligation with keys
section, kind, due, every, first_due, anchor, actors, action, quote, start, end.
"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from obligations import clock
from obligations.extraction import ExtractionError, extract, read_file
from obligations.schedule import out_of_range


def iso_date(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--signed must be a date as YYYY-MM-DD, not {value!r}") from None
    reason = out_of_range(day, clock.today())
    if reason:
        raise CommandError(f"--signed: {reason}")
    return day


class Command(BaseCommand):
    help = "Extract the obligations of an order's text and print them (a table, or JSON)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="order text file (UTF-8; an optional header block)")
        parser.add_argument("--signed", help="signing date YYYY-MM-DD, if the text lacks it")
        parser.add_argument("--kind", help="document kind, e.g. memo (default: executive order)")
        parser.add_argument("--json", action="store_true", help="print a JSON array")

    def handle(self, path, signed=None, kind=None, **options):
        signed_on = iso_date(signed) if signed else None
        try:
            extraction = extract(read_file(path), signed=signed_on, kind=kind)
        except ExtractionError as error:
            raise CommandError(str(error)) from None
        rows = [found.as_json() for found in extraction.obligations]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(table(extraction, rows))


def table(extraction, rows) -> str:
    order = extraction.order
    head = (
        f"{order.kind} {order.number or ''}: {order.title or '(untitled)'}; signed {order.signed}"
    )
    if order.effective and order.effective != order.signed:
        head += f", effective {order.effective}"
    lines = [head, ""]
    widths = (10, 10, 11, 11, 45)
    titles = ("section", "kind", "due/every", "first due", "actors")
    lines.append("  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)) + "  action")
    for row in rows:
        when = row["due"] or row["every"] or ""
        cells = (
            row["section"],
            row["kind"],
            when,
            row["first_due"] or "",
            "; ".join(row["actors"]),
        )
        line = "  ".join(str(c)[:w].ljust(w) for c, w in zip(cells, widths, strict=True))
        lines.append(f"{line}  {row['action']}")
    timed = sum(1 for r in rows if r["kind"] != "open")
    lines += ["", f"{len(rows)} obligations: {timed} timed, {len(rows) - timed} open"]
    return "\n".join(lines)
