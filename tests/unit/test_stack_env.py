"""The stack starts every service with glibc's malloc arenas capped (resident memory stays flat)."""

from __future__ import annotations

from pathlib import Path

from shoptalk.stack import Stack, StackConfig


def test_every_service_gets_two_malloc_arenas_unless_the_environment_says_otherwise(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    config = StackConfig(var_dir=tmp_path, model=tmp_path / "model.tar.gz", rasa_token="token")
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    services = Stack(config).services
    assert {s.name for s in services} >= {"actions", "rasa", "api"}
    assert all(s.env["MALLOC_ARENA_MAX"] == "2" for s in services)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert all(s.env["MALLOC_ARENA_MAX"] == "4" for s in Stack(config).services)
