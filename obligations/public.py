"""The public record: what anyone may read without signing in, when the deployment turns it on
(PUBLIC_SITE). Every public page, export and feed takes its rows and fields from here, so that
what is internal (notes, files not marked public, who typed what) has one gate to pass.

Addresses are citable: an order is named by its kind and number ("eo-13768"), not by a database
id that differs between deployments; an obligation by its key, which re-imports keep."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from obligations.models import Agency, Evidence, Obligation, Occurrence, Order

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
