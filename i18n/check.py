"""Every text a shopper can see has a zh-CN variant: the marked texts in the code (through
Babel's extractor, with the keywords `shoptalk i18n extract` uses) and every response in
bot/domain.yml (a conditional variation on the `language` slot)."""

from __future__ import annotations

from pathlib import Path

import yaml

from i18n.catalog import translations

ROOT = Path(__file__).resolve().parent.parent
# the marking functions and which argument is the text (`shoptalk i18n extract` passes the same to pybabel)
KEYWORDS = {"N_": None, "say": None, "text": (2,)}
SOURCES = ("api", "bot/actions", "retrieval")


def marked_texts() -> list[str]:
    """Return every text marked for translation in the shopper-facing sources."""
    from babel.messages.extract import extract_from_dir

    found = set()
    for folder in SOURCES:
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT / folder), method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, str) and message:
                found.add(message)
    return sorted(found)


def untranslated(language: str = "zh") -> list[str]:
    """Return the marked texts the language's catalog does not translate."""
    known = translations(language)
    return [m for m in marked_texts() if not known.get(m)]


def responses_without(language: str = "zh", domain: Path = ROOT / "bot" / "domain.yml") -> list[str]:
    """Return the domain's responses that have no variant for the language."""
    responses = (yaml.safe_load(domain.read_text(encoding="utf-8")) or {}).get("responses") or {}
    missing = []
    for name, variants in responses.items():
        conditions = [c for v in variants for c in (v.get("condition") or [])]
        if not any(c.get("name") == "language" and c.get("value") == language for c in conditions):
            missing.append(name)
    return missing
