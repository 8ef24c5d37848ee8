from django.db import migrations, transaction


def store_missing_packs(apps, schema_editor):
    """Frozen quarters still without a stored pack get one now, with this release's columns.

    0005 stores the packs of quarters frozen before packs were kept, with the code of the release
    that runs it; that code reads the plan's newer columns (0006), which do not exist yet while
    0005 runs, so there the pack is not stored. It is stored here, once every column exists.
    """
    review_model = apps.get_model("actionplan", "QuarterlyReview")
    pack_model = apps.get_model("actionplan", "FrozenBoardPack")
    stored = set(pack_model.objects.values_list("review_id", flat=True))
    missing = [
        pk
        for pk in review_model.objects.filter(state="frozen").values_list("pk", flat=True)
        if pk not in stored
    ]
    if not missing:
        return
    from actionplan import frozen_pack
    from actionplan.models import FrozenBoardPack, QuarterlyReview

    for review in QuarterlyReview.objects.filter(pk__in=missing).select_related("plan"):
        try:
            with transaction.atomic():
                frozen_pack.store(review, captured=FrozenBoardPack.Captured.AT_UPGRADE)
        except Exception as exc:  # one quarter's failure must not stop the upgrade
            print(
                f"\n  The board pack of {review} was not stored ({exc!r}): "
                "it will be stored at its first download."
            )


class Migration(migrations.Migration):
    dependencies = [("actionplan", "0006_plan_stewardship")]

    operations = [migrations.RunPython(store_missing_packs, migrations.RunPython.noop)]
