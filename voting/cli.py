"""The ``voting`` console command: Flask's CLI plus the product's own commands."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from voting.procedure.ruleset import RulesetError, load_ruleset
from voting.tally.decision import decide
from voting.tally.verifier import InputError, parse_vote_bytes


def _create_app() -> Flask:
    from voting import create_app

    return create_app()


class VotingGroup(FlaskGroup):
    """Flask's CLI without its developer options.

    ``--app`` would load another application, ``--debug`` on the group shadows
    ``serve --debug`` (and the launcher decides on gevent from the words after
    ``voting``), and ``--env-file``/``.env`` loading needs python-dotenv and lets a
    stray ``.env`` in the current folder change the database silently. Configuration
    is the environment, as the README's table lists it.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_dotenv=False, **kwargs)
        self.params = [p for p in self.params if p.name not in ("env_file", "app", "debug")]


@click.group(cls=VotingGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Secret-ballot conference voting for QT.NB.03 (quy hoạch cán bộ)."""


@main.command("decide", with_appcontext=False)
@click.argument("file", type=click.File("rb"), required=False)
@click.option(
    "--ruleset",
    "ruleset_path",
    envvar="VOTING_RULESET",
    default=None,
    help="Ruleset TOML (default: the shipped QT.NB.03 ruleset).",
)
def decide_command(file: Any, ruleset_path: str | None) -> None:
    """Recompute a decision from its JSON input (FILE, or stdin).

    Prints the decision as JSON and exits 0, also when a head-of-unit decision
    is still needed. Bad input exits 2 with one line on stderr naming the field.
    """
    data = (file or sys.stdin.buffer).read()
    try:
        ruleset = load_ruleset(ruleset_path)
        vote = parse_vote_bytes(data, ruleset)
    except (InputError, RulesetError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(json.dumps(decide(vote).to_json(), ensure_ascii=False, indent=2))


if __name__ == "__main__":  # python -m voting.cli
    main()
