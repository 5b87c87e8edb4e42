"""The pure recommenders: popularity, item-kNN, session-kNN, the blend and the fusion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.recommendations.fusion import merge
from api.recommendations.history import Interaction, score_history
from api.recommendations.session_knn import Blend, ItemKNN, Popularity, SessionKNN

SESSIONS = [["a", "b", "c"], ["a", "b"], ["b", "c", "d"], ["x", "y"], ["a", "b", "e"]]


def test_popularity_ranks_by_frequency_and_skips_the_current_session() -> None:
    assert list(Popularity().fit(SESSIONS).scores(["b"], 2)) == ["a", "c"]


def test_item_knn_follows_the_last_item() -> None:
    scores = ItemKNN().fit(SESSIONS).scores(["a"], 5)
    assert next(iter(scores)) == "b"
    assert "x" not in scores


def test_session_knn_votes_from_similar_sessions_with_recent_items_weighing_more() -> None:
    model = SessionKNN().fit(SESSIONS)
    scores = model.scores(["x", "b"], 5)
    assert "x" not in scores and "b" not in scores
    assert scores["a"] > scores.get("y", 0.0)  # 'b' is more recent than 'x'


def test_the_blend_never_returns_nothing() -> None:
    assert Blend(SessionKNN(), ItemKNN(), Popularity()).fit(SESSIONS).scores(["unknown"], 3)


def test_merge_prefers_items_both_sources_agree_on_and_boosts_matches() -> None:
    merged = merge({"p1": 3.0, "p2": 2.0, "p3": 1.0}, {"p3": 1.0, "p9": 0.5}, n=4)
    assert merged[0][0] == "p3" and merged[0][2] == ("behaviour", "chat")
    boosted = merge({"p1": 3.0, "p2": 2.0}, {}, matches=lambda i: i == "p2", n=2)
    assert [i for i, _, _ in boosted] == ["p2", "p1"]


def test_history_decays_with_age_and_sets_purchases_aside() -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    scores = score_history(
        [
            Interaction("old", "view", now - timedelta(days=30)),
            Interaction("new", "view", now - timedelta(hours=1)),
            Interaction("cart", "add_to_cart", now - timedelta(hours=1)),
            Interaction("bought", "purchase", now),
        ],
        now,
    )
    assert scores.scores["cart"] > scores.scores["new"] > scores.scores["old"]
    assert scores.purchased == {"bought"}
    assert "bought" not in scores.scores
