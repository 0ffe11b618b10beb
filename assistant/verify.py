"""Checks an LLM's draft sentence by sentence against the passages it cites.

A drafted sentence is kept only when one span of a passage it cites (one sentence of the passage, or two
in a row) holds every name and number the sentence states, most of its other content words, and no
negation the span lacks or lacks one the span has. The citation is then narrowed to that span, with
offsets into the article, so a quote is always the article's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.passages import sentence_spans
from assistant.terms import STOPWORDS, stem, words

# Share of the sentence's plain content words (names and numbers must all be there) a span must hold.
MIN_COVERAGE = 0.6
# A reply this short (in content words) is an answer, which may well be words of the question ("Max" for
# what "HBO Max" becomes); a longer one made only of the question's words restates it.
SHORT_CLAIM = 3
_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_NEGATIONS = frozenset({"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "denied",
                        "denies", "deny", "n't"})
# Words that a negation turns into a yes ("isn't unusual", "not uncommon").
_NEGATIVE_WORDS = frozenset({"unusual", "uncommon", "unlikely", "unknown", "unheard", "unprecedented", "unexpected",
                             "unreasonable", "unimportant", "insignificant", "impossible", "bad", "wrong"})
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12"}


@dataclass
class Support:
    """Where a passage backs a drafted sentence: the passage's number and the span's article offsets."""
    n: int
    start: int
    end: int
    quote: str


@dataclass
class Checked:
    text: str  # the sentence without its markers
    cited: list[int]
    support: list[Support] = field(default_factory=list)
    reason: str = ""  # why it failed; empty when verified

    @property
    def verified(self) -> bool:
        return not self.reason


def check(draft: str, passages: list[dict], asked: str = "") -> list[Checked]:
    """`passages`: numbered from 1, each with `text` and `start` (its offset in the article); `asked`: the
    question, whose own words a sentence may repeat without a passage holding them."""
    asked_terms = {stem(w) for w in words(asked)}
    return [_check_sentence(text, cited, passages, asked_terms) for text, cited in sentences(draft)]


def sentences(draft: str) -> list[tuple[str, list[int]]]:
    """The draft's sentences, each with the passage numbers its markers cite (markers removed). A marker
    that opens the next line or follows the full stop belongs to the sentence before it."""
    found, draft = [], _markers_before_stops(draft)
    for span in sentence_spans(draft):
        raw = draft[span.start:span.end]
        cited = [int(n) for group in _MARKER.findall(raw) for n in re.split(r"\s*[,;]\s*", group)]
        text = " ".join(_MARKER.sub("", raw).split()).strip()
        if text.strip(" .") or cited:
            found.append((text, cited))
    return _attach_orphans(found)


def _markers_before_stops(draft: str) -> str:
    """"He said so. [2]" → "He said so [2]." so that the marker stays with its sentence."""
    return re.sub(r"([.!?])((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)", r"\2\1", draft)


def _attach_orphans(found: list[tuple[str, list[int]]]) -> list[tuple[str, list[int]]]:
    merged: list[tuple[str, list[int]]] = []
    for text, cited in found:
        if not text.strip(" .") and merged:
            merged[-1] = (merged[-1][0], merged[-1][1] + cited)
        else:
            merged.append((text, cited))
    return merged


def _check_sentence(text: str, cited: list[int], passages: list[dict], asked_terms: set[str]) -> Checked:
    checked = Checked(text, cited)
    unknown = [n for n in cited if not 1 <= n <= len(passages)]
    if unknown:
        checked.reason = f"cites passage {unknown[0]}, which it was not given"
        return checked
    needed = _claims(text, asked_terms)
    checked.reason = _unsupported(text, needed, asked_terms)
    if checked.reason:
        return checked
    # A sentence left without a marker (small models often leave them out) is checked against every
    # passage, and cited by the first that states it: what it claims is held to the same test.
    for n in dict.fromkeys(cited) if cited else range(1, len(passages) + 1):
        best = _best_span(needed, passages[n - 1])
        if best is not None:
            checked.support.append(Support(n, *best))
            if not cited:
                break
    if not checked.support:
        checked.reason = "no span of the cited passages states it" if cited else "cites no passage, and none states it"
    return checked


@dataclass(frozen=True)
class _Claims:
    exact: frozenset[str]  # names and numbers (stems): every one must be in the span
    terms: frozenset[str]  # other content words: most must be
    negated: bool
    spelled: frozenset[tuple[str, str]] = frozenset()  # (stem, word as written) of each name


def _claims(text: str, asked_terms: set[str]) -> _Claims:
    tokens = re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text)
    exact, terms, spelled = set(), set(), set()
    for token in tokens:
        word = _normal(token)
        if word in STOPWORDS or word in _NEGATIONS or len(word) < 2 and not word.isdigit():
            continue
        if word.isdigit() or token[:1].isupper():
            exact.add(stem(word))
            spelled.add((stem(word), word))
        elif stem(word) not in asked_terms:
            terms.add(stem(word))
    return _Claims(frozenset(exact), frozenset(terms - exact), _negated(text), frozenset(spelled))


def _unsupported(text: str, claims: _Claims, asked_terms: set[str]) -> str:
    """Why a sentence can't be checked at all, whatever the passages say: it asks or announces rather than
    states ("He played for all of these teams, except:"), or says nothing the question didn't (a span
    holding the question's words would otherwise "state" it)."""
    if text.rstrip().endswith(("?", ":")):
        return "is a question or an unfinished sentence, not a statement"
    if not claims.exact | claims.terms:
        return "states nothing a passage could hold (a yes, a no, a pronoun)"
    content = {w for w in map(_normal, re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text)) if w not in STOPWORDS}
    if len(content) > SHORT_CLAIM and not (claims.exact | claims.terms) - asked_terms:
        return "says nothing the question doesn't"
    return ""


def _best_span(claims: _Claims, passage: dict) -> tuple[int, int, str] | None:
    """The shortest span (one sentence, else two in a row) of the passage that supports the claims."""
    text, offset = passage["text"], int(passage["start"])
    spans = sentence_spans(text)
    windows = [(s.start, s.end) for s in spans] + [(a.start, b.end) for a, b in zip(spans, spans[1:])]
    for start, end in windows:
        if _supports(claims, text[start:end]):
            return offset + start, offset + end, text[start:end]
    return None


def _supports(claims: _Claims, span: str) -> bool:
    written = {_normal(w) for w in re.findall(r"[^\W_]+(?:['’][^\W_]+)*", span)}
    present = {stem(w) for w in written}
    if not all(s in present or _misspelt_in(word, written) for s, word in claims.spelled):
        return False
    if claims.terms and len(claims.terms & present) / len(claims.terms) < MIN_COVERAGE:
        return False
    return claims.negated == _negates(span)


def _misspelt_in(word: str, present: set[str]) -> bool:
    """A name of 5 letters or more that the span spells one letter off, or with two letters swapped:
    articles misspell names ("Hilary", "Peksov"); numbers stay exact."""
    if len(word) < 5 or word.isdigit():
        return False
    for other in present:
        if abs(len(other) - len(word)) > 1 or other[0] != word[0]:
            continue
        if len(other) == len(word):
            diff = [i for i, (a, b) in enumerate(zip(word, other)) if a != b]
            if len(diff) <= 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == other[diff[1]] and word[diff[1]] == other[diff[0]]):
                return True
        else:
            short, long_ = sorted((word, other), key=len)
            if any(long_[:i] + long_[i + 1:] == short for i in range(len(long_))):
                return True
    return False


def _negates(span: str) -> bool:
    """The span says no: a negation, except "not only" (which adds) and a negated negative ("isn’t
    unusual", "not uncommon"), which says yes."""
    words_ = re.findall(r"[a-z]+(?:'[a-z]+)?", span.lower().replace("’", "'"))
    for i, word in enumerate(words_):
        if word in _NEGATIONS or word.endswith("n't"):
            following = next((w for w in words_[i + 1:i + 4] if w not in STOPWORDS), "")
            if not (word == "not" and words_[i + 1:i + 2] == ["only"]) and following not in _NEGATIVE_WORDS:
                return True
    return False


def _negated(text: str) -> bool:
    lowered = text.lower().replace("’", "'")
    return "n't" in lowered or any(w in _NEGATIONS for w in re.findall(r"[a-z]+", lowered))


def _normal(token: str) -> str:
    word = re.sub(r"['’]s$", "", token.lower())
    return _NUMBER_WORDS.get(word, word)
