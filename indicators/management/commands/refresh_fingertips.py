import json

from django.core.management.base import BaseCommand, CommandError

from indicators.refresh import refresh_from_api
from indicators.tasks import QueueError, queue_refresh


class Command(BaseCommand):
    help = "Refresh the configured indicators from the Fingertips API."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", help="API base URL (default: FINGERTIPS_API_URL)")
        parser.add_argument(
            "--queue", action="store_true", help="Send to the Celery worker instead of running here"
        )

    def handle(self, *args, base_url, queue, **options):
        if queue:
            try:
                task_id = queue_refresh(base_url)
            except QueueError as exc:
                raise CommandError(str(exc), returncode=1) from None
            self.stdout.write(json.dumps({"queued": task_id}))
            return
        outcome = refresh_from_api(base_url=base_url)
        self.stdout.write(outcome.as_json())
        if outcome.status != "ok":
            raise CommandError(outcome.error, returncode=1)
