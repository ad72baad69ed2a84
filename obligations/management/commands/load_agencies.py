"""`manage.py load_agencies`: the departments and their components of fixtures/agencies.json.

Idempotent: makes the agencies that are missing and sets a parent only where none is set, so
what an admin changed stays as they left it."""

from django.core.management.base import BaseCommand
from django.db import transaction

from obligations.hierarchy import known
from obligations.models import Agency


class Command(BaseCommand):
    help = "Make the agencies of fixtures/agencies.json and link components to their parents."

    @transaction.atomic
    def handle(self, **options):
        before = Agency.objects.count()
        linked = 0
        for entry in known().values():
            agency = Agency.named(entry["name"], entry["abbreviation"])
            if entry["parent"] and agency.parent_id is None:
                agency.parent = Agency.named(entry["parent"])
                agency.save(update_fields=["parent", "updated"])
                linked += 1
        made = Agency.objects.count() - before
        self.stdout.write(f"Agencies: {made} made, {linked} linked to their parent.")
