"""Where things live in a checkout."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
VENVS = ROOT / ".venvs"
RASA_BIN = VENVS / "rasa" / "bin"
API_PYTHON = VENVS / "api" / "bin" / "python"
DEMO_CATALOG = ROOT / "demo" / "catalog.jsonl"
DEFAULT_VAR = ROOT / "var"


def tree_hash(paths: Iterable[Path]) -> str:
    """Return a short hash of the files under the given paths (names and contents)."""
    digest = hashlib.sha256()
    for base in paths:
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for f in files:
            if "__pycache__" in f.parts or f.suffix == ".pyc":
                continue
            digest.update(str(f.relative_to(ROOT)).encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:16]
