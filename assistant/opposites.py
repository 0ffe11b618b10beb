"""Whether the sentence an answer quotes says the opposite of what the question asks: then it doesn't answer.

Reading sets of the SQuAD 2.0 kind write unanswerable questions against the article itself, changing one
word: "What did the Normans *not* conquer?", "What is the *smallest* city?" of a paragraph naming the
largest (an antonym in 20 % of its unanswerable questions, a negation in 9 %: Rajpurkar et al., 2018).
The sentence that matches such a question best is the one it was written from, so every score the reader
has says it answers. Two checks, each a fact about the quoted sentences, read off the words alone:

- **An opposite** (`stated_opposite`): the question's asking sentence holds a word of `opposites.txt`
  ("weakest"), the answer's best sentence holds its opposite ("strongest") and no quoted sentence holds
  the word itself. "Which American carrier is one of the least vocal critics of Gulf carrier practices?"
  had been answered from "Delta Air Lines, one of the most vocal critics of Gulf carrier practices".
  Or it says "not" right before a word the question asks unnegated ("pleaded not guilty" for "Who pleaded
  guilty?") and never says the word without.
  Or the best sentence negates the question's main verb, which the question doesn't ("What kind of
  certificates carry voting rights?" of "participation certificates, which do not carry voting rights"):
  a question asking whether ("Did communication with foreign officials win the election?") is answered
  by just such a sentence, so it never counts.
- **A negation the sentences lack** (`unnegated`): the asking sentence's main verb is negated ("Which
  country will Trump not visit?", spaCy's parse) and no quoted sentence says anything negative (`NEGATIVE`).
  A negation inside a description ("criticised for not disclosing trips") isn't what is asked.

Measured on the development set's answers (every quoted sentence the engine gave, out-of-fold and held
out, `runs/exp/opposites_replay.py`) and on questions of that kind written against a small folder of
ISOT and Reuters-21578 articles (`tests/fixtures/on_topic_questions.jsonl`): README *Whether the
articles answer*.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from assistant import reader
from assistant.answer_types import asking_sentence
from assistant.terms import stem

# A word on its own: "low-income" holds no "low".
_WORD = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")
# Phrases whose word isn't the opposite it looks like: "at least 36" is no answer to "the most", and "last
# week" (or "last November") none to "the first".
_IDIOMS = re.compile(r"\bat (?:least|most|last|first)\b|\blast[- ](?:week|weekend|month|year|night|season|"
                     r"time|minute|summer|winter|spring|fall|autumn|monday|tuesday|wednesday|thursday|friday|"
                     r"saturday|sunday|january|february|march|april|may|june|july|august|september|october|"
                     r"november|december)s?\b|\bfirst[- ]hand\b", re.IGNORECASE)
# What a sentence says when it says that something didn't happen, wasn't so, or was stopped.
NEGATIVE = re.compile(r"\b(?:not|never|no|none|nor|neither|without|nobody|nothing|nowhere|cannot|fail\w*|"
                      r"refus\w*|declin\w*|den(?:y|ies|ied|ial)|reject\w*|unable|lack\w*|absent|missing|"
                      r"ban|bans|banned|barred|yet to|except|instead|rather than|avoid\w*|exclud\w*|omit\w*|"
                      r"only)\b|n['’]t\b", re.IGNORECASE)
_NEGATED_WORDS = re.compile(r"\b(?:not|never|no)\b|n['’]t\b", re.IGNORECASE)
_NOT_BEFORE = re.compile(r"\b(not|never)\s+([A-Za-z]+)\b")
_NEGATED_FOLLOWED = re.compile(r"(?:\b(?:not|never|no)\b|n['’]t\b)((?:\s+[a-z]+){1,3})")
# A question asking whether something happened, which a sentence saying it didn't answers.
_WHETHER = re.compile(r"^\W*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might|must)\b",
                      re.IGNORECASE)
# Main verbs that carry no premise of their own: what is said or told is the clause after them.
_REPORTING = frozenset("say says said tell tells told".split())


@functools.cache
def _pairs() -> dict[str, frozenset[str]]:
    opposite: dict[str, set[str]] = {}
    for line in (Path(__file__).with_name("opposites.txt")).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, b = line.split()
            opposite.setdefault(a, set()).add(b)
            opposite.setdefault(b, set()).add(a)
    return {w: frozenset(o) for w, o in opposite.items()}


def _words(text: str) -> set[str]:
    return set(_WORD.findall(_IDIOMS.sub(" ", text.lower())))


def stated_opposite(question: str, sentences: list[str]) -> tuple[str, str] | None:
    """(the word asked, what is stated instead) where the first of `sentences` (the answer's best) says the
    opposite of a word of the question's asking sentence and none of `sentences` says the word itself, or
    negates the question's main verb, or another of its words where it stands ("not guilty")."""
    if not sentences:
        return None
    asked, whole = _words(asking_sentence(question)), _words(question)
    best, quoted = _words(sentences[0]), set().union(*map(_words, sentences))
    opposite = _pairs()
    for word in sorted(asked & opposite.keys()):
        if word not in quoted:
            stated = sorted(o for o in opposite[word] if o in best and o not in whole)
            if stated:
                return word, stated[0]
    return _negated_premise(question, sentences[0]) or _negated_word(question, sentences)


def _negated_word(question: str, sentences: list[str]) -> tuple[str, str] | None:
    """(a word of the asking sentence, "not" and it) where the best of `sentences` says "not" or "never"
    right before the word, which the question doesn't negate, and no quoted sentence says the word
    without: "Who pleaded guilty …?" of "… pleaded not guilty …". After `_negated_premise`, which names a
    verb's negation whole ("do not carry"); this is a word negated where it stands."""
    asking = asking_sentence(question)
    if _NEGATED_WORDS.search(asking) or _WHETHER.search(asking):
        return None
    asked = _words(asking)
    for match in _NOT_BEFORE.finditer(sentences[0]):
        word = match.group(2).lower()
        # In any of its forms: "calling me 'old'" says "call" beside "I would never call him".
        forms = rf"{word}(?:s|es|d|ed|ing|{word[-1]}ed|{word[-1]}ing)?"
        if word in asked and all(len(re.findall(rf"\b{forms}\b", s, re.IGNORECASE))
                                 == len(re.findall(rf"\b(?:not|never)\s+{forms}\b", s, re.IGNORECASE)) for s in sentences):
            return word, f"{match.group(1).lower()} {word}"
    return None


def _negated_premise(question: str, sentence: str) -> tuple[str, str] | None:
    """(the question's main verb, the best sentence's negation of it): "carry" against "do not carry"."""
    asking = asking_sentence(question)
    if _NEGATED_WORDS.search(asking) or _WHETHER.search(asking) or not _negates_a_word_of(sentence, asking):
        return None
    verb = _main_verb(reader._nlp()(asking, disable=["ner"]))
    if verb is None:
        return None
    parsed = reader._nlp()(sentence, disable=["ner"])
    same = [t for t in parsed if t.pos_ in ("VERB", "AUX") and stem(t.lower_) == stem(verb.lower_)]
    negated = [t for t in same if any(c.dep_ == "neg" for c in t.children)]
    if not negated or len(negated) < len(same):  # said the other way too, somewhere in the sentence
        return None
    words = [c for c in negated[0].children if c.dep_ in ("aux", "neg") and c.i < negated[0].i] + [negated[0]]
    return verb.lower_, " ".join(parsed[min(t.i for t in words):negated[0].i + 1].text.split())


def _negates_a_word_of(sentence: str, asking: str) -> bool:
    """Whether a word of `asking` follows a negation of `sentence` within three words ("would not rule"):
    only then is spaCy loaded to parse them, which a cold `assistant ask` otherwise spares."""
    asked = {stem(w) for w in _WORD.findall(asking.lower())}
    return any(stem(w) in asked for m in _NEGATED_FOLLOWED.finditer(sentence.lower()) for w in m.group(1).split())


def _main_verb(parsed):
    """The asking sentence's main verb, or the verb of what is said after a reporting one ("What did the
    judge say he would rule on?" → "rule"); None for "be", "have" and "do", which carry no premise."""
    root = next((t for t in parsed if t.dep_ == "ROOT"), None)
    if root is not None and root.lower_ in _REPORTING:
        root = next((c for c in root.children if c.dep_ == "ccomp" and c.pos_ == "VERB"), None)
    if root is None or root.pos_ != "VERB" or stem(root.lower_) in {stem(w) for w in ("be", "have", "do", "did")}:
        return None
    return root


def unnegated(question: str, sentences: list[str]) -> bool:
    """Whether the question asks what did not happen (its asking sentence's main verb negated: "Which
    country will Trump not visit?", "Which toy will no longer be sold?") and none of `sentences` says
    anything negative. spaCy parses only questions holding a negation word."""
    asking = asking_sentence(question)
    if not sentences or not _NEGATED_WORDS.search(asking):
        return False
    # The question's own negative word isn't the sentences' negation: "What did the carriers not deny?" is
    # not answered by "The carriers deny the accusation." (its forms meet on their first three letters).
    own = {m[:3].lower() for m in NEGATIVE.findall(asking) if not _NEGATED_WORDS.fullmatch(m)}
    if any(m[:3].lower() not in own for s in sentences for m in NEGATIVE.findall(s)):
        return False
    parsed = reader._nlp()(asking, disable=["ner"])
    return any(t.dep_ == "neg" and (t.head.dep_ == "ROOT" or t.head.head.dep_ == "ROOT" and t.head.dep_ == "advmod")
               for t in parsed)
