"""`manage.py import_order PATH [--signed DATE] [--kind memo]`: store an order's obligations."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from obligations import effects, revisions
from obligations.extraction import ExtractionError, read_file
from obligations.importers import EffectError, import_text
from obligations.management.commands.extract_obligations import iso_date
from obligations.revisions import RevisionError


class Command(BaseCommand):
    help = "Import an order: create or update it, its obligations and occurrences, in one go."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--signed", help="signing date YYYY-MM-DD, if the text lacks it")
        parser.add_argument("--kind", help="document kind, e.g. memo (default: executive order)")
        parser.add_argument("--source", default="", help="where the text came from")
        parser.add_argument(
            "--apply", action="store_true",
            help="a new text of a stored order: apply its change list at once, as the system "
            "(keeping people's corrections); without it the text waits for review",
        )  # fmt: skip
        parser.add_argument(
            "--apply-effects", action="store_true",
            help="apply its revocations of other orders (and theirs of it) at once, as the "
            "system; without it they wait for review at /effects/",
        )  # fmt: skip

    def handle(self, path, signed=None, kind=None, source="", apply_effects=False, **options):
        signed_on = iso_date(signed) if signed else None
        try:
            with transaction.atomic():  # an effect that cannot be applied: nothing imported
                result = import_text(read_file(path), signed=signed_on, kind=kind, source=source)
                self.stdout.write(result.summary())
                for line in result.review_lines():
                    self.stdout.write(f"  {line}")
                waiting = result.version and result.version.state == "pending"
                if result.outcome == "pending" or (waiting and options["apply"]):
                    self._changes(result, options["apply"])
                if apply_effects:
                    self._apply(result.order)
        except (ExtractionError, EffectError, RevisionError) as error:
            raise CommandError(str(error)) from None

    def _changes(self, result, apply):
        for line in revisions.changes(result.version).lines():
            self.stdout.write(f"  {line}")
        if apply:
            revisions.apply(result.version, by=None, note="applied by import_order --apply")
            self.stdout.write(f"Applied: text {result.version.number} of {result.order}.")
        else:
            url = result.version.get_absolute_url()
            self.stdout.write(f"Review it at {url}, or import again with --apply.")

    def _apply(self, order):
        for effect in effects.pending_for(order):
            effects.apply(effect, by=None, note="applied by import_order --apply-effects")
            self.stdout.write(f"Applied: {effects.label(effect)}")
