"""The README's start command in a room with no network, and the offline bundle.

Both run in a network namespace of their own (``unshare -n``: only a loopback, no route
out) with pip pointed at nothing: no index, no find-links, no config, no cache. They work
on a clone of the committed tree, as a new user would. ``unshare`` needs root, which CI
has; elsewhere the tests skip, and under CI they fail rather than skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
#: Every route to a package: gone. PIP_CONFIG_FILE=/dev/null makes pip read no config file.
NO_PACKAGES = {
    "PIP_CONFIG_FILE": os.devnull,
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
    "PIP_NO_CACHE_DIR": "1",
    "PIP_DEFAULT_TIMEOUT": "5",
}
DROPPED = ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CERT", "VIRTUAL_ENV", "PYTHONPATH")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def namespaces() -> None:
    """``unshare -n`` works here (root), or the test cannot say anything."""
    ok = shutil.which("unshare") and os.geteuid() == 0
    if ok:
        ok = subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
    if not ok:
        if in_ci():
            pytest.fail("unshare -n is unavailable (CI is set: the offline tests may not skip)")
        pytest.skip("unshare -n needs root")


def _clone(tmp: Path) -> Path:
    target = tmp / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    return target


def _python() -> str:
    return str(getattr(sys, "_base_executable", sys.executable))


def _online(project: Path, *command: str) -> None:
    """Run one of the project's scripts with the machine's usual package sources."""
    done = subprocess.run(
        list(command),
        cwd=project,
        env={**os.environ, "PYTHON": _python()},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(NO_PACKAGES, HOME=str(home), PYTHON=_python())
    return env


def _start_offline(project: Path, instance: Path, env: dict[str, str]) -> str:
    """Run ./scripts/run inside a namespace with no route out; return its output."""
    port = free_port()
    probe = f"import urllib.request as u; u.urlopen('http://127.0.0.1:{port}/login', timeout=2)"
    script = f"""
set -u
ip link set lo up
VOTING_INSTANCE={instance} ./scripts/run --host 127.0.0.1 --port {port} > {instance}/run.log 2>&1 &
pid=$!
for _ in $(seq 240); do
  if {_python()} -c "{probe}" 2>/dev/null; then
    echo ANSWERED; kill $pid; wait $pid 2>/dev/null; exit 0
  fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.5
done
echo NO-ANSWER; kill $pid 2>/dev/null; exit 1
"""
    instance.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["unshare", "-n", "bash", "-c", script],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = (instance / "run.log").read_text(errors="replace")
    assert "ANSWERED" in result.stdout, f"{result.stdout}\n{result.stderr}\n{log}"
    return log


@pytest.mark.usefixtures("namespaces")
def test_start_command_runs_with_the_network_cut_after_the_first_install(
    tmp_path: Path,
) -> None:
    project = _clone(tmp_path)
    # First start, online: installs from requirements.lock (pip's usual sources).
    _online(project, "./scripts/run", "--help")
    assert (project / ".venv" / ".voting-installed").exists()

    env = _environment(tmp_path / "home")
    log = _start_offline(project, tmp_path / "instance", env)
    assert "cảnh báo" not in log  # the install was current: pip was not even asked

    # A stale stamp whose lock is already satisfied: pip checks it offline and goes on.
    (project / ".venv" / ".voting-installed").write_text("stale\n")
    _start_offline(project, tmp_path / "instance-2", env)
    assert (project / ".venv" / ".voting-installed").read_text() != "stale\n"

    # A lock that wants a package this laptop does not have (a pulled commit added one):
    # the refresh fails for want of a network, and the app starts on the earlier install.
    with (project / "requirements.lock").open("a") as lock:
        lock.write("six==1.16.0 --hash=sha256:" + "0" * 64 + "\n")
    log = _start_offline(project, tmp_path / "instance-3", env)
    assert "không cài đặt lại được" in log and "using the earlier install" in log


@pytest.mark.usefixtures("namespaces")
def test_bundle_installs_and_runs_on_a_laptop_that_was_never_online(tmp_path: Path) -> None:
    project = _clone(tmp_path)
    _online(project, "./scripts/bundle")
    [archive] = (project / "dist").glob("voting-offline-*.tar.gz")
    laptop = tmp_path / "laptop"
    with tarfile.open(archive) as tar:
        tar.extractall(laptop, filter="data")
    app = laptop / "voting"
    assert (app / "wheelhouse").is_dir() and (app / "requirements.lock").exists()
    assert not (app / ".venv").exists()

    env = _environment(tmp_path / "fresh-home")  # no pip cache, no config: never online
    log = _start_offline(app, tmp_path / "instance", env)
    assert "First login:  admin /" in log
    assert (app / ".venv" / ".voting-installed").exists()
