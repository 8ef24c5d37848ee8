"""The board view's measure lines say why a figure is not compared, as the overview's tiles do."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_board_measures_say_why_a_figure_is_not_compared(client, loaded_plan, board_member):
    client.force_login(board_member)
    text = re.sub(r"<[^>]+>", " ", client.get(reverse("actionplan:board")).content.decode())
    text = re.sub(r"\s+", " ", text).replace(" :", ":")

    # Infant mortality rests on Lancashire's 2016 - 18: the bundled data hold no North West
    # figure for that period.
    assert "Not compared with North West: no North West figure for 2016 - 18" in text
    # Low birth weight of term babies, 2024: no interval, so the difference is said, untested.
    assert (
        "Not compared with England: lower than England (2.8 against 3.0); not tested for "
        "significance: no confidence interval"
    ) in text
    assert not re.search(r"Not compared with (England|North West)(?!:)", text)
