from django.core.management.base import BaseCommand

from actionplan.roles import setup_roles


class Command(BaseCommand):
    help = "Create the plan's roles as groups with their permissions; running it twice is safe."

    def handle(self, *args, **options):
        counts = setup_roles()
        self.stdout.write(
            ", ".join(f"{role}: {number} permissions" for role, number in counts.items())
        )
