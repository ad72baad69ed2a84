"""Agency components as data (fixtures/agencies.json, load_agencies) and whom a user acts for."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from obligations.agencies import agency_for
from obligations.extraction.actors import expand
from obligations.hierarchy import agencies_acting_for, known
from obligations.models import Agency
from tests.conftest import agency_user

pytestmark = pytest.mark.django_db
DAY = date(2017, 4, 18)


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel("2017-04-18 12:00Z", tick=False):
        yield


def test_the_file_names_agencies_as_titles_resolve_to_them():
    for title in [
        "Secretary of Homeland Security", "Attorney General", "Secretary of the Treasury",
        "Director of U.S. Immigration and Customs Enforcement", "Secretary of the Army",
        "Commissioner of U.S. Customs and Border Protection", "Administrator of General Services",
        "Director of the Federal Bureau of Investigation", "Director of National Intelligence",
        "Director of the Office of Management and Budget", "United States Trade Representative",
        "Commandant of the Coast Guard", "Director of NIST", "Commissioner of Social Security",
        "Director of OMB",
    ]:  # fmt: skip
        assert agency_for(expand(title, {}))[0] in known(), title  # as the importer reads it
    entries = list(known().values())
    seen = set()
    for entry in entries:  # a parent comes before its components, so named() finds it
        assert entry["parent"] is None or entry["parent"] in seen, entry
        seen.add(entry["name"])
    abbreviations = [e["abbreviation"] for e in entries]
    assert len(set(abbreviations)) == len(abbreviations)
    departments = [e for e in entries if e["name"].startswith("Department of") and not e["parent"]]
    assert len(departments) == 15
    components = {
        e["abbreviation"] for e in entries if e["parent"] == "Department of Homeland Security"
    }
    assert components >= {"ICE", "CBP", "USCIS", "FEMA", "TSA", "USCG", "USSS", "CISA"}


def test_a_new_component_gets_its_parent_made_too():
    ice = Agency.named("U.S. Immigration and Customs Enforcement", "UICE")
    assert ice.abbreviation == "ICE"  # the file's, not the initials guessed from the name
    assert ice.parent.name == "Department of Homeland Security" and ice.parent.parent is None
    assert Agency.named("Department of Homeland Security").components.get() == ice
    assert Agency.named("Office of Bespoke Things", "OBT").parent is None  # not in the file


def test_load_agencies_is_idempotent_and_leaves_admin_edits_alone():
    ice = Agency.named("U.S. Immigration and Customs Enforcement")
    doj = Agency.named("Department of Justice")
    ice.parent = doj  # an admin's decision
    ice.save()
    group = Group.objects.create(name="FBI staff")
    stray = Agency.objects.create(name="Federal Bureau of Investigation", group=group)
    out = StringIO()
    call_command("load_agencies", stdout=out)
    assert Agency.objects.count() == len(known())
    ice.refresh_from_db()
    stray.refresh_from_db()
    assert ice.parent == doj and stray.parent == doj  # kept; and set where it was missing
    stamps = dict(Agency.objects.values_list("id", "updated"))
    call_command("load_agencies", stdout=out)
    assert dict(Agency.objects.values_list("id", "updated")) == stamps
    assert out.getvalue().splitlines()[-1] == "Agencies: 0 made, 0 linked to their parent."


@pytest.fixture
def staff(db):
    call_command("load_agencies", stdout=StringIO())
    dhs, ice = Agency.objects.get(abbreviation="DHS"), Agency.objects.get(abbreviation="ICE")
    return {"dhs": agency_user("dhs", dhs), "ice": agency_user("ice", ice), "agencies": (dhs, ice)}


def test_a_department_acts_for_its_components_not_the_other_way(staff):
    dhs, ice = staff["agencies"]
    mine = agencies_acting_for(staff["dhs"])
    assert {dhs.pk, ice.pk} <= mine
    assert mine == {dhs.pk, *dhs.components.values_list("id", flat=True)}
    assert agencies_acting_for(staff["ice"]) == {ice.pk}


def test_with_the_setting_off_only_ones_own(staff, settings):
    settings.AGENCY_PARENTS_ACT_FOR_COMPONENTS = False
    dhs, _ice = staff["agencies"]
    assert agencies_acting_for(staff["dhs"]) == {dhs.pk}


def test_two_queries_then_cached(staff, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(2):
        agencies_acting_for(staff["dhs"])
    with django_assert_num_queries(0):
        agencies_acting_for(staff["dhs"])
        assert agencies_acting_for(AnonymousUser()) == set()


def test_admin_lists_and_filters_by_parent(client, staff):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("boss", password="pw-for-tests-only"))
    dhs, _ice = staff["agencies"]
    page = client.get(reverse("admin:obligations_agency_changelist"), {"parent__id__exact": dhs.pk})
    listed = {agency.abbreviation for agency in page.context["cl"].result_list}
    assert listed == {
        "ICE", "CBP", "USCIS", "FEMA", "TSA", "USCG", "USSS", "CISA", "FLETC", "NIAC", "NSTAC"
    }  # fmt: skip
    found = client.get(reverse("admin:autocomplete"), {
        "app_label": "obligations", "model_name": "agency", "field_name": "parent", "term": "Home",
    })  # fmt: skip
    assert "Department of Homeland Security" in found.content.decode()
