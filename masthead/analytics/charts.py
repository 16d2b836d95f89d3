"""Bar charts drawn as SVG on the server (no script, nothing from outside): the geometry here, the drawing in
`templates/analytics/admin/bar_chart.html`."""

from dataclasses import dataclass

WIDTH, HEIGHT = 720, 180
LEFT, BOTTOM, TOP = 48, 22, 8  # room for the value axis, the labels under the bars, the top tick


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    tick: bool  # its label is written under it (every few bars, so that labels never overlap)


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ at or above `value` (at least 1): the top of the value axis."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def bar_chart(points: list[tuple[str, int]], *, title: str, label_every: int = 0) -> dict:
    """The chart of `points` ((label, value) in order): its bars, the value axis's ticks and a summary."""
    count = max(len(points), 1)
    top = nice_ceiling(max((value for _, value in points), default=0))
    plot_width, plot_height = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_width / count
    every = label_every or max(1, round(count / 8))
    bars = []
    for index, (label, value) in enumerate(points):
        height = plot_height * value / top
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.1, 2),
                y=round(TOP + plot_height - height, 2),
                width=round(max(slot * 0.8, 1), 2),
                height=round(height, 2),
                label=label,
                value=value,
                tick=index % every == 0,
            )
        )
    ticks = [(round(TOP + plot_height - plot_height * share, 2), int(top * share)) for share in (0, 0.5, 1)]
    return {
        "title": title,
        "bars": bars,
        "ticks": ticks,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "baseline": TOP + plot_height,
        "label_y": HEIGHT - 6,
        "total": sum(value for _, value in points),
    }
