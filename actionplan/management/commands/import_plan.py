from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actionplan import stewardship
from actionplan.plan_import import PlanFileError, import_plan
from actionplan.presenters import current_plan


class Command(BaseCommand):
    help = (
        "Import a plan from an XLSX file: into the current plan, matching items by their "
        "reference numbers (5.2, 5.2.1), or with --new-plan as a successor plan. Nothing is "
        "written unless the whole file is good; frozen quarters are never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the XLSX file to read")
        parser.add_argument(
            "--new-plan", action="store_true", help="start a new (successor) plan from the file"
        )

    def handle(self, *args, path, new_plan, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        plan = None if new_plan else current_plan()
        if plan is None and not new_plan:
            raise CommandError("No plan has been loaded: import it with --new-plan.")
        try:
            loaded = import_plan(data, new_plan=new_plan, plan=plan)
        except PlanFileError as exc:
            raise CommandError(f"{path} was not imported; nothing was written:\n{exc}") from exc
        what = "started as a new plan" if new_plan else "updated from the file"
        stewardship.log(loaded, None, "Plan spreadsheet", f"{path.name} imported: {what}")
        self.stdout.write(f"{loaded}: {what}")
