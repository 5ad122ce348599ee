"""The OpenMP wait policy that ``import benchmark`` sets before torch loads libgomp."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROBE = ("import os, benchmark, torch; "
         "print(os.environ.get('OMP_WAIT_POLICY'), os.environ.get('GOMP_SPINCOUNT'))")


def policy_after_import(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    clean["PYTHONPATH"] = str(REPO)
    out = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, cwd=REPO,
                         capture_output=True, text=True, check=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


def test_waiting_threads_sleep_by_default() -> None:
    assert policy_after_import() == "PASSIVE None"


@pytest.mark.parametrize(("env", "expected"), [
    ({"OMP_WAIT_POLICY": "ACTIVE"}, "ACTIVE None"),
    ({"GOMP_SPINCOUNT": "10000"}, "None 10000"),
])
def test_a_users_policy_is_kept(env: dict[str, str], expected: str) -> None:
    assert policy_after_import(**env) == expected
