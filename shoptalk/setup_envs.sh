#!/usr/bin/env bash
# Create or update the two environments from the committed lock files, idempotently:
#   .venvs/rasa  Python 3.10  requirements/rasa.lock  (Rasa, action server, NLU training)
#   .venvs/api   Python 3.11  requirements/api.lock   (API, retrieval, tests, benchmarks)
# An env whose recorded hash matches its lock file (and Python) is left alone.
# Options: --quiet (print only when something changes), --with-browser (Debian chromium for tests).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUIET=0; BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=1 ;;
    --with-browser) BROWSER=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done
say() { [[ $QUIET == 1 ]] || echo "setup: $*"; }

find_python() {  # $1 = major.minor
  local v="$1" candidate
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python "$(command -v "python$v" || true)"; do
    [[ -x "$candidate" ]] && { echo "$candidate"; return 0; }
  done
  echo "setup: Python $v not found (install it with pyenv or your package manager)" >&2
  return 1
}

ensure_uv() {
  if command -v uv >/dev/null 2>&1; then UV="$(command -v uv)"; return; fi
  UV="$ROOT/.venvs/tools/bin/uv"
  if [[ ! -x "$UV" ]]; then
    echo "setup: installing uv into .venvs/tools"
    "$(find_python 3.11)" -m venv "$ROOT/.venvs/tools"
    "$ROOT/.venvs/tools/bin/pip" install -q "uv==0.13.8"
  fi
}

sync_env() {  # $1 = name, $2 = python version
  local name="$1" pyver="$2" env="$ROOT/.venvs/$1" lock="$ROOT/requirements/$1.lock"
  local python; python="$(find_python "$pyver")"
  local want; want="$( (cat "$lock"; "$python" --version) | sha256sum | cut -c1-16)"
  local site
  if [[ -f "$env/.lock-hash" && "$(cat "$env/.lock-hash")" == "$want" && -x "$env/bin/python" ]]; then
    say "$name env up to date"
  else
    ensure_uv
    echo "setup: building the $name env (Python $pyver) from requirements/$name.lock"
    [[ -x "$env/bin/python" ]] || "$UV" venv -q --python "$python" "$env"
    local links=(); [[ -n "${PIP_FIND_LINKS:-}" ]] && links=(--find-links "$PIP_FIND_LINKS")
    "$UV" pip sync -q --python "$env/bin/python" "${links[@]}" "$lock"
    echo "$want" > "$env/.lock-hash"
  fi
  # Make the project's packages importable in the env without an install step.
  site="$("$env/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  [[ -f "$site/shoptalk-root.pth" && "$(cat "$site/shoptalk-root.pth")" == "$ROOT" ]] || echo "$ROOT" > "$site/shoptalk-root.pth"
}

mkdir -p "$ROOT/.venvs"
sync_env rasa 3.10
sync_env api 3.11

if [[ $BROWSER == 1 ]] && ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium for browser tests"
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
exit 0
