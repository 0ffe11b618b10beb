"""Dense and keyword retrieval over the store, fused.

The question is embedded once (the caller passes its vectors); every fused candidate gets its exact dense
score, including those only the keyword index proposed. Plain classes over Chroma and the keyword table,
not LlamaIndex retrievers: the answer needs what their one-query interface doesn't carry (several
phrasings, the question's week, articles left out or chosen), so it never called it, and importing
`llama_index.core` for the base class took 1.2-2 s of every cold command (about half of a cold `assistant
ask`). LlamaIndex still builds the recipe the evaluation compares against (`baseline.py`) and talks to
the LLM (`llm.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from assistant.passages import doc_id_of
from assistant.settings import Settings
from assistant.store import Store, plain_metadata
from assistant.terms import content_terms

# How far back "this week" reaches from the day a question was asked.
RECENT_DAYS = 8


@dataclass
class Hit:
    """A passage proposed for a question: its text, its article's metadata (doc_id, title, start, end,
    outlet, date …) and its score."""
    passage_id: str
    text: str
    metadata: dict
    score: float = 0.0


class KeywordRetriever:
    """The store's keyword index (kept in step with Chroma): passages holding any content word of the question."""

    def __init__(self, store: Store, top_n: int):
        self.store, self.top_n = store, top_n

    def retrieve(self, question: str) -> list[Hit]:
        return [Hit(hit.passage_id, hit.text, {"doc_id": hit.doc_id, "title": hit.title, "start": hit.start,
                                               "end": hit.end}, hit.score)
                for hit in self.store.keyword_search(content_terms(question), self.top_n)]


class HybridRetriever:
    """Dense cosine + `keyword_weight` × BM25 (scaled to the best keyword hit) + `recent_weight` for
    articles published in the days before the question was asked (or in the period it names), best first: every candidate any
    retriever proposed (the answer reads the first `top_k`; the rest rank documents)."""

    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings
        self.keyword = KeywordRetriever(store, settings.candidates)

    def retrieve_many(self, phrasings: list[str], vectors: np.ndarray, asked_on: date | None = None,
                      exclude: frozenset[str] = frozenset(), within: frozenset[str] = frozenset(),
                      period_days: frozenset[str] = frozenset()) -> list[Hit]:
        """Fused results for several phrasings of one question (the question, its topic), each with its
        vector in `vectors`: each passage scores its best dense cosine over the phrasings; keywords come
        from the first. Given the day the question was asked, the week's articles are searched on their
        own too, so that "this week" competes with the week's news, not with every week's; a question
        asked without a day that names a period ("in July") has its days (`period_days`) searched so.
        `exclude`: articles to leave out; `within`: when given, the only articles to search."""
        vectors = [np.asarray(v, dtype=np.float32) for v in vectors]
        recent = _recent_days(asked_on) if asked_on else set(period_days)
        return self.store.read(lambda: self._retrieve_scoped(phrasings[0], vectors, recent,
                                                             exclude | self.store.pending(), within))

    def _retrieve_scoped(self, question: str, vectors: list[np.ndarray], recent: set[str],
                         exclude: frozenset[str], within: frozenset[str]) -> list[Hit]:
        dense, cosine = self._dense(vectors, recent, exclude, within)
        keyword = {h.passage_id: h for h in self.keyword.retrieve(question)
                   if h.metadata["doc_id"] not in exclude and (not within or h.metadata["doc_id"] in within)}
        missing = [pid for pid in keyword if pid not in dense]
        for vector in vectors:
            for pid, value in self._cosines(missing, vector).items():
                cosine[pid] = max(cosine.get(pid, -1.0), value)
        # A passage only the keyword index proposed carries its article's metadata too, as Chroma's do:
        # without it, it had no week to be recent in and its citation no outlet or date.
        articles = self.store.metadata({keyword[pid].metadata["doc_id"] for pid in missing})
        for pid in missing:
            hit = keyword[pid]
            hit.metadata = {**articles.get(hit.metadata["doc_id"], {}), **hit.metadata}
        return self._fuse(dense, keyword, cosine, recent)

    def _dense(self, vectors: list[np.ndarray], recent: set[str], exclude: frozenset[str],
               within: frozenset[str]) -> tuple[dict[str, Hit], dict[str, float]]:
        """The `candidates` nearest passages of each phrasing, and as many again from the days in `recent`.
        One Chroma query fetches the ids of a pool of nearest passages for every phrasing; leaving articles
        out and picking the week happen here, because Chroma's metadata filters cost 0.1-1 s a query at
        200k passages against a few ms for its plain search. Only `within` (a reader's explicit choice of
        articles) goes to Chroma, less `exclude`, so that a narrow choice still finds its passages (with the
        excluded ones inside the filter, the pool could be all theirs and the rest of the choice unread)."""
        if within and not within - exclude:
            return {}, {}
        got = self.store.collection.query(
            query_embeddings=vectors, n_results=self.settings.dense_pool,
            where={"doc_id": {"$in": sorted(within - exclude)}} if within else None, include=["distances"])
        days = self.store.published_days({doc_id_of(pid) for ids in got["ids"] for pid in ids}) if recent else {}
        cosine = {}
        for ids, distances in zip(got["ids"], got["distances"]):
            kept = [(pid, 1.0 - d) for pid, d in zip(ids, distances) if doc_id_of(pid) not in exclude]
            fresh = [(pid, value) for pid, value in kept if days.get(doc_id_of(pid)) in recent]
            for pid, value in kept[: self.settings.candidates] + fresh[: self.settings.candidates]:
                cosine[pid] = max(cosine.get(pid, -1.0), value)
        if not cosine:
            return {}, {}
        nodes = self.store.collection.get(ids=list(cosine), include=["metadatas", "documents"])
        dense = {pid: Hit(pid, text, plain_metadata(meta), cosine[pid])
                 for pid, meta, text in zip(nodes["ids"], nodes["metadatas"], nodes["documents"])}
        return dense, {pid: cosine[pid] for pid in dense}

    def _fuse(self, dense: dict, keyword: dict, cosine: dict, recent: set[str]) -> list[Hit]:
        best_keyword = max((h.score for h in keyword.values()), default=1.0) or 1.0
        fused = []
        for pid in dense.keys() | keyword.keys():
            hit = dense.get(pid) or keyword[pid]
            bm25 = keyword[pid].score / best_keyword if pid in keyword else 0.0
            hit.metadata["dense_score"] = round(cosine.get(pid, 0.0), 4)
            hit.metadata["keyword_score"] = round(bm25, 4)
            fresh = self.settings.recent_weight * (str(hit.metadata.get("published_at", ""))[:10] in recent)
            hit.score = cosine.get(pid, 0.0) + self.settings.keyword_weight * bm25 + fresh
            fused.append(hit)
        # Ties (the same text stored twice: a quiz note repeated another week, a wire copy) broken by passage
        # id, not by the set's order, which Python's per-process string hashing changes from run to run.
        fused.sort(key=lambda h: (-h.score, h.passage_id))
        return fused

    def _cosines(self, passage_ids: list[str], query_vector: np.ndarray) -> dict[str, float]:
        if not passage_ids:
            return {}
        got = self.store.collection.get(ids=passage_ids, include=["embeddings"])
        if not got["ids"]:  # the keyword index's passages have no vectors (a vector store being rebuilt)
            return {}
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        return dict(zip(got["ids"], (vectors @ query_vector).tolist()))


def _recent_days(asked_on: date) -> set[str]:
    """The ISO days of the week before the question, and the day after (dates are often a day off)."""
    return {(asked_on - timedelta(days=d)).isoformat() for d in range(-1, RECENT_DAYS)}
