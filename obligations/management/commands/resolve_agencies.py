"""`manage.py resolve_agencies [--apply]`: the stored obligations' agencies, read again through
the table of fixtures/agencies.json (obligations/agencies.py).

Obligations imported before the table resolved actors may point at agencies an extraction
artefact made ("Commission", "Director"). Without --apply this only reports what would change
and which Agency rows are not in the table; nothing is written. With --apply each obligation
whose agencies differ gets the table's (an actor that names none is flagged for review), and
its due dates' tracks follow, as when a new text of an order is applied: a pending track of an
agency no longer responsible closes as not required, with a history row saying why; a track
with a status someone set is kept. No Agency row is ever deleted here: one left with no
obligations can be deleted in the admin.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from obligations.agencies import ALL, each_agency, resolver
from obligations.hierarchy import known
from obligations.importers import Cause, set_agencies, sync_occurrences
from obligations.models import Agency, Obligation

NOTE = "(agencies read again from the table: manage.py resolve_agencies --apply.)"


class Command(BaseCommand):
    help = "Resolve the stored obligations' actors through the agency table (report, or --apply)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply", action="store_true", help="write the changes (default: report only)"
        )

    def handle(self, apply=False, **options):
        names = set(known())
        changed = 0
        obligations = Obligation.objects.filter(withdrawn_by=None).select_related(
            "order", "version"
        )
        for obligation in obligations.prefetch_related("agencies").iterator(chunk_size=500):
            text = obligation.version.text if obligation.version else obligation.order.text
            resolve = resolver(text)
            wanted = {
                name for actor in obligation.actors for name, _ in each_agency(actor, resolve)
            }
            stored = {agency.name for agency in obligation.agencies.all()}
            if wanted == stored and obligation.unresolved_actors == self._flags(
                obligation, resolve
            ):
                continue
            changed += 1
            if options["verbosity"] >= 2 or not apply:
                self.stdout.write(
                    f"{obligation.order.short_name} Sec. {obligation.section}: "
                    f"{sorted(stored)} -> {sorted(wanted)}"
                )
            if apply:
                with transaction.atomic():
                    set_agencies(obligation, obligation.actors)
                    sync_occurrences(obligation, cause=Cause(note=NOTE))
        outside = Agency.objects.exclude(name__in=names | {ALL})
        verb = "changed" if apply else "would change (run with --apply to write)"
        self.stdout.write(f"{changed} obligations {verb}.")
        unused = outside.filter(obligations=None, occurrences=None).distinct()
        self.stdout.write(
            f"{outside.count()} agencies are not in the table; {unused.count()} of them have "
            "no obligation and no track left (they can be deleted in the admin)."
        )

    @staticmethod
    def _flags(obligation, resolve):
        return [actor for actor in obligation.actors if not each_agency(actor, resolve)]
