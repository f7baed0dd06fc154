"""The ``voting`` console script: patch for gevent first when it will serve, then run the CLI.

``voting serve`` runs gevent's WSGI server (see :mod:`voting.server`). gevent must replace
the blocking parts of the standard library (sockets, locks, sleeps, ssl) before anything
imports them, or a database call or a lock would stall every phone at once; so the patch
happens here, before Flask, SQLAlchemy or the drivers are imported. Every other command
(and ``serve --debug``, which uses Werkzeug's reloading debugger) runs unpatched.
"""

from __future__ import annotations

import os
import sys


def serves_with_gevent(args: list[str]) -> bool:
    """Whether these command-line arguments start the production server."""
    command = next((a for a in args if not a.startswith("-")), None)
    return command == "serve" and "--debug" not in args and "--help" not in args


def main() -> None:
    if serves_with_gevent(sys.argv[1:]):
        import gevent
        from gevent import monkey

        # Each greenlet would keep the stack that spawned it, for debugging: with four
        # greenlets a phone's socket, 2,000 phones held 10 MB of frames (docs/performance.md).
        gevent.config.track_greenlet_tree = False
        monkey.patch_all()
        os.environ["VOTING_ASYNC_MODE"] = "gevent"
    from voting.cli import main as cli

    cli()


if __name__ == "__main__":  # python -m voting.launch
    main()
