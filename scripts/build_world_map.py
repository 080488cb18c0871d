"""Build states/data/world-map.json, the world map the dashboard draws, from Natural Earth.

Source: the npm package world-atlas 2.0.2 (Natural Earth 1:50m admin-0 countries, public
domain, as TopoJSON; ISC-licensed packaging by Mike Bostock). Run by `make map`, which fetches
the package from the npm registry into build/; the output is committed, so nothing is fetched
when the app runs.

What it does: decodes the TopoJSON, projects with the Equal Earth projection (equal-area, so no
State looks bigger than it is), simplifies each outline to about half a pixel at the map's
width, and writes one SVG path per M49 code, plus a marker point for each participant too small
to see (and for Tuvalu, which the 1:50m data leaves out).
"""

import itertools
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "build" / "node_modules" / "world-atlas" / "countries-50m.json"
PARTICIPANTS = ROOT / "fixtures" / "participants.json"
OUTPUT = ROOT / "states" / "data" / "world-map.json"
SPRITE = ROOT / "static" / "map" / "world.svg"

WIDTH = 1000.0
TOLERANCE = 0.8  # pixels: Douglas-Peucker tolerance at WIDTH
SMALL = 15  # square pixels: below this a participant also gets a marker
# Not in Natural Earth's 1:50m countries: Funafuti, Tuvalu (8.52 S, 179.2 E).
EXTRA_POINTS = {798: (179.2, -8.52)}

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
X_MAX = math.pi / (M * A1)  # x at the equator, longitude 180°
THETA_MAX = math.asin(M)
Y_MAX = THETA_MAX * (A1 + A2 * THETA_MAX**2 + THETA_MAX**6 * (A3 + A4 * THETA_MAX**2))
SCALE = WIDTH / (2 * X_MAX)
HEIGHT = round(2 * Y_MAX * SCALE, 1)


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return (x + X_MAX) * SCALE, (Y_MAX - y) * SCALE


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _clip(points, inside, cross):
    """Sutherland-Hodgman: the part of a closed ring on one side of a meridian."""
    out = []
    for current, following in zip(points, points[1:] + points[:1], strict=True):
        if inside(current):
            out.append(current)
            if not inside(following):
                out.append(cross(current, following))
        elif inside(following):
            out.append(cross(current, following))
    return out


def _on_meridian(lon):
    def cross(a, b):
        t = (lon - a[0]) / (b[0] - a[0])
        return lon, a[1] + t * (b[1] - a[1])

    return cross


def split_at_antimeridian(points):
    """Rings that cross longitude 180 (Russia's Chukotka, Fiji) cut into pieces on each side.

    The TopoJSON keeps them whole, for renderers that cut at draw time; drawn as they
    are, they would stretch across the whole map. A ring around a pole (Antarctica)
    crosses once and is left as it is.
    """
    jumps = sum(1 for (a, _), (b, _) in itertools.pairwise(points) if abs(b - a) > 180)
    if jumps == 0 or jumps % 2:
        return [points]
    unwrapped, shift = [points[0]], 0.0
    for (previous, _), (lon, lat) in itertools.pairwise(points):
        shift += -360 if lon - previous > 180 else 360 if lon - previous < -180 else 0
        unwrapped.append((lon + shift, lat))
    pieces = []
    for offset in (-360, 0, 360):
        ring = [(lon + offset, lat) for lon, lat in unwrapped]
        ring = _clip(ring, lambda p: p[0] >= -180, _on_meridian(-180))
        ring = _clip(ring, lambda p: p[0] <= 180, _on_meridian(180)) if ring else ring
        if len(ring) >= 3:
            pieces.append(densify_edge(ring))
    return pieces


def densify_edge(ring, step=1.0):
    """Points every degree along a cut, which the projection draws as a curve."""
    out = []
    for (lon, lat), (next_lon, next_lat) in zip(ring, ring[1:] + ring[:1], strict=True):
        out.append((lon, lat))
        if abs(lon) == 180 and lon == next_lon:
            n = int(abs(next_lat - lat) / step)
            out += [(lon, lat + (next_lat - lat) * i / n) for i in range(1, n)]
    return out + out[:1]


def simplify(points, tolerance):
    """Douglas-Peucker, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if norm:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            else:  # a closed ring: measure from its first point
                distance = math.hypot(px - x1, py - y1)
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(points) -> float:
    return (
        abs(
            sum(
                x1 * y2 - x2 * y1
                for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
            )
        )
        / 2
    )


def centroid(points) -> tuple[float, float]:
    xs, ys = zip(*points, strict=True)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def path(rings) -> str:
    """Relative SVG path commands in tenths of a pixel: compact, and gzip likes it."""
    out = []
    for ring in rings:
        ints = [(round(x * 10), round(y * 10)) for x, y in ring]
        (x0, y0), rest = ints[0], ints[1:]
        parts = [f"M{x0 / 10:g} {y0 / 10:g}"]
        px, py = x0, y0
        for x, y in rest:
            if (x, y) != (px, py):
                parts.append(f"{(x - px) / 10:g} {(y - py) / 10:g}")
                px, py = x, y
        out.append(parts[0] + "l" + " ".join(parts[1:]) + "z")
    return "".join(out).replace(" -", "-")


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: run `make map` (it installs world-atlas from npm).")
        return 1
    topology = json.loads(SOURCE.read_text())
    arcs = decode_arcs(topology)
    m49s = {
        row["fields"]["m49"] for row in json.loads(PARTICIPANTS.read_text()) if row["fields"]["m49"]
    }
    # Several geometries may share a code (Australia and Ashmore and Cartier Islands).
    found: dict[int | None, dict] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = {"Polygon": [geometry.get("arcs", [])], "MultiPolygon": geometry.get("arcs", [])}
        m49 = int(geometry["id"]) if geometry.get("id") else None
        entry = found.setdefault(
            m49, {"rings": [], "largest": None, "largest_area": -1.0, "total": 0.0}
        )
        for polygon in polygons.get(geometry["type"], []):
            for ring in polygon:
                for piece in split_at_antimeridian(ring_points(ring, arcs)):
                    projected = [equal_earth(lon, lat) for lon, lat in piece]
                    ring_area = area(projected)
                    entry["total"] += ring_area
                    if ring_area > entry["largest_area"]:
                        entry["largest"], entry["largest_area"] = projected, ring_area
                    simple = simplify(projected, TOLERANCE)
                    if len(simple) >= 4 and area(simple) >= 0.5:
                        entry["rings"].append(simple[:-1])
    shapes, others, markers = {}, [], {}
    for m49, entry in found.items():
        if m49 not in m49s:
            others.extend(entry["rings"])
            continue
        shapes[m49] = path(entry["rings"] or [entry["largest"][:-1]])
        if entry["total"] < SMALL:
            markers[m49] = [round(c, 1) for c in centroid(entry["largest"])]
    for m49, (lon, lat) in EXTRA_POINTS.items():
        markers[m49] = [round(c, 1) for c in equal_earth(lon, lat)]
    missing = sorted(m49s - set(shapes) - set(markers))
    if missing:
        print(f"No shape or marker for M49 {missing}")
        return 1
    document = {
        "source": "Natural Earth 1:50m countries (world-atlas 2.0.2), Equal Earth projection",
        "width": WIDTH,
        "height": HEIGHT,
        "shapes": {str(k): v for k, v in sorted(shapes.items())},
        "markers": {str(k): v for k, v in sorted(markers.items())},
        "others": path(others),
    }
    OUTPUT.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    print(
        f"{OUTPUT}: {OUTPUT.stat().st_size:,} bytes, {len(shapes)} shapes, {len(markers)} markers"
    )
    return write_sprite(document)


def write_sprite(document: dict) -> int:
    """The outlines as a static SVG file that the dashboard's map links point into
    (`<use href="world.svg#m704">`): cached by browsers, not sent with every page."""
    paths = "".join(f'<path id="m{code}" d="{d}"/>' for code, d in document["shapes"].items())
    SPRITE.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg">'
        f'<path id="others" d="{document["others"]}"/>{paths}</svg>\n'
    )
    print(f"{SPRITE}: {SPRITE.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    # --sprite: the static file again from the committed map file, with nothing to download.
    if sys.argv[1:] == ["--sprite"]:
        sys.exit(write_sprite(json.loads(OUTPUT.read_text())))
    sys.exit(main())
