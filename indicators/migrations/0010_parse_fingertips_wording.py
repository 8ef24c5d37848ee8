"""Stored Fingertips wording ("Better 95%", "Cannot be calculated") becomes the vocabulary's
values, as the importer now stores it; wording the vocabulary does not know is left as it is."""

from django.db import migrations

from indicators.vocabulary import UnknownWording, parse_comparison, parse_trend


def _parsed(parse, text):
    try:
        return str(parse(text) or "")
    except UnknownWording:
        return text  # kept as published: nothing is lost, and a page shows it as it reads


def parse_stored_wording(apps, schema_editor):
    Observation = apps.get_model("indicators", "Observation")
    changed = []
    rows = Observation.objects.only("recent_trend", "compared_to_england", "parent_comparisons")
    for row in rows.iterator(chunk_size=5000):
        trend = _parsed(parse_trend, row.recent_trend)
        england = _parsed(parse_comparison, row.compared_to_england)
        parents = {
            code: [_parsed(parse_comparison, text) for text in pair]
            for code, pair in row.parent_comparisons.items()
        }
        if (trend, england, parents) != (
            row.recent_trend,
            row.compared_to_england,
            row.parent_comparisons,
        ):
            row.recent_trend, row.compared_to_england, row.parent_comparisons = (
                trend,
                england,
                parents,
            )
            changed.append(row)
    Observation.objects.bulk_update(
        changed, ["recent_trend", "compared_to_england", "parent_comparisons"], batch_size=2000
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0009_peer_groups")]

    operations = [migrations.RunPython(parse_stored_wording, migrations.RunPython.noop)]
