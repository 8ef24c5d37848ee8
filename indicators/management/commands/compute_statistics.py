from django.core.management.base import BaseCommand

from indicators.derived import recompute


class Command(BaseCommand):
    help = "Recompute engine limits, comparisons, trends and home-county aggregates for all data."

    def handle(self, *args, **options):
        summary = recompute()
        self.stdout.write(
            f"{summary.observations} observations, {summary.changed} changed, "
            f"{summary.disagreements} published limits that disagree, "
            f"{summary.aggregates} home-county aggregates"
        )
