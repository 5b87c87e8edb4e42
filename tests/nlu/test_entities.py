"""Entities: word-level tags, lookup-table features, the CRF, and how entity F1 is scored."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
import torch

from nlu_models.crf import allowed_transitions, viterbi
from nlu_models.data import Example, Span, label_vocab, parse_markup, read_lookups
from nlu_models.encoding import IGNORE, TextEncoder, align_tags, decode_entities, lookup_features
from nlu_models.lookups import Gazetteer, substitute_values
from nlu_models.model import CRF, default_encoder_dir
from nlu_models.predictor import Predictor
from nlu_models.trainer import Trainer, entity_f1, entity_f1_by_type
from tests.nlu.conftest import HERE, tiny_args

MARKED = [
    "I need [bedsheet](product) [below 500 rupees](price)",
    "cancel order [00004587345](order_id) please",
    "what goes well with [blue](color) [t-shirt](product)?",
    "[dressberry](brand) [running shoes](product) [under $80](price)",
    "do you carry [wearyourshine by pcj](brand)",
]


@pytest.fixture(scope="module")
def text_encoder() -> TextEncoder:
    return TextEncoder(default_encoder_dir() / "tokenizer.json", 64)


def test_gold_spans_survive_word_tagging_and_decoding(text_encoder: TextEncoder) -> None:
    """Tags sit on each word's first piece and decode back to the exact spans, also for
    words the vocabulary cuts into pieces (bedsheet, an order number, an unseen brand)."""
    examples = [Example(text, "x", tuple(spans)) for text, spans in map(parse_markup, MARKED)]
    _, tags = label_vocab(examples)
    batch = text_encoder.encode([e.text for e in examples])
    labels = align_tags(examples, batch, {t: i for i, t in enumerate(tags)})
    assert sum(w.last > w.first for words in batch.words for w in words) >= 3  # words cut into pieces
    for row, example in enumerate(examples):
        words = batch.words[row]
        firsts = {w.first for w in words}
        assert all((labels[row, c] != IGNORE) == (c in firsts) for c in range(labels.shape[1]))
        ids = [int(labels[row, w.first]) for w in words]
        found = decode_entities(example.text, words, ids, [1.0] * len(ids), tags)
        assert [(e["start"], e["end"], e["entity"]) for e in found] == [
            (s.start, s.end, s.entity) for s in example.spans
        ]


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("anything under $1,299.99?", "$1,299.99"),
        ("size 9.5 please", "9.5"),
        ("where is order A-1001", "A-1001"),
        ("Levi's jeans", "Levi's"),
        ("jeans 32x34", "32x34"),
        ("80€ max", "80€"),
        ("a blue t-shirt", "t-shirt"),
    ],
)
def test_a_shopper_token_is_one_word(text_encoder: TextEncoder, text: str, token: str) -> None:
    """Prices with signs, decimals, dashed ids, apostrophes and dimension pairs are one tagged
    word, so no tag in their middle can cut them (the pre-tokenizer splits each at its marks)."""
    words = text_encoder.encode([text]).words[0]
    spans = [text[w.start : w.end] for w in words]
    assert token in spans
    assert all(" " not in span for span in spans)


def test_spaces_and_sentence_marks_still_end_words(text_encoder: TextEncoder) -> None:
    text = "e.g. shoes,boots under $80-$100, 27 inch"
    words = [text[w.start : w.end] for w in text_encoder.encode([text]).words[0]]
    assert words == ["e", ".", "g", ".", "shoes", ",", "boots", "under", "$80", "-", "$100", ",", "27", "inch"]


def test_lookup_phrases_split_as_messages_are(text_encoder: TextEncoder) -> None:
    """A lookup phrase is cut into the same words as a message, so "Levi's" matches."""
    gazetteer = Gazetteer({"brand": ["Levi's", "小米"]})
    for text in ["levi's jeans", "小米手机"]:
        batch = text_encoder.encode([text])
        features = lookup_features([text], batch, gazetteer)
        assert features[0, batch.words[0][0].first, 0] == 1.0


def test_gazetteer_marks_the_longest_phrase_of_each_table() -> None:
    gazetteer = Gazetteer({"color": ["blue", "navy blue"], "brand": ["Mast & Harbour", "blue"], "size": []})
    assert gazetteer.names == ["brand", "color"] and gazetteer.width == 4
    words = ["Navy", "blue", "jeans", "by", "mast", "&", "harbour"]
    features = gazetteer.word_features(words)
    # columns: B-brand, I-brand, B-color, I-color
    assert features[:, 2].tolist() == [1, 0, 0, 0, 0, 0, 0]  # "navy blue" is one colour, not "blue"
    assert features[:, 3].tolist() == [0, 1, 0, 0, 0, 0, 0]
    assert features[:, 0].tolist() == [0, 1, 0, 0, 1, 0, 0]  # brand "blue" too: tables are independent
    assert features[:, 1].tolist() == [0, 0, 0, 0, 0, 1, 1]


def test_lookup_features_cover_every_piece_of_a_word(text_encoder: TextEncoder) -> None:
    texts = ["any dressberry sneakers?"]
    batch = text_encoder.encode(texts)
    features = lookup_features(texts, batch, Gazetteer({"brand": ["dressberry"]}))
    [brand] = [w for w in batch.words[0] if texts[0][w.start : w.end] == "dressberry"]
    assert brand.last > brand.first
    assert features[0, brand.first : brand.last + 1, 0].tolist() == [1.0] * (brand.last - brand.first + 1)
    assert features[0].sum() == brand.last - brand.first + 1


def test_viterbi_never_opens_an_entity_with_an_inside_tag() -> None:
    tags = ["O", "B-product", "I-product", "B-color", "I-color"]
    crf = CRF(tags)
    emissions = np.array([[0.0, 0.0, 5.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 5.0], [0.0, 0.0, 5.0, 0.0, 0.0]])
    path = [tags[i] for i in viterbi(emissions, crf.scores())]
    allowed = allowed_transitions(tags)
    assert not path[0].startswith("I-")
    assert all(allowed[tags.index(a), tags.index(b)] for a, b in itertools.pairwise(path))


def test_crf_likelihood_matches_brute_force_enumeration() -> None:
    tags = ["O", "B-x", "I-x"]
    torch.manual_seed(0)
    crf = CRF(tags)
    with torch.no_grad():
        for p in crf.parameters():
            p.normal_()
    emissions = torch.randn(2, 4, 3)
    gold = torch.tensor([[1, 2, 0, 0], [0, 1, 2, 0]])
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]], dtype=torch.bool)
    scores = crf.scores()
    trans, start, end = (np.array(scores[k]) for k in ("transitions", "start", "end"))

    def path_score(row: int, path: tuple) -> float:
        e = emissions[row].numpy()
        total = start[path[0]] + e[0, path[0]] + end[path[-1]]
        return float(total + sum(trans[a, b] + e[i + 1, b] for i, (a, b) in enumerate(itertools.pairwise(path))))

    expected = []
    for row in range(2):
        n = int(mask[row].sum())
        log_z = np.logaddexp.reduce([path_score(row, p) for p in itertools.product(range(3), repeat=n)])
        expected.append(log_z - path_score(row, tuple(gold[row, :n].tolist())))
    assert crf.nll(emissions, gold, mask).item() == pytest.approx(float(np.mean(expected)), abs=1e-3)


def test_entity_f1_does_not_score_the_derived_price_bounds() -> None:
    text, spans = parse_markup("[red](color) shoes [under 50](price)")
    gold = [Example(text, "search_product", tuple(spans))]
    found = [
        {"entity": "color", "start": 0, "end": 3},
        {"entity": "price", "start": 10, "end": 18},
        {"entity": "price_max", "start": 10, "end": 18, "value": 50.0},
    ]
    assert entity_f1(gold, [found]) == 1.0
    assert entity_f1(gold, [found[:1]]) == pytest.approx(2 / 3)
    assert entity_f1_by_type(gold, [found[:1]]) == {"color": 1.0, "price": 0.0}


def test_a_brand_only_the_lookup_table_knows_is_found(tiny_examples, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Brands seen in no training message are tagged because the lookup table lists them."""
    from nlu_models.io import save_trained

    args = tiny_args(epochs=8)
    trainer = Trainer(args)
    more = [
        Example(text, "search_product", (Span(4, 4 + len(brand), "brand", brand),))
        for brand, text in (("nike", "any nike socks"), ("adidas", "any adidas caps"), ("puma", "any puma bags"))
    ]
    tables = {**read_lookups(HERE / "tiny_nlu.yml"), "brand": ["nike", "adidas", "puma", "zara", "furst"]}
    result = trainer.train(tiny_examples + more, validation=tiny_examples + more, lookups=tables)
    save_trained(result, args, trainer.encoder_dir, tmp_path)
    [p] = Predictor(tmp_path, {}).predict(["any furst socks"])
    assert [(e["entity"], e["value"]) for e in p.entities if e["entity"] == "brand"] == [("brand", "furst")]


def test_lookup_substitution_swaps_values_and_moves_the_spans() -> None:
    text, spans = parse_markup("any [nike](brand) [running shoes](product) in [red](color)?")
    example = Example(text, "search_product", tuple(spans))
    tables = {"brand": ["mast & harbour"], "color": ["navy blue"]}
    swapped = substitute_values(example, tables, random.Random(0), rate=1.0)
    assert swapped.text == "any mast & harbour running shoes in navy blue?"
    assert [swapped.text[s.start : s.end] for s in swapped.spans] == ["mast & harbour", "running shoes", "navy blue"]
    assert [s.entity for s in swapped.spans] == ["brand", "product", "color"]
    assert substitute_values(example, tables, random.Random(0), rate=0.0) == example
