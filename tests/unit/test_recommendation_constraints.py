"""What the shopper asked for holds: ruled-out values, nothing-matches, "show me more" (issue 21)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.conversations import service as conversations
from api.dialogue.port import BotMessage, ProductCard
from api.recommendations.context import need_from_turns


def _recommend(client: TestClient, **body: object) -> dict[str, Any]:
    response = client.post("/v1/recommendations", json={"session_id": "s1", "limit": 4, **body})
    assert response.status_code == 200, response.text
    return response.json()


def _shopper(text: str, intent: str = "search_product", **entities: str) -> dict[str, Any]:
    tagged = [{"entity": k, "value": v} for k, v in entities.items()]
    return {"author": "shopper", "text": text, "intent": intent, "entities": tagged}


def test_a_tagged_value_the_shopper_ruled_out_is_never_also_wanted() -> None:
    need = need_from_turns([_shopper("a waterproof jacket under 3000 not black", color="black")])
    flt = need.product_filter()
    assert flt.colors == ()
    assert flt.exclude_colors == ("black",)
    need = need_from_turns([_shopper("watches but not Skmei", brand="Skmei", product="watches")])
    assert need.product_filter().exclude_brands == ("Skmei",)
    assert need.product_filter().brands == ()


def test_a_follow_up_keeps_what_was_ruled_out_and_asks_for_the_next_ones() -> None:
    shown = [{"product_id": "a", "price": 40.0}, {"product_id": "b", "price": 25.0}]
    turns = [
        _shopper("rain jackets not black", color="black"),
        {"author": "bot", "text": "Here", "products": shown},
        _shopper("show me more"),
    ]
    need = need_from_turns(turns)
    assert need.query == "rain jackets not black"
    assert need.more and need.shown_for_need == ["a", "b"]
    assert need.product_filter().exclude_colors == ("black",)
    turns[-1] = _shopper("show me more expensive ones")
    assert not need_from_turns(turns).more


def test_a_question_about_a_shown_card_does_not_start_a_new_request() -> None:
    turns = [
        _shopper("running shoes under 2000", price_max="2000"),
        {"author": "bot", "text": "Here", "products": [{"product_id": "a", "price": 1500.0}]},
        _shopper("is the first one in stock?", intent="check_availability"),
        _shopper("any others?"),
    ]
    need = need_from_turns(turns)
    assert need.query == "running shoes under 2000"
    assert need.more and need.shown_for_need == ["a"]


def test_ruled_out_colour_stays_out_even_when_the_nlu_tagged_it(client: TestClient) -> None:
    entities = [{"entity": "product", "value": "running shoes"}, {"entity": "color", "value": "black"}]
    body = _recommend(client, query="running shoes, not black", entities=entities)
    ids = [i["product_id"] for i in body["items"]]
    assert ids and "shoe-1" not in ids  # shoe-1 is the black running shoe
    assert "not black" in body["constraints"] and "in black" not in body["constraints"]


def test_when_nothing_meets_every_constraint_nothing_is_listed_and_the_reply_can_say_what(client: TestClient) -> None:
    body = _recommend(client, query="running shoes under 500", entities=[{"entity": "price_max", "value": "500"}])
    assert body["items"] == []
    assert body["relaxed"] == ["price"]  # without the price limit there would be running shoes
    assert "under ₹500" in body["constraints"]


def test_a_product_word_the_nlu_tagged_as_a_brand_filters_the_category(client: TestClient) -> None:
    body = _recommend(client, query="boots please", entities=[{"entity": "brand", "value": "boots"}])
    assert [i["product_id"] for i in body["items"]][:1] == ["boot-1"]
    assert all("Boots" in i["category_path"] for i in body["items"])


def test_show_me_more_gives_products_not_shown_for_this_request(client: TestClient) -> None:
    chat = client.post("/v1/chat", json={"sender": "s1", "message": "hi"}).json()
    services = client.app.state.services  # type: ignore[attr-defined]
    with services.session_factory() as session:
        conversation = conversations.get_conversation(session=session, conversation_id=chat["conversation_id"])
        asked = conversations.add_shopper_message(session=session, conversation=conversation, text="footwear")
        asked.intent = "search_product"
        card = ProductCard(product_id="shoe-2", title="Road Running Shoes", price=1499.0, currency="INR")
        conversations.add_reply(
            session=session, conversation=conversation, reply=BotMessage(text="Here", products=[card])
        )
        session.commit()
    first = _recommend(client, conversation_id=chat["conversation_id"], query="footwear", intent="search_product")
    more = _recommend(client, conversation_id=chat["conversation_id"], query="show me more", intent="search_product")
    assert "shoe-2" in [i["product_id"] for i in first["items"]]
    assert more["items"] and "shoe-2" not in [i["product_id"] for i in more["items"]]


def test_reasons_are_whole_phrases_in_the_catalogs_currency(client: TestClient) -> None:
    long_request = "I am looking for some really comfortable running shoes for my long morning runs in the park"
    body = _recommend(client, query=long_request, entities=[{"entity": "price_max", "value": "2000"}])
    reasons = [i["reason"] for i in body["items"]]
    assert reasons and all("under ₹2,000" in r for r in reasons)
    assert not any("morning ru" in r and "morning runs" not in r for r in reasons)  # never cut mid-word


def test_cheaper_refines_the_last_request_whatever_the_nlu_called_it() -> None:
    shown = [{"product_id": "a", "price": 1039.0}, {"product_id": "b", "price": 1500.0}]
    turns = [
        _shopper("watches under 2000", price_max="2000"),
        {"author": "bot", "text": "Here", "products": shown},
        _shopper("show me cheaper ones", intent="price_and_discounts"),
    ]
    need = need_from_turns(turns)
    assert need.query == "watches under 2000"
    assert need.entities["price_max"] == ["1038.99"]


def test_a_request_the_action_searches_is_a_search_whatever_the_nlu_called_it(client: TestClient) -> None:
    entities = [{"entity": "price_max", "value": "2000"}]
    body = _recommend(client, query="running shoes under 2000", intent="price_and_discounts", entities=entities)
    assert body["query"] == "running shoes under 2000"
    assert [i["product_id"] for i in body["items"]] == ["shoe-2"]


def test_cheaper_after_a_typed_range_goes_below_its_floor(client: TestClient) -> None:
    chat = client.post("/v1/chat", json={"sender": "s1", "message": "hi"}).json()
    services = client.app.state.services  # type: ignore[attr-defined]
    with services.session_factory() as session:
        conversation = conversations.get_conversation(session=session, conversation_id=chat["conversation_id"])
        asked = conversations.add_shopper_message(
            session=session, conversation=conversation, text="shoes between 2000 and 5000"
        )
        asked.intent = "search_product"
        card = ProductCard(product_id="shoe-1", title="Trail Running Shoes", price=3999.0, currency="INR")
        conversations.add_reply(
            session=session, conversation=conversation, reply=BotMessage(text="Here", products=[card])
        )
        session.commit()
    body = _recommend(
        client, conversation_id=chat["conversation_id"], query="show me cheaper ones", intent="search_product"
    )
    assert "shoe-2" in [i["product_id"] for i in body["items"]]  # 1499: cheaper, below the typed floor of 2000
    assert all(i["price"] < 3999 for i in body["items"])
