"""The helpers every method shares (STATISTICS.md section 1): confidence levels and their labels."""

from __future__ import annotations

import pytest

from indicators import statistics as st


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.05, 95])
def test_a_confidence_level_is_a_fraction_strictly_between_zero_and_one(confidence):
    # At 0 the interval has no width and at 1 its z is infinite: neither is a level.
    with pytest.raises(st.InvalidInput, match="confidence"):
        st.z_for_confidence(confidence)


@pytest.mark.parametrize(
    ("confidence", "z"), [(0.95, 1.959963984540054), (0.998, 3.090232306167813)]
)
def test_z_for_the_standard_levels(confidence, z):
    assert st.z_for_confidence(confidence) == pytest.approx(z, rel=1e-12)


@pytest.mark.parametrize(("confidence", "label"), [(0.95, "95.0"), (0.998, "99.8")])
def test_level_key_is_the_fingertips_label(confidence, label):
    # "Confidence intervals overlapping reference value (95.0)" or "(99.8)" (section 5.1).
    assert st.level_key(confidence) == label
