"""A scripted dialogue engine: a fake for unit tests, behind the same port."""

from __future__ import annotations

from typing import Any

from api.dialogue.port import BotMessage, BotTurn, DialogueUnavailable, NluResult, ProductCard, QuickReply


class FakeDialogueEngine:
    """Greets, 'finds' a canned product for shopping words, and can be made to fail."""

    def __init__(self) -> None:
        self.down = False
        self.calls: list[dict[str, Any]] = []

    def handle(self, *, conversation_id: str, text: str, metadata: dict[str, Any]) -> BotTurn:
        """Answer like the real bot would, from a few keywords."""
        self.calls.append({"conversation_id": conversation_id, "text": text, "metadata": metadata})
        if self.down:
            raise DialogueUnavailable("fake engine is down")
        lowered = text.lower()
        if any(w in lowered for w in ("hi", "hello", "hey")):
            nlu = NluResult(intent="greet", confidence=0.97, stage="conversation", stage_score=0.0)
            return BotTurn(messages=[BotMessage(text="Hi! What are you shopping for today?")], nlu=nlu)
        if "human" in lowered:
            nlu = NluResult(intent="contact_human_agent", confidence=0.95, stage="conversation", stage_score=0.0)
            return BotTurn(messages=[BotMessage(text="I'll get a member of our team.")], nlu=nlu)
        if any(w in lowered for w in ("buy", "take it")):
            nlu = NluResult(intent="add_to_cart", confidence=0.9, stage="purchase", stage_score=0.55)
            return BotTurn(messages=[BotMessage(text="Done, it's in your cart.")], nlu=nlu)
        if any(w in lowered for w in ("shoe", "looking for", "find")):
            nlu = NluResult(
                intent="search_product",
                confidence=0.91,
                stage="browse",
                stage_score=0.1,
                entities=[{"entity": "product", "value": "shoes", "start": 0, "end": 5}],
            )
            card = ProductCard(product_id="P1", title="Test Running Shoe", price=999.0, currency="INR")
            cheaper = QuickReply(title="Show cheaper ones", payload="show me cheaper ones")  # as the real actions add
            found = BotMessage(text="Here is what I found:", products=[card], quick_replies=[cheaper])
            return BotTurn(messages=[found], nlu=nlu)
        nlu = NluResult(intent="nlu_fallback", confidence=0.2)
        return BotTurn(messages=[BotMessage(text="Sorry, I didn't get that.")], nlu=nlu)

    def forget(self, conversation_id: str) -> bool:
        """Forget the calls made for a conversation (the fake's 'tracker')."""
        if self.down:
            raise DialogueUnavailable("fake engine is down")
        before = len(self.calls)
        self.calls = [c for c in self.calls if c["conversation_id"] != conversation_id]
        return len(self.calls) < before

    def ready(self) -> bool:
        """Return False while the fake is 'down'."""
        return not self.down
