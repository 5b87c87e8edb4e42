"""Staff corrections as Rasa NLU training data (YAML that `rasa data validate` accepts)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api.review.models import Annotation

_MARKUP = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")"})
_SPACE = re.compile(r"\s+")


def annotated_text(text: str, entities: Sequence[dict[str, Any]]) -> str:
    """Return the text with Rasa's inline entity markup: `[span](entity)` or `[span]{"entity": .., "value": ..}`.

    Brackets in the text itself (masked personal data such as "[email]") become parentheses
    so Rasa never reads them as markup; newlines become spaces (one example per line).
    """
    spans = sorted(
        (e for e in entities if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)),
        key=lambda e: e["start"],
    )
    out, cursor = [], 0
    for e in spans:
        start, end = e["start"], e["end"]
        if start < cursor or end > len(text) or start >= end:
            continue  # overlapping or out of range: keep the text, drop the markup
        span = text[start:end].translate(_MARKUP)
        out.append(text[cursor:start].translate(_MARKUP))
        value = e.get("value")
        if value is not None and str(value) != text[start:end]:
            out.append(f"[{span}]" + json.dumps({"entity": e["entity"], "value": str(value).translate(_MARKUP)}))
        else:
            out.append(f"[{span}]({e['entity']})")
        cursor = end
    out.append(text[cursor:].translate(_MARKUP))
    return _SPACE.sub(" ", "".join(out)).strip()


@dataclass(frozen=True)
class LabelledText:
    """A text with its intent and entity spans: a correction, or an example read back from YAML."""

    text: str
    intent: str
    entities: Sequence[dict[str, Any]] = ()


def to_rasa_nlu_yaml(examples: Sequence[LabelledText | Annotation]) -> str:
    """Return Rasa 3 NLU YAML with one example per text, grouped by intent (the first of equal lines kept)."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for a in examples:
        line = annotated_text(a.text, a.entities or [])
        if line and line not in seen:
            seen.add(line)
            by_intent[a.intent].append(line)
    lines = ['version: "3.1"', "# Staff corrections exported by ShopTalk (texts are stored PII-masked).", "nlu:"]
    if not by_intent:
        return "\n".join([*lines[:2], "nlu: []"]) + "\n"
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in by_intent[intent])
    return "\n".join(lines) + "\n"
