"""What a new text of an order changes: its change list, like a court-rules update notice.

A pure value: the obligations stored now against the obligations found in the new text (as
dicts, the form a pending version keeps them in). Nothing here writes; `revisions.apply` carries
a change set out. Printable and testable on its own:

    changes = diff(current, proposed, old_dues=..., new_dues=...)
    print(changes.summary())   # "1 added, 1 changed, 1 retired, 14 unchanged"
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from obligations.schedule import Rule

# What a person reads of an obligation, and may have corrected at import (drafts.py).
COMPARED = ("section", "actors", "action", "quote", "rule", "anchor_text")
CORRECTABLE = ("section", "actors", "action", "rule", "anchor_text")
# Two quotes this alike (difflib's ratio) are one directive reworded: "within 60 days" made
# "within 45 days" is a change, not a retirement and an addition.
SIMILAR = 0.6


@dataclass
class Entry:
    kind: str  # added, changed, retired, unchanged
    obligation: object = None  # the stored obligation (changed, retired, unchanged)
    new: dict | None = None  # the obligation as the new text has it (added, changed, unchanged)
    fields: dict = field(default_factory=dict)  # name: (old, new), for changed
    old_dues: list = field(default_factory=list)
    new_dues: list = field(default_factory=list)
    kept: list = field(default_factory=list)  # corrections carried over from the stored one

    @property
    def section(self):
        return (self.new or {}).get("section") or getattr(self.obligation, "section", "")

    @property
    def action(self):
        return (self.new or {}).get("action") or getattr(self.obligation, "action", "")

    def shown(self) -> list[tuple[str, str, str]]:
        """(field, old, new) as people read them: a rule described, actors joined."""
        return [
            (name, _show(name, old), _show(name, new)) for name, (old, new) in self.fields.items()
        ]

    def due_change(self) -> str:
        """ "due 2017-04-25 → 2017-04-10", "12 due dates, first 2017-02-01 (was 16, ...)"."""
        return f"{_dues(self.old_dues)} → {_dues(self.new_dues)}"

    def line(self) -> str:
        head = f"{self.kind}: Sec. {self.section} {self.action}"
        if self.kind == "changed":
            names = ", ".join(self.fields)
            head += f" [{names}]"
            if self.old_dues != self.new_dues:
                head += f"; {self.due_change()}"
        elif self.kind in ("added", "retired"):
            head += f"; {_dues(self.new_dues if self.kind == 'added' else self.old_dues)}"
        if self.kept:
            head += f"; corrections kept: {', '.join(self.kept)}"
        return head


def _show(name, value) -> str:
    if name == "rule" and isinstance(value, dict):
        return Rule.from_dict(value).describe()
    if name == "due dates":
        return _dues(value)
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def _dues(dates) -> str:
    if not dates:
        return "no due date"
    if len(dates) == 1:
        return f"due {dates[0].isoformat()}"
    return f"{len(dates)} due dates from {dates[0].isoformat()}"


@dataclass
class ChangeSet:
    entries: list[Entry]

    def of(self, kind) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def added(self):
        return self.of("added")

    @property
    def changed(self):
        return self.of("changed")

    @property
    def retired(self):
        return self.of("retired")

    @property
    def unchanged(self):
        return self.of("unchanged")

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired)

    def summary(self) -> str:
        return ", ".join(f"{len(self.of(k))} {k}" for k in ("added", "changed", "retired",
                                                             "unchanged"))  # fmt: skip

    def lines(self) -> list[str]:
        return [e.line() for e in self.entries if e.kind != "unchanged"]


def diff(current, proposed, *, old_dues, new_dues, keep_corrections=True, dropped=()) -> ChangeSet:
    """`current`: the stored obligations still in force; `proposed`: dicts of the obligations
    in the new text (`source_key` and the COMPARED fields, `corrections` made in its preview);
    `old_dues(obligation)` and `new_dues(rule_dict, obligation or None)` give due dates as they
    are and as they would be under the new text (with that obligation's conventions); `dropped`:
    keys of drafts a person left out at an earlier import (they stay out)."""
    dues = _Dues(old_dues, new_dues)
    proposed = [p for p in proposed if p.get("source_key") not in set(dropped)]
    pairs = _match(list(current), proposed)
    matched = {id(p) for _, p in pairs}
    entries = [_pair(old, new, dues, keep_corrections) for old, new in pairs]
    entries += [
        Entry("added", new=p, new_dues=dues.new(p["rule"], None))
        for p in proposed if id(p) not in matched
    ]  # fmt: skip
    paired = {id(o) for o, _ in pairs}
    entries += [
        Entry("retired", obligation=o, old_dues=dues.old(o))
        for o in current if id(o) not in paired
    ]  # fmt: skip
    order = {"changed": 0, "added": 1, "retired": 2, "unchanged": 3}
    entries.sort(key=lambda e: order[e.kind])
    return ChangeSet(entries)


@dataclass(frozen=True)
class _Dues:
    old: object
    new: object


def _match(current, proposed):
    """Pairs (stored, new): first the same directive as extracted (same key), then the most
    alike quotes (a reworded or renumbered directive), best first."""
    by_key = {}
    for p in proposed:
        by_key.setdefault(p.get("source_key"), []).append(p)
    pairs, rest = [], []
    for obligation in current:
        same = by_key.get(obligation.source_key or obligation.key)
        if same:
            pairs.append((obligation, same.pop(0)))
        else:
            rest.append(obligation)
    taken = {id(p) for _, p in pairs}
    left = [p for p in proposed if id(p) not in taken]
    scored = sorted(
        ((_likeness(o, p), i, j) for i, o in enumerate(rest) for j, p in enumerate(left)),
        reverse=True,
    )
    used_o, used_p = set(), set()
    for score, i, j in scored:
        if score < SIMILAR or i in used_o or j in used_p:
            continue
        used_o.add(i), used_p.add(j)
        pairs.append((rest[i], left[j]))
    return pairs


def _likeness(obligation, new) -> float:
    """How alike the quotes are, a little more when the section is the same."""
    a, b = " ".join(obligation.quote.split()), " ".join(new["quote"].split())
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio() + 0.05 * (obligation.section == new["section"])


def _pair(obligation, new, dues, keep_corrections) -> Entry:
    new = dict(new)
    kept = []
    if keep_corrections:
        for name, value in (obligation.corrections or {}).items():
            if name in CORRECTABLE and name not in (new.get("corrections") or {}):
                new[name] = value
                kept.append(name)
        new["corrections"] = {
            **{k: obligation.corrections[k] for k in kept}, **(new.get("corrections") or {})
        }  # fmt: skip
    fields = {
        name: (getattr(obligation, name), new[name])
        for name in COMPARED
        if _norm(getattr(obligation, name)) != _norm(new[name])
    }
    if not keep_corrections and obligation.corrections and not new.get("corrections"):
        fields["corrections"] = (obligation.corrections, {})
    kind = "changed" if fields else "unchanged"
    old_dues = dues.old(obligation)
    new_dues = dues.new(new["rule"], obligation)
    if old_dues != new_dues and kind == "unchanged":
        kind, fields = "changed", {"due dates": (old_dues, new_dues)}
    return Entry(kind, obligation, new, fields, old_dues, new_dues, kept)


def _norm(value):
    return " ".join(value.split()) if isinstance(value, str) else value
