"""A steward's one stewardship of each scope, enforced on SQLite too.

0006's single constraint treated an empty priority area (the whole plan) as a value with
`nulls_distinct=False`, which SQLite cannot enforce: on the embedded default it was never
created, so two tabs could give one user the same stewardship twice, and every start warned of
it. Two partial unique constraints say the same on both databases.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actionplan", "0009_performance_measure_local_measure_code"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="areasteward",
            name="one_stewardship",
        ),
        migrations.AddConstraint(
            model_name="areasteward",
            constraint=models.UniqueConstraint(
                condition=models.Q(("priority_area__isnull", False)),
                fields=("plan", "priority_area", "user"),
                name="one_area_stewardship",
            ),
        ),
        migrations.AddConstraint(
            model_name="areasteward",
            constraint=models.UniqueConstraint(
                condition=models.Q(("priority_area__isnull", True)),
                fields=("plan", "user"),
                name="one_plan_stewardship",
            ),
        ),
    ]
