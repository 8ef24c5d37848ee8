import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.methods_check import check_vectors


class Command(BaseCommand):
    help = "Check the indicator statistics against a test-vector file (input -> expected output)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a vectors JSON file, e.g. vectors_public.json")

    def handle(self, *args, path, **options):
        try:
            vectors = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"cannot read test vectors from {path}: {error}") from error
        if not isinstance(vectors, dict):
            raise CommandError(f"{path} does not hold a JSON object of sections")

        report = check_vectors(vectors)
        for result in report.failures:
            self.stdout.write(f"FAIL {result.case_id} [{result.section}]")
            for mismatch in result.mismatches:
                self.stdout.write(
                    f"  {mismatch.field}: expected {mismatch.expected!r}, got {mismatch.got!r}"
                )
        for result in report.results:
            if result.unchecked:
                fields = ", ".join(result.unchecked)
                self.stdout.write(f"note: {result.case_id}: expected fields not checked: {fields}")
        skipped = ", ".join(report.skipped_sections) or "none"
        self.stdout.write(f"Skipped sections (not known to this checker): {skipped}")
        self.stdout.write(f"{report.passed} passed, {report.failed} failed")
        if report.failed:
            raise CommandError(f"{report.failed} method check(s) failed", returncode=1)
