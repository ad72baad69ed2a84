"""`manage.py import_order PATH [--signed DATE] [--kind memo]`: store an order's obligations."""

from django.core.management.base import BaseCommand, CommandError

from obligations.extraction import ExtractionError, read_file
from obligations.importers import import_text
from obligations.management.commands.extract_obligations import iso_date


class Command(BaseCommand):
    help = "Import an order: create or update it, its obligations and occurrences, in one go."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--signed", help="signing date YYYY-MM-DD, if the text lacks it")
        parser.add_argument("--kind", help="document kind, e.g. memo (default: executive order)")
        parser.add_argument("--source", default="", help="where the text came from")

    def handle(self, path, signed=None, kind=None, source="", **options):
        signed_on = iso_date(signed) if signed else None
        try:
            result = import_text(read_file(path), signed=signed_on, kind=kind, source=source)
        except ExtractionError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(result.summary())
