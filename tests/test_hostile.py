"""Hostile input: no request answers 5xx (issue 16).

First one test per request that answered 500, then the sweep. The sweep is built from the URL
conf and from what the views read, not from a list kept by hand: every URL pattern with hostile
values in each path parameter (as each role; the Django admin's as the admin), every GET page
with hostile values in each query parameter its view reads (request.GET in its module and in
views/common.py, and the list's filters), and every POST form the pages show with hostile values
in each field. A new view, parameter or form field is covered without anyone adding it here.
"""

import inspect
import re
import time
from datetime import date
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from icalendar import Calendar

from obligations import clock
from obligations.extraction import ExtractionError, extract
from obligations.filters import ObligationFilter
from obligations.models import Feed, Occurrence, Order, ReminderPreference
from obligations.schedule import Conventions, Period, Rule, due_dates
from tests.test_authorization import site_patterns

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parent.parent / "obligations"
ROLES = {"anonymous": None, "reader": "reader", "agency staff": "dhs", "admin": "admin"}
HUGE = "99999999999999999999999"
# Path parameters by converter; the real object's value is requested too (for the query sweep).
PATH_VALUES = {
    "int": ["0", "-1", HUGE],
    "str": ["x" * 3000, "é漢字🙂\u202e", "%00"],
}
PATH_VALUES["path"] = ["x" * 3000, "%00", "-1", HUGE]  # the admin's object ids
QUERY_VALUES = ["9999-12-31", "0001-01-01", "2017-02-30", "x", HUGE, "-1", "", "y" * 5000,
                "é漢字🙂\u202e", "\x00", "9999-12", "1-1", "²"]  # fmt: skip
# Each form field gets these, and one of the others in turn.
FORM_VALUES = ["9999-12-31", "0001-01-01", HUGE, "-1", "", "y" * 5000, "\x00"]
GET_READ = re.compile(r"request\.GET(?:\.get\(|\.getlist\(|\[)\s*[\"'](\w+)[\"']")


def query_parameters() -> list[str]:
    """What the code reads from the query string (request.GET["x"], .get("x"), .getlist("x")), and
    the obligations list's filters (their form's fields)."""
    found = {m for f in PACKAGE.rglob("*.py") for m in GET_READ.findall(f.read_text())}
    return sorted(found | set(ObligationFilter.base_filters))


def routes():
    """(name, route, {parameter: converter name}) of every URL pattern outside the admin."""
    by_name = {p.name: p.pattern for p in _flat(get_resolver().url_patterns)}
    for name, route in site_patterns():
        pattern = by_name[name]
        if isinstance(pattern, RoutePattern):
            found = re.findall(r"<(?:(\w+):)?(\w+)>", route)
            params = {param: kind or "str" for kind, param in found}
        else:  # a regular expression: its named groups, as text
            params = dict.fromkeys(pattern.regex.groupindex, "str")
        yield name, route, params


def admin_routes(patterns=None, prefix=""):
    """(name, route, {parameter: converter name}) of the Django admin's URL patterns."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inside = prefix + str(entry.pattern)
            if getattr(entry, "app_name", None) == "admin" or prefix:
                yield from admin_routes(entry.url_patterns, inside)
        elif prefix and isinstance(entry.pattern, RoutePattern):
            route = prefix + str(entry.pattern)
            found = re.findall(r"<(?:(\w+):)?(\w+)>", route)
            yield entry.name, route, {param: kind or "str" for kind, param in found}


def _flat(patterns):
    for entry in patterns:
        if isinstance(entry, URLPattern):
            yield entry
        else:
            yield from _flat(entry.url_patterns)


def fill(route: str, values: dict[str, str]) -> str:
    """The path of a route with each parameter replaced by a value (any value: no converter
    checks it, so a hostile one reaches the resolver as a browser would send it)."""
    from urllib.parse import quote

    def one(match):
        value = str(values[match.group("name")])
        return value if value.startswith("%") else quote(value, safe="")

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", one, route)
    path = re.sub(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)", one, path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\.", ".")


# Issue 16, one by one -----------------------------------------------------------------------

QUARTERLY_ORDER = """number: 99020
title: Counting Things
signed: {signed}

Sec. 1. Counts. The Secretary of Homeland Security shall submit quarterly reports on the count.
"""
DEEP_XML = (
    "<EXECORD>" + "<P>" * 50_000 + "The Secretary shall report." + "</P>" * 50_000 + "</EXECORD>"
)


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize(
    "name", ["home", "obligation_list", "order_list", "order_detail", "timeline",
             "obligation_detail", "occurrence_detail", "calendar"],
)  # fmt: skip
def test_an_as_of_date_out_of_range_shows_today_with_a_notice(client, people, world, name, value):
    client.force_login(people["reader"])
    response = client.get(reverse(name, args=world.get(name, [])), {"as_of": value})
    assert response.status_code == 200
    assert "outside the dates the tracker handles" in response.content.decode()
    assert response.context["day"] == clock.today()


@pytest.mark.parametrize("value", ["9999-12", "1-1", "0001-01", "1788-12"])
def test_a_calendar_month_out_of_range_shows_this_month_with_a_notice(client, people, value):
    client.force_login(people["reader"])
    response = client.get(reverse("calendar"), {"month": value})
    assert response.status_code == 200
    assert "outside the dates the tracker handles" in response.content.decode()
    assert response.context["first"] == clock.today().replace(day=1)


@pytest.mark.parametrize("name", ["obligation_list", "calendar"])
@pytest.mark.parametrize("value", [HUGE, "²", "-1"])
def test_an_order_id_no_row_can_have_is_ignored(client, people, world, name, value):
    client.force_login(people["reader"])
    response = client.get(reverse(name), {"order": value})
    assert response.status_code == 200


def test_deeply_nested_xml_is_refused_with_a_reason(client, people, tmp_path):
    with pytest.raises(ExtractionError, match="nested more than 100 elements deep"):
        extract(DEEP_XML)
    client.force_login(people["admin"])
    response = client.post(reverse("import_order"), {"step": "preview", "text": DEEP_XML})
    assert response.status_code == 400
    assert "nested more than 100 elements deep" in response.content.decode()
    path = tmp_path / "deep.xml"
    path.write_text(DEEP_XML)
    with pytest.raises(CommandError, match="nested more than 100"):
        call_command("import_order", str(path), stdout=StringIO())
    assert not Order.objects.exists()


@pytest.mark.parametrize("signed", ["9999-12-31", "0001-01-01", "1788-12-31"])
def test_a_signing_date_out_of_range_is_refused_at_the_form_the_header_and_the_command(
    client, people, tmp_path, signed
):
    client.force_login(people["admin"])
    text = QUARTERLY_ORDER.format(signed="2020-01-02")
    response = client.post(reverse("import_order"), {"step": "preview", "text": text,
                                                     "signed": signed})  # fmt: skip
    assert response.status_code == 400
    assert f"{signed} is outside the dates the tracker handles" in response.content.decode()
    text = QUARTERLY_ORDER.format(signed=signed)
    response = client.post(reverse("import_order"), {"step": "preview", "text": text})
    assert response.status_code == 400
    assert f"the signing date {signed} is outside the dates" in response.content.decode()
    path = tmp_path / "order.txt"
    path.write_text(text)
    with pytest.raises(CommandError, match="signing date .* is outside the dates"):
        call_command("import_order", str(path), stdout=StringIO())
    path.write_text(QUARTERLY_ORDER.format(signed="2020-01-02"))
    with pytest.raises(CommandError, match="--signed: .* is outside the dates"):
        call_command("import_order", str(path), "--signed", signed, stdout=StringIO())
    assert not Order.objects.exists()


@pytest.mark.parametrize("line", ["effective: 9999-12-31", "published: 0001-01-01"])
def test_an_effective_or_publication_date_out_of_range_is_refused(line):
    text = QUARTERLY_ORDER.format(signed="2020-01-02").replace("\n\n", f"\n{line}\n\n", 1)
    with pytest.raises(ExtractionError, match="date .* is outside the dates the tracker handles"):
        extract(text)


@pytest.mark.parametrize(
    ("name", "data"),
    [("obligation_detail", {"day_count": "calendar", "periods": "anchor", "horizon_years": 4,
                            "end": "9999-12-31"}),
     ("series_change", {"action": "suspend", "on": "9999-12-31", "authority": "memo"})],
)  # fmt: skip
def test_a_series_cannot_end_or_change_outside_the_range(client, people, world, name, data):
    """A series ending 9999-12-31 is 10,000 due dates (every page of it slow); the form says so."""
    client.force_login(people["admin"])
    obligation = world[name][0]
    before = Occurrence.objects.filter(obligation=obligation).count()
    response = client.post(reverse(name, args=[obligation]), data)
    assert response.status_code in (200, 400)
    assert "9999-12-31 is outside the dates the tracker handles" in response.content.decode()
    assert Occurrence.objects.filter(obligation=obligation).count() == before


@pytest.mark.parametrize("value", [HUGE, "²", "-1"])
def test_reminder_preferences_refuse_an_id_no_row_can_have(client, people, value):
    client.force_login(people["reader"])
    response = client.post(reverse("reminder_preferences"), {"lead_days": "7", "orders": value})
    assert response.status_code == 200
    assert response.context["form"].errors["orders"]
    assert not ReminderPreference.objects.exists()


@pytest.mark.parametrize(
    "url", ["/admin/django_q/success/%00/change/", "/admin/django_q/failure/%00/history/",
            "/?as_of=%00", "/obligations/?q=a%00b", "/admin/obligations/order/?q=%00"],
)  # fmt: skip
def test_a_nul_in_an_address_is_refused(client, people, url):
    """PostgreSQL refuses NUL in text: django-q2's admin pages (text keys) answered 500."""
    client.force_login(people["admin"])
    response = client.get(url)
    assert response.status_code == 400
    assert b"may not contain a NUL character" in response.content


@pytest.mark.parametrize("total", ["0", "2", "-1", HUGE, "x", None])
def test_a_confirm_with_another_number_of_drafts_starts_again(client, people, total):
    """The drafts' count comes from the posted management form: a count the preview did not
    have answered 500 (the preview zips drafts with obligations)."""
    from tests.test_import_view import confirm_data, preview

    client.force_login(people["admin"])
    shown = preview(client, text=QUARTERLY_ORDER.format(signed="2020-01-02"))
    response = client.post(
        reverse("import_order"), confirm_data(shown, **{"form-TOTAL_FORMS": total})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("import_order")
    assert not Order.objects.exists()


def test_a_series_anchored_at_the_ends_of_the_calendar_stops_there():
    quarterly = Rule(kind="recurring", every=Period(3, "months"))
    first = due_dates(quarterly, date(1, 1, 1))
    assert first[0].date == date(1, 4, 1) and first[0].period_start == date(1, 1, 1)
    last = due_dates(quarterly, date(9999, 6, 30))
    assert [d.date for d in last] == [date(9999, 9, 30), date(9999, 12, 30)]
    for periods in ("calendar", "fiscal"):
        assert due_dates(quarterly, date(9999, 6, 30), Conventions(periods=periods))
    ninety = Rule(kind="deadline", offset=Period(90, "days"))
    assert due_dates(ninety, date(9999, 12, 1)) == []


@pytest.mark.parametrize("name", ["two\nlines", "carriage\rreturn", "tab\there", "bell\x07",
                                  "over\u202eride", "sep\u2028arator"])  # fmt: skip
def test_a_feed_name_with_control_characters_is_refused(client, people, name):
    client.force_login(people["reader"])
    response = client.post(reverse("feed_list"), {"name": name, "kind": ""})
    assert response.status_code == 200
    assert "A name is one line of text" in response.content.decode()
    assert not Feed.objects.exists()


def test_a_feed_saved_with_a_line_break_in_its_name_still_serves(client, people, make_feed):
    _, token = make_feed(people["reader"], name="Mine\r\nBEGIN:VALARM\rX")
    response = client.get(reverse("feed_ics", args=[token]))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Mine BEGIN:VALARM X"
    assert not any(line.startswith(b"BEGIN:VALARM") for line in response.content.splitlines())


# The sweep -------------------------------------------------------------------------------------


def test_query_parameters_are_found():
    found = query_parameters()
    for name in ("as_of", "month", "order", "format", "sort", "page", "q", "status", "mine"):
        assert name in found


class Forms(HTMLParser):
    """The POST forms of a page: (action, {field: default value}), as a browser would send them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.select = self.textarea = None
        self.inside = False  # a POST form

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = attrs.get("method", "").lower() == "post"
            if self.inside:
                self.forms.append((attrs.get("action", ""), {}))
            return
        if not self.inside or "name" not in attrs:
            if (
                self.inside
                and tag == "option"
                and self.select
                and ("selected" in attrs or not self.select[1])
            ):
                self.forms[-1][1][self.select[0]] = attrs.get("value", "")
                self.select = (self.select[0], True)
            return
        fields, name = self.forms[-1][1], attrs["name"]
        if tag == "select":
            self.select = (name, False)
            fields.setdefault(name, "")
        elif tag == "textarea":
            self.textarea = name
            fields[name] = ""
        elif attrs.get("type") not in ("checkbox", "radio", "file", "submit"):
            fields[name] = attrs.get("value", "")
        elif "checked" in attrs:
            fields[name] = attrs.get("value", "on")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "select":
            self.select = None
        if tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            fields = self.forms[-1][1]
            fields[self.textarea] = (fields[self.textarea] + data).removeprefix("\n")


def page_parameters(callback) -> list[str]:
    """The query parameters a view reads: in its own module, in the helpers every page uses
    (views/common.py), and the list's filters when its module uses them."""
    module = Path(inspect.getsourcefile(inspect.unwrap(callback)))
    found = set(GET_READ.findall(module.read_text()))
    found |= set(GET_READ.findall((PACKAGE / "views" / "common.py").read_text()))
    if "ObligationFilter" in module.read_text():
        found |= set(ObligationFilter.base_filters)
    return sorted(found)


def test_no_hostile_request_answers_5xx(people, world):
    """GET every URL with hostile path values as every role; GET every page with hostile values
    in each parameter it reads (and in every known parameter at once); POST every form on the
    pages with hostile values in each field. No answer may be 5xx."""
    clients = {role: Client() for role in ROLES}
    for role, user in ROLES.items():
        if user:
            clients[role].force_login(people[user])
    failures, count, started = [], 0, time.monotonic()

    def ask(role, method, url, data=None):
        nonlocal count
        count += 1
        try:
            response = getattr(clients[role], method)(url, data)
        except Exception as error:  # noqa: BLE001 - the test client re-raises the view's error
            failures.append((role, method, url[:120], _short(data), f"{type(error).__name__}: "
                             f"{error}"[:300]))  # fmt: skip
            return None
        if response.status_code >= 500:
            failures.append((role, method, url[:120], _short(data), response.status_code))
        return response

    callbacks = {p.name: p.callback for p in _flat(get_resolver().url_patterns)}
    pages = []
    for name, route, params in routes():
        args = dict(zip(params, world.get(name, []), strict=False))
        for param, kind in params.items():
            for value in PATH_VALUES[kind]:
                for role in ROLES:
                    ask(role, "get", fill(route, {**args, param: value}))
                ask("admin", "post", fill(route, {**args, param: value}), {"note": value})
        if len(args) == len(params):
            pages.append((fill(route, args), page_parameters(callbacks[name])))
    everything = query_parameters()
    signed_in = list(ROLES)[1:]  # the anonymous are sent to sign in before anything is read
    turn = 0
    for page, parameters in pages:
        for value in QUERY_VALUES:
            ask(signed_in[turn % 3], "get", page, dict.fromkeys(everything, value))
            turn += 1
            for parameter in parameters:
                ask(signed_in[turn % 3], "get", page, {parameter: value})
                turn += 1
            if "format" in parameters:  # the exports, through the same filters
                for export in ("csv", "json"):
                    ask(signed_in[turn % 3], "get", page, {**dict.fromkeys(everything, value),
                                                           "format": export})  # fmt: skip
                    turn += 1
    # The Django admin, as the admin (anyone else is sent to its sign-in): hostile ids, and
    # each list's search, ordering and page.
    for name, route, params in admin_routes():
        if not params:
            if name.endswith("_changelist"):
                for value in (HUGE, "-1", "x" * 5000, "\x00", "é漢字🙂"):
                    ask("admin", "get", "/" + route, {"q": value, "o": value, "p": value})
            continue
        for param, kind in params.items():
            for value in PATH_VALUES[kind]:
                ask("admin", "get", fill(route, {**dict.fromkeys(params, "1"), param: value}))
    posted, gets = 0, time.monotonic() - started
    # Each field of each form, posted by the roles whose page shows it, in turn.
    fields_seen: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    # The pages, and the one page a POST shows: the import preview (its drafts, then confirm).
    preview = {"step": "preview", "text": QUARTERLY_ORDER.format(signed="2020-01-02")}
    shown = [(role, page, None) for role in ("agency staff", "admin") for page, _ in pages]
    for role, page, data in [*shown, ("admin", reverse("import_order"), preview)]:
        response = ask(role, "post" if data else "get", page, data)
        if response is None or response.streaming or b"<form" not in response.content:
            continue
        reader = Forms()
        reader.feed(response.content.decode())
        for action, fields in reader.forms:
            target = action or page
            if not target.startswith(reverse("logout")):
                for field in set(fields) - {"csrfmiddlewaretoken"}:
                    fields_seen.setdefault((target, field), []).append((role, fields))
    for (target, field), seen in sorted(fields_seen.items()):
        for value in [*FORM_VALUES, QUERY_VALUES[turn % len(QUERY_VALUES)]]:
            role, fields = seen[turn % len(seen)]
            ask(role, "post", target, {**fields, field: value})
            posted += 1
            turn += 1
    elapsed = time.monotonic() - started
    print(f"{count} requests ({posted} POSTs) in {elapsed:.1f} s; GETs took {gets:.1f} s")
    assert posted > 100, "the forms were not found"
    assert not failures, "\n".join(map(str, failures[:40])) + f"\n({len(failures)} in all)"


def _short(data):
    return {k: (v[:20] + "...") if len(v) > 20 else v for k, v in (data or {}).items()}
