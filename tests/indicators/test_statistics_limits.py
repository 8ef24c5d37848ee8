"""Limits the published vectors do not reach, pinned by identities of the methods themselves.

Written for mutants mutmut left alive (docs/ARCHITECTURE.md, Tests): the vectors hold no
transformed SII, so nothing checked where its limits sit; and the pooling helpers' checks and
their confidence level were never asserted. Inputs are the vectors' own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indicators import statistics as st

VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures/methods/vectors_public.json").read_text()
)


def vector(section: str, case_id: str) -> dict:
    return next(case for case in VECTORS[section] if case["id"] == case_id)["inputs"]


RATES = vector("sii", "sii_pkg_rate_default_area1")  # PHEindicatormethods' own test data
DECILES = vector("sii", "sii_here_imr_deciles_A_vt1_raw_m1")


@pytest.mark.parametrize("multiplier", [1, 1000, -1, -1000])
def test_transformed_limits_close_on_the_point_estimate_as_the_errors_vanish(multiplier):
    # With standard errors near zero every simulated slope is the fitted slope, so the limits,
    # spread about the fitted line's midpoint and back-transformed (section 7.6), must meet the
    # SII and RII of the fitted line itself, whatever the multiplier's size or sign.
    result = st.slope_index_of_inequality(
        populations=RATES["population"],
        values=RATES["value"],
        standard_errors=[value * 1e-7 for value in RATES["value"]],
        quantiles=RATES["quantile"],
        value_type=st.ValueType.RATE,
        transform=True,
        multiplier=multiplier,
        seed=3,
    )
    limits = result.limits_for(0.95)

    assert (result.sii > 0) == (multiplier < 0)  # rates fall with deprivation rank here
    for bound in (limits.sii_lower, limits.sii_upper):
        assert bound == pytest.approx(result.sii, rel=1e-4)
    for bound in (limits.rii_lower, limits.rii_upper):
        assert bound == pytest.approx(result.rii, rel=1e-4)


def test_transformed_limits_widen_with_the_errors_and_stay_ordered():
    common = {
        "populations": DECILES["population"],
        "values": DECILES["value"],
        "lower_cls": DECILES["lower_cl"],
        "upper_cls": DECILES["upper_cl"],
        "value_type": st.ValueType.RATE,
        "transform": True,
        "confidence": (0.95, 0.998),
        "seed": 7,
    }
    for multiplier in (1, -1):
        result = st.slope_index_of_inequality(multiplier=multiplier, **common)
        at95, at998 = result.limits_for(0.95), result.limits_for(0.998)
        assert at998.sii_lower < at95.sii_lower < result.sii < at95.sii_upper < at998.sii_upper
        assert at998.rii_lower < at95.rii_lower < result.rii < at95.rii_upper < at998.rii_upper


def test_pooling_refuses_columns_of_different_lengths_in_words():
    with pytest.raises(st.InvalidInput) as refused:
        st.pool_counts([1.0, 2.0], [10.0])
    assert str(refused.value) == "counts and denominators must have the same length"


def test_pooling_sums_the_parts_and_counts_them():
    pooled = st.pool_counts(DECILES["count"], DECILES["population"])

    assert pooled == st.PooledCounts(171.0, 38110.0, 10)
    assert st.pool_counts(DECILES["count"][:3], DECILES["population"][:3]).parts == 3


@pytest.mark.parametrize("missing", ["count", "population"])
def test_one_missing_part_makes_that_pooled_figure_missing_not_a_partial_sum(missing):
    columns = {"count": list(DECILES["count"]), "population": list(DECILES["population"])}
    columns[missing][4] = None

    pooled = st.pool_counts(columns["count"], columns["population"])

    assert (pooled.count is None, pooled.denominator is None) == (
        missing == "count",
        missing == "population",
    )
    assert pooled.parts == 10


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_a_pooled_rate_is_the_crude_rate_of_the_sums_at_the_level_asked(confidence):
    pooled = st.pooled_rate(
        counts=DECILES["count"],
        denominators=DECILES["population"],
        multiplier=1000,
        confidence=confidence,
    )
    direct = st.crude_rate(count=171, denominator=38110, multiplier=1000, confidence=confidence)

    assert pooled == direct
    assert pooled.value == pytest.approx(171 / 38110 * 1000)
