"""manage.py peer_group NAME --area CODE --members CODE,CODE,... --purpose TEXT [--delete]

An analyst's own comparator group (kind "custom"): every code must be an area held; the group
is replaced as a whole, in one transaction, or not at all.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from indicators.models import Area
from indicators.neighbours_models import PeerGroup, PeerGroupMember


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
            deleted, _ = PeerGroup.objects.filter(
                kind=PeerGroup.Kind.CUSTOM, area_code=area, name=name
            ).delete()
            self.stdout.write(f"{name}: {'deleted' if deleted else 'no such group'}")
            return
        codes = [c.strip() for c in members.split(",") if c.strip()]
        if not purpose.strip():
            raise CommandError("--purpose: say what the group is built for")
        if not codes:
            raise CommandError("--members: give at least one ONS code")
        known = dict(Area.objects.filter(code__in=[area, *codes]).values_list("code", "name"))
        unknown = [c for c in [area, *codes] if c not in known]
        if unknown:
            raise CommandError(f"no area held with code {', '.join(unknown)}; nothing changed")
        if area in codes or len(set(codes)) != len(codes):
            raise CommandError("--members: each code once, and not the area itself")
        with transaction.atomic():
            group, _ = PeerGroup.objects.update_or_create(
                kind=PeerGroup.Kind.CUSTOM,
                area_code=area,
                name=name,
                defaults={
                    "purpose": purpose.strip(),
                    "source": "defined by an analyst (manage.py peer_group)",
                    "version": f"defined {timezone.now():%Y-%m-%d}",
                },
            )
            group.members.all().delete()
            PeerGroupMember.objects.bulk_create(
                PeerGroupMember(group=group, code=c, name=known[c], rank=r)
                for r, c in enumerate(codes, start=1)
            )
        self.stdout.write(f"{name}: {len(codes)} members for {known[area]}")
