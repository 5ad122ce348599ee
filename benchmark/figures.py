"""Figures of a scored run, drawn with seaborn: the per-depth curves.

:func:`draw_curves` turns ``scores.json``'s content into one figure of four panels, one per
test metric (spike ROC AUC, true-positive rate at 0.25% false positives, soma RMSE in mV,
soma explained variance) against network depth: every seed as a point with its bootstrap
interval, the median over seeds as a line, and on the AUC panel the rule's threshold and
the minimal depth. Written as PNG and SVG. The output is deterministic (no dates, fixed
SVG ids), so an unchanged run redraws to identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmark.atomic import atomic_path

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
        paths = [folder / "curves.png", folder / "curves.svg"]
        for path in paths:
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=path.suffix[1:], dpi=120, metadata=_metadata(path))
        plt.close(fig)
    return paths


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
    block = scores["score"]
    if block.get("threshold") is not None:
        ax.axhline(block["threshold"], color="tab:red", lw=0.8, ls="--", label="threshold")
    if block.get("minimal_depth") is not None:
        ax.axvline(block["minimal_depth"], color="tab:green", lw=0.8, ls=":",
                   label=f"minimal depth {block['minimal_depth']}"
                         + (" (censored)" if block.get("censored") else ""))
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize="x-small", loc="lower right")
