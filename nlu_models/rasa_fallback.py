"""Rasa's FallbackClassifier, but two intents that get the same answer are not ambiguous.

Rasa's `FallbackClassifier` turns a message into `nlu_fallback` when its top two intents
are closer than `ambiguity_threshold` (rasa/nlu/classifiers/fallback_classifier.py,
`_nlu_prediction_ambiguous`). "do you have blue sneakers?" sits between `search_product`
and `check_availability`; both are answered with matching products, so asking the
shopper "did you mean...?" only costs them a turn. Intents listed together under
`same_answer` are one answer: a near tie inside a group keeps the top intent. The
low-confidence rule (`threshold`) is Rasa's, unchanged.

A message with no letter or digit in any script ("👟👟🔥", "??", "...") says nothing an
intent can be read from: it falls back (the bot asks how it can help) instead of getting
whatever intent the classifier leans to, such as a farewell.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

SAME_ANSWER_KEY = "same_answer"


def says_nothing(text: str) -> bool:
    """True when the text has no letter or digit in any script (emoji, punctuation, symbols only)."""
    return not any(ch.isalnum() for ch in text)


def same_answer(groups: List[List[str]], first: Optional[str], second: Optional[str]) -> bool:
    """True when both intents are in one `same_answer` group."""
    return any(first in group and second in group for group in groups)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SameAnswerFallbackClassifier(FallbackClassifier):
    """FallbackClassifier whose ambiguity check skips pairs of intents with one answer."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's defaults plus `same_answer`: lists of intents answered alike."""
        return {**FallbackClassifier.get_default_config(), SAME_ANSWER_KEY: []}

    def _should_fallback(self, message: Message) -> bool:
        if says_nothing(message.get(TEXT) or ""):
            return True
        return bool(super()._should_fallback(message))

    def _nlu_prediction_ambiguous(self, message: Message) -> Tuple[bool, Optional[float]]:
        ambiguous, delta = super()._nlu_prediction_ambiguous(message)
        if not ambiguous:
            return ambiguous, delta
        ranking = message.data.get(INTENT_RANKING_KEY, [])
        first, second = (ranking[i].get(INTENT_NAME_KEY) for i in (0, 1))
        if same_answer(self.component_config.get(SAME_ANSWER_KEY) or [], first, second):
            return False, delta
        return ambiguous, delta
