"""Progress reporting: a bar on a terminal, plain log lines otherwise (CI, files)."""

from __future__ import annotations

import sys
import time
from typing import Any

from tqdm import tqdm


class Progress:
    """Counts units of work; draws a tqdm bar on a TTY, else logs every ~10%."""

    def __init__(self, total: int, desc: str, unit: str = "it", initial: int = 0) -> None:
        self.total, self.desc, self.unit, self.count = total, desc, unit, initial
        self._bar: Any = None
        self._next_log = 0.0
        self._start = time.monotonic()
        if sys.stderr.isatty():
            self._bar = tqdm(total=total, desc=desc, unit=unit, initial=initial, leave=False)

    def update(self, n: int = 1, **postfix: Any) -> None:
        self.count += n
        if self._bar is not None:
            self._bar.update(n)
            if postfix:
                self._bar.set_postfix(postfix, refresh=False)
            return
        fraction = self.count / max(self.total, 1)
        if fraction >= self._next_log or self.count >= self.total:
            extra = " ".join(f"{k}={v}" for k, v in postfix.items())
            elapsed = time.monotonic() - self._start
            log(f"{self.desc}: {self.count}/{self.total} {self.unit} ({elapsed:.0f} s) {extra}")
            self._next_log = fraction + 0.1

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def log(message: str) -> None:
    """One log line on stderr."""
    print(f"[neurodepth] {message}", file=sys.stderr, flush=True)
