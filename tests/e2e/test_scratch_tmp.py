import json, time
import pytest

@pytest.mark.e2e
@pytest.mark.parametrize("path", ["/", "/indicators/92196/", "/areas/E07000117/", "/inequalities/", "/data/"])
def test_scratch(site, page, problems, path):
    t = time.monotonic()
    page.goto(site + path)
    n = page.locator("div.chart[data-figure]").count()
    if n:
        page.wait_for_selector(f"div.chart[data-drawn=true] >> nth={n-1}")
    page.wait_for_load_state("networkidle")
    print(path, n, time.monotonic() - t, problems)
    info = page.evaluate("""() => [...document.querySelectorAll('div.chart[data-figure]')].map(g => ({
        fig: g.dataset.figure, points: g.dataset.points, drawn: g.dataset.drawn,
        traces: g.data.map(t => ({type: t.type, mode: t.mode, name: t.name, n: (t.x||t.lon||[]).length, ids: t.ids && t.ids.length, orientation: t.orientation,
            colors: t.marker && t.marker.color})),
        bars: g.querySelectorAll('.barlayer .point').length,
        barpaths: [...g.querySelectorAll('.barlayer .point path')].map(p=>p.getAttribute('d')).filter(d=>d && d!=='M0,0Z').length,
        scatterpts: g.querySelectorAll('.scatterlayer .point').length,
        geopts: g.querySelectorAll('.geo .point, .geolayer .point').length,
        }))""")
    print(json.dumps(info, indent=1))
