"""The intent taxonomy: each intent's purchase-funnel stage, and the entity types.

Read from a YAML file (bot/taxonomy.yml), never hard-coded, so a shop can change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Union

import yaml

PURCHASE_STAGE = "purchase"


@dataclass(frozen=True)
class Taxonomy:
    """Intent -> funnel stage, and the entity types the NLU extracts."""

    stages: Dict[str, str]
    entities: List[str]

    @classmethod
    def load(cls, path: Union[str, Path]) -> "Taxonomy":
        """Read the taxonomy file (`intents: {name: {stage: ...}}`, `entities: {...}`)."""
        data = yaml.safe_load(Path(path).read_text()) or {}
        intents = data.get("intents") or {}
        stages = {str(name): str((spec or {}).get("stage", "conversation")) for name, spec in intents.items()}
        return cls(stages=stages, entities=[str(e) for e in (data.get("entities") or {})])

    def stage_of(self, intent: str) -> str:
        """Return the funnel stage of an intent ('conversation' for unknown ones)."""
        return self.stages.get(intent, "conversation")
