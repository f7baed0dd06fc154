# Sourced by scripts/run and scripts/test: make ./.venv match a lock file, offline when it can.
#
#   install_from_lock requirements.lock
#
# - Installs only when .venv is missing or stale: the stamp .venv/.voting-installed records
#   the hash of the lock file, pyproject.toml and the interpreter, so a start in a room with
#   no network does not touch the package index at all.
# - From a bundle (a wheelhouse/ folder beside this script's project, made by
#   scripts/bundle), installs with --no-index: the laptop never needs to have been online.
# - Every file is checked against the lock's hashes (--require-hashes).
# - If a refresh fails (no network) while an earlier install is in place, it says so and
#   goes on with the earlier install instead of refusing to start.

install_from_lock() {
  local lock="$1"
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  local stamp
  stamp="$( { cat "$lock" pyproject.toml; .venv/bin/python -c 'import sys; print(sys.version)'; } \
            | sha256sum | cut -d' ' -f1)"
  if [ -f .venv/.voting-installed ] && [ "$(cat .venv/.voting-installed)" = "$stamp" ] \
     && [ -x .venv/bin/voting ]; then
    return 0
  fi
  local source=()
  if [ -d wheelhouse ]; then
    source=(--no-index --find-links wheelhouse)
  fi
  local pip=(.venv/bin/python -m pip --disable-pip-version-check --quiet)
  if "${pip[@]}" install "${source[@]}" --require-hashes --no-deps -r "$lock" \
     && "${pip[@]}" install "${source[@]}" --no-deps --no-build-isolation -e . ; then
    echo "$stamp" > .venv/.voting-installed
    return 0
  fi
  if [ -x .venv/bin/voting ]; then
    echo "cảnh báo: không cài đặt lại được (không có mạng?); dùng bản đã cài trước đó." >&2
    echo "warning: could not refresh the install (no network?); using the earlier install." >&2
    return 0
  fi
  echo "lỗi: chưa cài được ứng dụng và không tải được gói cài đặt." >&2
  echo "     Trên máy không có Internet, dùng gói cài đặt ngoại tuyến (README:" >&2
  echo "     \"Cài trên máy không có Internet\", scripts/bundle)." >&2
  echo "error: the app is not installed and its packages could not be fetched." >&2
  echo "       On a laptop without internet, install from a bundle (README, scripts/bundle)." >&2
  return 1
}
