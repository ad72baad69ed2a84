"""Import in the browser: paste or upload, preview the extracted obligations as drafts, correct
them, confirm. Nothing is written until the person confirms."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from obligations import drafts
from obligations.agencies import each_agency, resolver
from obligations.extraction import ExtractionError, extract
from obligations.forms import DraftFormSet, ImportForm
from obligations.importers import EffectError, kind_of, known_text, store, stored_order
from obligations.permissions import can_import


def import_order(request):
    if not can_import(request.user):
        raise PermissionDenied("You may not import orders.")
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text, signed = form.cleaned_data["text"], form.cleaned_data["signed"]
        try:
            extraction = extract(text, signed=signed)
        except ExtractionError as error:
            form.add_error(None, f"This text cannot be read as an order: {error}.")
        else:
            known = known_text(extraction)
            if known:  # the very text is stored: nothing to review, nothing written
                messages.info(request, f"{known.order.short_name}: already imported, nothing "
                              f"changed (text {known.number}, {known.get_state_display()}).")  # fmt: skip
                return redirect(known)
            return _preview(request, extraction, text, signed, DraftFormSet(
                initial=drafts.initial_rows(extraction)))  # fmt: skip
    status = 400 if request.method == "POST" else 200  # a POST that got here was refused
    return render(request, "obligations/import.html", {"form": form}, status=status)


def _preview(request, extraction, text, signed, formset, status=200):
    info = extraction.order
    stored = stored_order({"kind": kind_of(info.kind), "number": info.number or "",
                      "title": info.title or "", "signed": info.signed})  # fmt: skip
    return render(request, "obligations/import_preview.html", {
        "stored": stored,
        "extraction": extraction, "order": extraction.order, "text": text,
        "signed": signed.isoformat() if signed else "", "formset": formset,
        "rows": list(zip(extraction.obligations, formset.forms, strict=True)),
        "digest": drafts.digest(text, len(extraction.obligations)),
        "unresolved": unresolved(extraction),
    }, status=status)  # fmt: skip


def unresolved(extraction) -> list[tuple[str, str]]:
    """(section, actor) of each actor that names no known agency: saved as text, no agency."""
    resolve = resolver(extraction.text)
    return [
        (found.section, actor) for found in extraction.obligations for actor in found.actors
        if not each_agency(actor, resolve)
    ]  # fmt: skip


def _confirm(request):
    text = request.POST.get("text", "")
    form = ImportForm({"text": text, "signed": request.POST.get("signed", "")})
    if not form.is_valid():
        messages.error(request, "The preview was incomplete; please start again.")
        return redirect("import_order")
    text, signed = form.cleaned_data["text"], form.cleaned_data["signed"]  # line ends as previewed
    try:
        extraction = extract(text, signed=signed)
    except ExtractionError as error:
        messages.error(request, f"This text cannot be read as an order: {error}.")
        return redirect("import_order")
    if not drafts.digest_matches(request.POST.get("digest", ""), text, len(extraction.obligations)):
        messages.error(request, "The preview is out of date or was altered; please preview again.")
        return redirect("import_order")
    formset = DraftFormSet(request.POST)
    if len(formset.forms) != len(extraction.obligations):  # a draft count the preview never had
        messages.error(request, "The preview is out of date or was altered; please preview again.")
        return redirect("import_order")
    if not formset.is_valid():
        return _preview(request, extraction, text, signed, formset, status=400)
    corrected = drafts.apply_corrections(extraction, [f.cleaned_data for f in formset.forms])
    try:
        result = store(corrected, source="imported in the browser", by=request.user)
    except EffectError as error:  # what it does to another order cannot be: nothing was saved
        messages.error(request, f"This order cannot be saved: {error}.")
        return _preview(request, extraction, text, signed, formset, status=400)
    messages.success(request, result.summary())
    return redirect(result.version if result.outcome != "created" else result.order)
