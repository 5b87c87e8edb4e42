"""Chinese words: jieba, loaded once per process (its dictionary takes about a second).

The NLU's Chinese path reads each word as a feature of the characters in it; the lexical
index cuts Chinese into words so that BM25 can match them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

_lock = threading.Lock()
_jieba: Any = None


def jieba() -> Any:
    """Return the jieba module, its dictionary loaded (once, thread-safely) and its log quiet."""
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba as module

            module.setLogLevel(logging.WARNING)
            module.initialize()
            _jieba = module
    return _jieba
