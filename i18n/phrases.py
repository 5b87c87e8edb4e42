"""How shoppers ask for "cheaper", "more", "that one" or rule something out, in each language.

The API's recommender (what a follow-up refines) and the action server (which follow-ups
are about the cards on screen) read the same phrases from here. English patterns keep word
boundaries; Chinese has none, so its patterns match as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Phrase:
    """A phrase in several languages: it matches when any language's pattern does."""

    patterns: tuple[re.Pattern[str], ...]

    def search(self, text: str) -> re.Match[str] | None:
        for pattern in self.patterns:
            found = pattern.search(text)
            if found:
                return found
        return None


def phrase(*patterns: re.Pattern[str] | str) -> Phrase:
    """Return a Phrase of compiled patterns (strings are compiled case-insensitively)."""
    return Phrase(tuple(p if isinstance(p, re.Pattern) else re.compile(p, re.I) for p in patterns))


ZH_CHEAPER = re.compile(
    r"便宜(?:一)?[点些]|更便宜|再便宜|便宜的|实惠(?:一)?[点些]|太贵|预算不够|价格低(?:一)?[点些]|平价"
)
ZH_PRICIER = re.compile(r"贵(?:一)?[点些]的|更贵|更好的|高端(?:一)?[点些]?|档次高|质量好(?:一)?[点些]|好一点的")
ZH_MORE = re.compile(
    r"^\W*(?:好的?|嗯+|那|哦|亲)?\W*"
    r"(?:还有(?:别的|其他|吗|没有|呢)|换一批|换几个|再来(?:几|一)?[个款件批]?|更多|其他的?|别的|下一页|再看看|再推荐)"
)
# "第二个", "最后一款", "这个", "两个都要": about a card on screen
ZH_REFERENCE = re.compile(
    r"第\s*[一二三四五12345]\s*[个款件双台只条]|最后一[个款件]|[这那][个款件]|两[个款件]都|都要|前两[个款件]"
)
ZH_RULING_OUT = re.compile(r"不要|不想要|不喜欢|不需要|除了|别[给推要拿]")
ZH_BUY = re.compile(r"买|拍|下单|加购|购物车|要了|入手")
ZH_STOCK = re.compile(r"有货|库存|现货|缺货|卖完|断货")
ZH_DISCOUNT = re.compile(r"优惠|券|折扣|打折|活动|满减|便宜点吗|能便宜|包邮")
