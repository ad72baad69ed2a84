"""`manage.py evaluate_extraction --texts DIR --gold DIR`: score the extractor on labelled orders."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from obligations.evaluation import read_gold, score
from obligations.extraction import ExtractionError, extract, read_file


class Command(BaseCommand):
    help = "Score the extractor against gold JSONL files (precision, recall, F1 per order)."

    def add_arguments(self, parser):
        parser.add_argument("--texts", required=True, help="folder of order texts NAME.txt")
        parser.add_argument("--gold", required=True, help="folder of gold rows NAME.jsonl")

    def handle(self, texts, gold, **options):
        texts, gold = Path(texts), Path(gold)
        files = sorted(gold.glob("*.jsonl")) if gold.is_dir() else []
        if not files:
            raise CommandError(f"{gold}: no .jsonl gold files")
        total = None
        for gold_file in files:
            result = self.score_one(texts / f"{gold_file.stem}.txt", gold_file)
            total = result if total is None else total + result
        self.stdout.write(total.line())

    def score_one(self, text_path: Path, gold_file: Path):
        try:
            extraction = extract(read_file(text_path))
            expected = read_gold(gold_file)
        except (ExtractionError, ValueError) as error:
            raise CommandError(str(error)) from None
        result = score(gold_file.stem, expected, [f.as_json() for f in extraction.obligations])
        self.stdout.write(result.line())
        for row in result.missed:
            self.stdout.write(f"  missed: {row}")
        for row in result.added:
            self.stdout.write(f"  added:  {row}")
        return result
