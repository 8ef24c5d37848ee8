"""A new database starts its `all` data version at a random number.

Version numbers key the cached pages. A database made again from nothing would count from zero,
and a cache that outlived the old one could serve its pages under the same numbers.
"""

import secrets

from django.db import migrations


def start_at_random(apps, schema_editor):
    DataVersion = apps.get_model("indicators", "DataVersion")
    DataVersion.objects.update_or_create(scope="all", defaults={"number": secrets.randbits(48)})


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_import_run_owner"),
    ]

    operations = [
        migrations.RunPython(start_at_random, migrations.RunPython.noop),
    ]
