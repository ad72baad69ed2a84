"""`manage.py load_demo`: the fixture orders, the DHS memo excerpt and demo logins. Idempotent.

The demo logins exist only where this command runs (the demo setup), never in production.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from obligations import effects, revisions
from obligations.extraction import read_file
from obligations.importers import import_text
from obligations.models import Agency, OrderEffect

DEMO_PASSWORD = "demo-tracker-2017"
# Demo users' e-mail addresses (a reserved domain: nothing is delivered there), so that the
# reminders can be shown working: bin/demo prints them to its console.
DEMO_EMAIL = "{}@example.gov"
ROLE_GROUPS = ("Verifiers", "Waiver officials")
# (user name, what they may do, their agency or role group): an admin, a DHS staff member, a
# reader (an auditor), an inspector general's verifier and an OMB waiver official.
DEMO_USERS = [
    ("demo", {"is_staff": True, "is_superuser": True}, None),
    ("dhs", {}, "DHS"),
    ("reader", {}, None),
    ("ig", {}, "Verifiers"),
    ("omb", {}, "Waiver officials"),
]


class Command(BaseCommand):
    help = (
        "Load the demo data: every fixtures/orders/*.txt and fixtures/memos/*.txt and demo logins."
    )

    def handle(self, **options):
        # Departments and components first: imported agencies then find their parents.
        call_command("load_agencies", stdout=self.stdout)
        fixtures = settings.BASE_DIR / "fixtures"
        for path in [*sorted((fixtures / "orders").glob("*.txt")),
                     *sorted((fixtures / "memos").glob("*.txt"))]:  # fmt: skip
            result = import_text(read_file(path), source=path.name)
            self.stdout.write(result.summary())
            if result.outcome == "pending":  # a fixture's newer text: the demo shows it applied
                revisions.apply(result.version, by=None, note="applied by load_demo")
        # The demo shows the revocations in force (EO 13993 revokes EO 13768), as applied.
        for effect in OrderEffect.objects.filter(state=OrderEffect.State.PENDING):
            effects.apply(effect, by=None, note="applied by load_demo")
            self.stdout.write(f"Applied: {effects.label(effect)}")
        for username, flags, agency in DEMO_USERS:
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults=flags
            )
            if created:
                user.set_password(DEMO_PASSWORD)
            if created or not user.email:  # demo users made before they had addresses too
                user.email = DEMO_EMAIL.format(username)
                user.save()
            if agency in ROLE_GROUPS:  # made by migration 0011
                user.groups.add(Group.objects.get(name=agency))
            elif agency:
                user.groups.add(Agency.objects.get(abbreviation=agency).group)
        names = ", ".join(name for name, _, _ in DEMO_USERS)
        self.stdout.write(f"Demo logins: {names}; password {DEMO_PASSWORD}")
