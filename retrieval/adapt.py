"""Adapt the dense encoder to one shop's catalog, with no labelled queries.

all-MiniLM-L6-v2 was trained on general sentence pairs; a shop's titles are dense with
brand names, sizes and part words it has rarely seen side by side. Here it is fine-tuned on
the catalog alone: each product gives a pseudo-query (a short span of its own title, the
way shoppers type: a few words, lower case, sometimes the last words that name the thing)
paired with the product's search text, and a contrastive loss with in-batch negatives
(multiple-negatives ranking, as sentence-transformers trains MiniLM) pulls each pseudo-query
to its product and away from the others in the batch. This is "cropping" self-supervision
(Contriever, Izacard et al. 2022) restricted to titles. It never sees a real query or a
judgment, so the relevance benchmarks stay clean.

Needs torch and transformers (the ingest/offline side); serving runs the exported ONNX.
Run: `shoptalk adapt-encoder CATALOG_FILE` (then `ENCODER_MODEL_DIR=<its output>`), or
`ensure_adapted(products, cache_dir, AdaptArguments())` (keyed by catalog and arguments, so
an unchanged catalog is not trained twice). bench/retrieval_bench.py measures frozen and
adapted side by side.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from retrieval.product import Product

log = logging.getLogger(__name__)
_WORD = re.compile(r"[^\s,;:()\[\]|/]+")


@dataclass(frozen=True)
class AdaptArguments:
    """How the catalog adaptation trains.

    Attributes:
        epochs: Passes over the catalog (one pseudo-query per product per pass).
        batch_size: Pairs per step; the other products in a batch are the negatives, so
            larger batches give harder negatives.
        learning_rate: AdamW peak learning rate (linear warm-up, then linear decay).
        warmup_fraction: Fraction of the steps spent warming up.
        scale: Similarity scale of the contrastive loss (sentence-transformers uses 20).
        max_query_words: Longest pseudo-query, in words.
        max_doc_tokens: Product text is truncated to this many tokens while training.
        max_products: Train on at most this many products (a seeded sample), None: all.
        seed: Seed for sampling, batching and initialisation (the run is deterministic).
        threads: Torch threads (None: torch's default); not part of the model's identity.
    """

    epochs: int = 1
    batch_size: int = 64
    learning_rate: float = 3e-5
    warmup_fraction: float = 0.1
    scale: float = 20.0
    max_query_words: int = 4
    max_doc_tokens: int = 96
    max_products: int | None = 30_000
    seed: int = 13
    threads: int | None = None


def pseudo_query(title: str, rng: random.Random, max_words: int) -> str | None:
    """Return a shopper-like span of a title (None when the title has no words)."""
    words = [w.strip(".-'\"").lower() for w in _WORD.findall(title)]
    words = [w for w in words if w]
    if not words:
        return None
    lengths = [n for n in (1, 2, 2, 3, 3, 4) if n <= max_words] or [1]
    length = min(len(words), rng.choice(lengths))
    # Titles name the thing last ("... Cordless Drill"), so 40% of spans end the title.
    start = len(words) - length if rng.random() < 0.4 else rng.randrange(0, len(words) - length + 1)
    return " ".join(words[start : start + length])


def training_pairs(products: Sequence[Product], args: AdaptArguments, epoch: int) -> list[tuple[str, str]]:
    """Return (pseudo-query, product text) pairs for one epoch, shuffled, seeded."""
    rng = random.Random(args.seed * 1000 + epoch)
    pool = list(products)
    if args.max_products is not None and len(pool) > args.max_products:
        pool = random.Random(args.seed).sample(pool, args.max_products)
    pairs = []
    for product in pool:
        query = pseudo_query(product.title, rng, args.max_query_words)
        if query:
            pairs.append((query, product.search_text()))
    rng.shuffle(pairs)
    return pairs


def adapt(products: Sequence[Product], out_dir: Path, args: AdaptArguments) -> Path:
    """Fine-tune the packaged MiniLM on the catalog; write a transformers model folder to `out_dir`."""
    import torch
    from tqdm import tqdm
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    from retrieval.encoders.minilm_onnx import model_dir, sentence_embedding

    if len(products) < 2:
        raise ValueError(f"adapting needs at least 2 products, got {len(products)}")
    src = model_dir()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    if args.threads:
        torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(str(src))
    model = AutoModel.from_pretrained(str(src))
    model.train()

    def embed(texts: list[str], max_length: int) -> torch.Tensor:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        return sentence_embedding(model(**batch)[0], batch["attention_mask"])

    per_epoch = -(-len(training_pairs(products, args, 0)) // args.batch_size)
    steps = per_epoch * args.epochs
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, int(steps * args.warmup_fraction), steps)
    started, losses = time.perf_counter(), []
    with tqdm(total=steps, desc="adapting the encoder to the catalog", unit="step") as bar:
        for epoch in range(args.epochs):
            pairs = training_pairs(products, args, epoch)
            for start in range(0, len(pairs), args.batch_size):
                chunk = pairs[start : start + args.batch_size]
                if len(chunk) < 2:
                    bar.update(1)
                    continue
                queries = embed([q for q, _ in chunk], 32)
                docs = embed([d for _, d in chunk], args.max_doc_tokens)
                logits = queries @ docs.T * args.scale
                loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(chunk)))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                losses.append(float(loss.detach()))
                bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
                bar.update(1)
    report = {
        "products": len(products),
        "steps": steps,
        "first_loss": losses[0] if losses else None,
        "last_loss": sum(losses[-20:]) / max(1, len(losses[-20:])),
        "seconds": time.perf_counter() - started,
        "arguments": asdict(args),
    }
    _save(model, tokenizer, src, out_dir, report)
    log.info("retrieval.adapt.done steps=%d seconds=%.0f", steps, report["seconds"])
    return out_dir


def _save(model: Any, tokenizer: Any, src: Path, out_dir: Path, report: dict[str, Any]) -> None:
    """Write the adapted model, its tokenizer and the training report to `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    if (src / "tokenizer.json").exists() and not (out_dir / "tokenizer.json").exists():
        shutil.copy(src / "tokenizer.json", out_dir / "tokenizer.json")
    (out_dir / "adaptation.json").write_text(json.dumps(report, indent=2))


def adaptation_key(products: Sequence[Product], args: AdaptArguments) -> str:
    """Return a short hash of what decides the adapted weights: base weights, catalog texts
    and the training arguments (threads excluded)."""
    from retrieval.encoders.minilm_onnx import weights_fingerprint

    digest = hashlib.sha256(weights_fingerprint().encode())
    settings = {k: v for k, v in asdict(args).items() if k != "threads"}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for product in products:
        digest.update(f"{product.id}\x00{product.title}\x00{product.search_text()}\x01".encode())
    return digest.hexdigest()[:16]


def ensure_adapted(products: Sequence[Product], cache_dir: Path, args: AdaptArguments) -> Path:
    """Return the folder of the catalog-adapted model, training it first when missing.

    Trained into a temporary folder and renamed when complete, so a killed run leaves no
    half-written model that a later run would take for finished.
    """
    out = cache_dir / f"minilm-adapted-{adaptation_key(products, args)}"
    if (out / "adaptation.json").exists():
        log.info("retrieval.adapt.reuse path=%s", out)
        return out
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    adapt(products, tmp, args)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return out
