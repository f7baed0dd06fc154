"""The ``voting`` command line offers only what works."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from voting.cli import main


def test_help_offers_no_developer_options() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for option in ("--env-file", "--app", "--debug"):
        assert option not in result.output.split("Commands:")[0]


def test_an_env_file_option_is_refused_not_ignored() -> None:
    result = CliRunner().invoke(main, ["--env-file", "room.env", "doctor"])
    assert result.exit_code == 2
    assert "--env-file" in result.output


def test_a_stray_dotenv_in_the_folder_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("VOTING_CLI_PROBE=from-dotenv\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VOTING_CLI_PROBE", raising=False)
    result = CliRunner().invoke(
        main, ["routes"], env={"DATABASE_URL": f"sqlite:///{tmp_path}/v.db"}
    )
    assert "VOTING_CLI_PROBE" not in os.environ, result.output
