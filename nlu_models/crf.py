"""A linear-chain CRF over the words of a message, for the entity head.

The head scores each word's BIO tag; the CRF adds learned tag-to-tag transition scores and
decodes the best whole sequence (Viterbi), so "running shoes" comes out as one product
(B, I) rather than two (B, B), the way DIET's CRF decodes. Transitions that BIO forbids
(an I-x that follows neither B-x nor I-x) are ruled out in training and decoding alike.

This module is NumPy (the constraints and Viterbi decoding, for serving beside the ONNX
export, with the transition scores saved beside the model); the trainable layer is
`nlu_models.model.CRF`.
"""

from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np

FORBIDDEN = -1e4


def allowed_transitions(tags: Sequence[str]) -> np.ndarray:
    """Return [from, to] 0/1: I-x may only follow B-x or I-x."""
    allowed = np.ones((len(tags), len(tags)), dtype=np.float32)
    for j, to in enumerate(tags):
        if to.startswith("I-"):
            for i, before in enumerate(tags):
                allowed[i, j] = float(before in (f"B-{to[2:]}", to))
    return allowed


def allowed_starts(tags: Sequence[str]) -> np.ndarray:
    """Return 0/1 per tag: a message cannot start with an I tag."""
    return np.array([0.0 if t.startswith("I-") else 1.0 for t in tags], dtype=np.float32)


def viterbi(emissions: np.ndarray, scores: Dict[str, List]) -> List[int]:
    """Return the best tag path for one message's [words, tags] scores."""
    if len(emissions) == 0:
        return []
    transitions = np.asarray(scores["transitions"], dtype=np.float64)
    best = np.asarray(scores["start"], dtype=np.float64) + emissions[0]
    back = []
    for w in range(1, len(emissions)):
        candidates = best[:, None] + transitions
        back.append(candidates.argmax(0))
        best = candidates.max(0) + emissions[w]
    path = [int(np.argmax(best + np.asarray(scores["end"], dtype=np.float64)))]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    return path[::-1]
