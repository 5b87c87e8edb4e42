"""Start and stop the whole stack: action server, Rasa server and API, on loopback.

Used by `shoptalk run` and by the end-to-end tests. Each process runs in its own
process group with its log in var/logs/; stop() ends them in reverse order, waiting a
bounded time before killing (Rasa may ignore SIGTERM for a while).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from shoptalk.paths import API_PYTHON, BOT, RASA_BIN, ROOT


def uvicorn_proxy_flags() -> list[str]:
    """uvicorn's proxy-header flags from TRUST_FORWARDED_FOR (uvicorn trusts 127.0.0.1 by default).

    Untrusted: no proxy headers at all, so X-Forwarded-For never replaces the client address.
    Trusted: FORWARDED_ALLOW_IPS names the proxies (default: any, for a proxy you put in front).
    """
    if os.environ.get("TRUST_FORWARDED_FOR", "false").lower() not in ("1", "true", "yes"):
        return ["--no-proxy-headers"]
    return ["--proxy-headers", "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "*")]


def rasa_credentials_file() -> str:
    """Rasa's channels: the ShopTalk channel only, plus Rasa's open REST channel if RASA_REST_CHANNEL=true."""
    debug = os.environ.get("RASA_REST_CHANNEL", "false").lower() in ("1", "true", "yes")
    return "credentials.rest.yml" if debug else "credentials.yml"


@dataclass
class StackConfig:
    """Ports, paths and secrets of one running stack."""

    var_dir: Path
    model: Path
    rasa_token: str
    host: str = "127.0.0.1"
    api_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    database_url: str = ""
    tracker_url: str = ""
    lock_store_url: str = ""  # redis://host:port; empty: LOCK_STORE_TYPE/URL from the environment
    rasa_replica_ports: tuple[int, ...] = ()  # more Rasa replicas (share the tracker and the lock store)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        """Return the API's base URL."""
        return f"http://{self.host}:{self.api_port}"

    @property
    def rasa_url(self) -> str:
        """Return the Rasa server's base URL."""
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        """Return the action server's base URL."""
        return f"http://{self.host}:{self.actions_port}"


@dataclass
class Service:
    """One process of the stack and how to tell it is ready."""

    name: str
    cmd: list[str]
    cwd: Path
    env: dict[str, str]
    ready_url: str
    process: subprocess.Popen[bytes] | None = None


# Rasa's own "redis" lock store loses tickets when replicas contend (see bot/lock_store.py).
ATOMIC_REDIS_LOCK_STORE = "bot.lock_store.AtomicRedisLockStore"
# Rasa's SQL tracker store, reading a conversation from memory while its rows do not change.
CACHED_SQL_TRACKER_STORE = "bot.tracker_store.CachedSQLTrackerStore"


def _lock_store_env(url: str) -> dict[str, str]:
    """Rasa's lock store settings (bot/endpoints.yml): Redis when a URL is given, else from the environment."""
    if url:
        parsed = urlsplit(url)
        return {
            "LOCK_STORE_TYPE": ATOMIC_REDIS_LOCK_STORE,
            "LOCK_STORE_URL": parsed.hostname or "",
            "LOCK_STORE_PORT": str(parsed.port or 6379),
        }
    return {
        "LOCK_STORE_TYPE": os.environ.get("LOCK_STORE_TYPE", "in_memory"),
        "LOCK_STORE_URL": os.environ.get("LOCK_STORE_URL", ""),
        "LOCK_STORE_PORT": os.environ.get("LOCK_STORE_PORT", "6379"),
    }


class StackError(RuntimeError):
    """A service died or did not become ready; the message names it and its log."""


class Stack:
    """The action server, Rasa and the API as child processes."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.logs = config.var_dir / "logs"
        self.services = self._services()

    def _services(self) -> list[Service]:
        c = self.config
        base = {
            # Two glibc malloc arenas (the environment may say otherwise) instead of 8 a core: the
            # API's worker threads otherwise each grow an arena and resident memory creeps up.
            "MALLOC_ARENA_MAX": "2",
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            **c.extra_env,
        }
        tracker = c.tracker_url or f"sqlite:///{c.var_dir / 'rasa-tracker.db'}"
        rasa_env = {
            **base,
            "ACTION_ENDPOINT_URL": f"{c.actions_url}/webhook",
            "TRACKER_STORE_TYPE": os.environ.get("TRACKER_STORE_TYPE", CACHED_SQL_TRACKER_STORE),
            "TRACKER_DIALECT": tracker.split(":", 1)[0].split("+", 1)[0],
            "TRACKER_URL": tracker,
            **_lock_store_env(c.lock_store_url),
            "RASA_TOKEN": c.rasa_token,  # the ShopTalk channel's tracker-delete route checks it
        }
        api_env = {
            **base,
            "VAR_DIR": str(c.var_dir),
            "RASA_URL": c.rasa_url,
            "RASA_TOKEN": c.rasa_token,
            **({"DATABASE_URL": c.database_url} if c.database_url else {}),
        }
        return [
            Service(
                "actions",
                [str(RASA_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(c.actions_port)],
                BOT,
                {**base, "SANIC_HOST": c.host, "SHOPTALK_API_URL": c.api_url},
                f"{c.actions_url}/health",
            ),
            *(
                self._rasa(name, port, rasa_env)
                for name, port in [("rasa", c.rasa_port)]
                + [(f"rasa-{i + 2}", p) for i, p in enumerate(c.rasa_replica_ports)]
            ),
            Service(
                "api",
                [
                    str(API_PYTHON),
                    "-m",
                    "uvicorn",
                    "api.main:create_app",
                    "--factory",
                    "--host",
                    c.host,
                    "--port",
                    str(c.api_port),
                    "--no-access-log",
                    *uvicorn_proxy_flags(),
                ],
                ROOT,
                api_env,
                f"{c.api_url}/healthz",
            ),
        ]

    def _rasa(self, name: str, port: int, env: dict[str, str]) -> Service:
        c = self.config
        cmd = [str(RASA_BIN / "rasa"), "run", "--enable-api", "--auth-token", c.rasa_token, "-i", c.host]
        cmd += ["-p", str(port), "--model", str(c.model), "--endpoints", "endpoints.yml"]
        cmd += ["--credentials", rasa_credentials_file()]
        return Service(name, cmd, BOT, env, f"http://{c.host}:{port}/status?token={c.rasa_token}")

    def _spawn(self, service: Service) -> None:
        log = (self.logs / f"{service.name}.log").open("ab")
        service.process = subprocess.Popen(
            service.cmd,
            cwd=service.cwd,
            env=service.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def service(self, name: str) -> Service:
        """Return one service by name (actions, rasa, api)."""
        return next(s for s in self.services if s.name == name)

    def kill(self, name: str) -> None:
        """SIGKILL one service's process group (a crash, not a shutdown)."""
        proc = self.service(name).process
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def restart(self, name: str, timeout_s: float = 300.0) -> None:
        """Start a killed service again and wait until it is ready."""
        service = self.service(name)
        self._spawn(service)
        self._wait_ready(service, time.monotonic() + timeout_s)

    def start(self, timeout_s: float = 300.0, progress: bool = True) -> None:
        """Start every service and wait until each answers its readiness URL."""
        self.logs.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            self._spawn(service)
        deadline = time.monotonic() + timeout_s
        for service in self.services:
            if progress:
                print(f"run: waiting for {service.name}...", flush=True)
            self._wait_ready(service, deadline)

    def _wait_ready(self, service: Service, deadline: float) -> None:
        while time.monotonic() < deadline:
            assert service.process is not None
            if service.process.poll() is not None:
                self.stop()
                raise StackError(
                    f"{service.name} exited (code {service.process.returncode}); see {self.logs / service.name}.log"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(service.ready_url, timeout=2).status_code == 200:
                    return
            time.sleep(0.5)
        self.stop()
        raise StackError(f"{service.name} not ready in time; see {self.logs / service.name}.log")

    def stop(self, grace_s: float = 10.0) -> None:
        """Stop the services in reverse order: SIGTERM, then SIGKILL after grace_s."""
        for service in reversed(self.services):
            proc = service.process
            if proc is None or proc.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def wait(self) -> str:
        """Block until a service exits; return its name."""
        while True:
            for service in self.services:
                if service.process is not None and service.process.poll() is not None:
                    return service.name
            time.sleep(0.5)
