"""From ranked passages to a cited `Answer`, without an LLM.

The answer is made of whole sentences quoted verbatim from the retrieved passages, each followed by its
citation marker. Sentences are scored by their own similarity to the question, by how many of the
question's content words they contain, and by the rank of their passage. When several articles answer,
each gets its own line. When the evidence is weak, the assistant abstains and lists related reading.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import re
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Callable

import numpy as np

from assistant import article_facts, describe, embedder, mentions, opposites, prompts, reader, swaps
from assistant.answer_types import (DATE, NAME_LABELS, NUMBER, WHO_LABELS, asks_count, asks_length, asks_organisation,
                                    asks_person, asks_share, asks_who, candidates, offers)
from assistant.articles import Article
from assistant.passages import (addresses_a_model, dateline_end, is_page_furniture, is_wrapped, reading_sentences,
                                sentence_spans)
from assistant.questions import Question, analyse, period_name
from assistant.retrieve import Hit, HybridRetriever
from assistant.settings import Settings
from assistant.speakers import QUOTE, Voice, same_name, speaks_in, voice_in, voices
from assistant.store import Store
from assistant.terms import content_terms, stem, words

MAX_QUESTION_CHARS = 2000
# How far below the best sentence another article's best may score and still be shown beside it (the
# static sentence encoder's cosines spread less than the transformer's, for which 0.2 suited: 0.15 keeps
# the seeds' citations on the articles that answer, 0.90 of them, at the development slice's accuracy).
OTHER_ARTICLE_MARGIN = 0.15
# Under the sentence model: another article's best sentence is quoted too when its probability of naming
# the answer is at least this share of the best one's. Chosen on the April–June questions, out-of-fold:
# right choices 0.574, 0.582, 0.590 and 0.582 with 0.5, 0.3, 0.2 and 0.1 (median words 50, 55, 55, 59).
OTHER_ARTICLE_SHARE = 0.2
# Where the vote stands in a sentence's features (`reader.SENTENCE_FEATURES`).
SENTENCE_VOTE = reader.SENTENCE_FEATURES.index("vote")
# Evidence loses up to this much, in proportion to the share of the question's content words that occur
# nowhere in the passages read: passages that never mention a salary or Ukraine don't answer about them.
MISSING_TERMS_PENALTY = 0.5
# Added to a sentence that holds a thing of the kind the question asks for ("how many" → a number) that the
# question itself doesn't mention: the sentence that answers, not the one that restates the question.
OFFERS_BONUS = 0.1
VOTE_WEIGHT = 0.2
# Evidence lost when a question asks for a number or a date and no chosen sentence offers one ("How old is
# Fareed Zakaria?"), or asks what someone said and no chosen sentence is theirs ("What did Sessions say?").
# 0.2: the static sentence encoder rates sentences that share the question's names higher than the
# transformer did; on the whole development set 0.1 and 0.2 answer alike, on the seeds 0.2 abstains right.
UNOFFERED_PENALTY = 0.2
UNSPOKEN_PENALTY = 0.5
# How many of the best sentences are read for the speaker a question asks about.
SPEAKER_SENTENCES = 5
# Candidates listed in --json (and kept by the eval) for reading why an answer was chosen.
CANDIDATES_SHOWN = 5
# Passages beyond `top_k` read for a question asking what someone said, where they say something
# (`passages_read`): a few, since each is a distractor when it doesn't answer.
SPEAKER_PASSAGES = 3
# The evidence by which an answer abstains whatever the confidence: a name or year no article read mentions
# (`mentions.py`), a quoted sentence saying the opposite of what is asked (`opposites.py`) or speaking of
# someone else in its place (`swaps.py`).
RULED_OUT = ("unmentioned", "opposite", "unnegated", "swapped")
# Articles read instead of the best passages' when those don't mention a name the question gives and
# passages ranked lower do (`_naming`): the two that rank best, as a story's second source is read.
NAME_ARTICLES = 2
# Passages of the question's week read beyond `top_k` for a dated question none of whose `top_k` is of its
# week (`passages_read`): the week's own note of a story can trail other years' reports of it ("Who won
# this year's Nobel Peace Prize?" read ten passages on the 2022 prize). Set by hand, as `SPEAKER_PASSAGES`;
# always reading them lost choice accuracy (`docs/reading-log.md`, *The second stop of 2026-12-03*).
WEEK_PASSAGES = 2
# Passages the keyword index proposes for "which articles mention …": past this many, the count is a
# lower bound and says so.
MENTION_PASSAGES = 10_000


class QuestionError(ValueError):
    """A question the assistant can't search for, with what to do instead."""


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    start: int
    end: int
    quote: str
    score: float
    outlet: str = ""
    published_at: str = ""
    # "quote" (inside quotation marks), "reported" (someone's claim in the article's words) or "narration"
    # (the article's own voice); `speaker` names whose quote or claim it is.
    kind: str = "narration"
    speaker: str | None = None
    # Another article's copy of cited sentence `copy_of` (a wire story run by several outlets, a quote
    # reported word for word): cited beside it, never quoted twice in the answer.
    copy_of: int | None = None


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation]
    passages: list[dict]
    by_article: list[dict] = field(default_factory=list)
    timings_ms: dict = field(default_factory=dict)
    # Why the assistant answered or abstained: the best sentence's support and what it lost.
    evidence: dict = field(default_factory=dict)
    # A follow-up's own words, when `question` is what it was resolved to ("who is he?" → "who is Peskov?").
    resolved_from: str = ""
    # "extractive" (sentences quoted from the articles) or "llm" (written by an LLM, each sentence checked);
    # `notice`: one line on how it was made when that needs saying (an LLM that failed, dropped sentences);
    # `sentences`: in LLM mode, each written sentence with its citations and whether a cited span states it.
    mode: str = "extractive"
    notice: str = ""
    sentences: list[dict] = field(default_factory=list)
    # For a question that asks for a thing: the span that answers it, {text, doc_id, start, end}, with
    # article_text[start:end] == text inside a cited quote; `confidence`: the reader's calibrated
    # probability that the articles answer the question (None without a reader model); `candidates`:
    # the reader's best candidates, each with its probability of being the answer and its features.
    short_answer: dict | None = None
    confidence: float | None = None
    candidates: list[dict] = field(default_factory=list)
    # In LLM mode, the extractive reader's short answer when the LLM's differs (both are shown).
    alternative_answer: dict | None = None
    # For `train-reader` only (not shown): each distinct sentence read, {text, features, support}.
    sentences_read: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        shown = asdict(self)
        del shown["sentences_read"]
        return shown


@dataclass
class _Sentence:
    doc_id: str
    title: str
    start: int
    end: int
    text: str
    passage_rank: int
    outlet: str = ""
    published_at: str = ""
    # How well the sentence matches the question (`relevance`), and that plus what it offers as an answer
    # (`support`, which picks the sentences; relevance alone says whether to abstain).
    relevance: float = 0.0
    support: float = 0.0
    # What the reader's sentence model sees (`reader.SENTENCE_FEATURES`).
    features: list[float] = field(default_factory=list)


def clean_question(question: str) -> str:
    """The question with control characters removed, or a `QuestionError` saying what is wrong. Invisible
    format characters (a zero-width space pasted inside "Pes\u200bkov", a direction mark) are dropped,
    not made spaces: the word they sit in is one word."""
    visible = "".join(ch for ch in question or "" if unicodedata.category(ch) != "Cf")
    cleaned = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", visible).split())
    if not cleaned:
        raise QuestionError("the question is empty; type a question about the articles")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(cleaned):,} characters long; keep it under {MAX_QUESTION_CHARS:,}")
    if not content_terms(cleaned):
        raise QuestionError("the question has no words to search for; ask with words, e.g. 'Who interviewed Peskov?'")
    return cleaned


class Assistant:
    """Answers questions over one store."""

    def __init__(self, settings: Settings, store: Store | None = None, only_question: str | None = None):
        """`only_question`: the one question this process will ask (a one-shot `assistant ask`)."""
        self.settings = settings
        self.store = store or Store(settings)
        self.retriever = HybridRetriever(self.store, settings)
        # Both once, here, not inside the first question's timings; the sentence encoder in the
        # background, so that a first start (its table distilled, ~14 s) isn't kept waiting for it.
        embedder.load_model()
        embedder.preload(settings.sentence_encoder)
        if reader.load_model(settings.reader_model) and (only_question is None or self._runs_spacy(only_question)):
            # spaCy too, in the background; for a one-shot question only when reading it will need
            # spaCy: its load holds Python's lock beside the question's own work (cold ask of a "who"
            # question on the development index: 2.59 → 2.41 s median of 8 here without it).
            reader.preload()

    def _runs_spacy(self, question: str) -> bool:
        """Whether reading `question` may run spaCy: to parse it, or on sentences whose entities aren't
        stored (an article not annotated, `assistant annotate`)."""
        return reader.parses(analyse(question)) or not self.store.looks_annotated()

    def ask(self, question: str, asked_on: date | None = None, exclude: frozenset[str] = frozenset(),
            within: frozenset[str] = frozenset(), skip: frozenset[tuple[str, int, int]] = frozenset()) -> Answer:
        """`asked_on`: the day the question was asked, when "this week" should mean that week;
        `exclude`: ids of articles to leave out; `within`: when given, the only articles to read
        (see `scope`); `skip`: spans (doc_id, start, end) already quoted, for "tell me more"."""
        timings, started = {}, time.perf_counter()
        answer = self._of_collection(question, asked_on, exclude, within)
        if answer:  # names nothing to search for: asked of the articles themselves
            answer.timings_ms = {"total_ms": _ms_since(started)}
            return answer
        analysed, vectors, ranked, named = self._retrieve(question, asked_on, exclude, within, timings)
        mark = time.perf_counter()
        fact, one, ranked = self._of_one_article(analysed, (named or within) - exclude, ranked)
        if fact:
            answer = _about_article(analysed, fact, one, ranked)
        else:
            answer = compose(analysed, vectors, ranked, self.settings, self._article_text,
                             reader.load_model(self.settings.reader_model), stored_entities=self.store.entities,
                             skip=skip, passage_shares=self.store.passage_shares)
        if named:
            which = "the article" if len(named) == 1 else f"the {len(named)} articles"
            answer.notice = prompts.render("named_article", which=which, words=analysed.article)
        if analysed.period and not asked_on:
            answer.notice = " ".join(filter(None, [answer.notice, _period_notice(analysed, answer.citations)]))
        if answer.abstained and answer.evidence.get("unmentioned"):
            answer.answer += self._mentioned_elsewhere(answer, exclude, (named or within) - exclude)
        timings["compose_ms"] = _ms_since(mark)
        timings["total_ms"] = _ms_since(started)
        answer.timings_ms = timings
        return answer

    def retrieve(self, question: str, asked_on: date | None = None,
                 exclude: frozenset[str] = frozenset()) -> list[Hit]:
        """The passages ranked for `question`, best first, as the answer would read them."""
        return self._retrieve(question, asked_on, exclude, frozenset(), {})[2]

    def read_for_training(self, question: str, asked_on: date | None = None,
                          exclude: frozenset[str] = frozenset(), sentence_model: dict | None = None,
                          within: frozenset[str] = frozenset()) -> Answer | None:
        """The answer made without a candidate model, with every sentence and candidate the reader found
        and the evidence's features: what `train-reader` learns from. `sentence_model`: the reader's
        sentence weights to choose sentences by (None: the hand-set support); `exclude`, `within`: as
        for `ask`. None for a question about an article itself (`article_facts`), which the reader never
        answers."""
        analysed, vectors, ranked, named = self._retrieve(question, asked_on, exclude, within, {})
        fact, _, ranked = self._of_one_article(analysed, (named or within) - exclude, ranked)
        if fact:  # answered from the article itself, never by the reader: nothing to learn from
            return None
        return compose(analysed, vectors, ranked, self.settings, self._article_text,
                       {"sentences": sentence_model} if sentence_model else None, all_candidates=True,
                       stored_entities=self.store.entities)

    def _of_collection(self, question: str, asked_on: date | None, exclude: frozenset[str],
                       within: frozenset[str]) -> Answer | None:
        """The answer to a question asked of the articles themselves, not searched for: what is new, what
        they are about, which there are, which mention something, or a fact of each ("Who is quoted?");
        None for any other question."""
        if latest := article_facts.asks_latest(question):
            return self._latest(question, latest, asked_on, exclude, within)
        if article_facts.asks_overview(question):
            return self._overview(question, exclude, within)
        if article_facts.asks_catalogue(question):
            return self._catalogue(question, exclude, within)
        if term := article_facts.asks_mentioning(question):
            return self._mentioning(question, term, exclude, within)
        if fact := article_facts.asked_of_no_article(question):
            return self._of_each_article(question, fact, exclude, within)
        return None

    def _catalogue(self, question: str, exclude: frozenset[str], within: frozenset[str]) -> Answer:
        """Which articles there are: how many, from how many outlets and days, and the newest ones' ledes."""
        entries = self._scoped(exclude, within)
        days = sorted(e["published_at"] for e in entries if reader.day_of(e["published_at"]))
        outlets = {e["source"] for e in entries if e["source"]}
        lines = [prompts.render("catalogue", count=f"{len(entries):,}", articles=_plural(len(entries), "article"),
                                outlets=prompts.render("catalogue_outlets", count=f"{len(outlets):,}",
                                                       outlets=_plural(len(outlets), "outlet")) if outlets else "",
                                days=prompts.render("catalogue_days", first=days[0], last=days[-1]) if days else "")]
        return self._listed(question, lines + _newest(entries), entries, "catalogue")

    def _mentioning(self, question: str, term: str, exclude: frozenset[str], within: frozenset[str]) -> Answer:
        """Which articles hold `term` as whole words: each cited at the sentence where it first does."""
        scope = {e["doc_id"]: e for e in self._scoped(exclude, within)}
        first, complete = self._first_mentions(term, scope.__contains__)
        entries = [scope[doc_id] for doc_id in first]
        if not entries:
            return Answer(question, prompts.render("mentioned_by_none", count=f"{len(scope):,}", term=term), True, [], [],
                          evidence={"article_fact": "mentioning"})
        lines = [prompts.render("mentioned_by", count=f"{len(entries):,}", of=f"{len(scope):,}", term=term,
                                at_least="" if complete else "at least ",
                                mention="mentions" if len(entries) == 1 else "mention")]
        return self._listed(question, lines + _newest(entries), entries, "mentioning", at=first)

    def _first_mentions(self, term: str, counted: Callable[[str], bool]) -> tuple[dict[str, int], bool]:
        """Where each article `counted` (by doc id) first holds `term` as whole words, and whether that is
        all of them. The keyword index proposes the passages (`MENTION_PASSAGES` at most); the words
        themselves decide."""
        hits = self.store.keyword_search(words(term), MENTION_PASSAGES)
        first: dict[str, int] = {}
        for hit in hits:
            if counted(hit.doc_id) and (found := article_facts.mentions(hit.text, term)):
                at = hit.start + found.start()
                first[hit.doc_id] = min(first.get(hit.doc_id, at), at)
        return first, len(hits) < MENTION_PASSAGES

    def _mentioned_elsewhere(self, answer: Answer, exclude: frozenset[str], within: frozenset[str]) -> str:
        """For an abstention on a name no article read mentions ("Who intervewed Peskov on CNN?" read ten
        passages about CNN interviews): how many other articles the question may read do mention it, and
        how to list them; "" when none does. Years are left out: many articles hold any year."""
        name = next((n for n in answer.evidence.get("unmentioned") or [] if not n.isdigit()), None)
        if not name:
            return ""
        read = {p["doc_id"] for p in answer.passages if p.get("read")}
        # Without a scope every article counts, and the catalogue isn't read (1.4 s on a cold 6,000-article
        # index, against 0.03–0.12 s for the search itself).
        scope = {e["doc_id"] for e in self._scoped(exclude, within)} if exclude or within else None
        first, complete = self._first_mentions(name, lambda doc_id: doc_id not in read
                                               and (scope is None or doc_id in scope))
        if not first:
            return ""
        return prompts.render("abstain_name_elsewhere", count=f"{'' if complete else 'at least '}{len(first):,}",
                              articles="article" if len(first) == 1 else "articles",
                              mention="mentions" if len(first) == 1 else "mention", term=name)

    def _listed(self, question: str, lines: list[str], entries: list[dict], kind: str,
                at: dict[str, int] | None = None) -> Answer:
        """`lines`, then the newest `OVERVIEW_ARTICLES` of `entries` (articles without a date last), each
        with its date, cited by its lede or by the sentence holding character `at[doc_id]`."""
        shown = sorted(entries, key=lambda e: (bool(reader.day_of(e["published_at"])), e["published_at"], e["doc_id"]),
                       reverse=True)[:article_facts.OVERVIEW_ARTICLES]
        citations = self._ledes(shown, at)
        dates = {e["doc_id"]: e["published_at"] for e in shown}
        by_article = [{**a, "source": f"{a['source']} ({dates[a['doc_id']]})" if dates[a["doc_id"]] else a["source"]}
                      for a in _by_article(citations)]
        lines += [prompts.render("article_line", source=a["source"], statement=a["statement"]) for a in by_article]
        return Answer(question, "\n".join(lines), not citations, citations, [], by_article, evidence={"article_fact": kind})

    def _overview(self, question: str, exclude: frozenset[str], within: frozenset[str]) -> Answer:
        """What the articles (those `within`, or all, less `exclude`) are about: each one's lede, cited,
        when there are few enough to list; else how to choose some."""
        entries = self._scoped(exclude, within)
        if not entries or len(entries) > article_facts.OVERVIEW_ARTICLES:
            text = prompts.render("overview_too_many", count=f"{len(entries):,}",
                                  most=str(article_facts.OVERVIEW_ARTICLES))
            return Answer(question, text, True, [], [], evidence={"article_fact": "overview"})
        citations = self._ledes(entries)
        by_article = _by_article(citations)
        text = "\n".join(prompts.render("article_line", source=a["source"], statement=a["statement"])
                         for a in by_article)
        return Answer(question, text, not citations, citations, [], by_article, evidence={"article_fact": "overview"})

    def _ledes(self, entries: list[dict], at: dict[str, int] | None = None) -> list[Citation]:
        """Each catalogue entry's article's opening sentence (`article_facts.lede`), or with `at` the
        sentence holding its character `at[doc_id]`, cited in order."""
        citations = []
        for entry in entries:
            article = self.store.article(entry["doc_id"])
            if article is None:
                continue
            span = (next(((s.start, s.end) for s in sentence_spans(article.text) if s.start <= at[entry["doc_id"]] < s.end), None)
                    if at else article_facts.lede(article.title, article.text))
            if span:
                citations.append(_quoted(len(citations) + 1, article, span, voices(article.text)))
        return citations

    def _latest(self, question: str, when: str, asked_on: date | None, exclude: frozenset[str],
                within: frozenset[str]) -> Answer:
        """What is new (`article_facts.asks_latest`): the newest articles' ledes, newest first, each cited; of
        the day asked about or the week before it when the question has a day (`asked_on`), else the
        newest of all. Articles without a publication date are never counted as new."""
        entries = [e for e in self._scoped(exclude, within) if reader.day_of(e["published_at"])]
        scope = ""
        if asked_on:
            day = asked_on - timedelta(days=1) if when == "yesterday" else asked_on
            entries = [e for e in entries if (reader.is_recent(e["published_at"], asked_on) if when == "week"
                                              else reader.day_of(e["published_at"]) == day)]
            scope = prompts.render("latest_week" if when == "week" else "latest_day", day=day.isoformat())
        if not entries:
            return Answer(question, prompts.render("latest_none", scope=scope) if asked_on else
                          prompts.render("latest_undated"), True, [], [], evidence={"article_fact": "latest"})
        shown = min(len(entries), article_facts.OVERVIEW_ARTICLES)
        which = (prompts.render("latest_some", shown=str(shown), count=f"{len(entries):,}", scope=scope)
                 if len(entries) > shown else prompts.render("latest_all", count=str(shown),
                                                             articles=_plural(shown, "article"), scope=scope))
        return self._listed(question, [which], entries, "latest")

    def _of_each_article(self, question: str, fact: str, exclude: frozenset[str], within: frozenset[str]) -> Answer:
        """A question about "the article" that names none ("Who is quoted?", `article_facts.asked_of_no_article`):
        answered from the one article read as if it were named; from each, one line apiece, when there are
        few enough to list; else how to name or choose one."""
        ids = [e["doc_id"] for e in self._scoped(exclude, within)]
        articles = [a for a in map(self.store.article, ids[:article_facts.OVERVIEW_ARTICLES + 1]) if a]
        if len(articles) == 1:
            return _about_article(analyse(question), fact, articles[0], [])
        if not articles or len(ids) > article_facts.OVERVIEW_ARTICLES:
            text = prompts.render("which_article", count=f"{len(ids):,}", most=str(article_facts.OVERVIEW_ARTICLES))
            return Answer(question, text, True, [], [], evidence={"article_fact": fact})
        lines, citations, by_article = [], [], []
        for article in articles:
            found, statement, cited = _article_fact(fact, article, first=len(citations) + 1)
            lines.append(statement if found.missing else
                         prompts.render("article_fact_line", title=article.title, statement=statement))
            # One row per article in the chat's table, the one that lacks it too ("No one quoted.").
            by_article.append({**_by_article(cited)[0], "statement": statement} if cited else
                              {"doc_id": article.doc_id, "title": article.title, "source": f"“{article.title}”",
                               "outlet": str(article.metadata.get("source", "")), "citations": [],
                               "statement": prompts.render("article_lacks_row", missing=found.missing.capitalize())})
            citations += cited
        return Answer(question, "\n".join(lines), not citations, citations, [], by_article,
                      evidence={"article_fact": fact})

    def _scoped(self, exclude: frozenset[str], within: frozenset[str]) -> list[dict]:
        """The catalogue's entries of the articles read: those `within` (or all), less `exclude`."""
        return [e for e in self.catalogue() if e["doc_id"] not in exclude and (not within or e["doc_id"] in within)]

    def _of_one_article(self, question: Question, chosen: frozenset[str],
                        ranked: list[Hit]) -> tuple[str | None, Article | None, list[Hit]]:
        """For a question asked of one article (`chosen`: the one it names, or the only one it may read,
        unless it is left out):
        what it asks about that article itself (`article_facts.asked`) and the article; asked of a place
        in it ("… at the start of the Mouthpiece article"), only the passages there."""
        one = self.store.article(next(iter(chosen))) if len(chosen) == 1 else None
        if one is None:
            return None, None, ranked
        fact = article_facts.asked(question.text)
        where = None if fact else article_facts.asked_at(question.text)
        if where:
            low, high = article_facts.edge(one.title, one.text, where)
            ranked = [n for n in ranked if int(n.metadata["start"]) < high and int(n.metadata["end"]) > low]
        return fact, one, ranked

    def _retrieve(self, question: str, asked_on: date | None, exclude: frozenset[str], within: frozenset[str],
                  timings: dict) -> tuple[Question, np.ndarray, list[Hit], frozenset[str]]:
        """The question read, its searches embedded, the passages ranked, and the articles the question
        names ("the Mouthpiece article"), which are then the only ones searched unless `within` chooses."""
        question = clean_question(question)
        started = time.perf_counter()
        analysed = analyse(question, asked_on)
        vectors = embedder.embed(analysed.searches)
        timings["embed_ms"] = _ms_since(started)
        mark = time.perf_counter()
        # A question asked on a day is about its week: a news quiz's "in February" dates an event, and what
        # reports it is the week's (on the development set, the week's quiz note). One asked without a day
        # and naming a period is about that period.
        if analysed.period and not asked_on:
            analysed = dataclasses.replace(analysed, period_days=self._period_days(analysed.period))
        named = frozenset() if within else self._named_articles(analysed.article)
        ranked = self.retriever.retrieve_many(analysed.searches, vectors, asked_on, exclude, within or named,
                                              analysed.period_days)
        timings["retrieve_ms"] = _ms_since(mark)
        return analysed, vectors, ranked, named

    def _period_days(self, period: tuple[int | None, int | None]) -> frozenset[str]:
        """The publication days of the stored articles in `period`; a month named without a year is the
        latest one of that name that has articles."""
        year, month = period
        days = {e["published_at"] for e in self.catalogue() if reader.day_of(e["published_at"])}
        if year is None:
            year = max((int(d[:4]) for d in days if int(d[5:7]) == month), default=None)
        if year is None:
            return frozenset()
        prefix = f"{year:04d}-{month:02d}" if month else f"{year:04d}"
        return frozenset(d for d in days if d.startswith(prefix))

    def _named_articles(self, name: str | None) -> frozenset[str]:
        """The articles whose headline or outlet holds every word of `name` ("the Mouthpiece article",
        "the Reuters report"); none when no article or every article does."""
        if not name:
            return frozenset()
        wanted = {stem(w) for w in words(name)}
        catalogue = self.catalogue()
        found = frozenset(e["doc_id"] for e in catalogue
                          if wanted <= {stem(w) for w in words(f"{e['title']} {e['source']}")})
        return found if len(found) < len(catalogue) else frozenset()

    def catalogue(self) -> list[dict]:
        """The stored articles' ids, titles, outlets and dates, for choosing what to ask about."""
        return self.store.catalogue()

    def article(self, doc_id: str) -> Article:
        """One whole stored article, e.g. to show a citation in context."""
        article = self.store.article(doc_id)
        if article is None:
            raise QuestionError(f"no article {doc_id!r} in the index at {self.store.location}; see `assistant status`")
        return article

    def scope(self, doc_ids=(), outlets=()) -> frozenset[str]:
        """The ids of the named articles and of every article from the named outlets (empty: all articles);
        a `QuestionError` names any id or outlet the index doesn't hold."""
        if not doc_ids and not outlets:  # nothing to check: the catalogue is 0.05 s at 6,000 articles, 1 s from a cold disk
            return frozenset()
        catalogue = self.catalogue()
        known = {e["doc_id"] for e in catalogue}
        by_outlet = {}
        for e in catalogue:
            by_outlet.setdefault(e["source"].lower(), set()).add(e["doc_id"])
        unknown = [d for d in doc_ids if d not in known] + [o for o in outlets if o.lower() not in by_outlet]
        if unknown:
            raise QuestionError(f"the index holds no article or outlet named {', '.join(map(repr, unknown))}; "
                                "`assistant status --articles` lists them")
        return frozenset(doc_ids).union(*(by_outlet[o.lower()] for o in outlets))

    def _article_text(self, doc_id: str) -> str:
        article = self.store.article(doc_id)
        return article.text if article else ""


def compose(question: Question, vectors: np.ndarray, ranked: list[Hit], settings: Settings,
            article_text: Callable[[str], str], model: dict | None, all_candidates: bool = False,
            stored_entities: reader.StoredEntities | None = None,
            skip: frozenset[tuple[str, int, int]] = frozenset(),
            passage_shares: Callable[[list[str]], dict[str, float]] | None = None) -> Answer:
    """`vectors`: one row per text in `question.searches`; `article_text(doc_id)`: a cited article's whole
    text, which says who is speaking in the cited span; `model`: the reader's (`reader.load_model`; None:
    no short answer, abstention by the evidence threshold; only its "sentences" when training the
    others); `all_candidates`: keep every sentence and candidate the reader found (for training), not
    only the best few; `stored_entities`: the store's sentence entities (`reader.candidates`);
    `passage_shares(words)`: how common each word is in the index, which an abstention's reason weighs
    (`_telling`; None: every missing word is worth naming)."""
    asked_terms = tuple(content_terms(question.focus or question.text))
    read = passages_read(ranked, settings, question.speaker, question.asked_on, question.period_days, asked_terms)
    text_of = functools.cache(article_text)  # each article read once
    # A name or year the question gives that no article read mentions: they don't answer it, whatever
    # matches. Where passages ranked lower mention it, their articles are read instead, if they mention
    # all the question names ("… the border with Canada?" found a Canadian textile firm's article, which
    # lacks "Trump" and "Congress": the abstention still names “Canada”).
    absent = [] if skip else mentions.unmentioned(question.text, _whole_articles(read, text_of), question.article or "")
    if absent and (naming := _naming(absent, ranked)):
        # Ranked as if they were all there is: the confidence weighs how well the passages now read match.
        named = [n for n in ranked if n.metadata["doc_id"] in naming]
        instead = passages_read(named, settings, question.speaker, question.asked_on, question.period_days, asked_terms)
        if not mentions.unmentioned(question.text, _whole_articles(instead, text_of), question.article or ""):
            ranked, read, absent = named, instead, []
    read_ids = {id(n) for n in read}
    passages = [_passage_dict(n, id(n) in read_ids) for n in ranked]
    sentence_model = (model or {}).get("sentences")
    wrapped = functools.cache(lambda doc_id: is_wrapped(text_of(doc_id)))  # a passage's few lines can't tell
    sentences = _score_sentences(question, vectors, read, settings, sentence_model, wrapped)
    if skip:  # "tell me more": what was quoted is passed over, and the answer gone into needs no bold again
        sentences = [s for s in sentences if not _passed_over(s, skip)]
    candidate_model = model if model and "coef" in model else None
    kind = reader.kind_head(question)
    found = (_candidates_with_antecedents(question, kind, _unique(sentences), text_of, candidate_model, settings,
                                          stored_entities)
             if candidate_model or all_candidates else [])
    voices_of = functools.cache(lambda doc_id: voices(text_of(doc_id)))
    # "Who is Peskov?" is answered by what the articles call him, where they say it; "Who said 'fake
    # news'?" by whoever says those words.
    described = (describe.descriptions(question.described, _unique(sentences),
                                       titles=question.text.lstrip().lower().startswith("who"))
                 if question.described else [])
    said = _said_by(question.quoted, _unique(sentences), voices_of) if question.quoted else None
    # What a passage states outright leads, and is answered even below the abstention threshold.
    stated = said or (described[0] if described else None)
    # A question asking who or what NAME is is answered by a description or by no bold at all: another
    # name is never the answer ("Who is Michael Flynn?" once led with **Trump**, "What is Threads?" with
    # **Meta**).
    best = None if skip or (question.described and not stated) else stated or (
        found[0] if candidate_model and found and may_lead(question, found[0], model["short_answer_from"]) else None)
    rivals = _rivals(found, best)
    # "What did Biden say about the deal?" is answered by Biden's words wherever the sentences read hold
    # some: it quoted a headline about the deal, the best match, though one of his quotes was read.
    asked = _asked_speakers(question.speaker, _unique(sentences), voices_of) if question.speaker else ()
    own = [s for s in sentences if _spoken_by(_cite(0, s, voices_of(s.doc_id)), asked)]
    topic = frozenset(stem(w) for w in content_terms(question.topic or "")) if own else frozenset()
    chosen = _select(own or sentences, settings, best, sentence_model is not None, rivals, topic) if sentences else []
    # Whether the passages answer is judged on the sentences chosen without a short answer, as `train-reader`
    # saw them: led by a wrong guess of the wrong kind ("Clinton" for "how long …"), the sentences chosen
    # offered no number and the question was abstained on only by that accident.
    unled = chosen if best is None else _select(sentences, settings, None, sentence_model is not None)
    # A sentence quoted with the one it follows on from, or the rebuttal after it, unless that was quoted before.
    quoted = _outermost([q if not _passed_over(q, skip) else s for s in chosen
                         for q in [_with_rebuttal(_with_antecedent(s, text_of(s.doc_id), kind), text_of(s.doc_id))]])
    citations = [_cite(i + 1, s, voices_of(s.doc_id)) for i, s in enumerate(quoted)]
    for original, copy in _copies(chosen, sentences, citations):
        citations.append(dataclasses.replace(_cite(len(citations) + 1, copy, voices_of(copy.doc_id)), copy_of=original))
    leading = sorted(_unique(sentences), key=lambda s: s.support, reverse=True)[:SPEAKER_SENTENCES]
    voiced = [_cite(0, s, voices_of(s.doc_id)) for s in leading] if question.speaker else []
    evidence = _evidence(question, unled, voiced, read, asked)
    evidence["unmentioned"] = absent
    # With the story's own articles gone, the week's other articles lack its particular words. Of the ten
    # best passages only: the week's read beyond them (`WEEK_PASSAGES`) blurred the sign that the week ranks
    # nowhere near the top (`docs/reading-log.md`, *The third stop of 2026-12-03*).
    week = [n for n in ranked[:10] if reader.is_recent(str(n.metadata.get("published_at", "")), question.asked_on)]
    evidence["week_missing_terms"] = round(_missing_share(question, week if question.asked_on else read), 4)
    evidence["answerable_features"] = reader.answerable_features(
        question, evidence, [(float(n.score), str(n.metadata.get("published_at", ""))) for n in ranked[:10]],
        reader.best_candidate_evidence(found[0].probability, found[0].features) if found
        else reader.best_candidate_evidence(0.0, None))
    confidence = reader.answerable(evidence["answerable_features"], candidate_model)
    reading = {"confidence": None if confidence is None else round(confidence, 4),
               "candidates": [c.to_dict() for c in (found if all_candidates else found[:CANDIDATES_SHOWN])]}
    # With a trained model, the assistant abstains below the probability `train-reader` chose on the
    # training weeks for questions of its kind, dated or not (`reader.abstention_threshold`); without one,
    # below the hand-set evidence threshold.
    weak = (evidence["total"] < settings.abstain_below if confidence is None
            else confidence < reader.abstention_threshold(evidence["answerable_features"], model))
    if all_candidates:
        reading["sentences_read"] = [{"text": s.text, "features": s.features, "support": s.support}
                                     for s in _unique(sentences)]
    # A quoted sentence saying the opposite of what is asked ("the most vocal critics" for "the least
    # vocal"), or nothing negative where the question asks what did not happen, doesn't answer it
    # (`opposites.py`), or one speaking of another person, nationality or ordinal where the question names
    # its own ("the Japanese premier" for "Which Korean premier …?", `swaps.py`), however well it matches:
    # the question was written from it, one word changed.
    # The sentence of the bold answer is the answer's best, whatever order the quotes take ("… the first
    # missile test?" led with "almost two months ago" from "The last missile test was carried out …",
    # quoted second).
    texts = ([q.text for q in sorted(quoted, key=lambda q: not _holds(q, best))]
             if quoted and not (stated or skip) else [])
    evidence["opposite"] = list(opposites.stated_opposite(question.text, texts) or ())
    evidence["unnegated"] = bool(texts) and not evidence["opposite"] and opposites.unnegated(question.text, texts)
    evidence["swapped"] = ([] if evidence["opposite"] or evidence["unnegated"]
                           else list(swaps.swapped(question.text, texts) or ()))
    if not chosen or (weak and not stated and not skip) or absent or evidence["opposite"] or evidence["unnegated"] \
            or evidence["swapped"]:
        text = prompts.render("nothing_more") if skip else _abstention(
            question, evidence, read, off_week=question.asked_on is not None and not week,
            passage_shares=passage_shares)
        return Answer(question.text, text, True, [], passages, evidence=evidence, **reading)
    by_article = _by_article(citations)
    if len(by_article) > 1:
        text = "\n".join(prompts.render("article_line", source=a["source"], statement=a["statement"]) for a in by_article)
    else:
        text = by_article[0]["statement"]
    short = {"text": best.text, "doc_id": best.doc_id, "start": best.start, "end": best.end} if best else None
    if short:
        text = prompts.render("short_answer", short=best.text, statement=text)
    return Answer(question.text, text, False, citations, passages, by_article, evidence=evidence,
                  short_answer=short, **reading)


# How close a bold name stands to what a who-question calls the person (`reader._nearness`: 1 / (1 + the
# words between)): at most two words apart ("the Russian ambassador, Sergey Kislyak", "Republican
# nominee Donald Trump"), not "Clinton’s advisors met with the Russian Ambassador" (0.17), which led the
# seeds' "Who is the Russian ambassador?" in bold. Only one development question that says what it calls
# the person had a short answer shown (`runs/eval-dev-cur`: "CEO", 1.0); the held-out seeds' three had
# 1.0, 1.0 and 0.5 and were right, so this is a floor read off four questions, not learned.
NEAR_DESCRIPTION = 1 / 3


def may_lead(question: Question, candidate: reader.Candidate, threshold: float) -> bool:
    """Whether the reader's best candidate leads the answer in bold."""
    # The probability from which the best candidate leads the answer was chosen by `train-reader` on the
    # training weeks (see the model's "short_answer_from"). A candidate of another kind than the question
    # asks for ("Sergey" for "how many people …", "flights" for "which airline") never leads: of the 10
    # shown so out-of-fold on the development set (`runs/eval-dev-final8`), none was the answer. (One the
    # question itself names, "Florida" for "Florida Gov. Ron DeSantis … in which state?", is no candidate:
    # `reader.candidates`; of the 18 shown before, `runs/eval-dev-sp1`, none was the answer.) Nor does a
    # count for "how long" ("more than 11,000" for "how long could the work stoppage last?", the one such
    # short answer out-of-fold on April–June, `runs/eval-oof-kp3`: wrong); a length leads it ("months",
    # "90 days"). The same for a share ("what percentage …": "60%", "half", not a count) and for an amount
    # of money where the question counts something else (`answer_types.asks_count`). Only a person leads
    # "which senator …?" (`answer_types.asks_person`), only a person, organisation or country a "who"
    # question (`asks_who`), and only a name "which company …?" (`asks_organisation`). Nor does a known
    # place of another kind than asked ("Beijing" for "which country", "US" for "which state",
    # `reader._place_kind`): of the 9 best candidates so out-of-fold on the development set and on
    # October–December with the shipped model (`runs/eval-dev-s37c`, `-od-s37c`), none was the answer,
    # and 3 had led. A question that says what it calls the person ("Who is the
    # Russian ambassador?", `reader.who_called`) is answered by the name beside that description, never by
    # another name of the story: see `NEAR_DESCRIPTION`. Nor does a person the question names by surname
    # ("Scott Pruitt" for "What did Pruitt promote in Morocco?", `_names_subject`): no such short answer
    # led out-of-fold on the development set (`runs/eval-dev-s29r`), and on a folder of six ISOT
    # articles it led the one question with such a subject.
    asked = set(words(question.text))
    return (candidate.probability >= threshold and bool(candidate.features["type_match"])
            and not _names_subject(candidate, asked)
            and (candidate.label == "PERSON" or not asks_person(question.text))
            and (candidate.label in WHO_LABELS or not asks_who(question.focus or question.text))
            and (candidate.label in NAME_LABELS or not asks_organisation(question.text))
            and candidate.features.get("place_kind", 0.0) >= 0
            and (reader.who_called(question) is None or candidate.features["near_kind"] >= NEAR_DESCRIPTION)
            and (question.expects != NUMBER
                 or ((not (asks_length(asked) or asks_share(asked)) or offers(candidate.text, NUMBER, asked))
                     and not (candidate.label == "MONEY" and asks_count(asked)))))


# A question about someone's kin asks for a name that may share theirs ("Who is Trump's eldest son?").
KIN = frozenset("son sons daughter daughters wife husband brother sister father mother child children family "
                "spouse widow nephew niece cousin".split())


def _names_subject(candidate: reader.Candidate, asked: set[str]) -> bool:
    """Whether the candidate is a person the question already names by surname, and not their kin."""
    name = words(candidate.text)
    return candidate.label == "PERSON" and len(name) > 1 and name[-1] in asked and not asked & KIN


def _about_article(question: Question, fact: str, article: Article, ranked: list[Hit]) -> Answer:
    """The answer to a question about `article` itself (`article_facts`): its own spans quoted, or what it
    lacks said."""
    passages = [_passage_dict(n, False) for n in ranked]
    evidence = {"article_fact": fact}
    found, statement, citations = _article_fact(fact, article, first=1)
    if found.missing:
        return Answer(question.text, statement, True, [], passages, evidence=evidence)
    by_article = _by_article(citations)
    by_article[0]["statement"] = statement
    short = None
    if found.short:
        start, end = found.short
        short = {"text": article.text[start:end], "doc_id": article.doc_id, "start": start, "end": end}
        statement = prompts.render("short_answer", short=short["text"], statement=statement)
    return Answer(question.text, statement, False, citations, passages, by_article, evidence=evidence, short_answer=short)


def _article_fact(fact: str, article: Article, first: int) -> tuple[article_facts.Found, str, list[Citation]]:
    """What the article says to `fact`, the statement saying it (or what it lacks), and its citations,
    numbered from `first`."""
    found = article_facts.read(fact, article.title, article.text, article.metadata)
    if found.missing:
        return found, prompts.render("article_lacks", title=article.title, missing=found.missing), []
    article_voices = voices(article.text)
    citations = [_quoted(first + i, article, span, article_voices) for i, span in enumerate(found.spans)]
    statement = _by_article(citations)[0]["statement"]
    if found.record:
        statement = prompts.render("article_record", what=article_facts.RECORD_NAMES[fact], value=found.record,
                                   n=str(first))
    if found.speakers:
        names = ", ".join(f"{name} [{c.n}]" for name, c in zip(found.speakers, citations))
        statement = prompts.render("article_speakers", names=names, statement=statement)
    return found, statement, citations


def _quoted(n: int, article: Article, span: tuple[int, int], article_voices) -> Citation:
    """Citation `n` of the article's text at `span`, chosen from the article itself, not by the reader."""
    start, end = span
    meta = article.metadata
    return _cite(n, _Sentence(article.doc_id, article.title, start, end, article.text[start:end], 0,
                              str(meta.get("source", "")), str(meta.get("published_at", "")), support=1.0),
                 article_voices)


def _period_notice(question: Question, citations: list[Citation]) -> str:
    """What the answer says when none of its quotes is of the period the question names. Nothing when no
    article is: the period is then an event's ("who will run for president in 2024?"), not a report's."""
    if not question.period_days:
        return ""
    resolved = (int(min(question.period_days)[:4]), question.period[1])
    if citations and not any(c.published_at[:10] in question.period_days for c in citations):
        return prompts.render("period_other", period=period_name(resolved))
    return ""


def passages_read(ranked: list[Hit], settings: Settings, speaker: str | None = None,
                  asked_on: date | None = None, period_days: frozenset[str] = frozenset(),
                  asked_terms: tuple[str, ...] = ()) -> list[Hit]:
    """The `top_k` passages the answer reads: the best ones, but at most `per_article` from one article
    while other articles' passages are left, so that one long article can't crowd out the second source
    of a story (on the seeds, all ten best passages of "what is the name of the Russian ambassador?" were
    the first article's; the second, which names him, came eleventh). For a question asking what
    `speaker` said, also the best `SPEAKER_PASSAGES` below those in which the speaker says something:
    "What did Biden say about the debt ceiling deal?" read ten passages about the deal, none with Biden
    speaking, and abstained; his “America will not default,” Biden said came 18th. For a question asked on
    a day of which none of those is, also the best `WEEK_PASSAGES` of its week; likewise for one naming a
    period (`period_days`, its articles' days). A passage among the `top_k` best that the cap left out is
    read after all where it holds a word of the question's (`asked_terms`) that no passage read holds:
    "Who is the Finance Secretary of the Philippines?" read five passages of the one article on the
    Philippines' debt, and abstained saying none mentions “Finance”, which its seventh did."""
    counts: dict[str, int] = {}
    read, spare = [], []
    for hit in ranked:
        doc_id = hit.metadata["doc_id"]
        counts[doc_id] = counts.get(doc_id, 0) + 1
        (read if counts[doc_id] <= settings.per_article else spare).append(hit)
    kept = {id(n) for n in read[: settings.top_k] + spare[: max(settings.top_k - len(read), 0)]}
    if asked_terms:
        lacking = {stem(t) for t in asked_terms} - _stems([n for n in ranked if id(n) in kept])
        for hit in ranked[: settings.top_k]:
            if id(hit) not in kept and lacking & (held := _stems([hit])):
                kept.add(id(hit))
                lacking -= held
    if speaker:
        kept |= {id(n) for n in [n for n in ranked if id(n) not in kept and speaks_in(n.text, speaker)][:SPEAKER_PASSAGES]}
    if asked_on or period_days:
        week = [n for n in ranked if reader.is_recent(str(n.metadata.get("published_at", "")), asked_on)
                or str(n.metadata.get("published_at", ""))[:10] in period_days]
        if not kept & {id(n) for n in week}:
            kept |= {id(n) for n in week[:WEEK_PASSAGES]}
    return [n for n in ranked if id(n) in kept]


def _naming(absent: list[str], ranked: list[Hit]) -> set[str]:
    """The best `NAME_ARTICLES` articles whose passages mention a name of `absent` (`mentions.mentions_one_of`;
    years not: many passages hold any year). "Who is Isakson's spokeswoman?" read ten passages about other
    people, none naming him (the embedding doesn't know the name), and abstained, while the keyword index
    had proposed the three naming him; with them and those ten read together, the answer led with
    another man's spokesman, from a sentence that doesn't name Isakson."""
    names = [n for n in absent if not n.isdigit()]
    found: list[str] = []
    for n in ranked if names else ():
        doc_id = n.metadata["doc_id"]
        if doc_id not in found and mentions.mentions_one_of(names, f"{n.metadata.get('title', '')}\n{n.text}"):
            found.append(doc_id)
            if len(found) == NAME_ARTICLES:
                break
    return set(found)


def _whole_articles(read: list[Hit], text_of: Callable[[str], str]) -> list[str]:
    """Each article read, once: its title, outlet, day (an article of 2023 mentions 2023 as "this year")
    and whole text."""
    firsts = {n.metadata["doc_id"]: n for n in reversed(read)}
    return [" ".join([str(n.metadata.get(key, "")) for key in ("title", "source", "published_at")] + [text_of(doc_id)])
            for doc_id, n in firsts.items()]


def _evidence(question: Question, chosen: list[_Sentence], voiced: list[Citation],
              ranked: list[Hit], asked: tuple[str, ...] = ()) -> dict:
    """How well the best sentence answers, less what the question asks that the passages lack: its words
    (a salary, Ukraine), a number or date it asks for, the speaker whose words it asks about (`voiced`:
    the leading sentences, with who speaks in each; `asked`: the speaker's names, `_asked_speakers`)."""
    best = max((s.relevance for s in chosen), default=0.0)
    missing = MISSING_TERMS_PENALTY * _missing_share(question, ranked)
    asked_words = set(words(question.text))
    unoffered = UNOFFERED_PENALTY * (question.expects in (NUMBER, DATE)
                                     and not any(offers(s.text, question.expects, asked_words) for s in chosen))
    unspoken = UNSPOKEN_PENALTY * bool(question.speaker and not any(_spoken_by(c, asked) for c in voiced))
    return {"best_sentence": round(best, 4), "missing_terms": round(-missing, 4), "kind_not_offered": -unoffered,
            "speaker_not_found": -unspoken, "total": round(best - missing - unoffered - unspoken, 4)}


def _asked_speakers(speaker: str, sentences: list[_Sentence], voices_of: Callable) -> tuple[str, ...]:
    """The asked `speaker`, and when it is a description ("the Kremlin aide", "officials"), the names of
    those the sentences read have speak under its noun ("The aide did however say …" is Peskov's)."""
    head = speaker.split()[-1]
    if not head.islower():
        return (speaker,)
    named = (voice_in(voices_of(s.doc_id), s.start, s.end).speaker for s in sentences if speaks_in(s.text, head))
    return (speaker, *dict.fromkeys(name for name in named if name and not name.split()[-1].islower()))


def _spoken_by(citation: Citation, speakers: tuple[str, ...]) -> bool:
    """The span is one of the `speakers`' own (quoted or reported), or has one speak inside someone's quote."""
    for speaker in speakers:
        surname = speaker.split()[-1].lower()
        if citation.speaker and same_name(citation.speaker.split()[-1].lower(), surname):
            return True
        if citation.kind == QUOTE and speaks_in(citation.quote, surname):
            return True
    return False


# A sentence that opens on a pronoun, a demonstrative or "the company" ("These were the people Sergey met
# …", "The chain said …") names what it is about in the sentence before it, which the quote then includes.
_ANAPHORIC = re.compile(r"^[\"“‘']?(?:These|This|Those|They|He|She|It|His|Her|Their|Its|"
                        r"The (?:company|chain|firm|group|agency|brand|retailer|automaker|network|airline|"
                        r"team|club|country|city|state|organization|department|court|bank|restaurant))\b")
_ANTECEDENT_CHARS = 2_000  # looked back at most: a sentence longer than this isn't quoted as one


def _points_back(sentence: str, kind: str | None = None) -> bool:
    """Whether the sentence opens on words that refer to the one before it (`_ANAPHORIC`, `_names_by_kind`)."""
    return bool(_ANAPHORIC.match(sentence)) or _names_by_kind(sentence, kind)


def _names_by_kind(sentence: str, kind: str | None) -> bool:
    """Whether the sentence opens on "The", at most two plain words and the word the question calls its
    answer (`reader.kind_head`): "The signature drink returned to the fall menu" for "Which signature drink
    did Starbucks reintroduce?" follows "Starbucks’ beloved Pumpkin Spice Latte is back.", which names it. A
    name or a possessive among the words says who is meant ("The Russian president’s spokesperson …")."""
    return bool(kind and re.match(rf"[\"“‘']?The (?:[a-z0-9][\w-]* ){{0,2}}{re.escape(kind)}s?\b", sentence))


def _with_antecedent(sentence: _Sentence, text: str, kind: str | None = None) -> _Sentence:
    """The sentence, or (for one that points back, `_points_back`) it and the one before it in `text`."""
    if not text or not _points_back(sentence.text, kind):
        return sentence
    window = max(0, sentence.start - _ANTECEDENT_CHARS)
    before = sentence_spans(text[window:sentence.start], window, is_wrapped(text))
    if not before or (window and len(before) == 1):  # none, or one that may start before the window
        return sentence
    start = before[-1].start
    if text[start:before[-1].end].strip() == sentence.title.strip():  # a text file's headline line says no more
        return sentence
    # A link to another story ("More:California auditor faults …") is not what the sentence points back to,
    # and words addressed to a model are never quoted. A subheading that asks is ("What does Chapter 11
    # bankruptcy mean for Rite Aid?" before "The company filed …": leaving such questions out lost that
    # answer out-of-fold, `runs/eval-dev-ant`, and won none).
    if is_page_furniture(text[start:before[-1].end]) or addresses_a_model(text[start:before[-1].end]):
        return sentence
    # What the question calls its answer opens a paragraph as often as it follows on from the sentence
    # before ("The museum launched on Monday." after a quote in the paragraph above), so only within one.
    if not _ANAPHORIC.match(sentence.text) and "\n" in text[before[-1].end:sentence.start]:
        return sentence
    return dataclasses.replace(sentence, start=start, text=text[start:sentence.end])


# A sentence that answers the one before it ("… you would probably say that, yes, he was trying to
# interfere. But it would be nonsense, because this is not true," Peskov said): quoted without it, the
# first says the opposite of what its speaker or writer meant.
_REBUTTAL = re.compile(r"^[\"“‘']?(?:But|However|Yet|Nevertheless|Nonetheless|Still,|That said)\b")


def _with_rebuttal(sentence: _Sentence, text: str) -> _Sentence:
    """The sentence, or (when the next one in its paragraph turns against it, `_REBUTTAL`) it and that one."""
    after = text[sentence.end:sentence.end + _ANTECEDENT_CHARS]
    following = sentence_spans(after, sentence.end, is_wrapped(text))
    if not following or "\n\n" in text[sentence.end:following[0].start]:
        return sentence
    next_sentence = text[following[0].start:following[0].end]
    if not _REBUTTAL.match(next_sentence) or following[0].end - sentence.end >= _ANTECEDENT_CHARS:
        return sentence
    return dataclasses.replace(sentence, end=following[0].end, text=text[sentence.start:following[0].end])


def _holds(quote: _Sentence, best: reader.Candidate | None) -> bool:
    """Whether `quote` holds the bold answer `best`."""
    return best is not None and quote.doc_id == best.doc_id and quote.start <= best.start and best.end <= quote.end


def _outermost(quoted: list[_Sentence]) -> list[_Sentence]:
    """The quotes, less any that another already holds (a sentence chosen on its own and also as the one
    before or after another), and less repeats."""
    def held(i: int, q: _Sentence) -> bool:
        return any(o.doc_id == q.doc_id and o.start <= q.start and q.end <= o.end
                   and ((o.start, o.end) != (q.start, q.end) or j < i)
                   for j, o in enumerate(quoted) if j != i)

    return [q for i, q in enumerate(quoted) if not held(i, q)]


def _candidates_with_antecedents(question: Question, kind: str | None, sentences: list[_Sentence],
                                 text_of: Callable[[str], str],
                                 model: dict | None, settings: Settings,
                                 stored: reader.StoredEntities | None) -> list[reader.Candidate]:
    """`reader.candidates` of the sentences, each that calls the answer what the question does read with
    the sentence before it (`_names_by_kind`; the quote holds both): "The signature drink returned to the
    fall menu" names no drink, the sentence before it does. Each candidate keeps the sentence as it was
    scored, so that the answer quotes it, and with it the sentence before. Sentences opening on a pronoun
    are read alone: they hold what they say ("He then went on to defend the meetings that the Russian
    ambassador, Sergey Kislyak had …"), and read with the sentence before, the seeds' short answer
    **Sergey Kislyak** fell below the shipped model's threshold. `kind`: `reader.kind_head`."""
    read = sorted(sentences, key=lambda s: s.support, reverse=True)[:reader.READ_SENTENCES]
    joined = {id(s): _with_antecedent(s, text_of(s.doc_id), kind) if _names_by_kind(s.text, kind) else s for s in read}
    plain = {(j.doc_id, j.start, j.end): s for s in read for j in [joined[id(s)]]}
    found = reader.candidates(question, [joined[id(s)] for s in read], model, settings.sentence_encoder, stored,
                              text_of)
    for candidate in found:
        candidate.sentence = plain[(candidate.sentence.doc_id, candidate.sentence.start, candidate.sentence.end)]
        candidate.named_in = frozenset((s.doc_id, s.start, s.end) for span in candidate.named_in
                                       for s in [plain.get(span)] if s is not None)
    return found


def _cite(n: int, sentence: _Sentence, article_voices: list[Voice]) -> Citation:
    """The sentence cited, less a wire story's dateline ("WASHINGTON (AP) — "): where it was filed, not
    what it says, which the citation's outlet and date already give."""
    voice = voice_in(article_voices, sentence.start, sentence.end)
    skip = dateline_end(sentence.text)
    skip = skip if skip < len(sentence.text) else 0
    return Citation(n, sentence.doc_id, sentence.title, sentence.start + skip, sentence.end, sentence.text[skip:],
                    round(sentence.support, 4), sentence.outlet, sentence.published_at, voice.kind, voice.speaker)


def _score_sentences(question: Question, vectors: np.ndarray, ranked: list[Hit], settings: Settings,
                     model: dict | None, wrapped: Callable[[str], bool]) -> list[_Sentence]:
    """`vectors`: the question's searches, embedded by the retrieval encoder; `wrapped(doc_id)`: whether
    the article is wrapped at a fixed width (`passages.is_wrapped`). Each sentence's `relevance`
    (how well it matches the question, which abstention weighs) is hand-set; its `support` (which picks
    the sentences read and quoted) is the reader's sentence model's probability when there is one (`model`:
    its weights), else relevance plus bonuses for offering an answer."""
    sentences = [s for rank, n in enumerate(ranked) for s in _sentences(n, rank, wrapped(n.metadata["doc_id"]))]
    if not sentences:
        return []
    encoder = settings.sentence_encoder
    if encoder != settings.encoder:
        vectors = embedder.embed(question.searches, encoder=encoder)
    # Small length-sorted batches: sentences differ in length, and a batch pads to its longest.
    similarity = (embedder.embed([s.text for s in sentences], batch_size=8, encoder=encoder) @ vectors.T).max(axis=1)
    sentence_terms = [{stem(w) for w in words(s.text)} for s in sentences]
    weights = _term_weights({stem(t) for t in content_terms(question.text)}, sentence_terms)
    total = sum(weights.values()) or 1.0
    top = ranked[0].score or 1.0
    asked_words = set(words(question.text))
    for sentence, cosine, found in zip(sentences, similarity, sentence_terms):
        overlap = sum(w for t, w in weights.items() if t in found) / total
        passage = max(ranked[sentence.passage_rank].score, 0.0) / top
        offers = bool(_candidates(sentence, question, asked_words))
        sentence.relevance = float(0.5 * cosine + 0.35 * overlap + 0.15 * passage)
        sentence.support = sentence.relevance + OFFERS_BONUS * offers
        sentence.features = [float(cosine), overlap, passage, float(offers), 0.0, 1.0 / (1 + sentence.passage_rank),
                             math.log(len(sentence.text.split())),
                             float(reader.is_recent(sentence.published_at, question.asked_on))]
    unique = _unique(sentences)
    for sentence, vote in zip(unique, _vote(question, unique, asked_words)):
        sentence.support += VOTE_WEIGHT * vote
        sentence.features[SENTENCE_VOTE] = vote
    if model:
        # A passage's overlap repeats its neighbour's sentence: both get the probability of the one scored.
        probability = {(s.doc_id, s.start, s.end): float(p)
                       for s, p in zip(unique, reader.conditional_logit([s.features for s in unique], model))}
        for sentence in sentences:
            sentence.support = probability[(sentence.doc_id, sentence.start, sentence.end)]
    return sentences


def _candidates(sentence: _Sentence, question: Question, asked_words: set[str]) -> set[str]:
    """What the sentence offers as the answer; nothing for a headline, whose Title Case hides the names."""
    if sentence.text.strip() == sentence.title.strip():
        return set()
    return candidates(sentence.text, question.expects, asked_words)


def _vote(question: Question, sentences: list[_Sentence], asked_words: set[str]) -> list[float]:
    """Answer redundancy: the thing several good sentences name ("Mary Quant" in five obituaries) is more
    likely the answer than one a single sentence names. Each sentence's vote: its best candidate's share
    of the support behind all candidates (0 to 1)."""
    found = [_candidates(s, question, asked_words) for s in sentences]
    votes: dict[str, float] = {}
    for sentence, things in zip(sentences, found):
        for thing in things:
            votes[thing] = votes.get(thing, 0.0) + sentence.support
    top = max(votes.values(), default=0.0)
    if top <= 0:
        return [0.0] * len(sentences)
    return [max((votes[t] for t in things), default=0.0) / top for things in found]


def _missing_share(question: Question, ranked: list[Hit]) -> float:
    """Weighted share of the question's content words found in none of the passages; a number counts
    double ("the 2020 election" is not the 2016 one). Only the asking sentence's words count when the
    question sets a scene first: articles tell the scene in their own words."""
    weights = {t: 2.0 if any(ch.isdigit() for ch in t) else 1.0 for t in content_terms(question.focus or question.text)}
    return sum(weights[t] for t in _missing_terms(question, ranked)) / max(sum(weights.values()), 1.0)


def _missing_terms(question: Question, ranked: list[Hit]) -> list[str]:
    """The content words of the asking sentence (`_missing_share`) that none of the passages holds."""
    found = _stems(ranked)
    return [t for t in content_terms(question.focus or question.text) if stem(t) not in found]


def _stems(passages: list[Hit]) -> set[str]:
    """The stems of the words the passages and their articles' titles hold."""
    return {stem(w) for n in passages for w in words(n.text + " " + n.metadata["title"])}


# Words named in an abstention's reason, at most: the rest are said to be missing too, not listed.
REASON_WORDS = 3
# A question word no passage read holds is named in the reason when it is a name or a number, or when at
# most this share of the index's passages holds it. Words most passages lack whatever their story
# ("major", "recently", "known": 2.0 %, 2.0 % and 1.3 % of the development index's passages) were the
# reason given for many abstentions, and explained none. The line is a reading of the development run's
# reasons (`runs/eval-dev-s50`), not a measurement of answers (it changes none): the words above 0.2 %
# read as the question's phrasing ("previous", "item", "iconic", "fewer" at 0.26–0.67 %), those below as
# its story's ("spat", "bidder", "haze", "milestone", "defamation" at 0.01–0.13 %).
TELLING_SHARE = 0.002


def _abstention(question: Question, evidence: dict, read: list[Hit], off_week: bool = False,
                passage_shares: Callable[[list[str]], dict[str, float]] | None = None) -> str:
    """"The articles don't answer this", and why, where the evidence says (`_evidence`): the names or years
    no article read mentions (`mentions.py`), the opposite the best sentence says or the negation none says
    (`opposites.py`), whom it names in the place of the question's (`swaps.py`), the speaker none of the
    best sentences is by, the number or date none of the quoted sentences gives, or the question's telling
    words that no passage read holds (`_telling`); and, for a question asked on a day (`off_week`), that
    none of the ten best passages is of its week. Every reason is a fact about the passages, never a guess
    at the answer."""
    reason = ""
    if evidence.get("unmentioned"):
        reason = prompts.render("abstain_name", names=_either([f"“{n}”" for n in evidence["unmentioned"][:REASON_WORDS]]))
    elif evidence.get("opposite"):
        asked, stated = evidence["opposite"]
        reason = prompts.render("abstain_opposite", asked=asked, stated=stated)
    elif evidence.get("unnegated"):
        reason = prompts.render("abstain_unnegated")
    elif evidence.get("swapped"):
        asked, stated = evidence["swapped"]
        reason = prompts.render("abstain_swapped", asked=asked, stated=stated)
    elif evidence["speaker_not_found"]:
        reason = prompts.render("abstain_speaker", speaker=question.speaker)
    elif evidence["kind_not_offered"]:  # "How old is …?": no age, rather than no "old"
        reason = prompts.render("abstain_kind", kind="date" if question.expects == DATE else "number")
    elif missing := _telling(_missing_as_asked(question, read), question, passage_shares):
        shown, more = missing[:REASON_WORDS], len(missing) - REASON_WORDS
        listed = f"{', '.join(shown)} or {more} more of the question's words" if more > 0 else _either(shown)
        reason = prompts.render("abstain_missing", words=listed)
    if off_week:
        reason += prompts.render("abstain_week", day=question.asked_on.isoformat())
    return prompts.render("abstain", reason=reason)


def _telling(missing: list[str], question: Question,
             passage_shares: Callable[[list[str]], dict[str, float]] | None) -> list[str]:
    """The missing words (`_missing_as_asked`, quoted) worth naming (`TELLING_SHARE`): names and numbers
    first ("Masters" says more than "won"), then the rarest."""
    shares = passage_shares([w.strip("“”") for w in missing]) if passage_shares and missing else {}
    share = {w: shares.get(w.strip("“”"), 0.0) for w in missing}
    opening = question.text.lstrip()

    def named(word: str) -> bool:  # capitalised where it isn't just the question's first word, or a number
        bare = word.strip("“”")
        return bare[0].isdigit() or (bare[0].isupper() and not opening.startswith(bare))
    return sorted((w for w in missing if named(w) or share[w] <= TELLING_SHARE), key=lambda w: (not named(w), share[w]))


def _missing_as_asked(question: Question, read: list[Hit]) -> list[str]:
    """The question's words no passage read holds (`_missing_terms`), as the question spells them, less
    those a passage holds with another ending ("hosts" beside "with host Fareed Zakaria"): the evidence's
    crude stem never meets them, but a reason saying no passage mentions “hosts” would be false. Only the
    reason's wording: as evidence, such endings were tried and not kept (`docs/reading-log.md`, *Tried*)."""
    terms = _missing_terms(question, read)
    held = {_base_form(w) for n in read for w in words(n.text + " " + n.metadata["title"])} if terms else set()
    return list(dict.fromkeys(_as_asked(t, question.text) for t in terms
                              if _base_form(t) not in held and not _named_otherwise(t, held)))


def _named_otherwise(term: str, held: set[str]) -> bool:
    """Whether the passages name the country `term` names by another of its names ("US" by "American",
    `mentions.other_names`): "Which major strike in the US ended this week?" was abstained on saying no
    passage mentioned “US”. The reason's wording only: as evidence it changed 4 of the development set's
    1,324 answers out-of-fold, one answerable question lost (`runs/eval-dev-s40` against `-s39`)."""
    return any(all(_base_form(w) in held for w in name.split()) for name in mentions.other_names(term))


def _base_form(word: str) -> str:
    for ending, replacement in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ing", ""), ("d", "")):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)] + replacement
    return word


def _either(items: list[str]) -> str:
    """“a”, “b” or “c”."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _as_asked(term: str, question: str) -> str:
    """A content word as the question spells it ("orkney" → “Orkney”), whole where hyphens join it to
    others: “re-election”, never “re”; and a number whole: “30,000”, never “000” (the terms split it at
    its comma, and a passage lacking either piece lacks the number)."""
    if term.isdigit():
        number = next((n for n in re.findall(r"\d+(?:[.,]\d+)*", question) if term in re.split(r"[.,]", n)), term)
        return f"“{number}”"
    found = re.search(rf"(?<![\w-])(?:[^\W_]+-)*{re.escape(term)}(?:-[^\W_]+)*(?![\w-])", question, re.IGNORECASE)
    return f"“{found[0] if found else term}”"


def _term_weights(terms: set[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    """Inverse frequency among the candidate sentences: the name every candidate shares ("Peskov") says
    little about which one answers; a term no candidate has weighs most, so its absence counts."""
    n = len(sentence_terms)
    return {t: math.log(1 + n / (1 + sum(t in found for found in sentence_terms))) for t in terms}


def _sentences(hit: Hit, rank: int, wrapped: bool) -> list[_Sentence]:
    meta, text = hit.metadata, hit.text
    # A headline sums the story up in words that match many questions, and its body says the same with
    # a speaker.
    return [_Sentence(meta["doc_id"], meta["title"], start, end, sentence, rank, str(meta.get("source", "")),
                      str(meta.get("published_at", "")))
            for start, end, sentence in reading_sentences(text, int(meta["start"]), wrapped)
            if sentence.strip() != meta["title"].strip()]


def _rivals(found: list[reader.Candidate], best: reader.Candidate | None) -> frozenset:
    """The sentences, as (doc_id, start, end), that name the short answer and also another candidate with
    its label: quoted to corroborate the bold answer, they argue for something else too ("Shares of
    Facebook-parent Meta, Snap, Twitter and Pinterest all dipped …" under **Twitter**). Leaving them out,
    out-of-fold on the April–June questions (`runs/eval-oof-rvb` against `-sa70`): choice accuracy 0.614 →
    0.622, citation precision 0.784 → 0.791, median words 58 → 56.5, answer in citations 0.625 and every
    gold article cited 0.48 either way. Leaving out every sentence that names such a rival, the answer's
    or not, gained less (0.618) and cost the seeds two second articles (`-rvn`); counting only rivals the
    reader rates 0.1 or more changed nothing (`-rv10`)."""
    if best is None or best.label == "CHUNK":  # a common noun phrase has rivals in every sentence
        return frozenset()
    return best.named_in & frozenset().union(*(c.named_in for c in found if c is not best and c.label == best.label))


def _select(sentences: list[_Sentence], settings: Settings, short: reader.Candidate | None = None,
            learned: bool = False, rivals: frozenset = frozenset(),
            speaker_topic: frozenset[str] = frozenset()) -> list[_Sentence]:
    """The best sentence (or, with a `short` answer, the one holding it), then each other article's best if
    close enough, in reading order; when no other article's is, the same article's runner-up if close
    enough. Another article's sentence that names the short answer too comes before any other, however
    far below, unless it names a rival of it too (`rivals`); so does another article's best that holds one
    of `speaker_topic`, the stems of what the asked speaker's words are about, when the `sentences` are
    all theirs."""
    lead = short.sentence if short else None
    named = lambda s: bool(short) and (s.doc_id, s.start, s.end) in short.named_in  # noqa: E731
    ranked = sorted((s for s in _unique(sentences) if s is lead or (s.doc_id, s.start, s.end) not in rivals),
                    key=lambda s: (s is not lead, not named(s), -s.support))
    best = ranked[0]
    # Support is a probability under the sentence model (`learned`), else the hand-set score.
    floor = (OTHER_ARTICLE_SHARE * best.support if learned
             else max(settings.abstain_below, best.support - OTHER_ARTICLE_MARGIN))
    # Another article's copy of a better sentence (a wire story, a live page's repeated paragraph) would
    # quote the same words twice.
    by_words: dict[str, _Sentence] = {}
    for sentence in ranked:
        by_words.setdefault(" ".join(words(sentence.text)), sentence)
    ranked = list(by_words.values())
    chosen = [best]
    for sentence in ranked[1:]:
        if len(chosen) >= settings.answer_sentences:
            break
        # Under a bold answer, another article's sentence comes only where it names it too: "Who is the
        # Finance Secretary of the Philippines?" (**Jaime Ongpin**) quoted a senator on the Fed chair. With
        # the fold models of `runs/reader-dev-s57` (`runs/eval-dev-x2` against `-s62d`): citation precision
        # 0.764 → 0.771, answer in citations 0.677 → 0.678, every gold article cited 0.513 both, choice
        # accuracy 0.661 both; October–December, the shipped model (held out): 0.779 → 0.782 and 0.680 →
        # 0.692, the freed place going to the answering article's runner-up; the seeds as before.
        if ((sentence.support >= floor and not short) or named(sentence)) and sentence.doc_id not in {c.doc_id for c in chosen}:
            chosen.append(sentence)
    # Another outlet's report of the same speaker's words says what they said in its own words ("Kislyak had
    # a responsibility to meet with both candidates' teams" beside "it is part of the ambassador's job"):
    # the sentence model rates the paraphrase far below the copy of the question's words. On the seeds
    # (`runs/eval-seeds-vo`): every gold article cited 0.95 → 1.0; on the held-out seeds, citation precision
    # 0.95 → 0.90: held-08 and held-14 gain the other outlet's sentence of his on the meetings, not gold.
    if speaker_topic and len(chosen) < settings.answer_sentences and all(c.doc_id == best.doc_id for c in chosen):
        chosen += [s for s in ranked[1:]
                   if s.doc_id != best.doc_id and speaker_topic & {stem(w) for w in words(s.text)}][:1]
    # One article alone answering: its second-best sentence often holds what the best only leads up to.
    # Out-of-fold on the April–June questions (`runs/eval-oof-same2` against `-rvb`): choice accuracy
    # 0.622 → 0.637, answer in citations 0.625 → 0.652, median words 56.5 → 57; at half the best's
    # probability instead of a fifth, 0.637 and 0.642 (`-same5`); only without a bold answer, 0.633 and
    # 0.646 (`-sm2`).
    runners_up = [s for s in ranked[1:] if s.support >= floor and all(s is not c for c in chosen)]
    chosen += runners_up[: settings.answer_sentences - len(chosen)]
    order = {doc_id: i for i, doc_id in enumerate(dict.fromkeys(c.doc_id for c in chosen))}
    return sorted(chosen, key=lambda s: (order[s.doc_id], s.start))


# Another article repeats a quoted sentence when it holds a run of at least this many of its words, in
# order, and at least this share of them: a wire story run by several outlets, or a quote both report, with
# its attribution ("…,” Peskov said.", "Peskov claimed that:") and the sentence splits around it differing.
# Shorter runs repeat by coincidence ("the Centers for Disease Control and Prevention said").
COPY_MIN_WORDS = 10
COPY_SHARE = 0.5
# Copies cited per quoted sentence: enough to show it isn't one outlet's word alone.
COPIES_CITED = 2
_WORD = re.compile(r"\w+")


def _copies(chosen: list[_Sentence], sentences: list[_Sentence], citations: list[Citation]) -> list[tuple[int, _Sentence]]:
    """(the citation's n, the copy) for each sentence read in an article not yet cited that repeats a chosen
    sentence; the copy is the repeated run of words, with its exact span (`_select` quotes one of a
    sentence's exact copies only, and each article's best sentence)."""
    cited = {c.doc_id for c in citations}
    others = [(s, _tokens(s.text)) for s in sorted(_unique(sentences), key=lambda s: -s.support) if s.doc_id not in cited]
    found = []
    for s in chosen:
        holder = next((c.n for c in citations if c.doc_id == s.doc_id and c.start <= s.start and s.end <= c.end), None)
        tokens = _tokens(s.text)
        need = max(COPY_MIN_WORDS, COPY_SHARE * len(tokens))
        if holder is None or len(tokens) < need:
            continue
        copies = {}
        for other, other_tokens in others:
            if other.doc_id in cited or other.doc_id in copies or len(other_tokens) < need:
                continue
            if len({w for w, _, _ in tokens} & {w for w, _, _ in other_tokens}) < need:  # cheap: most share few words
                continue
            run = difflib.SequenceMatcher(None, [w for w, _, _ in tokens], [w for w, _, _ in other_tokens],
                                          autojunk=False).find_longest_match()
            if run.size >= need:  # the run's words, or the whole sentence where the run reaches its ends
                start = 0 if run.b == 0 else other_tokens[run.b][1]
                last = run.b + run.size - 1
                end = len(other.text.rstrip()) if last == len(other_tokens) - 1 else other_tokens[last][2]
                copies[other.doc_id] = dataclasses.replace(other, start=other.start + start, end=other.start + end,
                                                           text=other.text[start:end])
        cited |= copies.keys()
        found += [(holder, copy) for copy in list(copies.values())[:COPIES_CITED]]
    return found


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Each word of `text`, lower-cased, with its offsets: curly and straight quotes and apostrophes alike."""
    return [(m[0].lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _unique(sentences: list[_Sentence]) -> list[_Sentence]:
    """Overlapping passages yield the same sentence twice: keep one per span."""
    by_span = {}
    for s in sentences:
        key = (s.doc_id, s.start, s.end)
        if key not in by_span or by_span[key].support < s.support:
            by_span[key] = s
    return list(by_span.values())


def _by_article(citations: list[Citation]) -> list[dict]:
    """One entry per article, named by its outlet when that tells the articles apart, else by its title."""
    groups: dict[str, list[Citation]] = {}
    copies: dict[int, list[int]] = {}
    for c in citations:
        if c.copy_of is None:
            groups.setdefault(c.doc_id, []).append(c)
        else:
            copies.setdefault(c.copy_of, []).append(c.n)
    outlets = [cs[0].outlet for cs in groups.values()]
    by_outlet = all(outlets) and len(set(outlets)) == len(outlets)
    return [{"doc_id": doc_id, "title": cs[0].title, "outlet": cs[0].outlet,
             "source": cs[0].outlet if by_outlet else f"“{cs[0].title}”",
             "statement": " ".join(_attributed(c) + "".join(f" [{n}]" for n in [c.n, *copies.get(c.n, [])]) for c in cs),
             "citations": [n for c in cs for n in [c.n, *copies.get(c.n, [])]]}
            for doc_id, cs in groups.items()]


_LINE_BREAK = re.compile(r"[ \t]*(?<!\n)\n(?!\n)[ \t]*")  # a single line break, and the spaces around it


def _attributed(citation: Citation) -> str:
    """A quote says whose it is, so the answer never passes a quoted claim off as the article's own. A line
    break inside a paragraph (a wrapped text's, `passages.unwrapped`) is shown as the space it stands for."""
    quote = _LINE_BREAK.sub(" ", citation.quote)
    if citation.kind != QUOTE or not citation.speaker or citation.speaker.split()[-1] in quote:
        return quote
    return prompts.render("quoted", speaker=citation.speaker, quote=quote)


def _passage_dict(hit: Hit, read: bool) -> dict:
    """`read`: among the passages the answer was read from (`passages_read`)."""
    meta = hit.metadata
    return {"doc_id": meta["doc_id"], "title": meta["title"], "start": int(meta["start"]), "end": int(meta["end"]),
            "score": round(float(hit.score), 4), "dense_score": meta.get("dense_score"),
            "keyword_score": meta.get("keyword_score"), "read": read, "text": hit.text}


def _said_by(words_quoted: str, sentences: list[_Sentence], voices_of: Callable) -> reader.Candidate | None:
    """Whoever the best sentence holding `words_quoted` has saying them, where that sentence names them
    ("… the spokesman for Putin Dmitry Peksov, claimed not only was the Russian narrative “fake news” …"):
    a speaker named only in an earlier sentence is no span of the quote, and isn't given."""
    holding = [s for s in sorted(sentences, key=lambda s: s.support, reverse=True)
               if article_facts.mentions(s.text, words_quoted)]
    for sentence in holding:
        speaker = voice_in(voices_of(sentence.doc_id), sentence.start, sentence.end).speaker
        at = sentence.text.rfind(speaker) if speaker else -1
        if at >= 0:
            return reader.Candidate(speaker, sentence.doc_id, sentence.start + at, sentence.start + at + len(speaker),
                                    "SPEAKER", sentence, probability=1.0,
                                    named_in=frozenset((s.doc_id, s.start, s.end) for s in holding))
    return None


def _passed_over(sentence: _Sentence, skip: frozenset[tuple[str, int, int]]) -> bool:
    """Whether the sentence overlaps a span (doc_id, start, end) already quoted."""
    return any(doc_id == sentence.doc_id and start < sentence.end and sentence.start < end for doc_id, start, end in skip)


def _newest(entries: list[dict]) -> list[str]:
    """The line saying only the newest are listed, when there are more than can be."""
    shown = article_facts.OVERVIEW_ARTICLES
    return [prompts.render("listed_newest", shown=str(shown))] if len(entries) > shown else []


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


def _ms_since(mark: float) -> float:
    return round((time.perf_counter() - mark) * 1000, 1)
