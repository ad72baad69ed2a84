from datetime import date

import pytest

from obligations.extraction import read_file
from obligations.importers import import_text
from obligations.models import Obligation, Occurrence, Order
from tests.test_extraction import ORDERS


def make_order(**kwargs):
    kwargs.setdefault("number", "99999")
    kwargs.setdefault("title", "A test order")
    kwargs.setdefault("signed", date(2017, 1, 25))
    kwargs.setdefault("text", f"text of {kwargs['number']}")
    kwargs.setdefault("text_sha256", kwargs["text"][:64].ljust(64, "0"))
    return Order.objects.create(**kwargs)


def make_obligation(order=None, **kwargs):
    kwargs.setdefault("section", "1")
    kwargs.setdefault("key", f"key-{kwargs['section']}")
    kwargs.setdefault("action", "submit a report")
    kwargs.setdefault("quote", "The Secretary shall submit a report within 90 days.")
    kwargs.setdefault("span_start", 0)
    kwargs.setdefault("span_end", 10)
    kwargs.setdefault("rule", {"kind": "deadline", "offset": "90 days", "anchor": "order"})
    return Obligation.objects.create(order=order or make_order(), **kwargs)


def make_occurrence(obligation=None, **kwargs):
    kwargs.setdefault("sequence", 1)
    kwargs.setdefault("due", date(2017, 4, 25))
    kwargs.setdefault("explanation", "test")
    return Occurrence.objects.create(obligation=obligation or make_obligation(), **kwargs)


@pytest.fixture
def import_fixture():
    def load(name):
        return import_text(read_file(ORDERS / name))

    return load


@pytest.fixture
def pinned_today(monkeypatch):
    """Pin the dashboard's "today" (obligations.clock) to 2017-07-24."""
    day = date(2017, 7, 24)
    monkeypatch.setattr("obligations.clock.today", lambda: day)
    return day


@pytest.fixture
def eo_13768(import_fixture):
    return import_fixture("eo-13768.txt").order


def agency_user(username, agency):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username, password="pw-for-tests-only")
    user.groups.add(agency.group)
    return user


@pytest.fixture
def people(db):
    """A reader, a DHS user (answers for most of EO 13768), a DOS user, an admin, a verifier
    (no agency) and a waiver official."""
    from django.contrib.auth.models import User

    from obligations.models import Agency

    dhs = Agency.named("Department of Homeland Security", "DHS")
    dos = Agency.named("Department of State", "DOS")
    return {
        "reader": User.objects.create_user("reader", password="pw-for-tests-only"),
        "dhs": agency_user("dhs", dhs),
        "dos": agency_user("dos", dos),
        "admin": User.objects.create_superuser("boss", password="pw-for-tests-only"),
        "verifier": role_user("ig", "Verifiers"),
        "closer": role_user("omb", "Waiver officials"),
    }


def role_user(username, role):
    """A user in one of the role groups migration 0011 makes."""
    from django.contrib.auth.models import Group, Permission, User

    codename = {"Verifiers": "verify_occurrence", "Waiver officials": "close_occurrence"}[role]
    group, _ = Group.objects.get_or_create(name=role)  # a flushed database has lost it
    group.permissions.add(Permission.objects.get(codename=codename))
    user = User.objects.create_user(username, password="pw-for-tests-only")
    user.groups.add(group)
    return user


@pytest.fixture
def make_feed():
    """make_feed(user, **filters) -> (feed, token)."""
    from obligations.feeds import new_token
    from obligations.models import Feed

    def make(user, **fields):
        token, token_hash = new_token()
        fields.setdefault("name", "My obligations")
        return Feed.objects.create(user=user, token_hash=token_hash, **fields), token

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs a third of a second per user; tests make many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SMALL_ORDER = """number: 99010
title: Securing the Matrix
signed: 2020-03-02

Sec. 1. Lists. The Secretary of Homeland Security shall publish a list on a weekly basis.
"""


@pytest.fixture
def world(people, make_feed, settings, tmp_path):
    """Objects the URLs point at: an obligation DHS answers for, DHS's own feed, a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from obligations.api.tokens import new_token as new_api_token
    from obligations.emails import unsubscribe_url
    from obligations.evidence import attach
    from obligations.models import Occurrence, OrderEffect

    order = import_text(SMALL_ORDER).order
    obligation = order.obligations.get()
    occurrence = Occurrence.objects.filter(obligation=obligation).first()
    feed, token = make_feed(people["dhs"])
    settings.MEDIA_ROOT = tmp_path  # evidence files go here, not into the checkout
    upload = SimpleUploadedFile("list.txt", b"week 1\n")
    evidence = attach(occurrence, upload, by=people["dhs"], purpose="evidence")
    revoker = make_order(number="99011", signed=date(2021, 3, 1))
    effect = OrderEffect.objects.create(source=revoker, target=order, on=revoker.signed).pk
    version = import_text(SMALL_ORDER.replace("weekly", "monthly")).version.pk  # pending
    api_token = new_api_token(people["dhs"], "DHS script")[0].pk
    return {
        "obligation_detail": [obligation.pk], "follow": [obligation.pk],
        "series_change": [obligation.pk],
        "occurrence_detail": [occurrence.pk], "order_detail": [order.pk],
        "timeline": [order.pk], "feed_rotate": [feed.pk], "feed_revoke": [feed.pk],
        "feed_ics": [token], "unsubscribe": [unsubscribe_url(people["reader"]).split("/")[-2]],
        "evidence_upload": [occurrence.pk], "evidence_download": [evidence.pk, evidence.name],
        "effect_apply": [effect], "effect_reject": [effect], "effect_undo": [effect],
        "version_detail": [version], "version_apply": [version], "version_reject": [version],
        "password_reset_confirm": ["MQ", "not-a-token"], "api_token_revoke": [api_token],
        "public_order": ["eo-99010"], "public_obligation": ["eo-99010", obligation.key],
        "public_agency": ["department-of-homeland-security"],
        "public_evidence": [evidence.pk, evidence.name],
        "public_order_scorecard": ["eo-99010"], "public_order_report": ["eo-99010"],
        "public_agency_scorecard": ["department-of-homeland-security"],
        "public_order_csv": ["eo-99010"], "public_order_json": ["eo-99010"],
        "public_order_ics": ["eo-99010"],
    }  # fmt: skip


@pytest.fixture(autouse=True)
def empty_cache():
    """Rendered feeds are cached by ETag: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def recipients(people, eo_13768):
    """Three DHS staff who want one e-mail per due date: several messages each."""
    from obligations.models import ReminderPreference

    dhs = people["dhs"].groups.first().agency
    users = [agency_user(f"staff{i}", dhs) for i in range(3)]
    for user in users:
        user.email = f"{user.username}@example.gov"
        user.save()
        ReminderPreference.objects.create(user=user, digest=False)
    return users


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "client",
                     "admin_client", "django_user_model"}  # fmt: skip


def pytest_collection_modifyitems(items):
    """Mark the tests that touch no database: the PostgreSQL pass of CI need not run them twice
    (pure extraction, schedule and format tests give the same answer on any database)."""
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") is None and not uses & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.no_database)
