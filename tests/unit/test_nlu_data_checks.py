"""`shoptalk train` refuses NLU data with too few examples or values left unannotated."""

from __future__ import annotations

from pathlib import Path

from shoptalk.data_checks import MIN_EXAMPLES, check_nlu_data


def _write(folder: Path, name: str, intent: str, examples: list[str]) -> Path:
    path = folder / name
    body = "\n".join(f"    - {e}" for e in examples)
    path.write_text(f'version: "3.1"\nnlu:\n- intent: {intent}\n  examples: |\n{body}\n')
    return path


def test_an_intent_under_the_minimum_is_named_with_its_file_and_count(tmp_path: Path) -> None:
    path = _write(tmp_path, "few.yml", "track_refund", [f"where is refund {i}" for i in range(12)])
    (problem,) = check_nlu_data(tmp_path)
    assert problem.file == str(path)
    assert "'track_refund' has 12 examples" in problem.message and str(MIN_EXAMPLES) in problem.message


def test_an_unannotated_price_and_order_id_are_refused(tmp_path: Path) -> None:
    examples = [f"show me [shoes](product) [under ${i}](price)" for i in range(30)]
    examples += ["show me shoes under $50", "where is order A1001 now"]
    _write(tmp_path, "shop.yml", "search_product", examples)
    found = sorted(p.message for p in check_nlu_data(tmp_path))
    assert len(found) == 2
    assert "unannotated order_id 'order A1001'" in found[0] and "unannotated price '$5" in found[1]


def test_the_shipped_data_passes(tmp_path: Path) -> None:
    assert check_nlu_data(Path("bot/data/nlu/handwritten")) == []
    assert check_nlu_data(Path("bot/data/nlu/zh")) == []


def _plain_texts(path: Path) -> set[str]:
    import re

    import yaml

    markup = re.compile(r"\[([^\]]+)\]\([^)]*\)")
    texts = set()
    for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
        for line in str(block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                plain = markup.sub(r"\1", line.strip()[2:]).lower()
                texts.add(" ".join(re.sub(r"[^\w\s]", " ", plain).split()))
    return texts


def test_no_hand_written_training_example_is_a_fresh_test_message() -> None:
    # the fresh sets measure generalisation: a training copy of one of their messages would inflate it
    fresh = _plain_texts(Path("bench/data/nlu_fresh_en.yml")) | _plain_texts(Path("bench/data/nlu_fresh_zh.yml"))
    hand_written = [*Path("bot/data/nlu/handwritten").glob("*.yml"), *Path("bot/data/nlu/zh").glob("*.yml")]
    for path in sorted(hand_written):
        shared = _plain_texts(path) & fresh
        assert not shared, f"{path} repeats fresh test messages: {sorted(shared)[:5]}"
