from django.core.management.base import BaseCommand

from indicators.models import DataVersion


class Command(BaseCommand):
    help = (
        "Rebuild every cached page from now on. Run after a deploy (new templates) and after "
        "restoring or recreating the database (version numbers that the cache may have seen)."
    )

    def handle(self, *args, **options):
        DataVersion.renew()
        self.stdout.write("Cached pages will be rebuilt from the database.")
