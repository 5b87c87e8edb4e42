"""The language an action writes in: the conversation's `language` slot (set every turn by
the NLU component from what the API states, or from the text), English when unset."""

from typing import Callable, List

from rasa_sdk import Tracker

from i18n import catalog
from i18n.language import ENGLISH, SUPPORTED

Say = Callable[..., str]


def language_of(tracker: Tracker) -> str:
    """Return the conversation's language ("en" or "zh")."""
    value = tracker.get_slot("language")
    return value if value in SUPPORTED else ENGLISH


def say_for(tracker: Tracker) -> Say:
    """Return say(message, **values): the message in the conversation's language."""
    return catalog.translator(language_of(tracker))


def join_words(say: Say, words: List[str]) -> str:
    """Return "a", "a and b", "a, b and c" in the conversation's language."""
    if len(words) <= 1:
        return "".join(words)
    return say("{items} and {last}", items=say(", ").join(words[:-1]), last=words[-1])


def buttons(say: Say, items: list) -> list:
    """Return quick-reply buttons with their titles in the conversation's language."""
    return [{**item, "title": say(item["title"])} for item in items]
