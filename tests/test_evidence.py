"""Evidence files: what is accepted and refused, who may attach, downloads, and that nothing
attached is ever replaced or deleted."""

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from obligations.evidence import attach, clean_name
from obligations.models import Evidence, Occurrence
from obligations.views.evidence import evidence_context

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = [
    ("report.pdf", PDF, "application/pdf"),
    ("report.docx", docx_bytes(), DOCX),
    ("chart.png", PNG, "image/png"),
    ("notes.txt", "Weekly list — week 1\n".encode(), "text/plain; charset=utf-8"),
]


@pytest.fixture
def occurrence(world):
    return Occurrence.objects.get(pk=world["occurrence_detail"][0])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def upload(client, occurrence, name, content, **data):
    data = {"purpose": "evidence", "note": "", **data, "file": SimpleUploadedFile(name, content)}
    return client.post(reverse("evidence_upload", args=[occurrence.pk]), data)


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED)
def test_accepted_types_are_stored_with_digest_and_size(
    client, people, occurrence, media, name, content, content_type
):
    client.force_login(people["dhs"])
    response = upload(client, occurrence, name, content, note="as sent to Congress")
    assert response.status_code == 302
    assert response["Location"] == reverse("occurrence_detail", args=[occurrence.pk]) + "#evidence"
    evidence = Evidence.objects.get(name=name)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert (evidence.size, evidence.content_type) == (len(content), content_type)
    assert (evidence.by, evidence.note, evidence.occurrence) == (
        people["dhs"], "as sent to Congress", occurrence,
    )  # fmt: skip
    assert evidence.sha256 in evidence.file.name
    assert (media / evidence.file.name).read_bytes() == content
    assert "Attached" in said(response)


def test_an_oversized_file_is_refused_with_the_limit_and_its_size(
    client, people, occurrence, media, settings
):
    settings.EVIDENCE_MAX_BYTES = 1000
    client.force_login(people["dhs"])
    rows, stored = Evidence.objects.count(), files(media)
    response = upload(client, occurrence, "big.pdf", PDF + b"0" * (1001 - len(PDF)))
    assert response.status_code == 302
    message = said(response)
    assert "1,001 bytes" in message and "at most" in message and "1,000 bytes" in message
    assert Evidence.objects.count() == rows and files(media) == stored


TYPES = "Accepted: PDF (.pdf), Office"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("report.pdf", b"<!doctype html><script>alert(1)</script>", "does not look like"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "not an accepted type"),
        ("page.html", b"<html></html>", "not an accepted type"),
        ("setup.exe", b"MZ\x90\x00", "not an accepted type"),
        ("sheet.xlsx", PDF, "does not look like"),
        ("notes.txt", b"caf\xe9 latin-1", "is not UTF-8 text"),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_other_contents_are_refused_with_a_message(
    client, people, occurrence, media, name, content, words
):
    client.force_login(people["dhs"])
    rows, stored = Evidence.objects.count(), files(media)
    response = upload(client, occurrence, name, content)
    assert response.status_code == 302
    message = said(response)
    assert words in message
    assert (TYPES in message) == ("look like" in words or "accepted type" in words), message
    assert Evidence.objects.count() == rows and files(media) == stored


@pytest.mark.parametrize("role", ["dos", "reader"])
def test_only_those_who_may_change_the_track_attach(client, people, occurrence, media, role):
    client.force_login(people[role])
    rows, stored = Evidence.objects.count(), files(media)
    assert upload(client, occurrence, "report.pdf", PDF).status_code == 403
    assert Evidence.objects.count() == rows and files(media) == stored


def test_verification_needs_a_verifier(client, people, occurrence, media):
    client.force_login(people["dhs"])
    assert upload(client, occurrence, "check.pdf", PDF, purpose="verification").status_code == 403
    client.force_login(people["verifier"])
    assert upload(client, occurrence, "check.pdf", PDF, purpose="verification").status_code == 302
    assert Evidence.objects.get(name="check.pdf").purpose == "verification"


def test_anonymous_downloads_go_to_sign_in(client, world):
    response = client.get(reverse("evidence_download", args=world["evidence_download"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_download_is_the_bytes_as_an_attachment_that_never_runs(client, people, occurrence):
    evidence = attach(
        occurrence, SimpleUploadedFile("a report.pdf", PDF), by=None, purpose="evidence"
    )
    client.force_login(people["reader"])
    url = reverse("evidence_download", args=[evidence.pk, evidence.name])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="a_report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["ETag"] == f'"{hashlib.sha256(PDF).hexdigest()}"'
    assert client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304


def test_unknown_ids_and_wrong_names_are_not_found(client, people, world):
    client.force_login(people["reader"])
    pk, name = world["evidence_download"]
    assert client.get(reverse("evidence_download", args=[pk, "other.txt"])).status_code == 404
    assert client.get(reverse("evidence_download", args=[pk + 999, name])).status_code == 404


def test_evidence_rows_cannot_be_changed_or_deleted(world):
    evidence = Evidence.objects.get(pk=world["evidence_download"][0])
    evidence.note = "changed"
    for attempt in (evidence.save, evidence.delete, Evidence.objects.all().delete,
                    lambda: Evidence.objects.update(note="x")):  # fmt: skip
        with pytest.raises(PermissionError):
            attempt()


def test_the_same_bytes_twice_are_two_files(occurrence, people, media):
    first, second = (
        attach(occurrence, SimpleUploadedFile("r.pdf", PDF), by=people["dhs"], purpose="evidence",
               note=note)
        for note in ("as sent", "a correction")
    )  # fmt: skip
    assert first.pk != second.pk and first.sha256 == second.sha256
    assert first.file.name != second.file.name
    assert (media / first.file.name).read_bytes() == (media / second.file.name).read_bytes() == PDF


def test_files_go_through_djangos_storage_api(occurrence, settings, media):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    stored = files(media)
    evidence = attach(occurrence, SimpleUploadedFile("m.png", PNG), by=None, purpose="evidence")
    assert default_storage.exists(evidence.file.name)
    with default_storage.open(evidence.file.name) as stored_file:
        assert stored_file.read() == PNG
    assert files(media) == stored


def test_a_failed_row_leaves_no_file(occurrence, media, monkeypatch):
    stored, rows = files(media), Evidence.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Evidence, "save", broken)
    with pytest.raises(RuntimeError):
        attach(occurrence, SimpleUploadedFile("r.pdf", PDF), by=None, purpose="evidence")
    assert files(media) == stored and Evidence.objects.count() == rows


def test_attaching_moves_the_data_version_not_the_status(occurrence, media):
    before = Occurrence.objects.get(pk=occurrence.pk)
    attach(occurrence, SimpleUploadedFile("r.pdf", PDF), by=None, purpose="evidence")
    after = Occurrence.objects.get(pk=occurrence.pk)
    assert after.updated_at > before.updated_at
    assert (after.version, after.status) == (before.version, before.status)


def test_names_are_made_safe_and_short():
    assert clean_name("../../etc/my report (final).pdf") == "my_report_final.pdf"
    long = clean_name("x" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
    for hostile in ("", "..", "/", "()"):
        with pytest.raises(ValidationError):
            clean_name(hostile)


def test_the_section_lists_files_and_offers_the_form_to_those_who_may(people, occurrence, world):
    def render(user):
        request = RequestFactory().get("/")
        request.user = user
        context = evidence_context(request, occurrence)
        return render_to_string("obligations/_evidence.html", context, request=request)

    evidence = Evidence.objects.get(pk=world["evidence_download"][0])
    html = render(people["dhs"])
    assert reverse("evidence_download", args=[evidence.pk, evidence.name]) in html
    assert evidence.sha256[:12] in html and evidence.sha256 in html and "dhs" in html
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert "multipart" not in render(people["reader"])


def test_an_s3_bucket_setting_selects_the_s3_storage():
    env = {**os.environ, "EVIDENCE_S3_BUCKET": "evidence", "EVIDENCE_S3_ENDPOINT": "http://s3:9000"}
    code = "import json, tracker.settings as s; print(json.dumps(s.STORAGES['default']))"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)  # fmt: skip
    default = json.loads(result.stdout)
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"] == {
        "bucket_name": "evidence", "endpoint_url": "http://s3:9000", "region_name": None,
        "default_acl": None, "querystring_auth": True, "file_overwrite": False,
    }  # fmt: skip


def test_the_admin_lists_evidence_and_changes_none(client, people, world):
    client.force_login(people["admin"])
    pk = world["evidence_download"][0]
    assert client.get(reverse("admin:obligations_evidence_changelist")).status_code == 200
    assert client.get(reverse("admin:obligations_evidence_add")).status_code == 403
    assert client.post(reverse("admin:obligations_evidence_delete", args=[pk])).status_code == 403
    assert Evidence.objects.filter(pk=pk).exists()
