"""Chinese entities: a linear-chain CRF over units (python-crfsuite, which Rasa's own
CRFEntityExtractor uses), with character, n-gram, jieba-word and lookup-table features.

Labels are BIO over `zh_text.units`. Lookup tables (brands, colours, categories in Chinese
and Latin script) mark where a table's phrase starts and continues, so a brand no example
names is still found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from nlu_models.data import Example
from nlu_models.lookups import Gazetteer
from nlu_models.zh_text import segment, unit_kind, units

CRF_FILE = "zh_entities.crfsuite"
Features = List[List[str]]


def _word_places(text: str, spans: Sequence[Tuple[str, int, int]]) -> List[Tuple[str, str]]:
    """Return, per unit, jieba's word that holds it and the unit's place in it (B/M/E/S)."""
    words = segment(text)
    places = []
    for _, start, end in spans:
        word, place = "", "S"
        for w, ws, we in words:
            if ws <= start < we:
                word = w
                place = "S" if (ws == start and we <= end) else "B" if ws == start else "E" if we <= end else "M"
                break
        places.append((word.strip().lower(), place))
    return places


def features(text: str, gazetteer: Gazetteer) -> Features:
    """Return the CRF features of each unit of the text."""
    spans = units(text)
    toks = [u.lower() for u, _, _ in spans]
    kinds = [unit_kind(u) for u, _, _ in spans]
    places = _word_places(text, spans)
    lookup = gazetteer.word_features(toks) if gazetteer.width else None
    out: Features = []
    for i, tok in enumerate(toks):
        f = [f"u={tok}", f"k={kinds[i]}", f"w={places[i][0][:6]}", f"p={places[i][1]}", f"kp={kinds[i]}|{places[i][1]}"]
        for d in (-2, -1, 1, 2):
            j = i + d
            f.append(f"u{d}={toks[j]}" if 0 <= j < len(toks) else f"u{d}=<>")
            f.append(f"k{d}={kinds[j]}" if 0 <= j < len(toks) else f"k{d}=<>")
        if i > 0:
            f.append(f"b-1={toks[i - 1]}{tok}")
        if i + 1 < len(toks):
            f.append(f"b+1={tok}{toks[i + 1]}")
        if lookup is not None:
            f.extend(f"lk={gazetteer.names[t // 2]}{'BI'[t % 2]}" for t in lookup[i].nonzero()[0])
        out.append(f)
    return out


def labels(example: Example) -> List[str]:
    """Return the BIO label of each unit of an annotated example."""
    tags: List[str] = []
    for _, start, end in units(example.text):
        tag = "O"
        for span in example.spans:
            if span.start <= start and end <= span.end:
                tag = (
                    "B-" if start == span.start or not tags or not tags[-1].endswith(span.entity) else "I-"
                ) + span.entity
                break
        tags.append(tag)
    return tags


def train_crf(
    examples: Sequence[Example], gazetteer: Gazetteer, folder: Path, c1: float = 0.05, c2: float = 0.05
) -> Path:
    """Train the CRF on the examples and write it into the folder."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for example in examples:
        trainer.append(features(example.text, gazetteer), labels(example))
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": 150, "feature.possible_transitions": True})
    path = Path(folder) / CRF_FILE
    trainer.train(str(path))
    return path


class ChineseEntities:
    """Tags a message's units with the trained CRF and returns Rasa-style entities."""

    def __init__(self, path: Path, gazetteer: Gazetteer) -> None:
        import pycrfsuite

        self.gazetteer = gazetteer
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(path))

    def extract(self, text: str) -> List[Dict]:
        spans = units(text)
        if not spans:
            return []
        tags = self.tagger.tag(features(text, self.gazetteer))
        marginals = [self.tagger.marginal(tag, i) for i, tag in enumerate(tags)]
        found: List[Dict] = []
        for i, tag in enumerate(tags):
            if tag == "O":
                continue
            kind, entity = tag.split("-", 1)
            if kind == "B" or not found or found[-1]["entity"] != entity or found[-1]["_last"] != i - 1:
                found.append(
                    {"entity": entity, "start": spans[i][1], "end": spans[i][2], "_last": i, "_conf": [marginals[i]]}
                )
            else:
                found[-1].update(end=spans[i][2], _last=i)
                found[-1]["_conf"].append(marginals[i])
        return [
            {
                "entity": e["entity"],
                "start": e["start"],
                "end": e["end"],
                "value": text[e["start"] : e["end"]],
                "confidence_entity": float(min(e["_conf"])),
            }
            for e in found
        ]
