"""Importer for a local count and rate by deprivation quantile: read, validate, load.

The report prints infant deaths and the rate per 1,000 but not the births; births implied by
count / rate * 1,000 are stored as estimates and labelled so wherever they are shown.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from indicators import statistics as stats
from indicators.importers.fingertips import ImportRejected
from indicators.models import Area, DataVersion, Indicator, InequalityDataset, InequalityPoint

SII_SEED = 20240601
SII_REPETITIONS = 100_000
COLUMNS = ("imd_decile", "infant_deaths", "imr_per_1000")


@dataclass(frozen=True, slots=True)
class DecileRow:
    quantile: int
    count: float
    rate: float

    @property
    def estimated_births(self) -> float:
        return self.count / self.rate * 1000


def read_rows(data: bytes, *, name: str) -> list[tuple[int, dict[str, str]]]:
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected([f"{name}, row 1: the header lacks {', '.join(missing)}"])
    return [(reader.line_num, row) for row in reader]


def validate_rows(rows: list[tuple[int, dict[str, str]]], *, name: str) -> list[DecileRow]:
    errors, records = [], []
    for line, row in rows:
        try:
            quantile = int(row["imd_decile"])
        except ValueError:
            errors.append(f"{name}, row {line}, column 'imd_decile': {row['imd_decile']!r}")
            continue
        values = {}
        for column in ("infant_deaths", "imr_per_1000"):
            try:
                values[column] = float(row[column])
            except (TypeError, ValueError):
                errors.append(f"{name}, row {line}, column '{column}': {row[column]!r}")
        if len(values) < 2:
            continue
        if values["imr_per_1000"] <= 0 or values["infant_deaths"] < 0:
            errors.append(f"{name}, row {line}: a rate must be above 0 and a count at least 0")
            continue
        records.append(DecileRow(quantile, values["infant_deaths"], values["imr_per_1000"]))
    quantiles = sorted(r.quantile for r in records)
    if not errors and quantiles != list(range(1, len(quantiles) + 1)):
        errors.append(f"{name}: quantiles must run 1, 2, 3 … without gaps, got {quantiles}")
    if errors:
        raise ImportRejected(errors)
    return records


def sii_of(records: list[DecileRow]) -> stats.SiiResult:
    """SII and RII of the rates, weighted by the estimated births (1 = most deprived)."""
    return stats.sii_from_counts(
        counts=[r.count for r in records],
        populations=[r.estimated_births for r in records],
        value_type=stats.ValueType.RATE,
        rate_multiplier=1000,
        quantiles=[r.quantile for r in records],
        repetitions=SII_REPETITIONS,
        seed=SII_SEED,
    )


def load_dataset(path: Path, *, spec: dict) -> InequalityDataset:
    """Load one configured dataset (replacing its previous rows) and store its SII and RII."""
    records = validate_rows(read_rows(path.read_bytes(), name=path.name), name=path.name)
    result = sii_of(records)
    limits = result.limits[0] if result.calculable and result.limits else None
    with transaction.atomic():
        dataset, _ = InequalityDataset.objects.update_or_create(
            slug=spec["slug"],
            defaults=dict(
                name=spec["name"],
                indicator=Indicator.objects.get(fingertips_id=spec["indicator"]),
                area=Area.objects.get(code=spec["area"]),
                period_note=spec.get("period_note", ""),
                source=spec["source"],
                quantile_type=spec["quantile_type"],
                sii=result.sii,
                rii=result.rii,
                sii_intercept=result.intercept,
                sii_lower=limits.sii_lower if limits else None,
                sii_upper=limits.sii_upper if limits else None,
                rii_lower=limits.rii_lower if limits else None,
                rii_upper=limits.rii_upper if limits else None,
                sii_note=(
                    f"95% limits from {result.repetitions:,} simulations (seed {result.seed}); "
                    "births estimated from count ÷ rate"
                    if result.calculable
                    else f"Cannot be calculated: {result.reason}"
                ),
            ),
        )
        dataset.points.all().delete()
        points = []
        for record in records:
            estimate = stats.crude_rate(
                count=record.count, denominator=record.estimated_births, multiplier=1000
            )
            points.append(
                InequalityPoint(
                    dataset=dataset,
                    quantile=record.quantile,
                    count=record.count,
                    denominator=record.estimated_births,
                    denominator_is_estimate=True,
                    value=estimate.value,
                    lower_ci_95=estimate.lower,
                    upper_ci_95=estimate.upper,
                    published_value=record.rate,
                )
            )
        InequalityPoint.objects.bulk_create(points)
        DataVersion.bump_indicators([dataset.indicator.fingertips_id])
    return dataset
