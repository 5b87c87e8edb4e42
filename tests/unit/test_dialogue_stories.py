"""Rasa's own tests cover every rule: bot/tests/test_stories.yml (run by `shoptalk test-dialogue`)."""

from __future__ import annotations

from pathlib import Path

import yaml

BOT = Path(__file__).resolve().parents[2] / "bot"


def _pairs(steps: list[dict]) -> list[tuple[str, str]]:
    """(intent, action) for each intent step and the action that answers it."""
    out = []
    for step, following in zip(steps, steps[1:], strict=False):
        if "intent" in step and "action" in following:
            out.append((step["intent"], following["action"]))
    return out


def test_every_rule_is_a_test_story_and_every_story_action_is_in_the_domain() -> None:
    rules = yaml.safe_load((BOT / "data" / "rules.yml").read_text())["rules"]
    stories = yaml.safe_load((BOT / "tests" / "test_stories.yml").read_text())["stories"]
    tested = {pair for story in stories for pair in _pairs(story["steps"])}
    untested = [r["rule"] for r in rules if not set(_pairs(r["steps"])) <= tested]
    assert untested == []
    domain = yaml.safe_load((BOT / "domain.yml").read_text())
    known = set(domain.get("actions", [])) | set(domain.get("responses", {}))
    assert sorted({a for story in stories for _, a in _pairs(story["steps"])} - known) == []
    assert any(len(_pairs(story["steps"])) >= 3 for story in stories), "conversations across rules, not only rules"
