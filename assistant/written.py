"""An answer written by an LLM from the retrieved passages, shown only as far as the passages bear it out.

Retrieval and the extractive answer come first (the same `Assistant.ask`); the LLM then reads the best
passages and its reply streams out as it arrives. The reply is checked sentence by sentence (`verify`):
a sentence no span of its cited passages states is dropped (or kept, marked, when asked for). When the LLM
fails or nothing it wrote checks out, the extractive answer is shown with a one-line notice.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import date

from assistant import llm, prompts, verify
from assistant.answer import Answer, Assistant, Citation
from assistant.speakers import QUOTE, REPORTED, voice_in, voices

# How a reply that declines starts (the system prompt asks for exactly this).
DECLINED = "the articles don't say"


def stream_answer(assistant: Assistant, question: str, asked_on: date | None = None,
                  exclude: frozenset[str] = frozenset(), within: frozenset[str] = frozenset(),
                  show_unverified: bool = False) -> Iterator[str | Answer]:
    """Pieces of the LLM's reply (str) as they arrive, then the checked `Answer`."""
    extractive = assistant.ask(question, asked_on, exclude, within)
    settings = assistant.settings
    shown = extractive.passages[: settings.llm_passages]
    passages = [p for p in shown if not llm.withheld(p["text"])]
    if not passages:
        yield _fallback(extractive, "no passage could be given to the LLM")
        return
    started, draft = time.perf_counter(), ""
    try:
        for piece in llm.stream(settings, extractive.question, passages):
            draft += piece
            yield piece
    except llm.LLMError as exc:
        yield _fallback(extractive, str(exc))
        return
    answer = checked(assistant, extractive, draft, passages, show_unverified)
    answer.timings_ms = {**extractive.timings_ms, "llm_ms": round((time.perf_counter() - started) * 1000, 1)}
    answer.timings_ms["total_ms"] = round(extractive.timings_ms.get("total_ms", 0) + answer.timings_ms["llm_ms"], 1)
    if len(passages) < len(shown):
        answer.notice = " ".join(filter(None, [answer.notice, f"{len(shown) - len(passages)} passage(s) that address "
                                               "a model were withheld from the LLM."]))
    yield answer


def ask(assistant: Assistant, question: str, **options) -> Answer:
    """The checked answer alone, for the CLI and the eval."""
    return [piece for piece in stream_answer(assistant, question, **options)][-1]


def checked(assistant: Assistant, extractive: Answer, draft: str, passages: list[dict],
            show_unverified: bool = False) -> Answer:
    """The LLM's `draft` as an `Answer`: verified sentences with citations narrowed to the stating span."""
    if " ".join(draft.split()).lower().replace("’", "'").startswith(DECLINED):
        return dataclasses.replace(extractive, answer=prompts.render("abstain"), abstained=True, citations=[],
                                   by_article=[], mode="llm", sentences=[])
    results = verify.check(draft, passages, extractive.question)
    voice_of = _reader(assistant)
    for result in results:
        _check_attribution(result, passages, voice_of)
    kept = [r for r in results if r.verified]
    if not kept:
        fallback = _fallback(extractive, f"no sentence the LLM wrote ({len(results)} in all) is stated by the passage it cites")
        fallback.sentences = [_row(r, []) for r in results]
        return fallback
    citations, numbers = [], {}
    lines, sentences = [], []
    for result in results:
        ns = [_number(s, passages[s.n - 1], citations, numbers, voice_of) for s in result.support] if result.verified else []
        sentences.append(_row(result, ns))
        if result.verified or show_unverified:
            lines.append(result.text.rstrip(".") + ("".join(f" [{n}]" for n in ns) or " (unverified)") + ".")
    dropped = len(results) - len(kept)
    notice = (f"{dropped} of the LLM's {len(results)} sentences are not stated by the passages they cite: "
              f"{'marked unverified' if show_unverified else 'dropped'}.") if dropped else ""
    return Answer(extractive.question, " ".join(lines), False, citations, extractive.passages, [],
                  evidence=extractive.evidence, resolved_from=extractive.resolved_from, mode="llm",
                  notice=notice, sentences=sentences)


def _row(result: verify.Checked, citations: list[int]) -> dict:
    """A written sentence as `--json` shows it."""
    return {"text": result.text, "citations": citations, "verified": result.verified, "reason": result.reason}


def _reader(assistant: Assistant):
    """(doc_id, start, end) → (the article, who speaks in that span), each article read once."""
    read = {}

    def voice_of(doc_id: str, start: int, end: int):
        if doc_id not in read:
            article = assistant.article(doc_id)
            read[doc_id] = (article, voices(article.text))
        article, article_voices = read[doc_id]
        return article, voice_in(article_voices, start, end)
    return voice_of


def _check_attribution(result: verify.Checked, passages: list[dict], voice_of) -> None:
    """A sentence whose every supporting span is someone's quote or claim must name them: "Peskov said
    advisors met …", never "advisors met …" as if the article, or the world, said so."""
    if not result.verified:
        return
    speakers = [voice.speaker for s in result.support
                for _, voice in [voice_of(passages[s.n - 1]["doc_id"], s.start, s.end)]
                if voice.kind in (QUOTE, REPORTED) and voice.speaker]
    named = any(speaker.split()[-1].lower() in result.text.lower() for speaker in speakers)
    if len(speakers) == len(result.support) and not named:
        result.support, result.reason = [], f"states {speakers[0]}'s words without saying they are {speakers[0]}'s"


def _number(support: verify.Support, passage: dict, citations: list[Citation], numbers: dict, voice_of) -> int:
    """The citation number of a supporting span, adding the citation the first time the span is cited."""
    doc_id = passage["doc_id"]
    key = (doc_id, support.start, support.end)
    if key not in numbers:
        article, voice = voice_of(doc_id, support.start, support.end)
        numbers[key] = len(citations) + 1
        citations.append(Citation(numbers[key], doc_id, passage["title"], support.start, support.end, support.quote,
                                  float(passage.get("score", 0.0)), str(article.metadata.get("source", "")),
                                  str(article.metadata.get("published_at", "")), voice.kind, voice.speaker))
    return numbers[key]


def _fallback(extractive: Answer, why: str) -> Answer:
    return dataclasses.replace(extractive, notice=f"Showing the extractive answer instead: {why}.")
