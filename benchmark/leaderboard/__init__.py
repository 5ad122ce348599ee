"""The leaderboard: committed result records -> validated entries -> ranked tables -> a static site.

- :mod:`benchmark.leaderboard.records`: find, parse (``json.loads`` only), migrate and
  validate the records under ``leaderboard/records/<cell>/<profile>/record.json``; a bad
  record is refused with a one-line reason and the others still build.
- :mod:`benchmark.leaderboard.ranking`: one table per (profile, protocol version), cells
  ordered by minimal depth, ties by the spike AUC at the reference depth.
- :mod:`benchmark.leaderboard.site`: static HTML (Jinja2, autoescaped), seaborn figures,
  byte-identical output for identical records.

See ``docs/leaderboard.md``.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_RECORDS = REPO / "leaderboard" / "records"
DEFAULT_SITE = REPO / "leaderboard" / "site"
