"""``voting doctor``: check what breaks a meeting room before the meeting starts."""

from __future__ import annotations

import click


@click.command("doctor")
def doctor_command() -> None:
    """Check the LAN address, open-file limit, clock, disk and database."""
