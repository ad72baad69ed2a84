"""Evidence files: documents attached to a track (an occurrence), kept for good.

`attach()` is the one way a file becomes evidence. It refuses what is too large or not a known
document type (by extension and by the file's first bytes, so a renamed page or program is
refused), computes the SHA-256 while streaming, and stores the file through Django's storage API
(local disk by default, an S3-compatible bucket in production) together with its row, in one
transaction. Nothing is replaced or deleted afterwards: a correction is a new file.
"""

import codecs
import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from obligations.models import Evidence, Occurrence

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
NAME_LENGTH = 200  # Evidence.name's max_length

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy Office (Compound File Binary)


@dataclass(frozen=True)
class Kind:
    content_type: str
    magic: tuple[bytes, ...] = ()  # the file starts with one of these; () = UTF-8 text

    def matches(self, head: bytes) -> bool:
        if self.content_type == "image/webp":  # RIFF, a 4-byte size, then WEBP
            return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        return not self.magic or head.startswith(self.magic)

    @property
    def text(self) -> bool:
        return not self.magic


OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."
KINDS = {
    ".pdf": Kind("application/pdf", (b"%PDF",)),
    ".docx": Kind(OOXML + "wordprocessingml.document", ZIP),
    ".xlsx": Kind(OOXML + "spreadsheetml.sheet", ZIP),
    ".pptx": Kind(OOXML + "presentationml.presentation", ZIP),
    ".doc": Kind("application/msword", OLE),
    ".xls": Kind("application/vnd.ms-excel", OLE),
    ".ppt": Kind("application/vnd.ms-powerpoint", OLE),
    ".odt": Kind(ODF + "text", ZIP),
    ".ods": Kind(ODF + "spreadsheet", ZIP),
    ".txt": Kind("text/plain; charset=utf-8"),
    ".csv": Kind("text/csv; charset=utf-8"),
    ".md": Kind("text/markdown; charset=utf-8"),
    ".png": Kind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": Kind("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": Kind("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": Kind("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": Kind("image/webp", (b"RIFF",)),
}
ACCEPTED = (
    "PDF (.pdf), Office (.docx, .xlsx, .pptx, .doc, .xls, .ppt), OpenDocument (.odt, .ods), "
    "UTF-8 text (.txt, .csv, .md), images (.png, .jpg, .jpeg, .gif, .webp)"
)


def max_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def attach(occurrence, upload, *, by, purpose, note="", public=False) -> Evidence:
    """Store `upload` (a Django File) as evidence on `occurrence`; ValidationError if refused.

    A refused file leaves nothing behind: no row, no file in storage."""
    name = clean_name(upload.name)
    check_size(name, upload.size)
    kind = check_kind(name, upload)
    digest, size = digest_and_size(name, upload, kind)
    evidence = Evidence(
        occurrence=occurrence, purpose=purpose, name=name, content_type=kind.content_type,
        size=size, sha256=digest, public=public, by=by, note=note,
    )  # fmt: skip
    # S3 stores the object with the upload's content type: ours, not what the browser claimed.
    upload.content_type = kind.content_type
    store(evidence, upload)
    return evidence


def store(evidence, upload) -> None:
    """The file and its row together: a failed transaction deletes the file it saved.

    (Inside a caller's transaction that later rolls back, the file stays as an unreferenced
    object named by its digest; it is never served, since only rows lead to files.)"""
    try:
        with transaction.atomic():
            evidence.file.save(evidence.name, upload, save=False)
            evidence.save()
            # The track's page and cached parts must show the new file (obligations/versions.py).
            Occurrence.objects.filter(pk=evidence.occurrence_id).update(updated_at=timezone.now())
    except BaseException:
        if evidence.file.name:
            evidence.file.storage.delete(evidence.file.name)
        raise


def clean_name(raw: str) -> str:
    """A safe file name (letters, digits, - _ .) of at most 200 characters, extension kept."""
    try:
        name = get_valid_filename(PurePath(raw or "").name)
    except SuspiciousFileOperation:
        raise ValidationError("The file needs a name, such as report.pdf.") from None
    suffix = PurePath(name).suffix[:20]
    return name[: NAME_LENGTH - len(suffix)] + suffix if len(name) > NAME_LENGTH else name


def check_size(name: str, size: int | None) -> None:
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            f"“{name}” is {_mib(size)} ({size:,} bytes); "
            f"files may be at most {_mib(limit)} ({limit:,} bytes)."
        )
    if size == 0:
        raise ValidationError(f"“{name}” is empty.")


def check_kind(name: str, upload) -> Kind:
    """The document type, by the extension and then by the first bytes."""
    kind = KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise ValidationError(f"“{name}” is not an accepted type. Accepted: {ACCEPTED}.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not kind.matches(head):
        raise ValidationError(
            f"“{name}” does not look like its extension says ({kind.content_type}): "
            f"its contents are of another type. Accepted: {ACCEPTED}."
        )
    return kind


def digest_and_size(name: str, upload, kind: Kind) -> tuple[str, int]:
    """SHA-256 and size over the upload's chunks (never all of it in memory); text must be
    UTF-8 throughout, and the count is checked again in case the declared size was wrong."""
    sha, size, limit = hashlib.sha256(), 0, max_bytes()
    decoder = codecs.getincrementaldecoder("utf-8")() if kind.text else None
    for chunk in upload.chunks():
        sha.update(chunk)
        size += len(chunk)
        if size > limit:
            check_size(name, size)
        if decoder is not None:
            _decode(name, decoder, chunk)
    if decoder is not None:
        _decode(name, decoder, b"", final=True)
    check_size(name, size)
    return sha.hexdigest(), size


def _decode(name, decoder, chunk, final=False):
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        raise ValidationError(f"“{name}” is not UTF-8 text; save it as UTF-8 or as PDF.") from None


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


class EvidenceForm(forms.Form):
    """The upload form; its purposes are those the user may attach (see views/evidence.py)."""

    file = forms.FileField(error_messages={
        "required": "Choose a file to attach.", "empty": "The file is empty.",
    })  # fmt: skip
    purpose = forms.ChoiceField(choices=Evidence.Purpose.choices, error_messages={
        "invalid_choice": "Choose what the file is: evidence, verification or authority.",
    })  # fmt: skip
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    public = forms.BooleanField(required=False, help_text="May be shown on public pages.")

    def __init__(self, *args, purposes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if purposes is not None:
            self.fields["purpose"].choices = [
                (value, label) for value, label in Evidence.Purpose.choices if value in purposes
            ]
        self.fields["file"].help_text = f"At most {_mib(max_bytes())}. Accepted: {ACCEPTED}."
