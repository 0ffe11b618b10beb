"""How answers are matched and questions scored: fair to every system, blind to nothing but gold.

Matching is case- and punctuation-insensitive on word boundaries ("4" matches "4 astronauts", never
"14", "2024" or "17.4%"); a number written as a word counts as its digits, on both sides alike. An
answer's citation markers ("[1]") are pointers, not words: the choice "1" isn't named by them.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter

_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                      "eighty": "80", "ninety": "90", "hundred": "100"})


# A quiz's "$787.5m" is an article's "$787.5 million". Only after a currency sign or a decimal number
# ("5.3m" people): "100m" and "1,500m" are races, "K2-18b" a planet.
_MAGNITUDES = {"m": "million", "mn": "million", "bn": "billion", "b": "billion", "tn": "trillion", "trn": "trillion"}
_MAGNITUDE = re.compile(r"((?:[$£€]\s?\d+(?:\.\d+)?)|(?<![\w.])\d+\.\d+)(mn|m|bn|b|trn|tn)\b")


def normalize(text: str) -> str:
    """Lower case, accents and punctuation folded to spaces, number words to digits, one space between words."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 → 1000
    text = _MAGNITUDE.sub(lambda m: f"{m[1]} {_MAGNITUDES[m[2]]}", text)  # $787.5m → $787.5 million
    text = re.sub(r"(?<=\d)\.(?=\d)", "point", text)  # 17.5 one word, which "5" doesn't match
    # A name's possessive names it: "Yoon Suk Yeol’s official state visit" names "Yoon Suk Yeol", which
    # "yeols" never matched: 4 of the 622 development answers named the right choice only so ("Sweden’s
    # Loreen won …", "Leo Messi’s arrival …") and were scored as naming none (`runs/eval-dev-s53` rescored,
    # `runs/exp/rescore.py`: choice accuracy 0.6527 → 0.6592, no answer scored right became wrong).
    text = re.sub(r"(?<=[^\W\d_])['’`]s\b", "", text)
    text = re.sub(r"['’`]", "", text)  # didn’t → didnt, on both sides
    tokens = re.findall(r"[^\W_]+", text)
    return " ".join(_NUMBER_WORDS.get(t, t) for t in tokens)


def contains(haystack: str, needle: str) -> bool:
    """`needle` occurs in `haystack` as whole words (after normalisation)."""
    n = normalize(needle)
    return bool(n) and f" {n} " in f" {normalize(haystack)} "


def names_any(text: str, answers: list[str]) -> bool:
    return any(contains(text, a) for a in answers)


def choice_correct(text: str, answers: list[str], choices: list[str]) -> bool:
    """The text names a correct choice and no other choice."""
    wrong = [c for c in choices if normalize(c) not in {normalize(a) for a in answers}]
    return names_any(text, answers) and not any(contains(text, c) for c in wrong)


def token_f1(predicted: str, gold: str) -> float:
    """SQuAD's token F1 on normalised words."""
    p, g = normalize(predicted).split(), normalize(gold).split()
    common = sum((Counter(p) & Counter(g)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def short_answer_metrics(question: dict, short: dict | None, candidates: list[dict]) -> dict:
    """The short answer against the accepted answers: exact match and token F1 (0 when none was given),
    and for multiple-choice questions whether the choice closest to it (token F1) is a right one. The
    reader's top candidate, shown or not, is what its confidence is about (`top_candidate_right`)."""
    answers = question.get("answers") or []
    text = short["text"] if short else ""
    metrics = {"short_answer_shown": float(bool(short)),
               "short_exact": float(bool(text) and any(normalize(text) == normalize(a) for a in answers)),
               "short_f1": max((token_f1(text, a) for a in answers), default=0.0) if text else 0.0}
    if question.get("choices"):
        scores = [(token_f1(text, c), c) for c in question["choices"]] if text else []
        best = max(scores, default=(0.0, None))
        unique = sum(s == best[0] for s, _ in scores) == 1
        metrics["closest_choice_accuracy"] = float(best[0] > 0 and unique and
                                                   normalize(best[1]) in {normalize(a) for a in answers})
    if candidates:
        metrics["top_candidate_right"] = float(max(token_f1(candidates[0]["text"], a) for a in answers) >= 0.5)
    return metrics


def expected_calibration_error(probabilities: list[float], correct: list[float], bins: int = 10) -> float | None:
    """Mean |confidence − accuracy| over equal-width confidence bins, weighted by their sizes."""
    if not probabilities:
        return None
    groups: dict[int, list[tuple[float, float]]] = {}
    for p, c in zip(probabilities, correct):
        groups.setdefault(min(int(p * bins), bins - 1), []).append((p, c))
    return round(sum(abs(sum(p for p, _ in g) - sum(c for _, c in g)) for g in groups.values()) / len(probabilities), 4)


def ranked_docs(passages: list[dict]) -> list[str]:
    """Documents in the order their best passage ranks."""
    return list(dict.fromkeys(p["doc_id"] for p in passages))


def retrieval_metrics(docs: list[str], relevant: set[str], gold: set[str], k: int) -> dict:
    first = next((i for i, d in enumerate(docs[:10]) if d in relevant), None)
    first_k = next((i for i, d in enumerate(docs[:k]) if d in relevant), None)
    return {
        "doc_hit@1": float(bool(docs[:1]) and docs[0] in relevant),
        f"doc_hit@{k}": float(first_k is not None),
        f"mrr@{k}": 1.0 / (first_k + 1) if first_k is not None else 0.0,
        "mrr@10": 1.0 / (first + 1) if first is not None else 0.0,
        f"recall@{k}": len(relevant & set(docs[:k])) / len(relevant),
        "gold_note_hit@5": float(bool(gold & set(docs[:5]))),
    }


_MARKER = re.compile(r"\s*\[\d+\]")


def without_markers(answer_text: str) -> str:
    """The answer's words, its citation markers left out."""
    return _MARKER.sub("", answer_text)


def answer_metrics(question: dict, answer_text: str, citations: list[dict], abstained: bool,
                   relevant: set[str]) -> dict:
    answers = question.get("answers") or []
    answer_text = without_markers(answer_text)
    metrics = {
        "answer_in_answer": float(not abstained and names_any(answer_text, answers)),
        "answer_in_citations": float(not abstained and any(contains(c["quote"], a)
                                                           for c in citations for a in answers)),
        "answer_words": len(answer_text.split()),
    }
    if citations:
        metrics["citation_precision"] = sum(c["doc_id"] in relevant for c in citations) / len(citations)
    gold = set(question.get("gold_doc_ids") or [])
    if len(gold) > 1:
        metrics["cites_every_gold"] = float(gold <= {c["doc_id"] for c in citations})
    if question.get("choices"):
        metrics["choice_accuracy"] = float(not abstained and choice_correct(answer_text, answers, question["choices"]))
    return metrics


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 1)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
