"""Figures of a scored run, drawn with seaborn: the per-depth curves.

:func:`draw_curves` turns ``scores.json``'s content into one figure of four panels, one per
test metric (spike ROC AUC, true-positive rate at 0.25% false positives, soma RMSE in mV,
soma explained variance) against network depth: every seed as a point with its bootstrap
interval, the median over seeds as a line, and on the AUC panel the AUC within the decision's
tolerance of the best depth and the score (a resolved depth as a line, a range as a band).
Written as PNG and SVG. The output is deterministic (no dates, fixed SVG ids), so an
unchanged run redraws to identical files.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from benchmark.core.atomic import write_bytes

PANELS = (
    ("spike_auc", "test spike ROC AUC"),
    ("tpr_at_0.25pct_fpr", "TPR at 0.25% FPR"),
    ("soma_rmse_mv", "soma RMSE (mV)"),
    ("soma_explained_variance", "soma explained variance"),
)


def _seed_rows(scores: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for entry in scores["per_depth"]:
        for seed in entry["seeds"]:
            for metric, _ in PANELS:
                value = seed.get(metric)
                lo, hi = seed.get(f"{metric}_ci") or (None, None)
                rows.append({"depth": entry["depth"], "seed": seed["seed"], "metric": metric,
                             "value": value, "lo": lo, "hi": hi})
    return [r for r in rows if r["value"] is not None]


def draw_curves(scores: dict[str, Any], folder: Path, title: str) -> list[Path]:
    """Draw ``curves.png`` and ``curves.svg`` into ``folder``; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    rows = pd.DataFrame(_seed_rows(scores), columns=["depth", "seed", "metric", "value",
                                                     "lo", "hi"])
    depths = [e["depth"] for e in scores["per_depth"]]
    sns.set_theme(style="whitegrid", context="paper")
    with matplotlib.rc_context({"svg.hashsalt": "neurodepth", "svg.fonttype": "path"}):
        fig, axes = plt.subplots(1, len(PANELS), figsize=(3.2 * len(PANELS), 3.0),
                                 layout="constrained")
        for ax, (metric, label) in zip(axes, PANELS, strict=True):
            _panel(ax, rows[rows["metric"] == metric], depths, label, sns)
        _mark_score(axes[0], scores)
        fig.suptitle(title)
        return _save(fig, folder, "curves")


def _metadata(path: Path) -> dict[str, Any]:
    if path.suffix == ".svg":
        return {"Date": None, "Creator": "neurodepth"}
    return {"Software": "neurodepth"}


def _panel(ax: Any, data: Any, depths: list[int], label: str, sns: Any) -> None:
    if not data.empty:
        sns.lineplot(data=data, x="depth", y="value", estimator="median", errorbar=None,
                     color="0.3", ax=ax, marker="o", zorder=1)
        seeds = sorted(data["seed"].unique())
        for i, seed in enumerate(seeds):
            part = data[data["seed"] == seed]
            x = part["depth"] + (i - (len(seeds) - 1) / 2) * 0.08
            # a percentile interval need not contain its estimate: draw it as a bar, lo-hi
            has_ci = part["lo"].notna() & part["hi"].notna()
            (line,) = ax.plot(x, part["value"], "o", ms=3, label=f"seed {seed}", zorder=2)
            ax.vlines(x[has_ci], part["lo"][has_ci], part["hi"][has_ci], lw=0.8,
                      color=line.get_color(), zorder=2)
    ax.set_xticks(depths)
    ax.set_xlabel("depth (layers)")
    ax.set_ylabel(label)


def _mark_score(ax: Any, scores: dict[str, Any]) -> None:
    """Mark the best depth (chosen on validation), the test AUC a depth needs to lie within
    the tolerance of it, and the score: a resolved depth as a line, a range as a band."""
    block = scores["score"]
    threshold = _threshold(scores)
    if threshold is not None:
        ax.axhline(threshold, color="tab:red", lw=0.8, ls="--",
                   label=f"best - {block['rule']['tolerance_fci']} FCI")
    lower, upper = block.get("lower"), block.get("upper")
    if block.get("outcome") == "resolved":
        ax.axvline(lower, color="tab:green", lw=0.8, ls=":", label=f"minimal depth {lower}")
    elif block.get("outcome") in ("range", "unresolved") and lower is not None:
        top = upper if upper is not None else max(r["depth"] for r in scores["per_depth"])
        ax.axvspan(lower - 0.2, top + 0.2, color="tab:green", alpha=0.12,
                   label=f"{block['label']} (not resolved within)")
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize="x-small", loc="lower right")


def _threshold(scores: dict[str, Any]) -> float | None:
    """The test AUC whose FCI lies the tolerance above the best depth's (None if unknown)."""
    block = scores["score"]
    best = next((r for r in scores["per_depth"] if r["depth"] == block.get("best_depth")), None)
    if best is None or best.get("spike_auc") is None:
        return None
    return 1.0 - (1.0 - best["spike_auc"]) * 10.0 ** (2.0 * block["rule"]["tolerance_fci"])


REGION_COLOURS = {"soma": "0.1", "dend": "tab:blue", "apic": "tab:purple", "axon": "tab:orange"}


def _save(fig: Any, folder: Path, stem: str) -> list[Path]:
    """Write ``stem``.png and ``stem``.svg (deterministic metadata) and close the figure."""
    import matplotlib.pyplot as plt

    paths = [folder / f"{stem}.png", folder / f"{stem}.svg"]
    for path in paths:
        buffer = io.BytesIO()
        fig.savefig(buffer, format=path.suffix[1:], dpi=120, metadata=_metadata(path))
        data = buffer.getvalue()
        write_bytes(path, stable_svg_ids(data) if path.suffix == ".svg" else data)
    plt.close(fig)
    return paths


def stable_svg_ids(svg: bytes) -> bytes:
    """Rename matplotlib's hashed SVG ids (``p`` + 10 hex digits, e.g. clip paths, whose
    hash can include an object's memory address) to ``p0``, ``p1``, ... in order of first
    appearance, so that the same figure gives the same bytes in any process."""
    names: dict[bytes, bytes] = {}

    def rename(match: re.Match[bytes]) -> bytes:
        return names.setdefault(match.group(0), b"p%d" % len(names))

    return re.sub(rb"\bp[0-9a-f]{10}\b", rename, svg)


def _setup() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    sns.set_theme(style="white", context="paper")
    return matplotlib.rc_context({"svg.hashsalt": "neurodepth", "svg.fonttype": "path"})


def has_morphology(shape: dict[str, Any]) -> bool:
    """Whether a shape has dendrites to draw (a point neuron's one compartment, or a teacher
    network's empty shape, has not)."""
    return any(sec.get("region") in ("dend", "apic") for sec in shape.get("sections", []))


def draw_shape(shape: dict[str, Any], folder: Path, title: str) -> list[Path]:
    """Draw the cell's sections in the x-y plane (um), coloured by region, as
    ``morphology.png`` and ``morphology.svg`` (line width follows the diameter, capped).
    A cell without dendrites (a point neuron, a teacher network) has no drawing: nothing is
    written (:func:`has_morphology`)."""
    if not has_morphology(shape):
        return []
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    with _setup():
        fig, ax = plt.subplots(figsize=(4.0, 5.0), layout="constrained")
        for region, colour in REGION_COLOURS.items():
            segments, widths = [], []
            for sec in shape["sections"]:
                if sec["region"] != region:
                    continue
                pts = sec["points_um"]
                for a, b in zip(pts[:-1], pts[1:], strict=False):
                    segments.append([(a[0], a[1]), (b[0], b[1])])
                    widths.append(min(4.0, max(0.3, 0.25 * (a[3] + b[3]) / 2)))
            if segments:
                ax.add_collection(LineCollection(segments, linewidths=widths, colors=colour,
                                                 label=region, capstyle="round"))
        ax.autoscale()
        ax.set_aspect("equal")
        ax.set_xlabel("x (um)")
        ax.set_ylabel("y (um)")
        ax.legend(fontsize="x-small", loc="best")
        ax.set_title(title, fontsize="small")
        return _save(fig, folder, "morphology")


PROB_FLOOR = 1e-5  # the spike-probability panel's lowest value (log axis)


def draw_example(example: dict[str, Any], folder: Path, title: str) -> list[Path]:
    """Draw the example simulation as ``example.png`` and ``example.svg``: the input raster
    (inputs ordered excitatory then inhibitory, each by distance from the soma), the soma
    voltage (mV) with the network's prediction overlaid, and the predicted spike
    probability with the cell's spikes marked."""
    import matplotlib.pyplot as plt
    import numpy as np

    sim, pred = example["simulation"], example["prediction"]
    exc = np.asarray(sim["excitatory"], dtype=bool)
    order = np.lexsort((np.asarray(sim["distance_um"]), ~exc))
    row = np.empty(len(order), dtype=int)
    row[order] = np.arange(len(order))
    channel = np.asarray(sim["input_channel"], dtype=int)
    time_ms = np.asarray(sim["input_time_ms"], dtype=float)
    spikes = np.asarray(sim["spike_times_ms"], dtype=float)
    t = np.arange(len(sim["soma_mv"]))
    with _setup():
        fig, axes = plt.subplots(3, 1, figsize=(9.0, 6.0), sharex=True, layout="constrained",
                                 gridspec_kw={"height_ratios": [2.0, 1.5, 1.0]})
        for is_exc, colour, label in ((True, "tab:red", "excitatory"),
                                      (False, "tab:blue", "inhibitory")):
            pick = exc[channel] == is_exc
            axes[0].plot(time_ms[pick], row[channel[pick]], linestyle="none", marker="|",
                         markersize=max(1.0, min(4.0, 300.0 / len(exc))), markeredgewidth=0.6,
                         color=colour, label=label, rasterized=True)
        axes[0].set_ylabel("input (exc., inh.;\neach by distance)")
        axes[0].legend(fontsize="x-small", loc="upper right", markerscale=3)
        axes[1].plot(t, sim["soma_mv"], color="0.2", lw=0.7, label="NEURON soma voltage")
        axes[1].plot(t[:len(pred["soma_mv"])], pred["soma_mv"], color="tab:green", lw=0.9,
                     label=f"network (depth {pred['depth']}, seed {pred['seed']}), clipped")
        axes[1].set_ylabel("soma (mV)")
        axes[1].legend(fontsize="x-small", loc="upper right")
        prob = np.clip(np.asarray(pred["spike_prob"], dtype=float), PROB_FLOOR, 1.0)
        axes[2].plot(t[:len(prob)], prob, color="tab:green", lw=0.7,
                     label="predicted spike probability")
        axes[2].vlines(spikes, PROB_FLOOR, 1, color="0.2", lw=0.8, label="cell's spikes")
        axes[2].set_yscale("log")  # typical predictions are 0.001-0.1: a linear axis hides them
        axes[2].set_ylim(PROB_FLOOR, 1.5)
        axes[2].set_ylabel("P(spike) per ms\n(log scale)")
        axes[2].set_xlabel(f"time (ms), test simulation {sim['sim_index']}")
        axes[2].legend(fontsize="x-small", loc="upper right")
        fig.suptitle(title)
        return _save(fig, folder, "example")


def draw_comparison(result: dict[str, Any], folder: Path, stem: str = "comparison") -> list[Path]:
    """Draw a comparison of cells (:func:`benchmark.scoring.comparison.compare`): test spike AUC
    (median over seeds, 95% bootstrap interval) against depth, one line per cell, each
    cell's resolved minimal depth circled. Writes ``stem``.png and ``stem``.svg into ``folder``."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    with _setup():
        sns.set_theme(style="whitegrid", context="paper")
        fig, ax = plt.subplots(figsize=(4.8, 3.4), layout="constrained")
        cells = list(result["cells"])
        for i, (cell, colour) in enumerate(zip(cells, sns.color_palette(n_colors=len(cells)),
                                               strict=True)):
            rows = [r for r in result["cells"][cell]["per_depth"] if r["spike_auc"] is not None]
            x = [r["depth"] + (i - (len(cells) - 1) / 2) * 0.06 for r in rows]
            y = [r["spike_auc"] for r in rows]
            ax.plot(x, y, "o-", color=colour, label=cell, ms=4)
            for xi, r in zip(x, rows, strict=True):
                lo, hi = r["spike_auc_ci"]
                if lo is not None and hi is not None:
                    ax.vlines(xi, lo, hi, color=colour, lw=1)
                if r["depth"] == result["cells"][cell]["lower"] and (
                        result["cells"][cell]["outcome"] == "resolved"):
                    ax.plot(xi, r["spike_auc"], "o", ms=10, mfc="none", color=colour)
        depths = sorted({r["depth"] for c in cells for r in result["cells"][c]["per_depth"]})
        ax.set_xticks(depths)
        ax.set_xlabel("depth (layers); circled: resolved minimal depth")
        ax.set_ylabel("test spike ROC AUC (median of seeds)")
        ax.set_title(f"{result['profile']} profile", fontsize="medium")
        ax.legend(fontsize="x-small", loc="lower right")
        return _save(fig, folder, stem)
