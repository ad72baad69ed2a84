"""`manage.py load_demo`: the fixture orders, the DHS memo excerpt and a demo login. Idempotent."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from obligations.extraction import read_file
from obligations.importers import import_text

DEMO_USER, DEMO_PASSWORD = "demo", "demo-tracker-2017"


class Command(BaseCommand):
    help = "Load the demo data: every fixtures/orders/*.txt and fixtures/memos/*.txt and a demo superuser."

    def handle(self, **options):
        fixtures = settings.BASE_DIR / "fixtures"
        for path in sorted((fixtures / "orders").glob("*.txt")):
            self.stdout.write(import_text(read_file(path), source=path.name).summary())
        for path in sorted((fixtures / "memos").glob("*.txt")):
            self.stdout.write(import_text(read_file(path), source=path.name).summary())
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.stdout.write(f"Demo login: {DEMO_USER} / {DEMO_PASSWORD}")
