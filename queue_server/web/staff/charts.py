"""Report charts, drawn on the server by matplotlib as SVG.

Server-side drawing keeps the staff pages free of script libraries (the strict
Content-Security-Policy stays as it is) and the print layout gets the same
pictures.  Each chart is embedded as a ``data:`` image with a text alternative;
the table beside it carries the same numbers for screen readers and exports.
Only matplotlib's object API is used (no pyplot): it keeps no global state
between request threads.
"""

from __future__ import annotations

import base64
import io
import math
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import rcParams
from matplotlib.figure import Figure

rcParams["svg.fonttype"] = "none"  # text stays text: small files, the page's own font
rcParams["font.family"] = "DejaVu Sans"
INK, ACCENT, SOFT = "#1d2733", "#0b5cad", "#dbe8f6"
CACHED_CHARTS = 64  # the same period asked again (reload, print, another language) draws nothing new


def _data_uri(figure: Figure) -> str:
    out = io.BytesIO()
    figure.savefig(out, format="svg")  # no bbox_inches="tight": it draws the figure twice
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def heat_map(load: dict[tuple[int, int], int], on_duty: dict[tuple[int, int], float],
             weekdays: list[str], hour_label: str) -> str | None:
    """Tickets issued by weekday and hour; each cell also shows the workplaces open then."""
    return _heat_map(tuple(sorted(load.items())), tuple(sorted(on_duty.items())), tuple(weekdays), hour_label)


@lru_cache(maxsize=CACHED_CHARTS)
def _heat_map(load_items: tuple, on_duty_items: tuple, weekdays: tuple[str, ...],
              hour_label: str) -> str | None:
    load, on_duty = dict(load_items), dict(on_duty_items)
    cells = set(load) | set(on_duty)
    if not cells:
        return None
    hours = list(range(min(h for _, h in cells), max(h for _, h in cells) + 1))
    grid = [[load.get((day, hour), 0) for hour in hours] for day in range(7)]
    figure = Figure(figsize=(max(6.0, 0.62 * len(hours) + 1.5), 4.2))
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.97)
    axes = figure.subplots()
    image = axes.imshow(grid, cmap="Blues", aspect="auto")
    axes.set_xticks(range(len(hours)), [str(h) for h in hours])
    axes.set_yticks(range(7), weekdays)
    axes.set_xlabel(hour_label)
    peak = max(max(row) for row in grid) or 1
    for day in range(7):
        for column, hour in enumerate(hours):
            issued, staff = grid[day][column], on_duty.get((day, hour))
            if issued or staff:
                colour = "white" if issued > peak * 0.6 else INK
                text = f"{issued}\n{staff:g}" if staff else str(issued)
                axes.text(column, day, text, ha="center", va="center", fontsize=7, color=colour)
    figure.colorbar(image, ax=axes, fraction=0.03)
    return _data_uri(figure)


def weekly_trend(weekly: list[tuple[str, int, float | None]], label: str) -> str | None:
    return _weekly_trend(tuple(weekly), label)


@lru_cache(maxsize=CACHED_CHARTS)
def _weekly_trend(weekly: tuple, label: str) -> str | None:
    points = [(week, share) for week, _, share in weekly if share is not None]
    if not points:
        return None
    figure = Figure(figsize=(6.5, 3.2))
    figure.subplots_adjust(left=0.12, right=0.98, bottom=0.28, top=0.96)
    axes = figure.subplots()
    axes.plot(range(len(points)), [s for _, s in points], marker="o", color=ACCENT)
    step = max(1, len(points) // 12)  # at most a dozen week labels
    axes.set_xticks(range(0, len(points), step), [w for w, _ in points][::step])
    axes.set_ylim(0, 100)
    axes.set_ylabel(label)
    axes.grid(axis="y", color=SOFT)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    return _data_uri(figure)


def flow_chart(transitions: list[tuple[str, str, int]], names: dict[str, str]) -> str | None:
    """Queues as boxes on a circle, moves between them as arrows labelled with their counts."""
    return _flow_chart(tuple(transitions), tuple(sorted(names.items())))


@lru_cache(maxsize=CACHED_CHARTS)
def _flow_chart(transitions: tuple, name_items: tuple) -> str | None:
    names = dict(name_items)
    if not transitions:
        return None
    nodes = sorted({a for a, _, _ in transitions} | {b for _, b, _ in transitions})
    places = {node: (math.cos(2 * math.pi * i / len(nodes) + math.pi / 2),
                     math.sin(2 * math.pi * i / len(nodes) + math.pi / 2)) for i, node in enumerate(nodes)}
    figure = Figure(figsize=(6.5, 5.0))
    figure.subplots_adjust(left=0, right=1, bottom=0, top=1)
    axes = figure.subplots()
    axes.set_axis_off()
    axes.set_xlim(-1.6, 1.6)
    axes.set_ylim(-1.4, 1.4)
    widest = max(count for _, _, count in transitions)
    for source, target, count in transitions:
        axes.annotate("", xy=places[target], xytext=places[source],
                      arrowprops={"arrowstyle": "-|>", "color": ACCENT, "shrinkA": 28, "shrinkB": 28,
                                  "lw": 1 + 4 * count / widest, "connectionstyle": "arc3,rad=0.18"})
        (x1, y1), (x2, y2) = places[source], places[target]
        middle = ((x1 + x2) / 2 + (y2 - y1) * 0.12, (y1 + y2) / 2 - (x2 - x1) * 0.12)
        axes.text(*middle, str(count), ha="center", va="center", fontsize=9, color=INK,
                  bbox={"boxstyle": "round", "fc": "white", "ec": SOFT})
    for node, (x, y) in places.items():
        axes.text(x, y, names.get(node, node), ha="center", va="center", fontsize=9, color=INK,
                  bbox={"boxstyle": "round,pad=0.5", "fc": SOFT, "ec": ACCENT})
    return _data_uri(figure)


def report_charts(load: dict[tuple[int, int], int], on_duty: dict[tuple[int, int], float],
                  weekdays: list[str], hour_label: str, weekly: list[tuple[str, int, float | None]],
                  share_label: str, transitions: list[tuple[str, str, int]],
                  names: dict[str, str]) -> dict[str, str | None]:
    """The report page's three charts in one call: the server runs it in the report worker
    (``Reports.in_worker``), where drawing holds no GIL a kiosk's issue needs."""
    return {"heat_map": heat_map(load, on_duty, weekdays, hour_label),
            "trend": weekly_trend(weekly, share_label),
            "flow": flow_chart(transitions, names)}
