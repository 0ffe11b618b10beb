"""How answers are matched and questions scored: fair to every system, blind to nothing but gold.

Matching is case- and punctuation-insensitive on word boundaries ("4" matches "4 astronauts", never
"14" or "2024"); a number written as a word counts as its digits, on both sides alike.
"""

from __future__ import annotations

import re
import statistics
import unicodedata

_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                      "eighty": "80", "ninety": "90", "hundred": "100"})


def normalize(text: str) -> str:
    """Lower case, accents and punctuation folded to spaces, number words to digits, one space between words."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 → 1000
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


def answer_metrics(question: dict, answer_text: str, citations: list[dict], abstained: bool,
                   relevant: set[str]) -> dict:
    answers = question.get("answers") or []
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
