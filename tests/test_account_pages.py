"""Signing in, out and back after a forgotten password; the error pages say why and what to do."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_says_what_the_tracker_is_and_offers_a_reset(client):
    html = client.get(reverse("login")).content.decode()
    assert "turns the text of federal orders into dated obligations" in html
    assert f'href="{reverse("password_reset")}"' in html
    assert 'rel="icon"' in html


def test_a_forgotten_password_is_reset_by_e_mail(client, people):
    user = people["reader"]
    user.email = "reader@example.gov"
    user.save()
    response = client.post(reverse("password_reset"), {"email": "reader@example.gov"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["reader@example.gov"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {
        "new_password1": "a-new-long-password-2017", "new_password2": "a-new-long-password-2017",
    }, follow=True)  # fmt: skip
    assert "Your new password is saved" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-new-long-password-2017")


def test_an_address_with_no_account_gets_the_same_answer_and_no_mail(client, people):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.gov"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_signing_out_says_so(client, people):
    client.force_login(people["reader"])
    page = client.post(reverse("logout"), follow=True).content.decode()
    assert "You are signed out, reader." in page


def test_a_reader_who_opens_import_is_told_why_and_what_to_do(client, people):
    client.force_login(people["reader"])
    response = client.get(reverse("import_order"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "You may not import orders." in html and "ask an administrator" in html
    assert "<h1>You may not do this</h1>" in html


def test_an_unknown_address_is_a_page_with_a_way_on(client, people):
    client.force_login(people["reader"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Nothing here</h1>" in html and 'role="search"' in html


def test_a_past_day_says_so_with_a_way_back(client, people, eo_13768):
    client.force_login(people["reader"])
    html = client.get(reverse("home"), {"as_of": "2017-04-28"}).content.decode()
    assert "as it stood on <strong>Friday, April 28, 2017</strong>" in html
    assert 'href="?">Back to today</a>' in html
    today = client.get(reverse("home")).content.decode()
    assert "as it stood on" not in today.split("</header>")[1]
    odd = client.get(reverse("home"), {"as_of": "9999-12-31"}).content.decode()
    assert "as-of-banner" not in odd  # an out-of-range date shows today, with its own notice
