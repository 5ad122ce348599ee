"""Build the leaderboard's static site from the committed result records, or serve it.

``build`` checks every ``<records>/<cell>/<profile>/record.json`` (schema, the cell's and
the protocol's hashes against the registry, the profile) and prints one line per refused
file on stderr, ``<path>: <reason>; fix: <fix>``; the other records still build. A record
made with an older version of its cell is shown as stale (marked, not ranked), not refused;
the summary line counts them. It exits 0 when the site was built, refusals or not; with
``--strict`` it still builds the site but exits 2 if any record was refused (stale records
do not count: for CI that must keep the records folder clean).

``serve`` serves a built site on 127.0.0.1 only (for browsing; the site itself is plain
files and needs no server).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

from benchmark.core.errors import EXIT_USER_ERROR, UserError
from benchmark.leaderboard import DEFAULT_RECORDS, DEFAULT_SITE

HELP = "build the leaderboard site from the committed records, or serve it locally"
HOST = "127.0.0.1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = sub.add_parser("build", help="validate the records and write the static site",
                           description="Validate every record and write the static site; "
                                       "refused records are reported one line each on "
                                       "stderr and left out.")
    build.add_argument("--records", type=Path, default=DEFAULT_RECORDS,
                       help=f"records folder (default {DEFAULT_RECORDS})")
    build.add_argument("--out", type=Path, default=DEFAULT_SITE,
                       help=f"site folder, replaced on each build (default {DEFAULT_SITE})")
    build.add_argument("--strict", action="store_true",
                       help=f"exit {EXIT_USER_ERROR} if any record was refused "
                            "(the site is still built)")
    build.set_defaults(action_handler=_build)
    serve = sub.add_parser("serve", help=f"serve the built site on {HOST} for browsing",
                           description=f"Serve a built site over HTTP on {HOST} only.")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    serve.add_argument("--site", type=Path, default=DEFAULT_SITE,
                       help=f"site folder (default {DEFAULT_SITE})")
    serve.set_defaults(action_handler=_serve)


def main(args: argparse.Namespace) -> int:
    return int(args.action_handler(args) or 0)


def _build(args: argparse.Namespace) -> int:
    from benchmark.leaderboard import site

    report = site.build(args.records, args.out)
    for refusal in report.refusals:
        print(refusal.line(), file=sys.stderr)
    for problem in report.resolution_problems:
        print(f"resolving power not shown: {problem}", file=sys.stderr)
    cells = len({e.cell for e in report.entries})
    print(f"site written to {report.out}: {len(report.entries)} record(s) of {cells} cell(s) "
          f"shown ({len(report.stale)} stale), {len(report.refusals)} refused")
    failed = report.refusals or report.resolution_problems
    return EXIT_USER_ERROR if args.strict and failed else 0


def make_server(site: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``site`` bound to 127.0.0.1 (port 0: any free port)."""
    if not (site / "index.html").is_file():
        raise UserError(f"{site}: no built site (index.html missing); fix: run "
                        "`python -m benchmark leaderboard build` first or give --site")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site.resolve()))
    try:
        return http.server.ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise UserError(f"cannot serve on {HOST}:{port} ({exc.strerror}); fix: choose "
                        "another --port") from exc


def _serve(args: argparse.Namespace) -> int:
    server = make_server(args.site, args.port)
    host, port = server.server_address[:2]
    print(f"serving {args.site} at http://{host}:{port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.server_close()
    return 0
