"""``python -m benchmark``: the command-line interface."""

from benchmark.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
