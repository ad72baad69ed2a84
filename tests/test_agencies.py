"""Who is responsible (issue 15): an actor's title resolves to an agency of the maintained table
(fixtures/agencies.json: departments, components, EOP councils, their heads and short forms), or
is flagged for review, never made into a new Agency."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse

from obligations.agencies import ALL, agency_for
from obligations.hierarchy import known
from obligations.importers import import_text
from obligations.models import Agency, Obligation

# (actor as an order writes it, or as the extractor resolves it, abbreviation of its agency)
TITLES = [
    ("Secretary of Homeland Security", "DHS"),
    ("Deputy Secretary of Homeland Security", "DHS"),
    ("the Secretary of Homeland Security", "DHS"),
    ("Director of OMB", "OMB"),
    ("Director of the Office of Management and Budget", "OMB"),
    ("Deputy Director for Management of the Office of Management and Budget", "OMB"),
    ("the FAR Council", "FAR Council"),
    ("Federal Acquisition Regulatory Council", "FAR Council"),
    ("Administrator of the Environmental Protection Agency", "EPA"),
    ("Administrator of EPA", "EPA"),
    ("Chairman of the Council of Economic Advisers", "CEA"),
    ("Director of the Office of Personnel Management", "OPM"),
    ("Archivist of the United States", "NARA"),
    ("Attorney General", "DOJ"),
    ("Secretary of State", "DOS"),
    ("Secretary of Defense", "DOD"),
    ("Under Secretary of Defense for Acquisition and Sustainment", "DOD"),
    ("Secretary of the Treasury", "USDT"),
    ("Secretary of the Interior", "DOI"),
    ("Secretary of Agriculture", "USDA"),
    ("Secretary of Commerce", "DOC"),
    ("Under Secretary of Commerce for Oceans and Atmosphere", "NOAA"),
    ("Secretary of Labor", "DOL"),
    ("Secretary of Health and Human Services", "HHS"),
    ("Secretary of Housing and Urban Development", "HUD"),
    ("Secretary of Transportation", "DOT"),
    ("Secretary of Energy", "DOE"),
    ("Secretary of Education", "ED"),
    ("Secretary of Veterans Affairs", "VA"),
    ("Secretary of the Army", "Army"),
    ("Administrator of General Services", "GSA"),
    ("Director of National Intelligence", "ODNI"),
    ("Director of the Central Intelligence Agency", "CIA"),
    ("Administrator of the Small Business Administration", "SBA"),
    ("Administrator of the National Aeronautics and Space Administration", "NASA"),
    ("Director of the National Science Foundation", "NSF"),
    ("Chairman of the Nuclear Regulatory Commission", "NRC"),
    ("Administrator of the United States Agency for International Development", "USAID"),
    ("United States Trade Representative", "USTR"),
    ("Assistant to the President for National Security Affairs", "NSC"),
    ("Assistant to the President for Economic Policy", "NEC"),
    ("Assistant to the President for Domestic Policy", "DPC"),
    ("Director of the Office of Science and Technology Policy", "OSTP"),
    ("Chair of the Council on Environmental Quality", "CEQ"),
    ("Director of the Office of National Drug Control Policy", "ONDCP"),
    ("Commissioner of Social Security", "SSA"),
    ("Commandant of the Coast Guard", "USCG"),
    ("Director of U.S. Immigration and Customs Enforcement", "ICE"),
    ("Commissioner of U.S. Customs and Border Protection", "CBP"),
    ("Director of the Federal Bureau of Investigation", "FBI"),
    ("Administrator of the Federal Emergency Management Agency", "FEMA"),
    ("Chairman of the Joint Chiefs of Staff", "JCS"),
    ("Postmaster General", "USPS"),
    ("Chairman of the Federal Communications Commission", "FCC"),
    ("Chairman of the Securities and Exchange Commission", "SEC"),
    ("Director of the Office of Government Ethics", "OGE"),
    ("Director of the Peace Corps", "Peace Corps"),
    ("Chief Information Officers Council", "CIO Council"),
]


@pytest.mark.parametrize("actor, abbreviation", TITLES)
def test_an_official_resolves_to_the_agency_of_the_table(actor, abbreviation):
    found = agency_for(actor)
    assert found is not None, actor
    name, short = found
    assert name in known(), (actor, name)
    assert known()[name]["abbreviation"] == short == abbreviation


@pytest.mark.parametrize(
    "actor",
    ["heads of executive departments and agencies", "the heads of all agencies", "each agency"],
)
def test_every_agency(actor):
    assert agency_for(actor) == (ALL, "ALL")


@pytest.mark.parametrize(
    "actor",
    ["Commission", "Director", "Governor", "Board", "Council", "Secretary", "Task Force",
     "Chairman", "Governor of Puerto Rico", "Widget Review Board", "Inspector General"],
)  # fmt: skip
def test_a_bare_or_unknown_title_resolves_to_nothing(actor):
    assert agency_for(actor) is None


UNKNOWN = """number: 99015
title: Testing Responsibility
signed: 2020-03-02

Sec. 1. Reports. (a) The Secretary of Energy shall submit a report on grid security to the President within 60 days of the date of this order.

(b) The Widget Review Board shall publish a summary annually.
"""


@pytest.mark.django_db
def test_an_unknown_actor_is_flagged_and_makes_no_agency():
    result = import_text(UNKNOWN)
    assert list(Agency.objects.values_list("abbreviation", flat=True)) == ["DOE"]
    board = Obligation.objects.get(section="1(b)")
    assert board.actors == ["Widget Review Board"]  # the text is kept
    assert board.unresolved_actors == ["Widget Review Board"]
    assert not board.agencies.exists()
    energy = Obligation.objects.get(section="1(a)")
    assert energy.unresolved_actors == [] and energy.agencies.get().abbreviation == "DOE"
    assert Obligation.objects.unresolved().get() == board
    assert result.unresolved == ["Widget Review Board"]
    assert "1 actor names no known agency" in result.summary()


@pytest.mark.django_db
def test_the_import_command_lists_the_unresolved_actors(tmp_path):
    path = tmp_path / "order.txt"
    path.write_text(UNKNOWN)
    out = StringIO()
    call_command("import_order", str(path), stdout=out)
    assert "for review: Sec. 1(b): Widget Review Board" in out.getvalue()
    assert not Agency.objects.filter(name__icontains="Board").exists()


@pytest.mark.django_db
def test_the_preview_flags_an_unknown_actor(client):
    user = User.objects.create_user("clerk", password="pw-for-tests-only")
    user.user_permissions.add(Permission.objects.get(codename="add_order"))
    client.force_login(user)
    response = client.post(reverse("import_order"), {"step": "preview", "text": UNKNOWN})
    assert response.status_code == 200
    page = response.content.decode()
    assert "names no known agency" in page and "Widget Review Board" in page
    assert response.context["unresolved"] == [("1(b)", "Widget Review Board")]
    assert Agency.objects.count() == 0  # a preview writes nothing


def test_a_bare_title_resolves_to_the_one_agency_the_order_names_of_that_kind():
    from obligations.agencies import resolver

    one = resolver(
        "Sec. 2. The Secretary of the Interior shall review the plan. The Deputy Secretary of "
        "the Interior shall assist. Sec. 3. The Secretary shall report within 90 days."
    )
    assert one("Secretary") == ("Department of the Interior", "DOI")
    two = resolver("The Secretary of State and the Secretary of Defense shall consult.")
    assert two("Secretary") is None  # which one: for review
    created = resolver(
        "There is established the President's Council on Widgets (Council). The National "
        "Security Council shall advise. The Council shall report."
    )
    assert created("Council") is None  # the order's own council is not an agency of the table
    assert one("Board") is None
    printed = resolver(
        "the discretion conferred upon the Secretary of Commerce (``the Secretary'') under the "
        "Act. The Secretary of State shall consult. The Secretary shall decide."
    )
    assert printed("Secretary") == ("Department of Commerce", "DOC")  # GPO's quotes


@pytest.mark.parametrize(
    "actor, abbreviations",
    [
        ("Secretary of Commerce and the USTR", ["DOC", "USTR"]),
        ("Department of State and USAID", ["DOS", "USAID"]),
        ("Department of Health and Human Services", ["HHS"]),
        ("Secretary of Defense and the Widget Board", []),  # one part names no agency: review
        ("Purpose. The National Space Council", ["NSpC"]),  # ran over a sentence's end
        ("Department of Commerce's National Oceanic and Atmospheric Administration", ["NOAA"]),
        ("An Invasive Species Council", ["NISC"]),
    ],
)
def test_each_agency_an_actor_names(actor, abbreviations):
    from obligations.agencies import each_agency

    assert [short for _, short in each_agency(actor)] == abbreviations


def test_no_title_or_short_form_names_two_agencies():
    from obligations.agencies import normal

    claimed = {}
    for entry in known().values():
        keys = [entry["name"], entry["abbreviation"], *entry["aliases"], *entry["heads"]]
        for key in {normal(k) for k in keys}:
            assert claimed.setdefault(key, entry["name"]) == entry["name"], key


@pytest.mark.django_db
def test_the_admin_filters_the_obligations_for_review(client):
    import_text(UNKNOWN)
    client.force_login(User.objects.create_superuser("boss", password="pw-for-tests-only"))
    url = reverse("admin:obligations_obligation_changelist")
    flagged = client.get(url, {"unresolved": "yes"}).context["cl"].result_list
    assert [o.section for o in flagged] == ["1(b)"]
    resolved = client.get(url, {"unresolved": "no"}).context["cl"].result_list
    assert [o.section for o in resolved] == ["1(a)"]


@pytest.mark.django_db
def test_import_fr_lists_the_commonest_unresolved_actors(tmp_path):
    from tests.test_federal_register import folder_of

    out = StringIO()
    call_command("import_fr", str(folder_of(tmp_path, 13440)), stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert "1 actor (1 distinct) names no known agency" in "\n".join(lines)
    assert lines[-1].split() == ["1", "Military", "Commission"]
    assert not Agency.objects.filter(name__icontains="Commission").exists()


@pytest.mark.django_db
def test_resolve_agencies_reports_then_applies_the_table_to_stored_obligations():
    from obligations.importers import sync_occurrences
    from obligations.models import Occurrence

    import_text(UNKNOWN)
    board = Obligation.objects.get(section="1(b)")  # as an import before the table left it
    artefact = Agency.named("Widget Review Board", "WRB")
    board.agencies.set([artefact])
    Obligation.objects.filter(pk=board.pk).update(unresolved_actors=[])
    board.occurrences.all().delete()
    sync_occurrences(board)  # its tracks were the artefact's from the start
    before = list(Occurrence.objects.values_list("pk", "status", "agency"))
    out = StringIO()
    call_command("resolve_agencies", stdout=out)
    assert "EO 99015 Sec. 1(b): ['Widget Review Board'] -> []" in out.getvalue()
    assert "1 obligations would change" in out.getvalue()
    assert list(Occurrence.objects.values_list("pk", "status", "agency")) == before

    call_command("resolve_agencies", "--apply", stdout=StringIO())
    board.refresh_from_db()
    assert board.unresolved_actors == ["Widget Review Board"] and not board.agencies.exists()
    closed = board.occurrences.filter(agency=artefact)
    assert set(closed.values_list("status", flat=True)) == {"not_required"}
    assert board.occurrences.filter(agency=None, status="open").exists()  # one shared track
    out = StringIO()
    call_command("resolve_agencies", stdout=out)
    assert "0 obligations would change" in out.getvalue()
    assert "1 agencies are not in the table; 0 of them have no obligation" in out.getvalue()
