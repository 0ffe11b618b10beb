"""Whether the sentence an answer quotes speaks of someone else than the question asks about: then it
doesn't answer.

The commonest unanswerable question of reading sets of the SQuAD 2.0 kind swaps one entity of the
sentence it was written from for another (21 % of them, Rajpurkar et al., 2018): "Which Korean premier
crooned Elvis tunes at Graceland?" of "Koizumi, the Japanese premier who crooned Elvis tunes at
Graceland", "Who was Trump's grandfather?" of "Abe's grandfather, Nobusuke Kishi". The sentence matches
the question in every other word, so every score the reader has says it answers. `swapped` reads the
swap off spaCy's parse: a person, nationality (or party) or ordinal of the question that no quoted
sentence says, where the best sentence holds another of its kind in the same place (the same relation to
the same word) that the question doesn't say.

Measured on the development set's stored answers and on the on-topic probes: README *Whether the
articles answer*.
"""

from __future__ import annotations

import re

from assistant import reader
from assistant.answer_types import asking_sentence
from assistant.mentions import mentions_one_of
from assistant.terms import stem

# Entity labels that stand for one another in a swap: a person for a person, a nationality or party for
# another ("Korean premier" for "Japanese premier"), an ordinal for an ordinal ("seventh test" for "sixth
# test"). Not places: a city is its country's too ("an embassy in Havana" is "in Cuba", "a New York court"
# one "in Manhattan"), a nationality is its country ("American history" is "U.S. history"), and a place
# may say where a thing is rather than what it is ("a Pennsylvania pig" against "a Vietnamese pig"); nor
# organisations, which go by names that share no word ("host the Academy Awards" of "host the Oscars").
# Each was a swap claimed of a stored answer, answered or withheld (`runs/exp/swaps_replay.py`).
_KINDS = frozenset({"PERSON", "NORP", "ORDINAL"})
# How an entity stands to the word it belongs to, a modifier, a possessive and an "of" alike: "the Japanese
# premier", "Abe's grandfather", "the grandfather of Abe".
_RELATIONS = {"amod": "of", "compound": "of", "poss": "of", "nmod": "of", "nsubj": "subject",
              "nsubjpass": "object", "dobj": "object", "appos": "is"}
# A word that may be a name or an ordinal: capitalised after the first word, or "seventh", "7th".
_NAMED = re.compile(r"(?<=\s)[A-Z][\w.'’-]*|\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|"
                    r"eighth|ninth|tenth|eleventh|twelfth|\w+teenth|\w+tieth|hundredth)\b")


def swapped(question: str, sentences: list[str]) -> tuple[str, str] | None:
    """(what the question names, what the best of `sentences` names in its place) where no quoted
    sentence mentions the one the question names (`mentions.mentions_one_of`: each word of the name, close
    spellings, a people by its country)."""
    if not sentences:
        return None
    asking, quoted = asking_sentence(question), "\n".join(sentences)
    # spaCy parses only where a name or an ordinal of the question goes unsaid: a cold `assistant ask`
    # is otherwise spared its load.
    if all(mentions_one_of([w], quoted) for w in _NAMED.findall(asking)):
        return None
    nlp = reader._nlp()
    asked = [e for e in nlp(asking).ents if e.label_ in _KINDS and not mentions_one_of([e.text], quoted)]
    if not asked:
        return None
    stated = [e for e in nlp(sentences[0]).ents if e.label_ in _KINDS and not mentions_one_of([e.text], question)]
    for e in asked:
        if (place := _place(e.root)) is None:
            continue
        for other in stated:
            if other.label_ == e.label_ and _place(other.root) == place:
                return e.text, other.text
    return None


def _place(token) -> tuple[str, str] | None:
    """(the stem of the word an entity belongs to, how it stands to it)."""
    if token.dep_ == "pobj" and token.head.dep_ == "prep":  # "the grandfather of Abe", "tested in Korea"
        return stem(token.head.head.lower_), "of" if token.head.lower_ == "of" else token.head.lower_
    relation = _RELATIONS.get(token.dep_)
    return None if relation is None else (stem(token.head.lower_), relation)
