"""Server-rendered charts of the scorecards (SVG, no script): each is one image (role="img")
with a <title> and a <desc> saying in words what it shows; the pages put the same numbers in a
table beside it, which is what a screen reader or a printout without colour reads.

Sizes are in SVG units on a narrow canvas (400 wide), so that text stays legible when a phone
shrinks the image to its width; colours come as presentation attributes (the strict CSP allows
no style attributes) and never alone: segments are in the legend's order, lines differ by dash.
"""

from datetime import date

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 400
FONT = 'font-family="system-ui, sans-serif" font-size="14"'
# The scorecard's categories (obligations/scorecards.py), drawn in this order, left to right.
COLOURS = {
    "on_time": "#00a91c",  # green
    "late": "#ffbe2e",  # gold
    "unmet": "#b50909",  # red
    "overdue": "#e66f0e",  # orange
    "due_today": "#73b3e7",  # light blue
    "waived": "#a9aeb1",  # grey
}
DUE_LINE, MET_LINE = "#1b1b1b", "#008817"


def _svg(height: float, title: str, desc: str, body: str, ident: str) -> SafeString:
    return format_html(
        '<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{i}-title {i}-desc" '
        'preserveAspectRatio="xMinYMin meet" class="scorecard-chart" {font}>'
        '<title id="{i}-title">{title}</title><desc id="{i}-desc">{desc}</desc>{body}</svg>',
        w=WIDTH, h=round(height), i=ident, title=title, desc=desc, body=body, font=mark_safe(FONT),
    )  # fmt: skip


def stacked_bars(rows: list[dict], *, title: str, desc: str, ident: str) -> SafeString:
    """One bar per row, the whole width being its due dates so far, split into the categories
    of COLOURS. `rows`: {"label": str, "parts": [(category, count), ...]}."""
    row_height, bar, usable = 44, 14, WIDTH - 2
    pieces = []
    for n, row in enumerate(rows):
        y = 8 + n * row_height
        pieces.append(
            format_html('<text x="1" y="{}" fill="#1b1b1b">{}</text>', y + 12, row["label"])
        )
        counts = [(key, count) for key, count in row["parts"] if key in COLOURS and count]
        total = sum(count for _, count in counts)
        if not total:
            pieces.append(format_html(
                '<rect x="1" y="{}" width="{}" height="{}" fill="none" stroke="#a9aeb1"/>',
                y + 22, usable, bar))  # fmt: skip
            continue
        x = 1.0
        for key, count in counts:
            width = usable * count / total
            pieces.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                round(x, 2), y + 22, round(width, 2), bar, COLOURS[key]))  # fmt: skip
            x += width
    height = 8 + row_height * max(len(rows), 1)
    return _svg(height, title, desc, mark_safe("".join(pieces)), ident)


def line_chart(periods, *, start: date, title: str, desc: str, ident: str) -> SafeString:
    """Cumulative due dates (solid line) and due dates met (dashed) at the end of each period
    (scorecards.over_time), from `start` to the last period's end."""
    left, right, top, bottom, height = 48, 12, 14, 46, 250
    end = periods[-1].end if periods else start
    first_due = periods[0].due_total - periods[0].due if periods else 0
    first_met = periods[0].met_total - periods[0].met if periods else 0
    peak = max([first_due, *(p.due_total for p in periods), *(p.met_total for p in periods), 1])
    span = max((end - start).days, 1)

    def x(when: date) -> float:
        return round(left + (WIDTH - left - right) * (when - start).days / span, 1)

    def y(value: int) -> float:
        return round(height - bottom - (height - top - bottom) * value / peak, 1)

    grid = []
    for value in sorted({0, peak // 2, peak}):
        grid.append(format_html(
            '<line x1="{l}" x2="{r}" y1="{y}" y2="{y}" stroke="#dfe1e2"/>'
            '<text x="{t}" y="{ty}" text-anchor="end" fill="#1b1b1b">{v}</text>',
            l=left, r=WIDTH - right, y=y(value), t=left - 4, ty=y(value) + 5, v=value))  # fmt: skip
    labels = [(start, f"{start:%Y-%m-%d}", "start"), (end, f"{end:%Y-%m-%d}", "end")]
    axis = format_html_join("", '<text x="{}" y="{}" text-anchor="{}" fill="#1b1b1b">{}</text>',
                            ((x(when), height - bottom + 18, anchor, text)
                             for when, text, anchor in labels))  # fmt: skip

    def path(first, totals) -> str:
        points = [(x(start), y(first))] + [
            (x(p.end), y(t)) for p, t in zip(periods, totals, strict=True)
        ]
        return " ".join(f"{px},{py}" for px, py in points)

    due = path(first_due, [p.due_total for p in periods])
    met = path(first_met, [p.met_total for p in periods])
    legend = format_html(
        '<line x1="{a}" x2="{b}" y1="{y}" y2="{y}" stroke="{due}" stroke-width="2"/>'
        '<text x="{t}" y="{ty}" fill="#1b1b1b">due so far</text>'
        '<line x1="{c}" x2="{d}" y1="{y}" y2="{y}" stroke="{met}" stroke-width="3" stroke-dasharray="6 3"/>'
        '<text x="{u}" y="{ty}" fill="#1b1b1b">met</text>',
        a=left, b=left + 24, c=left + 120, d=left + 144, y=height - 8, t=left + 28, u=left + 148,
        ty=height - 4, due=DUE_LINE, met=MET_LINE)  # fmt: skip
    body = format_html(
        '{grid}{axis}<polyline points="{due}" fill="none" stroke="{dc}" stroke-width="2"/>'
        '<polyline points="{met}" fill="none" stroke="{mc}" stroke-width="3" stroke-dasharray="6 3"/>{legend}',
        grid=mark_safe("".join(grid)), axis=axis, due=due, met=met, dc=DUE_LINE, mc=MET_LINE,
        legend=legend)  # fmt: skip
    return _svg(height, title, desc, body, ident)


def legend_items() -> list[dict]:
    """The colour of each category, for the keys the pages print under a bar chart."""
    return [{"key": key, "colour": escape(colour)} for key, colour in COLOURS.items()]
