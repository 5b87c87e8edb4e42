"""The shop's own texts in the shopper's language: gettext message catalogs.

Texts are written in English in the code and marked: `N_("...")` where a module defines
one (it returns the text unchanged, so Babel's extractor finds it), `text(language, "...",
**values)` where one is written out. The translations live in
`i18n/locales/<lang>/LC_MESSAGES/shoptalk.po`:

    pybabel extract -F i18n/babel.cfg -k N_ -k text:2 -o i18n/locales/shoptalk.pot .
    pybabel update -i i18n/locales/shoptalk.pot -d i18n/locales -D shoptalk
    pybabel compile -d i18n/locales -D shoptalk      # optional: .mo beside each .po

At run time a compiled .mo is read when it is as new as its .po, else the .po itself (with
Babel), so a checkout needs no build step. A text with no translation stays English.
`shoptalk i18n check` (and a test) fails when a marked text lacks a zh-CN translation.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from i18n.language import ENGLISH

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "shoptalk"


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, translate later"
    """Mark a text for translation without translating it here."""
    return message


@lru_cache(maxsize=8)
def translations(language: str) -> dict[str, str]:
    """Return msgid -> translation for a language ({} for English or a language with none)."""
    if language == ENGLISH:
        return {}
    folder = LOCALES / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)
        return {str(k): str(v) for k, v in catalog._catalog.items() if k and v}  # type: ignore[attr-defined]
    if not po.is_file():
        return {}
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        read = read_po(handle)
    return {str(m.id): str(m.string) for m in read if m.id and m.string and not m.fuzzy}


def translator(language: str | None) -> Callable[..., str]:
    """Return say(message, **values): `text` bound to one language (extracted under the name `say`)."""

    def say(message: str, **values: Any) -> str:
        return text(language, message, **values)

    return say


def text(language: str | None, message: str, **values: Any) -> str:
    """Return the message in the language (English when it has no translation), with
    `{name}` placeholders filled from `values`."""
    translated = translations(language or ENGLISH).get(message, message)
    return translated.format(**values) if values else translated
