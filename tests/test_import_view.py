"""Import in the browser: preview as drafts, correct, confirm; nothing written before that."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from obligations.forms import MAX_UPLOAD_BYTES
from obligations.models import Obligation, Order

pytestmark = pytest.mark.django_db

TEXT = """number: 99002
title: Testing Imports
signed: 2020-03-02

Sec. 1. Reports. (a) The Secretary of Energy shall submit a report on grid security to the President within 60 days of the date of this order.

(b) The Secretary of Energy shall publish a summary annually.
"""


@pytest.fixture
def importer(client):
    user = User.objects.create_user("clerk", password="pw-for-tests-only")
    user.user_permissions.add(Permission.objects.get(codename="add_order"))
    client.force_login(user)
    return client


def preview(client, status=200, **data):
    response = client.post(reverse("import_order"), {"step": "preview", **data})
    assert response.status_code == status
    return response


def confirm_data(response, **changes):
    """What the preview form posts back, with some fields changed."""
    context = response.context
    data = {
        "step": "confirm", "digest": context["digest"], "text": context["text"],
        "signed": context["signed"],
    }  # fmt: skip
    formset = context["formset"]
    data.update({
        f"form-{k}": v for k, v in formset.management_form.initial.items()
    })  # fmt: skip
    for i, form in enumerate(formset.forms):
        for name, value in form.initial.items():
            if name == "keep":
                if value:
                    data[f"form-{i}-keep"] = "on"
            elif value is not None:
                data[f"form-{i}-{name}"] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_preview_writes_nothing_and_confirm_saves_the_corrections(importer):
    response = preview(importer, text=TEXT)
    assert [f.section for f, _ in response.context["rows"]] == ["1(a)", "1(b)"]
    assert Order.objects.count() == 0
    data = confirm_data(response, **{"form-0-action": "grid security report", "form-1-keep": None})
    saved = importer.post(reverse("import_order"), data)
    assert saved.status_code == 302
    order = Order.objects.get(number="99002")
    assert saved["Location"] == order.get_absolute_url()
    (only,) = order.obligations.all()
    assert (only.section, only.action) == ("1(a)", "grid security report")
    assert str(only.occurrences.get().due) == "2020-05-01"


def test_a_corrected_due_date_becomes_a_fixed_date(importer):
    data = confirm_data(preview(importer, text=TEXT), **{"form-0-due": "2020-06-30"})
    importer.post(reverse("import_order"), data)
    obligation = Obligation.objects.get(section="1(a)")
    occurrence = obligation.occurrences.get()
    assert str(occurrence.due) == "2020-06-30"
    assert obligation.anchor_text == "fixed date (corrected at import)"


def test_upload_a_file(importer):
    upload = SimpleUploadedFile("order.txt", TEXT.encode(), content_type="text/plain")
    response = preview(importer, file=upload)
    assert len(response.context["rows"]) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Upload a file or paste the text of an order."),
        ({"text": "Lunch menu: soup and bread."}, "cannot be read as an order"),
        ({"file": SimpleUploadedFile("x.txt", b"\xff\xfe\x00bad")}, "not UTF-8 text"),
        ({"file": SimpleUploadedFile("big.txt", b"a" * (MAX_UPLOAD_BYTES + 1))}, "too large"),
    ],
)
def test_bad_input_gets_a_message_and_writes_nothing(importer, data, message):
    response = preview(importer, status=400, **data)
    assert message in response.content.decode()
    assert Order.objects.count() == 0


def test_a_tampered_preview_is_refused(importer):
    data = confirm_data(preview(importer, text=TEXT))
    data["text"] = data["text"].replace("60 days", "6 days")
    response = importer.post(reverse("import_order"), data, follow=True)
    assert "out of date or was altered" in response.content.decode()
    assert Order.objects.count() == 0


def test_import_needs_the_permission(client):
    client.force_login(User.objects.create_user("reader", password="pw-for-tests-only"))
    assert client.get(reverse("import_order")).status_code == 403
    assert (
        client.post(reverse("import_order"), {"step": "preview", "text": TEXT}).status_code == 403
    )
    assert Order.objects.count() == 0


def test_a_text_sent_back_with_crlf_line_ends_confirms(importer):
    # A browser posts the preview's textarea back with CRLF, whatever the file had (issue 16).
    upload = SimpleUploadedFile("order.txt", TEXT.encode(), content_type="text/plain")
    data = confirm_data(preview(importer, file=upload))
    data["text"] = data["text"].replace("\n", "\r\n")
    saved = importer.post(reverse("import_order"), data)
    assert saved.status_code == 302, saved.content.decode()[:300]
    assert "\r" not in Order.objects.get(number="99002").text


def test_an_order_with_hundreds_of_drafts_confirms(importer):
    # 5 fields a draft: Django's default 1,000 fields refused more than about 198 drafts.
    sections = "\n\n".join(
        f"Sec. {n}. Part {n}. The Secretary of Energy shall submit report {n} to the President "
        f"within {n} days of the date of this order."
        for n in range(1, 251)
    )
    text = f"number: 99004\ntitle: Many Reports\nsigned: 2020-03-02\n\n{sections}\n"
    response = preview(importer, text=text)
    assert len(response.context["rows"]) == 250
    saved = importer.post(reverse("import_order"), confirm_data(response))
    assert saved.status_code == 302
    assert Order.objects.get(number="99004").obligations.count() == 250


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "signed: 2017-02-30",
            "the header&#x27;s signed date &#x27;2017-02-30&#x27; is not a date",
        ),
        (
            "published: someday",
            "the header&#x27;s published date &#x27;someday&#x27; is not a date",
        ),
        ("number: " + "1" * 35, "the header&#x27;s number is 35 characters long; at most 20"),
        ("title: " + "T" * 800, "the header&#x27;s title is 800 characters long; at most 500"),
    ],
)
def test_header_values_that_cannot_be_kept_are_refused_with_their_name(importer, header, message):
    name = header.split(":")[0]
    line = next(line for line in TEXT.splitlines() if line.startswith(f"{name}:") or not line)
    text = TEXT.replace(line, header, 1) if line else f"{header}\n{TEXT}"
    response = preview(importer, status=400, text=text)
    assert message in response.content.decode()
    assert Order.objects.count() == 0
