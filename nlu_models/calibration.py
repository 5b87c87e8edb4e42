"""Confidence you can trust: temperature scaling and an out-of-scope threshold.

Both are fitted on validation data only.
"""

from __future__ import annotations

from typing import Literal, Optional

import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Return row-wise softmax of logits / temperature."""
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Return the mean negative log-likelihood at a temperature."""
    probs = softmax(logits, temperature)
    return float(-np.mean(np.log(probs[np.arange(len(labels)), labels] + 1e-12)))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Return the temperature minimising validation NLL (log-spaced search, then refined)."""
    if len(labels) == 0:
        return 1.0
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 120))
    best = min(grid, key=lambda t: nll(logits, labels, t))
    fine = np.linspace(best * 0.9, best * 1.1, 41)
    return float(min(fine, key=lambda t: nll(logits, labels, t)))


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """Return the expected calibration error of top-1 confidences."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidence > lo) & (confidence <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)


#: How a threshold is chosen when out-of-scope validation messages exist:
#: "bounded": catch the most out-of-scope messages while in-scope accuracy stays within
#:     `max_accuracy_loss` of its value with no threshold (an operating point you can state:
#:     "we give up at most 1 point of in-scope accuracy to refuse what we cannot answer");
#: "balanced": maximise the mean of in-scope accuracy and out-of-scope recall;
#: "accuracy": maximise accuracy over all validation messages (when out-of-scope messages
#:     are a small share, so that a handful cannot drag the threshold up).
OosObjective = Literal["bounded", "balanced", "accuracy"]


def fit_oos_threshold(
    in_scope_conf: np.ndarray,
    in_scope_correct: np.ndarray,
    oos_conf: Optional[np.ndarray] = None,
    quantile: float = 0.02,
    objective: OosObjective = "bounded",
    max_accuracy_loss: float = 0.01,
) -> float:
    """Return the confidence below which a message counts as out of scope.

    With out-of-scope validation messages, pick the threshold by `objective` (ties go to
    the lowest threshold). Without them, take a low quantile of correct in-scope confidences.
    """
    if oos_conf is not None and len(oos_conf):
        candidates: np.ndarray = np.concatenate([[0.0], np.unique(np.concatenate([in_scope_conf, oos_conf]))])
        floor = np.sum(in_scope_correct) - max_accuracy_loss * len(in_scope_conf)  # fewest kept correct
        best_t, best_score = 0.0, -1.0
        for t in candidates:
            kept = int(np.sum(in_scope_correct & (in_scope_conf >= t)))
            caught = int(np.sum(oos_conf < t))
            if objective == "bounded":
                score = caught if kept >= floor - 1e-9 else -1.0
            elif objective == "balanced":
                score = (kept / max(1, len(in_scope_conf)) + caught / len(oos_conf)) / 2
            else:
                score = (kept + caught) / (len(in_scope_conf) + len(oos_conf))
            if score > best_score:
                best_t, best_score = float(t), score
        return best_t
    correct_conf = in_scope_conf[in_scope_correct]
    return float(np.quantile(correct_conf, quantile)) if len(correct_conf) else 0.0
