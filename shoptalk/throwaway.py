"""A throwaway stack for tests and benchmarks: its own state folder, the demo catalog, free ports."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from api.config import Settings
from shoptalk.ingest_cmd import ingest
from shoptalk.paths import DEFAULT_VAR, DEMO_CATALOG
from shoptalk.stack import StackConfig


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def throwaway_config(var: Path, model: Path, token: str, **overrides: Any) -> StackConfig:
    """Prepare `var` (shared exported models, the demo catalog ingested) and return a config on free ports."""
    shared = DEFAULT_VAR / "models"
    shared.mkdir(parents=True, exist_ok=True)
    os.symlink(shared, var / "models")  # the ONNX export and embedding cache are reused
    ingest(Settings(var_dir=var), DEMO_CATALOG, None, if_needed=False)
    ports = {"api_port": _free_port(), "rasa_port": _free_port(), "actions_port": _free_port()}
    return StackConfig(var_dir=var, model=model, rasa_token=token, **{**ports, **overrides})
