# Sourced by the scripts: creates .venv and (re)installs the project when pyproject.toml or its lock file changed.
ensure_venv() {
  local extras="${1:-}"
  local python="${PYTHON:-}"
  if [ -z "$python" ]; then
    for candidate in python3.11 python3.12 python3.13 python3; do
      if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        python="$candidate"; break
      fi
    done
  fi
  [ -n "$python" ] || { echo "Python 3.11 or newer is required" >&2; return 1; }
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  # Exact versions from the lock file (./scripts/lock writes them from pyproject.toml), then the project itself.
  local lock="requirements${extras:+-$extras}.lock"
  local stamp=".venv/.installed-${extras:-base}"
  local wanted
  wanted="$(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing mjpm-match${extras:+ with [$extras]} into .venv from $lock ..."
    local pip=(.venv/bin/python -m pip --disable-pip-version-check)
    if ! { "${pip[@]}" install --quiet --upgrade pip &&
           "${pip[@]}" install --quiet --require-hashes -r "$lock" &&
           "${pip[@]}" install --quiet --no-deps --no-build-isolation -e ".${extras:+[$extras]}"; } >.venv/pip.log 2>&1; then
      grep -v "^WARNING: Location" .venv/pip.log >&2
      echo "installation failed (full log: .venv/pip.log)" >&2
      return 1
    fi
    # A dependency added to pyproject.toml but not to the lock would be missing here: say so rather than guess.
    if ! "${pip[@]}" check >.venv/pip-check.log 2>&1; then
      cat .venv/pip-check.log >&2
      echo "$lock does not match pyproject.toml: run ./scripts/lock and commit the lock files" >&2
      return 1
    fi
    echo "$wanted" > "$stamp"
  fi
}
