"""Generate realistic listings for benchmarks and large-input tests.

Titles of about 10 words and abstracts of about 180 words, in the layout of the
Hugging Face papers page, from a seeded RNG. Words follow a Zipf distribution
over a 30,000-word vocabulary (a hundred real ML words at the head, made-up
words in the tail), as in real text: a search word matches a realistic share
of papers, not most of them.
"""

from __future__ import annotations

import random
from pathlib import Path

_WORDS = (
    "learning model models neural network networks deep language large training data "
    "attention transformer transformers diffusion graph reinforcement policy agent agents "
    "benchmark evaluation robust efficient sparse dense representation representations "
    "self-supervised contrastive generative retrieval reasoning alignment scaling laws "
    "vision image video speech audio multimodal optimization gradient descent stochastic "
    "convergence theory analysis method approach framework task tasks performance accuracy "
    "state-of-the-art results experiments dataset datasets zero-shot few-shot fine-tuning "
    "pretraining inference latency memory compute hardware kernel quantization pruning "
    "distillation uncertainty calibration causal counterfactual interpretability safety "
    "privacy federated continual meta adaptation domain shift generalization token tokens"
).split()
_SMALL = "we propose show that the of and in for a to with on by is are this our".split()


def _title(rng: random.Random, i: int) -> str:
    count = rng.randint(7, 12)
    words = [
        w.capitalize()
        for w in rng.choices(VOCABULARY[len(_SMALL) :], cum_weights=None, k=count // 2)
    ]
    words += [w.capitalize() for w in rng.choices(_WORDS, k=count - count // 2)]
    rng.shuffle(words)
    words.insert(rng.randint(1, len(words) - 1), "for")
    # A serial keeps every title distinct, as real listings are.
    return f"{' '.join(words)} {i}"


_SYLLABLES = "ba ko ri tem nal sor vex lum qui dra fen pol zar mic ton gel hup syn ark ide".split()


def _made_up(i: int) -> str:
    out = []
    while True:
        out.append(_SYLLABLES[i % len(_SYLLABLES)])
        i //= len(_SYLLABLES)
        if i == 0:
            break
    return "".join(out) + "ic"


VOCABULARY = _SMALL + _WORDS + [_made_up(i) for i in range(30_000 - len(_SMALL) - len(_WORDS))]
_CUM: list[float] = []
_total = 0.0
for _rank in range(1, len(VOCABULARY) + 1):
    _total += 1.0 / _rank**1.07
    _CUM.append(_total)


def _abstract(rng: random.Random, words: int) -> str:
    drawn = rng.choices(VOCABULARY, cum_weights=_CUM, k=words)
    sentences = []
    start = 0
    while start < words:
        end = min(words, start + rng.randint(12, 25))
        chunk = drawn[start:end]
        sentences.append(chunk[0].capitalize() + " " + " ".join(chunk[1:]) + ".")
        start = end
    return " ".join(sentences)


def listing_text(n: int, abstract_words: int = 180, seed: int = 1) -> str:
    rng = random.Random(seed)
    parts = ["Daily Papers", "", "Subscribe", ""]
    for i in range(n):
        parts.append(_title(rng, i))
        parts.append("")
        parts.append(_abstract(rng, abstract_words))
        parts.append("")
    return "\n".join(parts)


def write_listing(path: Path, n: int, abstract_words: int = 180, seed: int = 1) -> Path:
    path.write_text(listing_text(n, abstract_words, seed), encoding="utf-8")
    return path
