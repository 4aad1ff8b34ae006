"""Charts of a metric against model size: a terminal chart (plotext) and a PNG (matplotlib).

Both take plain lists, so the CLI, the TUI and notebooks can draw any series. The x-axis is the
parameter count on a log scale, as in the Inverse Scaling Prize's plots.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Series:
    """One line: points (params, mean) with a 95% interval per point.

    Attributes:
        label: Legend text.
        params: Parameter count per model.
        means: Mean metric per model.
        lows, highs: The interval bounds per model.
    """

    label: str
    params: Sequence[float]
    means: Sequence[float]
    lows: Sequence[float]
    highs: Sequence[float]


def terminal_chart(series: Sequence[Series], ylabel: str, width: int = 70,
                   height: int = 18) -> str:
    """The chart as a string (for printing to a terminal), log-scaled x."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    plt.clear_color()  # plain text: the string may go to a file or a non-ANSI widget
    plt.xscale("log")
    for s in series:
        xs = [float(p) for p in s.params]
        plt.plot(xs, list(s.means), marker="dot", label=s.label)
        plt.scatter(xs, list(s.lows), marker="-")
        plt.scatter(xs, list(s.highs), marker="-")
    plt.xlabel("parameters (log)")
    plt.ylabel(ylabel)
    text = plt.build()
    plt.clear_figure()
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def png_plot(series: Sequence[Series], ylabel: str, path: str | Path, title: str = "") -> Path:
    """Write the prize-style plot (mean vs params, log x, 95% error bars) to ``path``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.4), dpi=120)
    axes = figure.subplots()
    for s in series:
        lower = [m - lo if math.isfinite(lo) else 0 for m, lo in zip(s.means, s.lows, strict=True)]
        upper = [hi - m if math.isfinite(hi) else 0 for m, hi in zip(s.means, s.highs,
                                                                     strict=True)]
        axes.errorbar(list(s.params), list(s.means), yerr=[lower, upper], marker="o",
                      capsize=3, label=s.label)
    axes.set_xscale("log")
    axes.set_xlabel("Model parameters")
    axes.set_ylabel(ylabel)
    if title:
        axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    if len(series) > 1:
        axes.legend()
    figure.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    figure.savefig(tmp, format=target.suffix.lstrip(".") or "png")
    tmp.replace(target)  # atomic: never a half-written image
    return target
