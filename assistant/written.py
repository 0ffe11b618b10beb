"""An answer written by an LLM from the retrieved passages, shown only as far as the passages bear it out.

Retrieval and the extractive answer come first (the same `Assistant.ask`). Where a check is fitted for the
LLM (`answer_check`), it is asked whether the sentence holding the reader's best candidate answers, and the
answer is an abstention when that reading and the reader's confidence together fall below the check's
threshold. The LLM then reads the best passages, and for a question that asks for a thing it first chooses among the reading stage's best
candidates (a short reply: the option's number), which is its short answer; then its written reply streams
out as it arrives: a short answer ("Answer: Fareed Zakaria", used where it made no choice) and sentences
with [n] markers. The short answer is shown only where a passage holds it word for word (it then gets the article's
exact offsets and the sentence around it as its citation); each sentence is checked (`verify`): one no
span of the passages states is dropped (or kept, marked, when asked for). When the LLM's short answer and
the extractive reader's differ, the answer shows both, each with its quote, rather than picking one. When
the LLM fails or nothing it wrote checks out, the extractive answer is shown with a one-line notice.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from collections.abc import Iterator
from datetime import date

from assistant import answer_check, llm, prompts, verify
from assistant.answer import RULED_OUT, Answer, Assistant, Citation
from assistant.passages import addresses_a_model, sentence_spans
from assistant.scoring import token_f1
from assistant.settings import Settings
from assistant.speakers import QUOTE, REPORTED, voice_in, voices

# How a reply that declines starts (the system prompt asks for exactly this).
DECLINED = "the articles don't say"
# The reader's candidates the LLM is shown: the best three hold the answer for most questions whose
# answer is among the candidates at all (train-reader's out-of-fold report), and more only add noise.
CANDIDATES_GIVEN = 3
# The candidates the LLM's first token is weighed over (`_choose`): the answer is among the best five
# for 0.73 of the April–June questions it was measured on, among the best three for 0.67, and with five
# the choice was right more often out-of-fold (0.577 against 0.530; the reader's best alone: 0.506).
CANDIDATES_SCORED = 5
# How much the LLM's first-token probability (`_choose`) counts beside the reader's probability, both as
# logarithms. Chosen by cross-validation grouped by week (`runs/exp/lmscore.py`, `lmcombine.py`): 168
# April–June questions with two or more candidates, each read by a reader model that never saw its week,
# with Qwen2.5-Coder-0.5B-Instruct; best candidate right 0.506 (reader alone), 0.512 (LLM alone), 0.589
# with any weight from 0.5 to 1 (0.560 at 0.2 and at 3); the folds chose 0.5 or 0.75, out-of-fold 0.577.
LLM_WEIGHT = 0.75
# The most of the checked sentence an abstention by the check quotes (a sentence joined to the one it
# introduces can run to a paragraph); longer ones end at a word with "…".
CHECKED_QUOTE_CHARS = 240
# A first line this short without a passage marker is the LLM's short answer even when it leaves out
# "Answer:" (small models do).
SHORT_ANSWER_WORDS = 8
# Two short answers are the same reading when their words overlap this much (token F1; the reader's
# training counts a candidate right from the same overlap): "Zakaria" and "Fareed Zakaria" agree.
SAME_READING_F1 = 0.5


def stream_answer(assistant: Assistant, question: str, asked_on: date | None = None,
                  exclude: frozenset[str] = frozenset(), within: frozenset[str] = frozenset(),
                  show_unverified: bool = False) -> Iterator[str | Answer]:
    """Pieces of the LLM's reply (str) as they arrive, then the checked `Answer`."""
    extractive = assistant.ask(question, asked_on, exclude, within)
    if extractive.evidence.get("article_fact"):  # the article's own credit line, date or opening: nothing to write
        extractive.notice = " ".join(filter(None, [extractive.notice, "Answered from the article itself, "
                                                   "without the LLM."]))
        yield extractive
        return
    # No article read names what it asks about (`mentions.py`), or the sentence it was written from says
    # the opposite (`opposites.py`): facts about the articles, which an LLM's reading can't overturn.
    if any(extractive.evidence.get(k) for k in RULED_OUT):
        yield extractive
        return
    settings = assistant.settings
    shown = given(extractive, settings.llm_passages)
    passages = [p for p in shown if not addresses_a_model(p["text"])]
    if not passages:
        yield _fallback(extractive, "no passage could be given to the LLM")
        return
    started, draft, chosen, check = time.perf_counter(), "", None, None
    options = offered(extractive)
    try:
        check = _check(assistant, extractive)
        if check and check["probability"] < check["below"]:
            yield _abstained_by_check(extractive, check)
            return
        chosen = _choose(settings, extractive.question, passages, options) if len(options) > 1 else None
        # A candidate chosen from below those given brings its passage, where its span is cited.
        passages += [p for p in holding(extractive, [chosen] if chosen else []) if p not in passages
                     and not addresses_a_model(p["text"])]
        # The drafting LLM sees its own choice first among the guesses.
        guesses = [c["text"] for c in [chosen] * bool(chosen) + [c for c in options[:CANDIDATES_GIVEN] if c is not chosen]]
        for piece in llm.stream(settings, extractive.question, passages, guesses):
            draft += piece
            yield piece
    except llm.LLMError as exc:
        yield _fallback(extractive, str(exc))
        return
    answer = checked(assistant, extractive, draft, passages, show_unverified, chosen)
    if check:
        answer.evidence, answer.confidence = {**answer.evidence, "check": check}, check["probability"]
    answer.timings_ms = {**extractive.timings_ms, "llm_ms": round((time.perf_counter() - started) * 1000, 1)}
    answer.timings_ms["total_ms"] = round(extractive.timings_ms.get("total_ms", 0) + answer.timings_ms["llm_ms"], 1)
    if len(passages) < len(shown):
        answer.notice = " ".join(filter(None, [answer.notice, f"{len(shown) - len(passages)} passage(s) that address "
                                               "a model were withheld from the LLM."]))
    yield answer


def _check(assistant: Assistant, extractive: Answer) -> dict | None:
    """Whether the articles answer, as the LLM reads the sentence holding the reader's best candidate and
    as the reader's confidence says, weighed together (`answer_check`): {odds, probability, below,
    sentence}. None where no check is fitted for this LLM, the reader gave no confidence or nothing to
    read, or the server gives no token probabilities."""
    model = answer_check.model_for(assistant.settings)
    if model is None or extractive.confidence is None:
        return None
    first = extractive.citations[0].quote if extractive.citations else None
    texts = answer_check.evidence(extractive.candidates, first, assistant.article)
    odds = answer_check.read(assistant.settings, extractive.question, texts)
    if odds is None:
        return None
    dated = bool(extractive.evidence.get("answerable_features", {}).get("dated"))
    return {"odds": round(odds, 3), "probability": round(answer_check.combined(extractive.confidence, odds, model), 4),
            "below": answer_check.threshold(dated, model), "sentence": texts[0]}


def _abstained_by_check(extractive: Answer, check: dict) -> Answer:
    """The extractive answer turned into an abstention that says why; its passages stay as related reading."""
    words = " ".join(check["sentence"].split())
    shown = words if len(words) <= CHECKED_QUOTE_CHARS else words[:CHECKED_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    reason = prompts.render("abstain_check", sentence=shown)
    return dataclasses.replace(extractive, answer=prompts.render("abstain", reason=reason), abstained=True,
                               citations=[], short_answer=None, alternative_answer=None, confidence=check["probability"],
                               evidence={**extractive.evidence, "check": check})


def offered(extractive: Answer) -> list[dict]:
    """The reader's candidates the LLM chooses and guesses from: none for a question the reader abstains
    on. Offered them, LLM mode led with one for 7 of the seeds' 12 unanswerable questions (**Hillary Clinton**
    for "What is the capital of Australia?"); offered none, for 1."""
    return [] if extractive.abstained else extractive.candidates[:CANDIDATES_SCORED]


def _choose(settings: Settings, question: str, passages: list[dict], options: list[dict]) -> dict | None:
    """The reader's candidate the LLM reads as the answer: the reader's probability of each weighed with
    how likely the LLM's reply is to begin with it (`llm.first_token_mass`); None when its reply would
    begin none of them (its own "Answer:" line then leads). A server without token probabilities is
    asked for the option's number instead (`llm.choose`)."""
    masses = llm.first_token_mass(settings, question, passages, [c["text"] for c in options])
    if masses is None:
        index = llm.choose(settings, question, passages, [c["text"] for c in options[:CANDIDATES_GIVEN]])
        return options[index] if index is not None else None
    if not any(masses):
        return None
    scores = [math.log(max(c["probability"], llm.MASS_FLOOR)) + LLM_WEIGHT * math.log(max(m, llm.MASS_FLOOR))
              for c, m in zip(options, masses)]
    return options[scores.index(max(scores))]


def given(extractive: Answer, count: int) -> list[dict]:
    """The passages the LLM reads: the `count` best, then each passage that holds one of the reader's
    best candidates when it ranks below them (a guess the LLM is shown must be checkable in its passages:
    on the seeds, Fareed Zakaria's passage ranks 7th for "Who interviewed Peskov on CNN?")."""
    passages = extractive.passages[:count]
    return passages + [p for p in holding(extractive, extractive.candidates[:CANDIDATES_GIVEN]) if p not in passages]


def holding(extractive: Answer, candidates: list[dict]) -> list[dict]:
    """The passage read that holds each candidate's span, once each."""
    found = []
    for c in candidates:
        passage = next((p for p in extractive.passages if p["doc_id"] == c["doc_id"]
                        and p["start"] <= c["start"] and c["end"] <= p["end"]), None)
        if passage is not None and passage not in found:
            found.append(passage)
    return found


def ask(assistant: Assistant, question: str, **options) -> Answer:
    """The checked answer alone, for the CLI and the eval."""
    return [piece for piece in stream_answer(assistant, question, **options)][-1]


def checked(assistant: Assistant, extractive: Answer, draft: str, passages: list[dict],
            show_unverified: bool = False, chosen: dict | None = None) -> Answer:
    """The LLM's `draft` as an `Answer`: verified sentences with citations narrowed to the stating span.
    `chosen`: the reader's candidate the LLM chose (`_choose`), which is then its short answer."""
    if " ".join(draft.split()).lower().replace("’", "'").startswith(DECLINED):
        return dataclasses.replace(extractive, answer=prompts.render("abstain", reason=""), abstained=True, citations=[],
                                   by_article=[], mode="llm", sentences=[])
    short_text, body = split_reply(draft)
    if not extractive.candidates:  # a question that asks for no thing has no short answer: it is a sentence
        short_text, body = "", f"{short_text}\n{body}" if short_text else body
    if chosen:
        short_text = chosen["text"]
    results = verify.check(body, passages, extractive.question)
    voice_of = _reader(assistant)
    for result in results:
        _check_attribution(result, passages, voice_of)
    kept = [r for r in results if r.verified]
    cited_first = list(dict.fromkeys([s.n for r in kept for s in r.support] + list(range(1, len(passages) + 1))))
    if chosen:  # found first where the reader found it
        cited_first = [n for n, p in enumerate(passages, 1) if p["doc_id"] == chosen["doc_id"]
                       and p["start"] <= chosen["start"] < p["end"]] + cited_first
    located = locate(short_text, passages, cited_first) if short_text else None
    if not kept and not located:
        why = (f"its short answer {short_text!r} is in no passage, and " if short_text else "") + \
              f"no sentence it wrote ({len(results)} in all) is stated by the passage it cites"
        fallback = _fallback(extractive, f"the LLM's reply doesn't check out: {why}")
        fallback.sentences = [_row(r, []) for r in results]
        return fallback
    citations, numbers = [], {}
    lines, sentences = [], []
    for result in results:
        ns = [_number(s, passages[s.n - 1], citations, numbers, voice_of) for s in result.support] if result.verified else []
        sentences.append(_row(result, ns))
        if result.verified or show_unverified:
            lines.append(result.text.rstrip(".") + ("".join(f" [{n}]" for n in ns) or " (unverified)") + ".")
    notes = [extractive.notice] if extractive.notice else []  # how the question was read (a named article)
    dropped = len(results) - len(kept)
    if dropped:
        notes.append(f"{dropped} of the LLM's {len(results)} sentences are not stated by the passages they cite: "
                     f"{'marked unverified' if show_unverified else 'dropped'}.")
    short = alternative = None
    if located:
        support, short = located
        if not any(c.doc_id == short["doc_id"] and c.start <= short["start"] and short["end"] <= c.end for c in citations):
            # No kept sentence holds the short answer: the passage's own sentence around it does.
            n = _number(support, passages[support.n - 1], citations, numbers, voice_of)
            lines.insert(0, f"“{support.quote.strip()}” [{n}]")
        extractive_short = extractive.short_answer
        if extractive_short and token_f1(extractive_short["text"], short["text"]) < SAME_READING_F1:
            alternative = extractive_short
            lines.append(prompts.render("llm_disagree", extractive=extractive_short["text"],
                                        n=str(_cite_extractive(extractive, extractive_short, citations))))
    elif short_text:
        notes.append(f"The LLM's short answer {short_text!r} is in no passage word for word: not shown.")
    disagreement = lines.pop() if alternative else ""
    text = " ".join(lines)
    if short:
        text = prompts.render("short_answer", short=short["text"], statement=text)
    if disagreement:  # its own last line: the eval's LLM-alone reading leaves it out
        text += "\n" + disagreement
    return Answer(extractive.question, text, False, citations, extractive.passages, [],
                  evidence=extractive.evidence, resolved_from=extractive.resolved_from, mode="llm",
                  notice=" ".join(notes), sentences=sentences, short_answer=short, confidence=extractive.confidence,
                  candidates=extractive.candidates, alternative_answer=alternative)


def split_reply(draft: str) -> tuple[str, str]:
    """(the short answer, the sentences) of a reply: its first line when labelled "Answer:", or when it is a
    few words with no passage marker; ("", draft) when there is none."""
    first, _, rest = draft.strip().partition("\n")
    labelled = re.match(r"\s*\**answer\**\s*:\**\s*(.*)", first, re.IGNORECASE)
    candidate = labelled.group(1) if labelled else first
    if "[" in candidate or len(candidate.split()) > SHORT_ANSWER_WORDS:  # a sentence, without its label
        return "", f"{candidate}\n{rest}"
    return candidate.strip().strip(".*\"“”'‘’ ").strip(), rest


def locate(short: str, passages: list[dict], order: list[int]) -> tuple[verify.Support, dict] | None:
    """Where a passage (in `order`) holds `short` word for word (case, spacing and punctuation between
    words aside): the sentence around it as a `Support`, and the short answer as the article's own text
    with its offsets."""
    tokens = re.findall(r"[^\W_]+", short)
    if not tokens:
        return None
    pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, tokens)) + r"(?![^\W_])", re.IGNORECASE)
    for n in order:
        passage = passages[n - 1]
        text, offset = passage["text"], int(passage["start"])
        match = pattern.search(text)
        if not match:
            continue
        around = [s for s in sentence_spans(text) if s.start < match.end() and match.start() < s.end]
        start, end = (around[0].start, around[-1].end) if around else (match.start(), match.end())
        return (verify.Support(n, offset + start, offset + end, text[start:end]),
                {"text": match.group(), "doc_id": passage["doc_id"], "start": offset + match.start(),
                 "end": offset + match.end()})
    return None


def _cite_extractive(extractive: Answer, short: dict, citations: list[Citation]) -> int:
    """The number, among `citations`, of the extractive answer's quote that holds its short answer."""
    for c in citations:
        if c.doc_id == short["doc_id"] and c.start <= short["start"] and short["end"] <= c.end:
            return c.n
    holding = next(c for c in extractive.citations
                   if c.doc_id == short["doc_id"] and c.start <= short["start"] and short["end"] <= c.end)
    citations.append(dataclasses.replace(holding, n=len(citations) + 1))
    return len(citations)


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
    return dataclasses.replace(extractive, notice=" ".join(filter(None, [f"Showing the extractive answer instead: {why}.",
                                                                         extractive.notice])))
