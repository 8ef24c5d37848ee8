import importlib

from django.db import migrations, models

# 0007's step, run again once this column exists: the pack's code reads it (and the local data's
# tables), so quarters frozen before packs were kept get their pack stored here, not at 0007.
store_missing_packs = importlib.import_module(
    "actionplan.migrations.0007_store_packs_missed_at_upgrade"
).store_missing_packs


class Migration(migrations.Migration):
    dependencies = [
        ("actionplan", "0008_updates_cascade_with_their_action"),
        ("localdata", "0002_upload_coverage"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalperformancemeasure",
            name="local_measure_code",
            field=models.CharField(
                blank=True,
                help_text="The code of the local data's quarterly measure (template C, e.g. "
                "SATOD) that feeds this measure; its latest quarter is shown on the board and in "
                "the board pack",
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="performancemeasure",
            name="local_measure_code",
            field=models.CharField(
                blank=True,
                help_text="The code of the local data's quarterly measure (template C, e.g. "
                "SATOD) that feeds this measure; its latest quarter is shown on the board and in "
                "the board pack",
                max_length=32,
            ),
        ),
        migrations.RunPython(store_missing_packs, migrations.RunPython.noop),
    ]
