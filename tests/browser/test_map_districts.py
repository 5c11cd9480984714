"""In Chromium: the heat map draws each of the 29 municipalities of the real OSM file as a shape of its own,
whichever way the source winds its rings, and a click inside a district opens that district's appeals."""

import pytest

from cur.roles import Role
from sectors.models import Territory
from sectors.services_geo import load_region_territories
from tests.factories import UserFactory
from tests.heatmap.world import build_world, register

pytestmark = pytest.mark.browser

# Every drawn municipality: its territory id (plotly's location, the GeoJSON feature id), whether it is
# filled, its bounding box, and the share of the map frame that box covers. An inside-out polygon (a ring
# wound the way d3-geo reads as «everything but this») fills the whole frame.
SHAPES = """() => {
  const frame = document.querySelector("#heat-map .geo .bg").getBoundingClientRect();
  return [...document.querySelectorAll("#heat-map path.choroplethlocation")].map((path) => {
    const box = path.getBoundingClientRect();
    const style = getComputedStyle(path);
    return {id: path.__data__.loc, fill: style.fill, opacity: Number(style.fillOpacity),
            share: (box.width * box.height) / (frame.width * frame.height)};
  });
}"""

# A point of the viewport well inside the district's own fill and in no other district's fill (a city okrug is
# a hole of the district around it): of a grid over the district's box, the point farthest from the edges.
INSIDE = """(id) => {
  const paths = [...document.querySelectorAll("#heat-map path.choroplethlocation")];
  const path = paths.find((p) => p.__data__.loc === id);
  path.scrollIntoView({block: "center", behavior: "instant"});  // Bootstrap makes scrolling smooth
  const box = path.getBBox(), ctm = path.getScreenCTM(), svg = path.ownerSVGElement, n = 32;
  const at = (i, j) => {
    const point = svg.createSVGPoint();
    point.x = box.x + (box.width * i) / n;
    point.y = box.y + (box.height * j) / n;
    return point;
  };
  const own = [];
  for (let i = 0; i <= n; i++) {
    own.push([]);
    for (let j = 0; j <= n; j++) {
      const point = at(i, j);
      own[i].push(path.isPointInFill(point) && !paths.some((p) => p !== path && p.isPointInFill(point)));
    }
  }
  const depth = (i, j) => {
    let d = 0;
    while (d < n && [[i - d, j], [i + d, j], [i, j - d], [i, j + d]].every(([a, b]) => own[a] && own[a][b])) d++;
    return d;
  };
  let best = null, deepest = 0;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) {
      const d = depth(i, j);
      if (d > deepest) [best, deepest] = [at(i, j), d];
    }
  }
  if (best === null) return null;
  const screen = best.matrixTransform(ctm);
  return {x: screen.x, y: screen.y};
}"""


def test_the_curator_sees_every_municipality_as_its_own_shape_and_clicks_open_their_appeals(
    transactional_db, live_server, page, log_in
):
    load_region_territories()  # the real OSM boundaries: 25 of 29 outer rings wound counter-clockwise
    world = build_world()
    chosen = {name: Territory.objects.get(name=name) for name in ("Шацкий район", "Касимовский район", "Скопин")}
    for territory in chosen.values():
        register(world, territory=territory)
    UserFactory(username="map-curator", role=Role.CURATOR)
    municipalities = Territory.objects.filter(kind__in=Territory.MUNICIPAL_KINDS, boundary__isnull=False).count()
    assert municipalities == 29

    log_in("map-curator", "пароль-для-тестов")
    page.goto(f"{live_server.url}/heatmap/map/")
    page.wait_for_selector("#heat-map[data-ready='1']")

    shapes = page.evaluate(SHAPES)
    assert len(shapes) == 29
    assert len({s["id"] for s in shapes}) == 29  # each territory its own shape
    assert all(s["fill"] not in ("none", "") and s["opacity"] > 0 for s in shapes), shapes
    assert [s["id"] for s in shapes if s["share"] > 0.5] == []  # none drawn inside-out

    for name, territory in chosen.items():
        point = page.evaluate(INSIDE, str(territory.pk))
        assert point is not None, f"{name}: no point of its own on the map"
        page.mouse.move(point["x"], point["y"])
        page.wait_for_selector(f'#heat-map .hovertext text[data-unformatted^="<b>{name}</b>"]')  # its own label
        page.mouse.click(point["x"], point["y"])
        page.wait_for_url("**/appeals/list/**")
        assert f"territory={territory.pk}" in page.url, (name, page.url)
        assert page.locator("table tbody tr").count() == 1
        page.go_back()
        page.wait_for_selector("#heat-map[data-ready='1']")
