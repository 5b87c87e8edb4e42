"""docker-compose.yml is consistent with the repository (no Docker engine runs here).

It parses; every build context, Dockerfile, COPY source and bind-mounted file exists;
every command points at code that exists; dependencies and volumes are declared.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict = COMPOSE["services"]


def test_production_services_are_all_there() -> None:
    assert {"postgres", "qdrant", "redis", "rasa", "actions", "api"} <= set(SERVICES)
    for name in ("postgres", "qdrant", "redis", "rasa", "actions"):
        assert "healthcheck" in SERVICES[name], f"{name} has no health check"


def test_build_contexts_dockerfiles_and_copy_sources_exist() -> None:
    builds = [s["build"] for s in SERVICES.values() if "build" in s]
    assert builds
    for build in builds:
        context = ROOT / build["context"]
        dockerfile = context / build["dockerfile"]
        assert dockerfile.is_file(), dockerfile
        for line in dockerfile.read_text().splitlines():
            if line.startswith("COPY "):
                *sources, _ = line.split()[1:]
                for source in sources:
                    assert (context / source).exists(), f"{dockerfile.name}: COPY {source} does not exist"


def test_bind_mounts_exist_and_named_volumes_are_declared() -> None:
    declared = set(COMPOSE.get("volumes", {}))
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./var/"):
                continue  # runtime state, created by `shoptalk train`
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name}: {source} missing"
            else:
                assert source in declared, f"{name}: volume {source} not declared"


def test_dependencies_name_real_services() -> None:
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"


def test_commands_point_at_existing_code() -> None:
    api_cmd = " ".join(
        re.sub(r'[\[\]",]', " ", (ROOT / "docker" / "api.Dockerfile").read_text().split("CMD", 2)[-1]).split()
    )
    assert "api.main:create_app" in api_cmd and "def create_app" in (ROOT / "api" / "main.py").read_text()
    assert SERVICES["actions"]["command"][:4] == ["python", "-m", "rasa_sdk", "--actions"]
    assert (ROOT / "bot" / SERVICES["actions"]["command"][4] / "actions.py").is_file()
    assert (ROOT / "shoptalk" / "__main__.py").is_file()
    rasa_cmd = SERVICES["rasa"]["command"]
    for file_arg in ("--endpoints", "--credentials"):
        assert (ROOT / "bot" / rasa_cmd[rasa_cmd.index(file_arg) + 1]).is_file()
    for package in ("rasa==", "rasa-sdk=="):
        assert package in (ROOT / "requirements" / "rasa.lock").read_text()


def test_api_and_rasa_scale_behind_the_load_balancer() -> None:
    api, rasa, lb = SERVICES["api"], SERVICES["rasa"], SERVICES["lb"]
    assert "ports" not in api and "ports" not in rasa, "replicas publish no host port (--scale would collide)"
    assert lb["ports"] == ["8000:8000"]
    env = api["environment"]
    assert env["REDIS_URL"].startswith("redis://redis:"), "live hub, socket.io and rate limits span replicas"
    assert env["RASA_URL"] == "http://rasa-lb:5005" and SERVICES["actions"]["environment"]["SHOPTALK_API_URL"] == (
        "http://lb:8000"
    )
    assert (
        rasa["environment"]["LOCK_STORE_TYPE"] == "bot.lock_store.AtomicRedisLockStore"
        and rasa["environment"]["TRACKER_DIALECT"] == "postgresql"
        and rasa["environment"]["TRACKER_STORE_TYPE"] == "bot.tracker_store.CachedSQLTrackerStore"
    )
    nginx = (ROOT / "docker" / "nginx.conf").read_text()
    assert "upstream api" in nginx and "proxy_buffering off" in nginx
    assert "upstream rasa" in (ROOT / "docker" / "nginx-rasa.conf").read_text(), "Rasa's balancer is internal"
    assert "X-Forwarded-For $remote_addr" in nginx, "the forwarded address is replaced, not appended"
