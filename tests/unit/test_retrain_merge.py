"""`shoptalk retrain`'s data side: exported corrections merge into bot/data, and the correction wins."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from api.review.rasa_export import LabelledText, annotated_text, to_rasa_nlu_yaml
from nlu_models.data import read_nlu
from shoptalk.retrain import merge_corrections

BUILD = Path(__file__).resolve().parents[2] / "bot" / "scripts" / "build_nlu_data.py"


def _build_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_nlu_data", BUILD)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_annotated_text_marks_entities_and_neutralises_brackets() -> None:
    text = "send [email] the blue one"
    start = text.index("blue")
    assert annotated_text(text, [{"entity": "color", "start": start, "end": start + 4}]) == (
        "send (email) the [blue](color) one"
    )
    synonym = annotated_text("in navy please", [{"entity": "color", "start": 3, "end": 7, "value": "blue"}])
    assert synonym == 'in [navy]{"entity": "color", "value": "blue"} please'


def test_merged_corrections_round_trip_and_newer_ones_win(tmp_path: Path) -> None:
    target = tmp_path / "corrections.yml"
    target.write_text(to_rasa_nlu_yaml([LabelledText("where is my parcel", "product_info")]))
    new = tmp_path / "exported.yml"
    new.write_text(
        to_rasa_nlu_yaml(
            [
                LabelledText("Where is my parcel", "track_order"),
                LabelledText("a red scarf", "search_product", [{"entity": "color", "start": 2, "end": 5}]),
            ]
        )
    )
    assert merge_corrections(new, target) == 2
    examples = {e.text: e for e in read_nlu(target)}
    assert examples["Where is my parcel"].intent == "track_order"
    scarf = examples["a red scarf"]
    assert scarf.intent == "search_product" and [(s.entity, s.start, s.end) for s in scarf.spans] == [("color", 2, 5)]


def test_generated_examples_with_a_corrected_text_are_left_out(tmp_path: Path) -> None:
    build = _build_module()
    corrections = tmp_path / "corrections.yml"
    corrections.write_text(to_rasa_nlu_yaml([LabelledText("Cancel  my ORDER", "cancel_order")]))
    corrected = build.corrected_texts(corrections)
    assert corrected == {"cancel my order"}
    out = tmp_path / "generated.yml"
    build.write_nlu(out, {"get_refund": ["cancel my order", "[refund](product) me now"]}, "test", corrected)
    assert [e.text for e in read_nlu(out)] == ["refund me now"]
