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
