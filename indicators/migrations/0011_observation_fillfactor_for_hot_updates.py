"""PostgreSQL: observation pages are filled to 40 %, so the derived figures an import writes
after the rows (`derived.recompute`, `bulk.update_rows`) are heap-only (HOT) updates.

A full page has no room for a row's new version, so every update also inserts into each of the
table's six indexes; with room on the same page none of them changes (no indexed column does).
The UPDATE of a national first import's 87,175 derived rows: 1.47 s -> 0.27 s; at 50 % a
fifth of them still found no room (a row's new version carries its derived figures, so it is
longer). After a first import the table takes as many pages as before (49 MB for the national
file: each page then holds a row's old and new version until the old one is pruned). Other
databases have no such setting: nothing is done. Pages written before this keep their fill; new
rows and a rewrite (`VACUUM FULL`) use it.
"""

from django.db import migrations

TABLE = "indicators_observation"


def _fillfactor(percent: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = {percent})")

    return run


class Migration(migrations.Migration):
    dependencies = [("indicators", "0010_parse_fingertips_wording")]

    operations = [migrations.RunPython(_fillfactor(40), _fillfactor(100))]
