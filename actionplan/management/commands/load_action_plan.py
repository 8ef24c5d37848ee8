import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from actionplan.loader import load_plan

PLAN_FILE = settings.BASE_DIR / "fixtures" / "actionplan" / "plan.json"


class Command(BaseCommand):
    help = "Load the reduction plan from its fixture; loading it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=PLAN_FILE)

    def handle(self, *args, file, **options):
        counts = load_plan(json.loads(file.read_text(encoding="utf-8")))
        self.stdout.write(
            ", ".join(
                f"{name}: {created} created, {total} in all"
                for name, (created, total) in counts.items()
            )
        )
