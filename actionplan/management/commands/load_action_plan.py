import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from actionplan.loader import load_plan, plan_county
from indicators.configuration import areas_config

PLAN_FILE = settings.BASE_DIR / "fixtures" / "actionplan" / "plan.json"


class Command(BaseCommand):
    help = (
        "Load a reduction plan from its file (the bundled one by default); loading it twice "
        "changes nothing. A plan that names another county than the configured one is not loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="the plan file (JSON)")
        parser.add_argument("--file", type=Path, default=None, help="the plan file (JSON)")

    def handle(self, *args, path, file, **options):
        chosen = path or file
        data = json.loads((chosen or PLAN_FILE).read_text(encoding="utf-8"))
        home = areas_config().home
        county = plan_county(data)
        if county and county["code"] != home.code:
            message = (
                f"The plan in {(chosen or PLAN_FILE).name} is {county['name']}'s "
                f"({county['code']}); the dashboard is configured for {home.name} "
                f"({home.code}), so it was not loaded."
            )
            if chosen is None:
                # The bundled plan on another county's setup: nothing to do, and no failure.
                self.stdout.write(
                    f"{message} Load {home.name}'s plan with: manage.py load_action_plan FILE"
                )
                return
            raise CommandError(message)
        counts = load_plan(data)
        self.stdout.write(
            ", ".join(
                f"{name}: {created} created, {total} in all"
                for name, (created, total) in counts.items()
            )
        )
