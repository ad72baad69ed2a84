"""Evidence files on a track: the upload (for those who may attach), the download (for anyone
signed in), and the context the occurrence page's evidence section needs."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_GET, require_POST

from obligations import permissions
from obligations.evidence import EvidenceForm, attach
from obligations.models import Evidence, Occurrence

logger = logging.getLogger(__name__)


def allowed_purposes(user, occurrence) -> list[str]:
    """What this user may attach to this track: the agency its report, a verifier its
    verification, a waiver official the authority for a waiver (obligations.permissions)."""
    held = permissions.duties(user, occurrence)
    rights = {
        Evidence.Purpose.EVIDENCE: permissions.AGENCY in held,
        Evidence.Purpose.VERIFICATION: permissions.VERIFIER in held,
        Evidence.Purpose.AUTHORITY: permissions.CLOSER in held,
    }
    return [purpose.value for purpose, allowed in rights.items() if allowed]


def evidence_context(request, occurrence) -> dict:
    """What templates/obligations/_evidence.html needs; the occurrence page merges it in."""
    purposes = allowed_purposes(request.user, occurrence)
    return {
        "evidence": occurrence.evidence.select_related("by"),
        "evidence_form": EvidenceForm(purposes=purposes) if purposes else None,
        "evidence_upload_url": reverse("evidence_upload", args=[occurrence.pk]),
    }


@require_POST
def evidence_upload(request, pk):
    occurrence = get_object_or_404(Occurrence.objects.select_related("obligation"), pk=pk)
    purposes = allowed_purposes(request.user, occurrence)
    asked = request.POST.get("purpose") or Evidence.Purpose.EVIDENCE
    # Refused before the form is read: nobody learns more than "not yours" about a track.
    if not purposes or (asked in Evidence.Purpose.values and asked not in purposes):
        raise PermissionDenied("You may not attach this kind of file to this track.")
    back = reverse("occurrence_detail", args=[pk]) + "#evidence"
    form = EvidenceForm(request.POST, request.FILES, purposes=purposes)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    data = form.cleaned_data
    try:
        evidence = attach(
            occurrence, data["file"], by=request.user, purpose=data["purpose"],
            note=data["note"], public=data["public"],
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, f"Attached “{evidence.name}” (SHA-256 {evidence.sha256[:12]}…).")
    return redirect(back)


def _form_errors(form) -> str:
    return " ".join(" ".join(errors) for errors in form.errors.values())


@require_GET
def evidence_download(request, pk, name):
    evidence = get_object_or_404(Evidence, pk=pk)
    if name != evidence.name:  # the name is part of the address: a wrong one is no file
        raise Http404("No such file.")
    return file_response(request, evidence)


def file_response(request, evidence):
    """The stored file of `evidence` as a download (304 when the browser has it), never run as
    a page of ours; a file missing from storage is a 404, logged."""
    etag = f'"{evidence.sha256}"'
    unchanged = get_conditional_response(request, etag=etag)
    if unchanged is not None:
        return unchanged
    try:
        stored = evidence.file.open("rb")
    except FileNotFoundError:
        logger.error("evidence %s: %s is missing from storage", evidence.pk, evidence.file.name)
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        stored, as_attachment=True, filename=evidence.name,
        content_type=evidence.content_type,
    )  # fmt: skip
    # Uploaded bytes are never run as a page of ours, even if a browser is tricked into it.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["ETag"] = etag
    return response
