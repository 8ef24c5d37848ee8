"""`manage.py make_synthetic_examples [DIR]`: write made-up upload files for the configured county.

The files (default `fixtures/examples/`) let a new user try the upload; every figure in them is
invented by a seeded generator (`localdata.synthetic`) and their names and `source` say so.
Nothing loads them by default.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from indicators.configuration import areas_config
from localdata import synthetic


class Command(BaseCommand):
    help = "Write synthetic example files of templates A, B1, B2 and C."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", default=str(settings.BASE_DIR / "fixtures" / "examples")
        )

    def handle(self, *args, directory, **options):
        config = areas_config()
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        panel = config.child_death_review_panel
        review_area = (panel.code if panel and panel.code else None) or config.home.code
        periods = ["2021/22", "2022/23", "2023/24"]
        quarters = synthetic.quarters(2021, 14)
        files = {
            "A": synthetic.template_a([d.code for d in config.districts], [2021, 2022, 2023]),
            "B1": synthetic.template_b1(review_area, periods),
            "B2": synthetic.template_b2(review_area, periods),
            "C": synthetic.template_c(config.home.code, quarters)
            + synthetic.template_c(
                config.home.code, quarters, measure="SATOD", seed=5, level=0.11, target=6
            )
            + synthetic.template_c(
                config.home.code,
                quarters,
                measure="SAFER_SLEEP_ASSESSMENT",
                seed=6,
                level=0.6,
                target=None,
            ),
        }
        for template, rows in files.items():
            path = out / f"synthetic_{template}.csv"
            path.write_bytes(synthetic.to_csv(template, rows))
            self.stdout.write(f"{path}: {len(rows)} rows (synthetic)")
