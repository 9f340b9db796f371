"""A PNG of the results: each measure as the cost of ours beside its baseline, with its target.

Units differ (ms, s, req/s), so each measure is drawn as one ratio: how many times
the baseline's cost ours has (for a rate, the baseline's rate over ours), on a log
scale so that 0.5x and 2x sit as far from parity. `python -m bench.chart FILE.md`
draws the chart of an earlier report.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display here, nor on CI

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bench.timing import Measure

MEETS, MISSES, NO_TARGET = "#2e7d32", "#c62828", "#9e9e9e"
_TARGET = re.compile(r"ratio ([≤≥]) ?([0-9.]+)")


def target_cost(m: Measure) -> float | None:
    """The target's ratio ("ratio ≤ 1.3"; "ratio ≥ 0.91" of a rate) as a cost."""
    found = _TARGET.search(m.target)
    if found is None:
        return None
    value = float(found[2])
    return 1 / value if found[1] == "≥" else value


def _amount(value: float, unit: str) -> str:
    decimals = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:,.{decimals}f} {unit}"


def chart(measures: list[Measure], title: str, out: Path) -> None:
    rows = [m for m in measures if m.ratio > 0]  # nan and 0 cannot go on a log scale
    height = 2.0 + 0.55 * len(rows)
    figure, axes = plt.subplots(figsize=(12, height), layout="constrained")
    costs = [m.ratio for m in rows]
    targets = [target_cost(m) for m in rows]
    colours = [
        NO_TARGET if t is None else MEETS if c <= t else MISSES
        for c, t in zip(costs, targets, strict=True)
    ]
    y = range(len(rows))
    # From parity: a bar to the right costs more than the baseline, to the left less.
    axes.barh(y, [c - 1 for c in costs], left=1, color=colours, height=0.6)
    axes.set_xscale("log")
    axes.axvline(1, color="black", linewidth=1)
    for i, t in enumerate(targets):
        if t is not None:
            axes.plot([t, t], [i - 0.4, i + 0.4], color="black", linestyle="--", linewidth=1.5)
    for i, (m, c) in enumerate(zip(rows, costs, strict=True)):
        axes.annotate(
            f"{c:,.2f}x   {_amount(m.ours, m.unit)} vs {_amount(m.baseline, m.unit)}\n"
            f"target: {m.target}",
            (max(c, targets[i] or 1, 1), i),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
        )
    axes.set_yticks(list(y), [textwrap.fill(m.name, 48) for m in rows], fontsize=9)
    axes.invert_yaxis()  # the report's order, top to bottom
    low = min([*costs, *(t for t in targets if t)], default=1)
    high = max([*costs, *(t for t in targets if t)], default=1)
    # Room on the right for the labels.
    axes.set_xlim(min(low, 1) / 1.5, max(high, 1) * 12)
    axes.set_xlabel(
        "ours ÷ baseline (for requests/s: baseline ÷ ours); above 1 ours costs more; log scale"
    )
    axes.set_title(title + "\nbaseline: plain SQL, or as the measure names it", fontsize=11)
    axes.grid(axis="x", which="both", alpha=0.3)
    figure.legend(
        handles=[
            Patch(color=MEETS, label="within its ratio target"),
            Patch(color=MISSES, label="beyond its ratio target"),
            Line2D([], [], color="black", linestyle="--", label="ratio target"),
        ],
        loc="outside lower center",
        ncols=3,
        fontsize=9,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=120)
    plt.close(figure)


def _number(cell: str) -> tuple[float, str]:
    value, unit = cell.strip().split(" ", 1)
    return float(value.replace(",", "")), unit


def measures_from_report(text: str) -> tuple[str, list[Measure]]:
    """The title and measures of a report that `python -m bench` wrote."""
    title = text.splitlines()[0].lstrip("# ").strip()
    measures = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not re.match(r"^[0-9,.]+ ", cells[1]):
            continue
        ours, unit = _number(cells[1])
        baseline, _ = _number(cells[2])
        rate = unit.endswith("/s")
        measures.append(Measure(cells[0], unit, ours, baseline, cells[4], higher_is_better=rate))
    return title, measures


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.chart bench/results/NAME.md ...  (writes NAME.png)")
    for name in sys.argv[1:]:
        report = Path(name)
        title, measures = measures_from_report(report.read_text(encoding="utf-8"))
        chart(measures, title, report.with_suffix(".png"))
        print(f"written to {report.with_suffix('.png')}")


if __name__ == "__main__":
    main()
