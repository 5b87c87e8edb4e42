#!/usr/bin/env bash
# Create or update the two environments from the committed lock files, idempotently:
#   .venvs/rasa  Python 3.10  requirements/rasa.lock  (Rasa, action server, NLU training)
#   .venvs/api   Python 3.11  requirements/api.lock   (API, retrieval, tests, benchmarks)
# An env whose recorded hash matches its lock file (and Python) is left alone.
# Options: --quiet (print only when something changes), --with-browser (Debian chromium for tests),
#          --with-redis (Debian redis-server, for the scale-out tests).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUIET=0; BROWSER=0; REDIS=0
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=1 ;;
    --with-browser) BROWSER=1 ;;
    --with-redis) REDIS=1 ;;
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

apt_install() {  # $1 = command that must exist, $2 = Debian package, $3 = why
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "setup: installing Debian's $2 ($3)"
  local sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  if [[ -z "${APT_UPDATED:-}" ]]; then $sudo apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
}
[[ $BROWSER == 1 ]] && apt_install chromium chromium "browser tests"
[[ $REDIS == 1 ]] && apt_install redis-server redis-server "scale-out tests"
exit 0
