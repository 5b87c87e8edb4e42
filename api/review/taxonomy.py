"""The intents and entity types staff corrections are checked against (bot/taxonomy.yml).

The API reads the taxonomy as data, with this reader of its own: it never imports the NLU
package (nlu_models lives in the Rasa environment and is not in the API's image).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Taxonomy:
    """Intent -> purchase-funnel stage, and the entity type names."""

    stages: dict[str, str]
    entities: list[str]

    @classmethod
    def load(cls, path: Path | str) -> Taxonomy:
        """Read `intents: {name: {stage}}` and `entities: {name: example}` from the YAML file."""
        data = yaml.safe_load(Path(path).read_text()) or {}
        stages = {str(k): str((v or {}).get("stage", "conversation")) for k, v in (data.get("intents") or {}).items()}
        return cls(stages=stages, entities=[str(name) for name in data.get("entities") or {}])
