"""The public record: what anyone may read without signing in, when the deployment turns it on
(PUBLIC_SITE). Every public page, export and feed takes its rows and fields from here, so that
what is internal (notes, files not marked public, who typed what) has one gate to pass.

Addresses are citable: an order is named by its kind and number ("eo-13768"), not by a database
id that differs between deployments; an obligation by its key, which re-imports keep."""

from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from obligations.models import (
    Agency,
    Evidence,
    Obligation,
    Occurrence,
    Order,
    OrderEffect,
    StatusChange,
)

KIND_SLUGS = {
    Order.Kind.EXECUTIVE_ORDER: "eo",
    Order.Kind.MEMORANDUM: "memo",
    Order.Kind.PROCLAMATION: "proclamation",
    Order.Kind.OTHER: "order",
}
# An occurrence's fields that the public may read. Not `notes` (internal), not `version` or who
# made a change (people's names are not part of the record; their agency's role is).
OCCURRENCE_FIELDS = (
    "due", "period_start", "period_end", "explanation", "status", "submitted_on",
    "published_on", "verified_on", "closed_on", "evidence_url", "verification_url",
    "authority", "authority_url",
)  # fmt: skip


def public_site(view):
    """A public view: no sign-in, and not there at all (404) unless PUBLIC_SITE is on."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PUBLIC_SITE:
            raise Http404("This tracker has no public pages.")
        return view(request, *args, **kwargs)

    return login_not_required(wrapper)


def order_slug(order) -> str:
    """ "eo-13768"; an unnumbered order goes by its id ("memo-id-12")."""
    kind = KIND_SLUGS.get(order.kind, "order")
    return f"{kind}-{order.number}" if order.number else f"{kind}-id-{order.pk}"


def get_order(slug):
    """The order a slug names, or 404. Orders imported more than once under one number: the
    latest signed (the record an outsider means)."""
    kind, _, rest = slug.partition("-")
    kinds = [k for k, s in KIND_SLUGS.items() if s == kind]
    if not kinds or not rest:
        raise Http404("No such order.")
    if rest.startswith("id-") and rest[3:].isdigit():
        return get_object_or_404(Order, kind__in=kinds, number="", pk=int(rest[3:]))
    order = Order.objects.filter(kind__in=kinds, number=rest).order_by("-signed", "-pk").first()
    if order is None:
        raise Http404("No such order.")
    return order


def get_obligation(order, key):
    return get_object_or_404(Obligation, order=order, key=key, withdrawn_by__isnull=True)


def citation(obligation) -> str:
    """ "EO 13768 §9(b), 82 FR 8799": how to cite an obligation."""
    order = obligation.order
    cite = f"{order.short_name} §{obligation.section}" if obligation.section else order.short_name
    return f"{cite}, {order.citation}" if order.citation else cite


def public_evidence(occurrence):
    """The files of an occurrence that may be shown: those marked public, never the others."""
    return Evidence.objects.filter(occurrence=occurrence, public=True)


def public_values(occurrence: Occurrence) -> dict:
    return {name: getattr(occurrence, name) for name in OCCURRENCE_FIELDS}


def agency_slug(agency) -> str:
    """ "department-of-homeland-security": from the agency's name, which is unique."""
    return slugify(agency.name)


def get_agency(slug):
    for agency in Agency.objects.only("pk", "name", "abbreviation"):
        if agency_slug(agency) == slug:
            return agency
    raise Http404("No such agency.")


# What a public page shows of a track, a file and a history row: plain values built here from
# OCCURRENCE_FIELDS, never the model rows, so that no template can reach `notes`, a note or a
# person (the leak tests crawl every public page for canaries planted in those).

S = Occurrence.Status
# The date each status is reached on (Occurrence.STATUS_DATES): what "as of" reads.
STATUS_DATE = {
    S.SUBMITTED: "submitted_on", S.VERIFIED: "verified_on", S.WAIVED: "closed_on",
    S.NOT_REQUIRED: "closed_on", S.UNMET: "closed_on",
}  # fmt: skip
REPORTED = (S.SUBMITTED, S.VERIFIED)
CLOSED = (S.WAIVED, S.NOT_REQUIRED, S.UNMET)
# Which phase each kind of file belongs to: it shows once its phase had happened by the day.
FILE_PHASE = {
    Evidence.Purpose.EVIDENCE: REPORTED,
    Evidence.Purpose.VERIFICATION: (S.VERIFIED,),
    Evidence.Purpose.AUTHORITY: CLOSED,
}
FIELD_LABELS = {
    "due": "Due", "period_start": "Period from", "period_end": "Period to",
    "explanation": "How the date was computed", "status": "Status",
    "submitted_on": "Submitted on", "published_on": "Published on", "verified_on": "Verified on",
    "closed_on": "Closed on", "evidence_url": "Evidence link",
    "verification_url": "Verification source", "authority": "Authority",
    "authority_url": "Authority link",
}  # fmt: skip


def status_label(value) -> str:
    """ "submitted", "verified (independently)", "not required": in words, lower case."""
    try:
        return str(S(value).label).lower()
    except ValueError:
        return str(value)


def public_role(user) -> str:
    """Who did something, as the public record says it: a role and an agency, never a name.
    Verifiers are people in a group holding `verify_occurrence` (migration 0011's "Verifiers"),
    independent of the track's agency; waiver officials hold `close_occurrence`; agency staff
    are in an agency's group (obligations.permissions)."""
    if user is None:
        return "the tracker (an import, or an order's effect)"
    if user.is_superuser:
        return "an administrator"
    agencies = sorted(g.agency.name for g in user.groups.all() if hasattr(g, "agency"))
    of = f" of {', '.join(agencies)}" if agencies else ""
    if user.has_perm("obligations.verify_occurrence"):
        return f"a verifier{of}" if of else "an independent verifier"
    if user.has_perm("obligations.close_occurrence"):
        return f"a waiver official{of}"
    return f"staff{of}" if of else "a signed-in user"


def status_then(occurrence, day) -> str:
    """The status on `day` (the rule of OccurrenceQuerySet.as_of, for a row already read)."""
    value = getattr(occurrence, "status_then", None)
    if value is not None:
        return value
    return Occurrence.objects.as_of(day).values_list("status_then", flat=True).get(pk=occurrence.pk)


def happened_on(change):
    """The day a history row's change happened: the date it records for the status it moved
    to (a submission dated the 20th, typed in on the 30th, happened on the 20th), else the day
    it was recorded."""
    field = STATUS_DATE.get(change.to_status)
    value = (change.changes or {}).get(field) if field else None
    if value:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            pass
    return timezone.localdate(change.at)


def public_changes(change) -> list[tuple[str, str]]:
    """The public fields a history row set, by label: never `notes`."""
    return [
        (FIELD_LABELS[name], str(value) if value not in (None, "") else "—")
        for name, value in (change.changes or {}).items()
        if name in OCCURRENCE_FIELDS
    ]


def public_history(occurrences, day) -> dict[int, list[dict]]:
    """{occurrence id: its history rows up to `day`, newest first}, each a dict of public values:
    when, the move, the public fields set, the role of who made it and what caused it."""
    rows = (
        StatusChange.objects.filter(occurrence__in=[o.pk for o in occurrences])
        .select_related("by", "effect__source", "effect__target", "obligation_change")
        .prefetch_related("by__groups__agency")
        .order_by("-at", "-id")
    )
    roles, found = {}, {}
    for change in rows:
        on = happened_on(change)
        if on > day:
            continue
        if change.by_id not in roles:
            roles[change.by_id] = public_role(change.by)
        found.setdefault(change.occurrence_id, []).append({
            "on": on, "recorded": change.at, "moved": change.moved,
            "from": status_label(change.from_status), "to": status_label(change.to_status),
            "to_status": change.to_status, "fields": public_changes(change),
            "by": roles[change.by_id], "cause": _cause(change),
        })  # fmt: skip
    return found


def public_obligation_changes(obligation, day) -> list[dict]:
    """How the counting of an obligation's dates changed (its conventions, its series), up to
    `day`, newest first: when, what (ObligationChange.summary, from the old and new values
    only), and the role of who changed it; never the note."""
    rows = obligation.changes.filter(at__date__lte=day).select_related("by", "obligation")
    roles, found = {}, []
    for change in rows.prefetch_related("by__groups__agency").order_by("-at", "-id"):
        if change.by_id not in roles:
            roles[change.by_id] = public_role(change.by)
        summary = _change_summary(change)
        if summary:
            found.append({"on": timezone.localdate(change.at), "summary": summary,
                          "by": roles[change.by_id]})  # fmt: skip
    return found


def _change_summary(change) -> str:
    """Conventions and series changes in words (from their values, which are public); a new
    text by the names of the fields it changed; nothing else."""
    if change.field in ("conventions", "series"):
        return change.summary()
    if change.field == "text" and isinstance(change.new, dict):
        return f"a new text of the order changed its {', '.join(sorted(change.new))}"
    return ""


def _cause(change) -> str:
    if change.effect_id:
        effect = change.effect
        verb = "amends" if effect.kind == OrderEffect.Kind.AMEND else "revokes"
        return f"{effect.source.short_name} {verb} {effect.target.short_name} as of {effect.on}"
    if change.obligation_change_id:
        return f"a change of the obligation's {change.obligation_change.field}"
    return ""


def public_files(occurrences) -> dict[int, list[Evidence]]:
    """{occurrence id: its files marked public}, one query."""
    found = {}
    rows = Evidence.objects.filter(occurrence__in=[o.pk for o in occurrences], public=True)
    for evidence in rows.order_by("at", "id").only(
        "id", "occurrence_id", "purpose", "name", "size", "sha256", "content_type", "at"
    ):
        found.setdefault(evidence.occurrence_id, []).append(evidence)
    return found


def public_file(evidence) -> dict:
    return {
        "name": evidence.name, "size": evidence.size, "sha256": evidence.sha256,
        "purpose": evidence.get_purpose_display(), "kind": evidence.purpose,
        "url": reverse("public_evidence", args=[evidence.pk, evidence.name]),
    }  # fmt: skip


def safe_url(value) -> str:
    """A link a public page may make: http(s) only (a stored "javascript:" is no link)."""
    value = str(value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


def public_track(occurrence, day, files=(), history=()) -> dict:
    """One agency's track of one due date as it stood on `day`: what the agency reported beside
    what was independently verified (and by whose role), a waiver's authority, the public files
    and the history. Values reached after `day` are left out, as the status is."""
    then = status_then(occurrence, day)
    values = public_values(occurrence)
    reported, verified, closed = then in REPORTED, then == S.VERIFIED, then in CLOSED
    published = values["published_on"]
    verifying = next((h for h in history if h["to_status"] == S.VERIFIED), None)
    shown = [public_file(e) for e in files if then in FILE_PHASE.get(e.purpose, ())]
    return {
        "id": occurrence.pk, "sequence": occurrence.sequence, "due": occurrence.due,
        "period_start": values["period_start"], "period_end": values["period_end"],
        "explanation": values["explanation"],
        "agency": occurrence.agency.name if occurrence.agency_id else "",
        "agency_short": (occurrence.agency.abbreviation or occurrence.agency.name)
        if occurrence.agency_id else "shared",
        "agency_slug": agency_slug(occurrence.agency) if occurrence.agency_id else "",
        "status": then, "status_label": status_label(then),
        "pending": then in Occurrence.PENDING,
        "reported": {
            "submitted_on": values["submitted_on"] if reported else None,
            "published_on": published if reported and published and published <= day else None,
            "evidence_url": safe_url(values["evidence_url"]) if reported else "",
            "files": [f for f in shown if f["kind"] == Evidence.Purpose.EVIDENCE],
        },
        "verified": {
            "verified_on": values["verified_on"] if verified else None,
            "source": safe_url(values["verification_url"]) if verified else "",
            "by": verifying["by"] if verified and verifying else "",
            "files": [f for f in shown if f["kind"] == Evidence.Purpose.VERIFICATION],
        },
        "closed": {
            "closed_on": values["closed_on"] if closed else None,
            "authority": values["authority"] if closed else "",
            "authority_url": safe_url(values["authority_url"]) if closed else "",
            "files": [f for f in shown if f["kind"] == Evidence.Purpose.AUTHORITY],
        } if closed else None,
        "history": list(history),
    }  # fmt: skip


def public_tracks(occurrences, day) -> list[dict]:
    """public_track of each occurrence (read with `as_of(day)`), files and history in bulk."""
    occurrences = list(occurrences)
    files, history = public_files(occurrences), public_history(occurrences, day)
    return [public_track(o, day, files.get(o.pk, ()), history.get(o.pk, ())) for o in occurrences]
