"""What a question asks, read from its own words: the topic behind "what did X say about …", the
speaker it names, the kind of answer it wants, and the day it was asked (news questions say "this week"). Retrieval searches for the topic as well as the whole question, because the passage
that answers often names the speaker differently ("the Kremlin's spokesperson") or not at all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from assistant.answer_types import asking_sentence, expected_kind
from assistant.terms import STOPWORDS, words

_REPORTED = re.compile(
    r"^\s*(?:what|how)\s+(?P<aux>did|does|do|has|have|had|was|is|were)\s+(?P<speaker>.+?)\s+"
    r"(?:say|said|claim|claimed|state|stated|argue|argued|allege|alleged|tell|told|think|suggest|suggested|"
    r"write|wrote|report|reported|assert|asserted|reveal|revealed|mean|meant|respond|responded|react|reacted|"
    r"reply|replied)(?:\s+(?:about|of|on|regarding|concerning|over|to|in\s+response\s+to|in\s+reply\s+to|after|"
    r"when)\s+(?P<topic>.+?)|\s+(?:that\s+)?(?P<said>.+?))?[\s?.!]*$",
    re.IGNORECASE)

# "What did the Mouthpiece article say about Kislyak?" asks what an article says, not someone's words: no
# sentence is ever by "the Mouthpiece article", and asking for its words abstained.
_NOT_A_SPEAKER = re.compile(r"\b(?:articles?|stor(?:y|ies)|pieces?|reports?|op-eds?|editorials?|columns?|posts?|"
                            r"texts?|passages?|headlines?)$", re.IGNORECASE)

# A question asking someone's words without saying about what ("What did Jeff Sessions say?") names them
# in a few words; more, and the verb belongs to something else ("what did their sign say?").
_SPEAKER_WORDS = 4

# "according to the Mouthpiece article", "the Reuters report": the question says which article to read.
# The name's words can't run across another "the" ("the quotes in the Kremlin Spokesman article").
_NAMED_ARTICLE = re.compile(r"\b(?:the|this|that)\s+(?P<name>(?:(?!(?:the|this|that)\b)[\w'’&.-]+\s+){1,5})"
                            r"(?:article|story|piece|report|op-ed|editorial|column)s?\b", re.IGNORECASE)
# Words that say which of several articles without naming one ("the latest report", "this week's story").
_UNNAMING = frozenset({"new", "latest", "recent", "same", "other", "first", "last", "original", "previous", "earlier",
                       "whole", "full", "entire", "following", "news", "one", "second", "two", "both", "week",
                       "weekly", "daily", "annual", "today", "yesterday", "month", "year"})


# "Who is Peskov?", "Who was Sergey Kislyak, according to the Mouthpiece article?", "What is the Wagner
# Group?": a name of at most four capitalised words, nothing else asked ("Who is the new Speaker?" asks
# for a name, "What is Moscow's view of it?" for a view).
_DESCRIBED = re.compile(r"^\s*(?:[Ww]ho(?:\s+(?:is|was)|['’]s)|[Ww]hat(?:\s+(?:is|was)|['’]s)(?:\s+the)?)\s+"
                        r"(?P<name>(?:[A-Z][\w.’'&-]*\s*){1,4}?)\s*(?:,\s*according\s+to\b[^?]*)?\?*\s*$")
# …and what someone's job is: "What is Peskov's job?", "What does Peskov do?" ask for the same description.
_ROLE_OF = re.compile(r"^\s*[Ww]hat(?:\s+(?:is|was)|['’]s)\s+(?P<name>(?:[A-Z][\w.&-]*\s*){1,4}?)['’]s?\s+"
                      r"(?:job|role|title|position|post|occupation|profession)\s*\?*\s*$"
                      r"|^\s*[Ww]hat\s+(?:does|did)\s+(?P<doer>(?:[A-Z][\w.’'&-]*\s*){1,4}?)\s+do(?:\s+for\s+a\s+living)?\s*\?*\s*$")


# "Who said 'fake news'?", "Which national leader claimed the UN was “losing credibility”?": the question
# quotes words (two or more) and asks who said them. Not "who wrote “The Star-Spangled Banner”?": its
# author, not a speaker.
_SAID_BY_WHOM = re.compile(r"^\W*(?:who\s+|which\s+(?:[\w’'.-]+\s+){1,4}?)(?:[\w’'-]+\s+){0,2}?(?:said|says|told|tells|"
                           r"claimed|claims|called|calls|tweeted|posted|stated|declared|warned|"
                           r"described|insisted|argued|quipped|joked|admitted|added)\b", re.IGNORECASE)
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|(?<!\w)['‘]([^'’]+)['’](?!\w)")

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
# "What did the Fed decide in July?", "… during March 2022", "… in 2022": the period a question is about.
# Not a day in it ("in July 4's parade"), nor a year inside a name ("the 2023 Women's World Cup").
_PERIOD = re.compile(r"\b(?:in|during|throughout)\s+(?:(?:early|mid|late)[- ])?(?:(?P<month>" + "|".join(MONTHS)
                     + r")\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?(?!\s*\d)|(?P<alone>(?:19|20)\d\d)\b(?!\s*\d))")


@dataclass(frozen=True)
class Question:
    text: str
    topic: str | None = None
    speaker: str | None = None
    expects: str | None = None
    asked_on: date | None = None
    # The words the question names an article by ("Mouthpiece" in "according to the Mouthpiece article").
    article: str | None = None
    # The person a question asks to be described ("Who is Peskov?" → "Peskov": `describe.py`).
    described: str | None = None
    # The words a question quotes when it asks who said them ("Who said 'fake news'?" → "fake news").
    quoted: str | None = None
    # The (year, month) the question names ("in July": (None, 7); "in 2022": (2022, None)), and the
    # publication days of the stored articles that period covers, once the answer has looked them up.
    period: tuple[int | None, int | None] | None = None
    period_days: frozenset[str] = frozenset()

    @property
    def focus(self) -> str | None:
        """The asking sentence of a question that sets the scene first ("NASA announced the crew this
        week. How many astronauts were selected?"): the answer sentence resembles it, not the scene."""
        asking = asking_sentence(self.text)
        return asking if asking != self.text.strip() else None

    @property
    def searches(self) -> list[str]:
        """The texts to embed: the question, then its topic and its asking sentence when it has them."""
        return [self.text] + [s for s in (self.topic, self.focus) if s]


def analyse(text: str, asked_on: date | None = None) -> Question:
    reported = _REPORTED.match(text)
    # "What did Peskov say the ambassador's job was?" asks his words on what follows the verb, as "… say
    # about the ambassador's job?" does; after "is"/"was" the verb is a passive or a name ("… Delaware
    # State University …").
    if reported and (reported["aux"].lower() in ("was", "is", "were") and (reported["said"] or not reported["topic"])
                     or not reported["topic"] and len(reported["speaker"].split()) > _SPEAKER_WORDS):
        reported = None  # "What was the score … Penn State?" asks no one's words
    topic, speaker = (reported["topic"] or reported["said"], reported["speaker"]) if reported else (None, None)
    if speaker and _NOT_A_SPEAKER.search(speaker):
        speaker = None
    return Question(text, topic, speaker, expected_kind(text), asked_on, _article_named(text), _described(text),
                    _quoted(text), named_period(text))


def named_period(text: str) -> tuple[int | None, int | None] | None:
    """The (year, month) of the first period `text` names, either may be None; None when it names none."""
    found = _PERIOD.search(text)
    if not found:
        return None
    year = found["year"] or found["alone"]
    return (int(year) if year else None, MONTHS.index(found["month"]) + 1 if found["month"] else None)


def period_name(period: tuple[int | None, int | None]) -> str:
    """"July 2023", "2022": a period as the answer names it."""
    year, month = period
    return " ".join(str(part) for part in (MONTHS[month - 1] if month else None, year) if part)


def _described(text: str) -> str | None:
    found = _DESCRIBED.match(text) or _ROLE_OF.match(text)
    return next(name.strip() for name in found.groupdict().values() if name) if found else None


def _quoted(text: str) -> str | None:
    if not _SAID_BY_WHOM.match(text):
        return None
    quote = next((" ".join(g for g in m.groups() if g).strip() for m in _QUOTED.finditer(text)), "")
    return quote if len(words(quote)) >= 2 else None


def _article_named(text: str) -> str | None:
    match = _NAMED_ARTICLE.search(text)
    name = [w for w in match["name"].split() if words(w) and not set(words(w)) <= STOPWORDS | _UNNAMING] if match else []
    return " ".join(name) or None
