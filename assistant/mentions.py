"""The names and years a question gives that no article read mentions: then the articles don't answer it.

"Who interviewed Lavrov on CNN?" was answered **Fareed Zakaria** from the seeds, though neither article
names Lavrov: the sentence about the interview matched every other word. The reader's confidence can't
learn this from the development set, where a withheld story's other articles still name its people (a
feature for it got a weight near 0; `docs/reading-log.md`, "Tried in the third stop of 2026-12-02"). So it is a rule,
checked against the whole text of every article whose passages were read, not the passages alone: a
PERSON is mentioned when their surname is (close spellings count: "Puttin", "Zarakia"), any other name
(spaCy's ORG, EVENT, PRODUCT, WORK_OF_ART) when each of its capitalised words is. Cities and regions don't count:
questions name them where the articles say otherwise ("Moscow's envoy" for the Russian ambassador, "a
lake in Europe" for one in Italy, both answered from the seeds and the news before places were left out).
Countries and US states do (`_place_in`): "Which senator from Maine will vote against the tax bill?" was
answered "Mike Lee of Utah" from six articles that never name Maine. So do peoples and parties (spaCy's
NORP), by the same measure ("Texan" is named by an article's "Texas"): "How long did the 1984 strike
close down the British car industry?" was answered "about seven weeks" from articles on the German one.
Nor do numbers, which articles round or spell out
("around 125,000 SUVs", "a 90-year-old director": 12 answerable development questions answered right
would have been lost), but years do: "Who won the 2020 presidential election?" isn't answered by articles
about 2016 (of the 44 development questions that give a year, one answerable one has it in none of its
articles, and it was abstained on anyway; `runs/exp/yearcheck.py`), and so do decades ("formed in the
1990s" of an article saying "during the 1970's"). An article mentions the year it was
published in, as "this year" (the caller passes each article with its day). spaCy is loaded only when some
capitalised word of the question is in none of the articles (most questions: never).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant import answer_types, reader
from assistant.terms import STOPWORDS, close_spelling, words

NAME_LABELS = frozenset({"PERSON", "ORG", "EVENT", "PRODUCT", "WORK_OF_ART"})
# Words around a name that aren't it: titles and company forms ("President King Charles", "Future Seafoods, Inc.").
NOT_THE_NAME = frozenset("""inc corp ltd llc plc co group mr mrs ms dr sen rep gov president king queen prince
former st""".split())
_CAPITALISED = re.compile(r"\b[^\W\d_][^\W_]*(?:['’][^\W_]+)*", re.UNICODE)
_YEAR = re.compile(r"(?<![\w$£€.,])(?:1[89]|20)\d\d(?!\w|[.,]\d)")
# A decade ("the 1990s", "1970's"), which an article names as such or by one of its years.
_DECADE = re.compile(r"(?<![\w$£€.,'’])((?:1[89]|20)\d)0['’]?s\b")


def unmentioned(question: str, texts: Iterable[str], not_names: str = "") -> list[str]:
    """The names and years in `question`, as it writes them, that none of `texts` (the articles read, with
    their titles) mentions. `not_names`: words that name an article rather than ask about anything."""
    mentioned = _Mentions(texts)
    years = [y for y in dict.fromkeys(_YEAR.findall(question)) if not mentioned.holds(y)]
    years += [m.group() for m in _DECADE.finditer(question)
              if not re.search(rf"(?<![\w$£€.,]){m.group(1)}\d(?:'?s)?\b", mentioned.text)]
    skipped = set(words(not_names))
    capitalised = {w for m in _CAPITALISED.finditer(question) if m.group()[0].isupper()
                   for w in _name_words(m.group())} - skipped
    names = [] if all(map(mentioned, capitalised)) else _unmentioned_names(question, mentioned, skipped)
    places = [p for p in answer_types.countries_and_states(question)
              if not any(p in name for name in names) and not _place_in(p, mentioned)]
    return names + places + years


def mentions_one_of(names: list[str], text: str) -> bool:
    """Whether `text` mentions one of `names` as `unmentioned` gave them: each word of the name (a close
    spelling counting), or the place or people it names; never a name of only short words ("UK")."""
    held = _Mentions([text])
    return any(bool(named := _name_words(name)) and (all(map(held, named)) or _place_in(name, held)) for name in names)


def _unmentioned_names(question: str, mentioned: _Mentions, skipped: set[str]) -> list[str]:
    """The question's names (spaCy's NER) that `mentioned` doesn't find."""
    missing = []
    for entity in reader._nlp()(question).ents:
        if entity.label_ == "NORP" and not _place_in(entity.text, mentioned):
            missing.append(entity.text)
        if entity.label_ not in NAME_LABELS:
            continue
        name = [w for token in entity if token.text[:1].isupper() for w in _name_words(token.text)
                if w not in skipped]
        checked = name[-1:] if entity.label_ == "PERSON" else name  # "Fareed Zakaria" is "Zakaria" in an article
        # "The Federal Trade Commission" is the FTC to an article.
        initials = "".join(w[0] for w in name) if len(name) > 2 else ""
        if checked and not all(map(mentioned, checked)) and not (initials and mentioned(initials)):
            missing.append(entity.text)
    return missing


# A country the articles name only by its initials or another name, or its people's ("British" is named by
# "Britain" and "UK"). Of the development questions that name a country, a US state, a people or a party,
# none had it missing from every article retrieved (`runs/exp/place_rule.py`, `runs/exp/norp_rule.py`).
PLACE_ALIASES = {"united states": ("u.s", "us", "usa", "america", "american", "americans"),
                 "united kingdom": ("u.k", "uk", "britain", "british"),
                 "united arab emirates": ("uae", "emirati", "emirates")}


def other_names(word: str) -> tuple[str, ...]:
    """The other names of the country `word` names in `PLACE_ALIASES` ("us" → "united states", "u.s",
    "usa", "america", …); none for any other word."""
    return next(((country, *aliases) for country, aliases in PLACE_ALIASES.items()
                 if word == country or word in aliases), ())


def _place_in(place: str, mentioned: _Mentions) -> bool:
    """Whether the texts name a country, US state or people: by the name or an alias of the country it
    is, or is the people of, or by each word of its name as it is spelled (no close spellings: "Maine" is
    not "main"), or by a capitalised word that begins like it, less its last two letters ("Ukrainian",
    "Chinese", "Russian"; "Texas" for "Texan")."""
    name = " ".join(words(place))
    if any(map(mentioned.holds, other_names(name))):
        return True
    return all(mentioned.holds(w) or mentioned.begins_capitalised(w[:max(4, len(w) - 2)])
               for w in name.split() if w not in STOPWORDS)


def _name_words(text: str) -> list[str]:
    return [w for w in words(text) if len(w) >= 3 and w not in STOPWORDS and w not in NOT_THE_NAME]


class _Mentions:
    """Whether the texts hold a word, or its singular, or a close spelling of it (`terms.close_spelling`:
    the same first letter, a length at most one apart). Splitting ten whole articles into `terms.words`
    costs about 16 ms, a question's whole answer about 45: the texts are searched for the word, and only
    split at white space, once, for a word they don't hold as it is spelled."""

    def __init__(self, texts: Iterable[str]):
        self.cased = "\n".join(texts).replace("’", "'")
        self.text = self.cased.lower()
        self.tokens: set[str] | None = None

    def __call__(self, word: str) -> bool:
        forms = [word] + [word[:-1]] * word.endswith("s")
        if any(map(self.holds, forms)):
            return True
        if self.tokens is None:
            self.tokens = set(self.text.split())
        near = {w for t in self.tokens if abs(len(t) - len(word)) <= 4 and word[0] in t[:2] for w in words(t)}
        return any(close_spelling(word, w) for w in near)

    def begins_capitalised(self, prefix: str) -> bool:
        """Whether a capitalised word of the texts begins with `prefix` (lower-cased)."""
        prefix = prefix[:1].upper() + prefix[1:]
        at = self.cased.find(prefix)
        while at != -1:
            if at == 0 or not self.cased[at - 1].isalnum():
                return True
            at = self.cased.find(prefix, at + 1)
        return False

    def holds(self, form: str) -> bool:
        """`form` as a whole word (found by `str.find`: a regular expression's word boundary makes each
        search scan the whole text, about 2 ms here)."""
        at = self.text.find(form)
        while at != -1:
            end = at + len(form)
            if (at == 0 or not self.text[at - 1].isalnum()) and (end == len(self.text) or not self.text[end].isalnum()):
                return True
            at = self.text.find(form, at + 1)
        return False
