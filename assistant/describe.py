"""Reading "Who is Peskov?": what the articles call someone, as an exact span of the sentence that says it.

A question that asks who someone is wants a description, not a name: the candidates the reader scores
are names, and the sentences closest to "Who is Peskov?" are the ones that quote him. News describes a
person where it names them, in three ways, tried in this order (an appositive says more than a title):

- after the name, set off by commas: "Sergey Kislyak, the Russian ambassador to the U.S., met …";
- before the name, set off by a comma: "the Russian President Vladimir Putin's spokesperson, Dmitry
  Peskov spoke …";
- a title right before the name: "Kremlin spokesman Dmitry Peskov said …" (spaCy's tags say which words
  before the name are nouns and adjectives: "said Peskov" has none).

Each description found becomes a `reader.Candidate` (label `DESCRIPTION`) that leads the answer in bold,
with its sentence quoted and cited; the other sentences that describe the person corroborate it. Which
questions ask so is `questions.Question.described`.
"""

from __future__ import annotations

import re
from typing import Callable

from assistant import reader
from assistant.reader import Candidate
from assistant.speakers import SAYS_NEXT
from assistant.terms import STOPWORDS, close_spelling, words

LABEL = "DESCRIPTION"
_NAME_WORD = re.compile(r"[A-Z][\w.’'-]*")
# A description runs to the next comma, semicolon, bracket, quotation mark or sentence end; a full stop
# inside an abbreviation ("the U.S.") doesn't end it.
_LONGEST = 90
_PHRASE = r"(?:[^,;:!?()“”\"\s.]|\.(?=\S)|\s(?!(?:who|which|that|said|says)\b))"
_AFTER = re.compile(rf"\s*,\s+(?:(?:who|which)\s+(?:is|was)\s+)?(?P<d>(?:the|a|an|his|her|its|their)\s{_PHRASE}{{2,{_LONGEST}}}?)"
                    r"(?=\s*(?:[,;()]|\.(?:\s|$)|$|\s(?:who|which|that|said|says)\b))")
# Before the name: from the first article or possessive with no clause word after it ("the meetings that
# the Russian ambassador, Sergey Kislyak" → "the Russian ambassador"; "the director of the FBI, …").
_BEFORE = re.compile(r"(?P<d>\b(?:[Tt]he|[Aa]n?)\s+(?:(?!\b(?:that|which|who|whom|and|or|but|with|by|from)\b)"
                     r"[^,;:!?()“”\"])*?|\b[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*['’]s\s+[^,;:!?()“”\"]*?)"
                     r"\s*,\s*$")
_PREPOSITION = re.compile(r"\b(?:about|after|against|at|before|by|during|for|from|in|into|of|on|over|to|under|"
                          r"with|without)\s+$", re.IGNORECASE)
# Words before a name that make a title of it: nouns and adjectives ("Kremlin spokesman", "former
# President", "host", "Ousted co-founder and CEO"), at most this many tokens, none of them part of another
# person's name.
_TITLE_TAGS = {"NN", "NNS", "NNP", "NNPS", "JJ"}
_TITLE_WORDS = 6
_TITLE_HEADS = {"NN", "NNP"}
_ADDRESS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "madam"}
# Named things a title may hold ("Kremlin spokesman", "Russian President"); not a day or another name.
_TITLE_ENTITIES = {"", "ORG", "NORP", "GPE"}


def descriptions(name: str, sentences: list, titles: bool = True, nlp: Callable = reader._nlp) -> list[Candidate]:
    """What `sentences` (objects with doc_id, start, text, support, as `reader.candidates` takes) call
    `name`, most informative first: appositives, then (with `titles`: a person's) titles, each by their
    sentence's support. A thing's "title" is mostly another name ("Meta Threads"), so "What is Threads?"
    takes appositives only."""
    found: list[tuple[int, float, Candidate]] = []
    for sentence in sorted(sentences, key=lambda s: s.support, reverse=True):
        mentions = _mentions(name, sentence.text)
        # Tags and entities only (no parse). spaCy makes an odd space (a no-break space: "host\u00a0Fareed
        # Zakaria") a token of its own.
        tokens = [t for t in nlp()(sentence.text, disable=["parser"]) if not t.is_space] if mentions else []
        for start, end in mentions:
            span, rank = _appositive(sentence.text, start, end, tokens), 0
            if span is None and titles:
                span, rank = _title(sentence.text, start, tokens), 1
            if span is not None:
                a, b = span
                found.append((rank, -sentence.support, Candidate(
                    sentence.text[a:b], sentence.doc_id, sentence.start + a, sentence.start + b, LABEL, sentence,
                    probability=1.0)))
                break
    found.sort(key=lambda f: f[:2])
    named_in = frozenset((c.doc_id, c.sentence.start, c.sentence.end) for _, _, c in found)
    for _, _, candidate in found:
        candidate.named_in = named_in
    return [c for _, _, c in found]


def _mentions(name: str, text: str) -> list[tuple[int, int]]:
    """Where `text` names the person: a capitalised word spelt like the name's last ("Peksov" for
    "Peskov") with the name's other words before it ("Sam Altman" for "Sam Altman", not "Altman": "Who
    is Michael Jordan?" found "Chairman Jordan"), or, for a one-word name, with one first name before it
    or none ("Dmitry Peskov"; not "Putin’s Peskov", nor "On Peskov")."""
    asked = words(name)
    tokens = list(_NAME_WORD.finditer(text))
    found = []
    for i, token in enumerate(tokens):
        if not words(token.group()) or not close_spelling(words(token.group())[-1], asked[-1]):
            continue
        room = len(asked) - 1 if len(asked) > 1 else 1  # the name's other words; or one first name
        first = i
        while first > 0 and i - first < room and text[tokens[first - 1].end():tokens[first].start()] in (" ", "\u00a0"):
            before = tokens[first - 1].group()
            if (not words(before) or words(before)[0] in STOPWORDS or before.endswith(("’s", "'s"))
                    or len(asked) > 1 and not any(close_spelling(words(before)[0], w) for w in asked[:-1])):
                break
            first -= 1
        if len(asked) > 1 and first == i:
            continue
        end = token.end() - 2 if token.group().endswith(("’s", "'s")) else token.end()
        found.append((tokens[first].start(), end))
    return found


def _appositive(text: str, start: int, end: int, tokens: list) -> tuple[int, int] | None:
    # A description is a noun phrase: it ends in a noun ("put the pieces together when it matters most,
    # Jon Rahm …" is a clause).
    def ends_in_noun(match: re.Match) -> bool:
        return any(t.tag_.startswith("NN") and t.idx + len(t) == match.end("d") for t in tokens)

    after = _AFTER.match(text, end)
    if after and len(after["d"]) <= _LONGEST and ends_in_noun(after):
        return after.start("d"), after.end("d")
    before = None if SAYS_NEXT.match(text, end) else _BEFORE.search(text[:start])
    if not before or len(words(before["d"])) < 2 or len(before["d"]) > _LONGEST or not ends_in_noun(before):
        return None
    # After a preposition the phrase may only end where the name begins a clause ("before a joint meeting
    # of Congress, Zelensky also bore …"); an appositive there closes after the name too ("met with the
    # Russian ambassador, Sergey Kislyak, on …").
    if _PREPOSITION.search(text[:before.start("d")]) and not re.match(r"\s*,", text[end:]):
        return None
    # "the resignation of former National Security Advisor to Trump, Michael Flynn": what happened to
    # them is no description; what follows it is.
    event = _EVENT_OF.match(text, before.start("d"), before.end("d"))
    if event and len(words(text[event.end():before.end("d")])) >= 2:
        return event.end(), before.end("d")
    return before.start("d"), before.end("d")


# Nouns of what happens to a person, which an appositive before their name may hang on ("the arrest of the
# former head of the agency, Jane Doe"). Set by hand: titles ("the director of", "the head of") are not events.
_EVENT_OF = re.compile(r"(?:[Tt]he|[Aa]n?)\s+(?:\w+\s+)?(?:resignation|nomination|election|appointment|removal|dismissal|"
                       r"departure|arrest|death|firing|ouster|indictment|conviction|murder|killing|trial|release|"
                       r"sacking|impeachment|retirement|hiring|arrival|visit|return|exit|ousting|detention|"
                       r"kidnapping|assassination|funeral|testimony|confirmation)\s+of\s+")


def _title(text: str, start: int, tokens: list) -> tuple[int, int] | None:
    before = [t for t in tokens if t.idx < start]
    title = []
    while (before and len(title) < _TITLE_WORDS and before[-1].ent_type_ in _TITLE_ENTITIES
           and (before[-1].tag_ in _TITLE_TAGS or before[-1].tag_ == "HYPH" and title)):
        title.insert(0, before.pop())
        # "co-founder and CEO Sam Altman": two titles joined.
        if len(before) > 1 and before[-1].lower_ == "and" and before[-2].tag_ in _TITLE_TAGS - {"JJ"}:
            title.insert(0, before.pop())
    while title and title[0].tag_ == "HYPH" or title and title[0].lower_ == "and":
        title.pop(0)
    # A title is a singular noun of no name ("host", "President"), perhaps with what qualifies it: not
    # "Russian" alone, nor another name ("Putin Dmitry Peksov"), nor a photo credit ("Getty Images
    # Prince William"), nor a bare form of address ("Sir Tony Blair").
    if (not title or title[-1].tag_ not in _TITLE_HEADS or title[-1].ent_type_ or title[-1].lower_ in STOPWORDS
            or len(title) == 1 and title[0].lower_.rstrip(".") in _ADDRESS
            or title[0].idx and not text[title[0].idx - 1].isspace()):  # "Dylan Martinez/Reuters Prince William"
        return None
    return title[0].idx, title[-1].idx + len(title[-1].text)
