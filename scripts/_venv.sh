# Sourced by scripts/demo and scripts/test: make ./.venv (or $VENV) ready for the given extras,
# fast when nothing changed (no network, no pip), and right when something did.
#
#   ensure_venv "qt,server" "dev"   # install .[qt,server] unless a stamp says .[dev] (a superset)
#                                   # or .[qt,server] is installed for this pyproject.toml + Python
#
# The stamp (.venv/.actorbind-<extras>) holds a hash of pyproject.toml and the venv's Python
# version; pip runs only when it differs. A .venv whose Python is broken, older than 3.11, or
# another version than an explicit $PYTHON, is recreated.

MIN_PY_MINOR=11
VENV=${VENV:-.venv}

# The interpreter to build .venv with: $PYTHON, else the first python3.x >= 3.11 found.
pick_python() {
  if [ -n "${PYTHON:-}" ]; then
    echo "$PYTHON"
    return
  fi
  local candidate
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 && py_ok "$candidate"; then
      echo "$candidate"
      return
    fi
  done
  echo "error: actorbind needs Python 3.11 or newer; none found (set PYTHON=/path/to/python3.11)" >&2
  exit 1
}

# Whether "$1" runs and is Python >= 3.11.
py_ok() {
  "$1" -c "import sys; sys.exit(sys.version_info < (3, $MIN_PY_MINOR))" >/dev/null 2>&1
}

py_version() {
  "$1" -c 'import platform; print(platform.python_version())' 2>/dev/null
}

stamp_value() {
  local hash
  hash=$("$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
  echo "$hash $(py_version "$VENV/bin/python")"
}

ensure_venv() {
  local extras=$1 superset=${2:-}
  if [ -e "$VENV" ]; then
    local reason=""
    if ! py_ok "$VENV/bin/python"; then
      reason="its Python is missing, broken or older than 3.$MIN_PY_MINOR"
    elif [ -n "${PYTHON:-}" ] && [ "$(py_version "$VENV/bin/python")" != "$(py_version "$PYTHON")" ]; then
      reason="it is Python $(py_version "$VENV/bin/python"), PYTHON is $(py_version "$PYTHON")"
    fi
    if [ -n "$reason" ]; then
      echo "== recreating $VENV: $reason"
      rm -rf "$VENV"
    fi
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    local py
    py=$(pick_python)  # only now: a working .venv needs no system Python 3.11+
    echo "== creating $VENV with $py (Python $(py_version "$py"))"
    if ! "$py" -m venv "$VENV"; then
      echo "error: '$py -m venv' failed; on Debian/Ubuntu: sudo apt-get install python3-venv" >&2
      rm -rf "$VENV"
      exit 1
    fi
  fi
  local want
  want=$(stamp_value)
  local name
  for name in "$extras" $superset; do
    if [ "$(cat "$VENV/.actorbind-$name" 2>/dev/null)" = "$want" ]; then
      return 0
    fi
  done
  echo "== pip install -e '.[$extras]' into $VENV (the first time takes a minute or two)"
  # pip's own lines, one per package, so a long install is visibly moving.
  if ! "$VENV/bin/python" -m pip install --disable-pip-version-check -e ".[$extras]" \
    | { grep --line-buffered -E '^(Collecting|Successfully)' || true; }; then
    echo "error: pip install -e '.[$extras]' failed (see above); nothing was changed" >&2
    exit 1
  fi
  echo "$want" >"$VENV/.actorbind-$extras"
}
