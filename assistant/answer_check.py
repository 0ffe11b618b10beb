"""Whether the passages answer, with an LLM's reading beside the reader's: LLM mode asks the LLM whether
the sentence holding the reader's best candidate answers the question, alone and with its neighbours (one
token of reply each, `llm.answers_odds`), and weighs the mean yes/no log-odds with the reader's confidence;
below a threshold it abstains. Every input of the reader's own sits on one curve of abstention against
false abstention (`docs/reading-log.md`); an instruct model reading the sentence moves it, a little for a
1.5B one: on 8 random week→fold splits of the development set, withheld questions abstained on 0.665 →
0.683 at false abstention 0.101 → 0.102 (*The second stop of 2026-12-04*). The weights are a small JSON
file beside this module, written by `assistant train-check` for the LLM it names: another LLM reads yes
and no with other odds, so a check is used only with its own.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from assistant import llm
from assistant.articles import Article
from assistant.passages import sentence_spans
from assistant.settings import Settings, SettingsError

MODEL_PATH = Path(__file__).with_name("answer_check.json")

# Which reading of the evidence (`evidence`, `read`) a check and the LLM replies kept for fitting one were
# made with: their odds are not comparable across readings. 1: the sentence alone; 2: the mean of the
# sentence and the sentence with its neighbours.
READING = 2


# How much of a GGUF file its fingerprint reads besides its size: the header, which names the model and
# its quantisation, and the first tensors.
FINGERPRINT_BYTES = 4 << 20


@lru_cache(maxsize=4)
def load_model(path: str = "") -> dict:
    """The combination's weights and thresholds (`MODEL_PATH` unless `path`)."""
    try:
        model = json.loads(Path(path or MODEL_PATH).read_text(encoding="utf-8"))
        model["weights"], model["below"], model["below_undated"]  # noqa: B018 (all three must be there)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SettingsError(f"can't read the answer check {path or MODEL_PATH} ({exc}); give ASSISTANT_LLM_CHECK "
                            "a file `assistant train-check` wrote, or off") from None
    if model.get("reading", 1) != READING:
        raise SettingsError(f"the answer check {path or MODEL_PATH} was fitted on another reading of the passages "
                            f"(reading {model.get('reading', 1)}, this version reads {READING}); fit it again with "
                            "assistant train-check, or set ASSISTANT_LLM_CHECK=off")
    return model


def model_for(settings: Settings) -> dict | None:
    """The check LLM mode makes with this LLM: the file `llm_check` names ("off": none); else the packaged
    one when it was fitted for the GGUF file being run; else none, since another LLM reads yes and no with
    other odds (`assistant train-check` fits one for it)."""
    if settings.llm_check == "off":
        return None
    if settings.llm_check:
        return load_model(settings.llm_check)
    model = load_model()
    return model if settings.llm_gguf and fingerprint(settings.llm_gguf) == model["fitted_for"]["fingerprint"] else None


@lru_cache(maxsize=4)
def fingerprint(path: str) -> str:
    """A GGUF file's size and the sha256 of its first `FINGERPRINT_BYTES`: hashing a whole model file
    takes seconds, and the header already tells models and quantisations apart."""
    with open(path, "rb") as f:
        head = f.read(FINGERPRINT_BYTES)
    return f"{Path(path).stat().st_size}:{hashlib.sha256(head).hexdigest()}"


def evidence(candidates: list[dict], first_quote: str | None, article: Callable[[str], Article]) -> list[str]:
    """What the LLM is asked about: the article's sentence that holds the reader's most probable candidate,
    and that sentence with the one before and after it (where there are any); else the answer's first
    quote; nothing when there is neither. The sentence alone misses what its neighbours say ("the company",
    "the final"): read as the mean of the two, the 1.5B model told asked from withheld questions better on
    the 1,107 development answers the choice wasn't made on (AUC 0.704 → 0.723; chosen on 200 others, 0.793
    → 0.800; *The second stop of 2026-12-04*)."""
    if candidates:
        best = max(candidates, key=lambda c: c["probability"])
        text = article(best["doc_id"]).text
        spans = sentence_spans(text)
        for i, span in enumerate(spans):
            if span.start <= best["start"] < span.end:
                sentence = text[span.start:max(span.end, best["end"])]
                around = text[spans[max(i - 1, 0)].start:max(spans[min(i + 1, len(spans) - 1)].end, best["end"])]
                return [sentence] + [around] * (around != sentence)
    return [first_quote] if first_quote else []


def read(settings: Settings, question: str, texts: list[str]) -> float | None:
    """The LLM's yes/no log-odds that `texts` (`evidence`) answer the question, averaged over them; None
    when there is nothing to read or the server gives no token probabilities."""
    odds = []
    for text in texts:
        if (reading := llm.answers_odds(settings, question, text)) is None:
            return None  # a server without token probabilities gives none for the next text either
        odds.append(reading)
    return sum(odds) / len(odds) if odds else None


def logit(confidence: float) -> float:
    """The reader's confidence as log-odds, kept within ±9 (a rounded 0 or 1 would be infinite)."""
    p = min(max(confidence, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def combined(confidence: float, odds: float, model: dict) -> float:
    """P(the passages answer) from the reader's `confidence` and the LLM's yes/no log-odds."""
    intercept, reader_weight, llm_weight = model["weights"]
    return 1 / (1 + math.exp(-(intercept + reader_weight * logit(confidence) + llm_weight * odds)))


def threshold(dated: bool, model: dict) -> float:
    """Below this `combined` probability LLM mode abstains: chosen, as the reader's are, for at most a tenth
    of answerable questions abstained on, for questions asked on a day and for those asked without one."""
    return model["below"] if dated else model["below_undated"]
