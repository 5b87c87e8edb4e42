"""Chinese text for the lexical index: jieba cuts a run of ideographs into words.

BM25's tokenizer splits on spaces and punctuation, so "跑步鞋" would be one term; cut as
"跑步 鞋" it matches "男士跑步鞋" and "跑步"; Latin text passes through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from i18n.language import IDEOGRAPHS, has_cjk
from i18n.segmentation import jieba

_CJK_RUN = re.compile(f"[{IDEOGRAPHS}]+")
# words that say nothing about which product (particles, "have you got", price comparators)
STOPWORDS = frozenset((
    "的", "了", "吗", "呢", "吧", "啊", "呀", "哦", "嘛", "么", "和", "与",
    "或", "有", "有没有", "没有", "有木有", "我", "我想", "想", "要", "想要", "买", "一下",
    "帮", "帮我", "找", "找找", "看看", "给", "推荐", "亲", "在吗", "你好", "请问", "一个",
    "一款", "一些", "些", "以内", "以下", "以上", "左右", "之内", "块", "元", "钱", "不要",
    "什么", "哪些", "这个", "那个", "款", "适合", "可以",
))  # fmt: skip


def spaced(text: str) -> str:
    """Return the text with each run of ideographs cut into jieba's words, spaces between."""
    if not has_cjk(text):
        return text
    return _CJK_RUN.sub(
        lambda m: " " + " ".join(w for w in jieba().lcut(m.group(), HMM=True) if w not in STOPWORDS) + " ", text
    )


GLOSSARY_FILE = Path(__file__).with_name("glossary_zh.tsv")


@dataclass(frozen=True)
class Glossary:
    """Chinese product words -> the English category terms they mean (`glossary_zh.tsv`).

    A Chinese query's words are looked up after jieba cuts them, and the English terms are
    added to its BM25 words: "戒指" then matches a ring whose text is only in English. A shop
    whose categories are written in Chinese needs none of it; one in English adds its own
    category words to the file.
    """

    terms: Mapping[str, tuple[str, ...]]

    @classmethod
    def load(cls, path: Path = GLOSSARY_FILE) -> Glossary:
        """Read `english<TAB>中文,中文` lines (# comments) into Chinese word -> English terms."""
        terms: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            english, _, chinese = line.partition("\t")
            for word in (w.strip() for w in chinese.split(",")):
                if word and english.strip() not in terms.setdefault(word, []):
                    terms[word].append(english.strip())
        return cls({w: tuple(t) for w, t in terms.items()})

    def _known_words(self, text: str) -> list[str]:
        """Return the glossary's words in `text`, in order: each run of ideographs whole, then
        jieba's words of it."""
        found: list[str] = []
        for run in _CJK_RUN.findall(text):
            words = jieba().lcut(run, HMM=True)
            found.extend(w for w in ([run, *words] if run not in words else words) if w in self.terms)
        return found

    def english(self, text: str) -> list[str]:
        """Return the English terms of the Chinese words in `text`, in order, once each."""
        return list(dict.fromkeys(t for word in self._known_words(text) for t in self.terms[word]))

    def head(self, text: str) -> tuple[str, ...]:
        """Return the English terms of the last word the glossary knows: the head of a Chinese
        noun phrase comes last (女士靴子 is boots, not everything for women)."""
        words = self._known_words(text)
        return self.terms[words[-1]] if words else ()
