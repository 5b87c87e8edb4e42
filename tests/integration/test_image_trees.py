"""Each Docker image's entry points start from exactly the files the image has (no Docker here).

For every Dockerfile the test reads its COPY, WORKDIR and ENV lines, lays out exactly those
paths in a temporary directory, and runs the image's entry points there in a subprocess:
the matching environment's Python, PYTHONPATH set to that directory alone, the working
directory the Dockerfile's last WORKDIR. Each must start. Before the API stopped importing
nlu_models, `from api.main import create_app` failed here with ModuleNotFoundError, although
tests/unit/test_compose.py (which only looks for the text `def create_app`) passed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from api.config import Settings
from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
API_PYTHON = ROOT / ".venvs" / "api" / "bin" / "python"
RASA_PYTHON = ROOT / ".venvs" / "rasa" / "bin" / "python"
pytestmark = pytest.mark.integration


@dataclass
class Image:
    """What a Dockerfile puts in its image: copied paths, working directory, environment."""

    copies: list[tuple[str, str]] = field(default_factory=list)
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)


def read_dockerfile(path: Path) -> Image:
    """Parse the COPY, WORKDIR and ENV lines (the forms this repository's Dockerfiles use)."""
    image = Image()
    for line in path.read_text().splitlines():
        words = line.split()
        if not words or words[0] not in ("COPY", "WORKDIR", "ENV"):
            continue
        if words[0] == "WORKDIR":
            image.workdir = os.path.join(image.workdir, words[1])
        elif words[0] == "COPY":
            *sources, target = words[1:]
            image.copies += [(s, os.path.join(image.workdir, target)) for s in sources]
        else:
            image.env.update(dict(w.split("=", 1) for w in words[1:]))
    return image


def lay_out(image: Image, root: Path) -> Path:
    """Copy what the image copies under `root` (as if root were /); return the working directory."""
    for source, target in image.copies:
        src, dst = ROOT / source, root / target.lstrip("/")
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "models", ".rasa"))
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    workdir = root / image.workdir.lstrip("/")
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def image_env(image: Image, root: Path, **extra: str) -> dict[str, str]:
    """The image's ENV with paths under `root`, PYTHONPATH the laid-out /app alone."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "OPENBLAS_CORETYPE")}
    env.update({k: v.replace("/app", str(root / "app")) for k, v in image.env.items()})
    env["PYTHONPATH"] = str(root / "app")
    env.update(extra)
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(cmd)} failed in the image tree:\n{done.stderr[-3000:]}"
    return done


def _serves(cmd: list[str], cwd: Path, env: dict[str, str], url: str, timeout: float = 240) -> None:
    """Start a server process in the tree; it must answer `url` with 200 before `timeout`."""
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"{' '.join(cmd)} exited in the image tree:\n{process.stdout.read()[-3000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        pytest.fail(f"{' '.join(cmd)} did not answer {url} within {timeout} s")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_the_api_image_starts_and_answers_healthz(tmp_path: Path) -> None:
    image = read_dockerfile(ROOT / "docker" / "api.Dockerfile")
    workdir = lay_out(image, tmp_path)
    port = free_port()
    env = image_env(image, tmp_path, VAR_DIR=str(tmp_path / "data"), ENCODER="hashing", SHOPTALK_ENV="test")
    cmd = [str(API_PYTHON), "-m", "uvicorn", "api.main:create_app", "--factory", "--port", str(port)]
    _serves(cmd, workdir, env, f"http://127.0.0.1:{port}/healthz")


def test_the_api_image_never_imports_the_nlu_package(tmp_path: Path) -> None:
    image = read_dockerfile(ROOT / "docker" / "api.Dockerfile")
    workdir = lay_out(image, tmp_path)
    assert not (tmp_path / "app" / "nlu_models").exists()
    check = "import api.main, sys; assert not [m for m in sys.modules if m.startswith(('nlu_models', 'bot'))]"
    _run([str(API_PYTHON), "-c", check], workdir, image_env(image, tmp_path))


def test_compose_ingest_job_loads_the_demo_catalog(tmp_path: Path) -> None:
    image = read_dockerfile(ROOT / "docker" / "api.Dockerfile")
    workdir = lay_out(image, tmp_path)
    command = COMPOSE["services"]["ingest"]["command"]
    assert command[:3] == ["python", "-m", "shoptalk"]
    env = image_env(image, tmp_path, VAR_DIR=str(tmp_path / "data"), ENCODER="hashing")
    done = _run([str(API_PYTHON), *command[1:]], workdir, env)
    assert "997" in done.stdout + done.stderr, "every demo product is loaded"


def test_the_rasa_image_imports_its_components(tmp_path: Path) -> None:
    image = read_dockerfile(ROOT / "docker" / "rasa.Dockerfile")
    workdir = lay_out(image, tmp_path)
    modules = "import bot.lock_store, bot.channels.shoptalk_rest, nlu_models.rasa_component, nlu_models.rasa_fallback"
    _run([str(RASA_PYTHON), "-c", modules], workdir, image_env(image, tmp_path))
    for name in ("endpoints.yml", "credentials.yml", "taxonomy.yml", "config.yml"):
        assert (workdir / name).is_file(), f"the Rasa image lacks bot/{name}"


def test_compose_action_server_command_starts_and_answers_health(tmp_path: Path) -> None:
    image = read_dockerfile(ROOT / "docker" / "rasa.Dockerfile")
    workdir = lay_out(image, tmp_path)
    command = COMPOSE["services"]["actions"]["command"]
    port = free_port()
    cmd = [str(RASA_PYTHON), *command[1:]]
    cmd[cmd.index("--port") + 1] = str(port)
    _serves(cmd, workdir, image_env(image, tmp_path, SANIC_HOST="127.0.0.1"), f"http://127.0.0.1:{port}/health")


def test_compose_env_vars_are_read_and_production_secrets_have_no_default() -> None:
    read_by_api = {name.upper() for name in Settings.model_fields}
    read_elsewhere = {
        # Rasa's endpoints.yml and channels, the action server's settings, PostgreSQL, Qdrant, uvicorn
        "ACTION_ENDPOINT_URL", "TRACKER_STORE_TYPE", "TRACKER_DIALECT", "TRACKER_URL", "LOCK_STORE_TYPE",
        "LOCK_STORE_URL", "LOCK_STORE_PORT", "RASA_TOKEN", "SHOPTALK_API_URL", "SANIC_HOST", "ACTIONS_API_KEY",
        "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "QDRANT__SERVICE__API_KEY", "FORWARDED_ALLOW_IPS",
    }  # fmt: skip
    endpoints = (ROOT / "bot" / "endpoints.yml").read_text()
    for name in ("ACTION_ENDPOINT_URL", "TRACKER_STORE_TYPE", "TRACKER_URL", "LOCK_STORE_TYPE"):
        assert "${" + name + "}" in endpoints, f"bot/endpoints.yml does not read {name}"
    for service_name, service in COMPOSE["services"].items():
        for name in service.get("environment") or {}:
            assert name in read_by_api | read_elsewhere, f"{service_name} sets {name}, which nothing reads"
    api_env = COMPOSE["services"]["api"]["environment"]
    production_secrets = ("RASA_TOKEN", "ADMIN_TOKEN", "SECRET_KEY", "ACTIONS_API_KEY", "IDENTITY_SECRET")
    for name in production_secrets:
        assert api_env[name] == "${" + name + ":?set " + name + "}", f"{name} must come from a variable with no default"


def test_the_dockerfile_reader_sees_what_the_images_copy() -> None:
    api = read_dockerfile(ROOT / "docker" / "api.Dockerfile")
    assert ("bot/taxonomy.yml", "/app/bot/taxonomy.yml") in api.copies and api.workdir == "/app"
    rasa = read_dockerfile(ROOT / "docker" / "rasa.Dockerfile")
    assert rasa.workdir == "/app/bot" and ("nlu_models", "/app/nlu_models") in rasa.copies
    assert sys.version_info >= (3, 11)


def test_compose_rasa_command_serves_the_trained_model(tmp_path: Path) -> None:
    from shoptalk.paths import DEFAULT_VAR
    from shoptalk.train import train

    model = train(DEFAULT_VAR / "rasa-models")  # cached by its inputs' hash: make test trained it already
    image = read_dockerfile(ROOT / "docker" / "rasa.Dockerfile")
    workdir = lay_out(image, tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / model.name).symlink_to(model)
    command = [str(tmp_path / "models") if arg == "/models" else arg for arg in COMPOSE["services"]["rasa"]["command"]]
    port = free_port()
    env = image_env(
        image,
        tmp_path,
        RASA_TOKEN="image-tree-token",
        ACTION_ENDPOINT_URL="http://127.0.0.1:9/webhook",
        TRACKER_STORE_TYPE=COMPOSE["x-rasa-env"]["TRACKER_STORE_TYPE"],
        TRACKER_DIALECT="sqlite",
        TRACKER_URL=f"sqlite:///{tmp_path / 'tracker.db'}",
        LOCK_STORE_TYPE="in_memory",
        LOCK_STORE_URL="",
        LOCK_STORE_PORT="6379",
    )
    command = [c.replace("${RASA_TOKEN}", "image-tree-token") for c in command]
    rasa = [str(ROOT / ".venvs" / "rasa" / "bin" / "rasa"), *command[1:], "-p", str(port), "-i", "127.0.0.1"]
    _serves(rasa, workdir, env, f"http://127.0.0.1:{port}/", timeout=300)
