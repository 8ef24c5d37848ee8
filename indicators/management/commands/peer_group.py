"""manage.py peer_group NAME --area CODE --members CODE,CODE,... --purpose TEXT [--delete]

An analyst's own comparator group (kind "custom"): every code must be an area held; the group
is replaced as a whole, in one transaction, or not at all.
"""

from django.core.management.base import BaseCommand, CommandError

from indicators import peer_groups
from indicators.models import Area
from indicators.neighbours_models import PeerGroup


class Command(BaseCommand):
    help = "Define (or delete) an analyst's own comparator group for an area."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--area", required=True, help="ONS code of the area the group is for")
        parser.add_argument("--members", default="", help="ONS codes, comma-separated, in order")
        parser.add_argument("--purpose", default="", help="What the group is built for")
        parser.add_argument("--delete", action="store_true")

    def handle(self, *args, name, area, members, purpose, delete, **options):
        if delete:
            deleted = peer_groups.delete(PeerGroup.objects.filter(area_code=area, name=name))
            self.stdout.write(f"{name}: {'deleted' if deleted else 'no such group'}")
            return
        codes = [c.strip() for c in members.split(",") if c.strip()]
        try:
            group = peer_groups.define(
                name, area, codes, purpose, source="defined by an analyst (manage.py peer_group)"
            )
        except peer_groups.InvalidGroup as error:
            raise CommandError(str(error)) from None
        area_name = Area.objects.get(code=area).name
        self.stdout.write(f"{name}: {group.members.count()} members for {area_name}")
