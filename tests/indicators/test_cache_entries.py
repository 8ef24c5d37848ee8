"""Only the values a page or API answer has reach the cache: made-up ones cannot fill it.

Every query parameter a cached answer depends on is checked before the cache is read or
written: a page redirects to its canonical URL without a value it does not offer, the API
answers 400, an unknown indicator or area is a 404, a parameter no page reads is ignored, and
API slices other than the default or largest page are read from the database. Counted in a
real Redis, as deployed.
"""

from __future__ import annotations

import pytest
import redis
from django.test import Client

BLACKPOOL = "E06000009"

# The pages and answers a visitor may ask for, warmed first: every request below is refused,
# redirected, or served from one of these.
VALID = [
    "/",
    "/indicators/92196/",
    "/indicators/92196/compare.csv",
    f"/areas/{BLACKPOOL}/",
    f"/areas/{BLACKPOOL}/profile.csv",
    "/inequalities/",
    "/api/v1/indicators/",
    "/api/v1/areas/",
    "/api/v1/observations/?indicator=92196",
    "/api/v1/schema/",
]


def made_up(i: int) -> list[tuple[str, set[int]]]:
    """Requests with one made-up value each, and the answers they may have."""
    redirect, bad, missing, served = {302}, {400}, {404}, {200}
    return [
        (f"/?benchmark=mars{i}", redirect),
        (f"/indicators/92196/?period=period-{i}", redirect),
        (f"/indicators/92196/?period={19000000 + i}", redirect),  # looks like one, is not held
        (f"/indicators/92196/?area=E0{i:07d}", redirect),
        (f"/indicators/92196/?benchmark=b{i}", redirect),
        (f"/indicators/92196/compare.csv?period=x{i}", redirect),
        (f"/indicators/{90000 + i}/", missing),
        (f"/indicators/92196/chart{i}.csv", missing),
        (f"/areas/E0{i:07d}/", missing),
        (f"/areas/{BLACKPOOL}/?period=x{i}&anything={i}", served),  # reads no parameter
        (f"/inequalities/?utm_source=x{i}", served),
        (f"/api/v1/indicators/?made_up={i}", served),
        (f"/api/v1/areas/?level=level-{i}", bad),
        (f"/api/v1/observations/?indicator=92196&period=p{i}", bad),
        (f"/api/v1/observations/?indicator=92196&period={19000000 + i}", bad),
        (f"/api/v1/observations/?indicator=92196&area=E0{i:07d}", bad),
        (f"/api/v1/observations/?indicator={90000 + i}", bad),
        (f"/api/v1/observations/?indicator=92196&offset={7 * i + 1}", served),  # not cached
        (f"/api/v1/observations/?indicator=92196&limit={i + 2}", served),  # not cached
        (f"/api/v1/observations/?indicator=92196&offset={1000 * (i + 50)}", served),  # past end
    ]


@pytest.fixture
def redis_cache(redis_url, settings):
    """The page cache in a real Redis; its client, to count what is stored."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@pytest.mark.django_db
def test_many_made_up_parameter_values_add_no_cache_entry(snapshot, redis_cache):
    client = Client()
    for url in VALID:
        assert client.get(url).status_code == 200, url
    for url in VALID:  # a second time: each is served from what the first stored
        assert client.get(url)["X-Cache"] == "hit", url
    stored = redis_cache.dbsize()
    assert stored > len(VALID)

    wrong = []
    for i in range(30):
        for url, expected in made_up(i):
            status = client.get(url).status_code
            if status not in expected:
                wrong.append(f"{url}: {status}, expected {sorted(expected)}")
    assert wrong == []
    assert redis_cache.dbsize() == stored


@pytest.mark.django_db
def test_a_page_asked_for_a_value_it_does_not_offer_redirects_to_its_canonical_url(
    client, snapshot
):
    response = client.get(
        "/indicators/92196/", {"period": "nonsense", "benchmark": "region", "made_up": "x"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/indicators/92196/?benchmark=region"
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/", {"benchmark": "mars"})["Location"] == "/"


@pytest.mark.django_db
def test_values_that_mean_the_same_page_share_one_cache_entry(client, snapshot):
    """The latest period, England and the home county are the page's defaults."""
    first = client.get("/indicators/92196/")
    latest = first.context["view"].period
    again = client.get(
        "/indicators/92196/",
        {"period": latest, "benchmark": "england", "area": first.context["view"].area_code},
    )
    assert again["X-Cache"] == "hit"
    assert again.content == first.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"indicator": 92196, "period": "1999"}, "has no figures for the period '1999'"),
        ({"indicator": 92196, "period": "19990000"}, "has no figures for the period"),
        ({"indicator": 92196, "area": "E99999999"}, "no area with code 'E99999999'"),
    ],
)
def test_the_api_says_which_value_the_indicator_does_not_have(client, snapshot, params, message):
    response = client.get("/api/v1/observations/", params)
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.django_db
def test_an_area_held_without_figures_for_the_indicator_is_an_empty_answer(client, snapshot):
    from indicators.models import Area

    Area.objects.create(code="E07999999", name="A district with no figures", level="district")
    response = client.get("/api/v1/observations/", {"indicator": 92196, "area": "E07999999"})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.django_db
def test_an_unknown_area_level_is_a_400(client, snapshot):
    response = client.get("/api/v1/areas/", {"level": "galaxy"})
    assert response.status_code == 400
    assert "level must be one of" in response.json()["error"]
