"""Dense and keyword retrieval, fused: LlamaIndex retrievers over the store.

The question is embedded once (the caller passes the vector in the `QueryBundle`); every fused candidate
gets its exact dense score, including those only the keyword index proposed.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from assistant.passages import doc_id_of
from assistant.settings import Settings
from assistant.store import Store
from assistant.terms import content_terms

# How far back "this week" reaches from the day a question was asked.
RECENT_DAYS = 8


class KeywordRetriever(BaseRetriever):
    """The store's keyword index (kept in step with Chroma): passages holding any content word of the question."""

    def __init__(self, store: Store, top_n: int):
        super().__init__()
        self.store, self.top_n = store, top_n

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [NodeWithScore(node=_text_node(hit.passage_id, hit.text, hit.doc_id, hit.title, hit.start, hit.end),
                              score=hit.score)
                for hit in self.store.keyword_search(content_terms(query_bundle.query_str), self.top_n)]


class HybridRetriever(BaseRetriever):
    """Dense cosine + `keyword_weight` × BM25 (scaled to the best keyword hit) + `recent_weight` for
    articles published in the days before the question was asked, best first: every candidate any
    retriever proposed (the answer reads the first `top_k`; the rest rank documents)."""

    def __init__(self, store: Store, settings: Settings):
        super().__init__()
        self.store, self.settings = store, settings
        self.keyword = KeywordRetriever(store, settings.candidates)

    def retrieve_many(self, query_bundles: list[QueryBundle], asked_on: date | None = None,
                      exclude: frozenset[str] = frozenset(), within: frozenset[str] = frozenset()) -> list[NodeWithScore]:
        """Fused results for several phrasings of one question (the question, its topic): each passage
        scores its best dense cosine over the phrasings; keywords come from the first. Given the day the
        question was asked, the week's articles are searched on their own too, so that "this week"
        competes with the week's news, not with every week's. `exclude`: articles to leave out;
        `within`: when given, the only articles to search."""
        return self.store.read(lambda: self._retrieve_scoped(query_bundles, asked_on, exclude | self.store.pending(),
                                                             within))

    def _retrieve_scoped(self, query_bundles: list[QueryBundle], asked_on: date | None, exclude: frozenset[str],
                         within: frozenset[str]) -> list[NodeWithScore]:
        recent = _recent_days(asked_on) if asked_on else set()
        dense, cosine = self._dense(query_bundles, recent, exclude, within)
        keyword = {n.node.node_id: n for n in self.keyword.retrieve(query_bundles[0])
                   if n.node.metadata["doc_id"] not in exclude and (not within or n.node.metadata["doc_id"] in within)}
        missing = [pid for pid in keyword if pid not in dense]
        for bundle in query_bundles:
            for pid, value in self._cosines(missing, bundle.embedding).items():
                cosine[pid] = max(cosine.get(pid, -1.0), value)
        # A passage only the keyword index proposed carries its article's metadata too, as Chroma's do:
        # without it, it had no week to be recent in and its citation no outlet or date.
        articles = self.store.metadata({keyword[pid].node.metadata["doc_id"] for pid in missing})
        for pid in missing:
            node = keyword[pid].node
            node.metadata = {**articles.get(node.metadata["doc_id"], {}), **node.metadata}
        return self._fuse(dense, keyword, cosine, recent)

    def _dense(self, query_bundles: list[QueryBundle], recent: set[str], exclude: frozenset[str],
               within: frozenset[str]) -> tuple[dict[str, NodeWithScore], dict[str, float]]:
        """The `candidates` nearest passages of each phrasing, and as many again from the days in `recent`.
        One Chroma query fetches the ids of a pool of nearest passages for every phrasing; leaving articles
        out and picking the week happen here, because Chroma's metadata filters cost 0.1-1 s a query at
        200k passages against a few ms for its plain search. Only `within` (a reader's explicit choice of
        articles) goes to Chroma, less `exclude`, so that a narrow choice still finds its passages (with the
        excluded ones inside the filter, the pool could be all theirs and the rest of the choice unread)."""
        if within and not within - exclude:
            return {}, {}
        got = self.store.collection.query(
            query_embeddings=[b.embedding for b in query_bundles], n_results=self.settings.dense_pool,
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
        dense = {pid: NodeWithScore(node=metadata_dict_to_node(meta, text), score=cosine[pid])
                 for pid, meta, text in zip(nodes["ids"], nodes["metadatas"], nodes["documents"])}
        return dense, {pid: cosine[pid] for pid in dense}

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.retrieve_many([query_bundle])

    def _fuse(self, dense: dict, keyword: dict, cosine: dict, recent: set[str]) -> list[NodeWithScore]:
        best_keyword = max((n.score for n in keyword.values()), default=1.0) or 1.0
        fused = []
        for pid in dense.keys() | keyword.keys():
            node = (dense.get(pid) or keyword[pid]).node
            bm25 = keyword[pid].score / best_keyword if pid in keyword else 0.0
            node.metadata["dense_score"] = round(cosine.get(pid, 0.0), 4)
            node.metadata["keyword_score"] = round(bm25, 4)
            fresh = self.settings.recent_weight * (str(node.metadata.get("published_at", ""))[:10] in recent)
            fused.append(NodeWithScore(node=node, score=cosine.get(pid, 0.0) + self.settings.keyword_weight * bm25 + fresh))
        fused.sort(key=lambda n: n.score, reverse=True)
        return fused

    def _cosines(self, passage_ids: list[str], query_vector) -> dict[str, float]:
        if not passage_ids:
            return {}
        got = self.store.collection.get(ids=passage_ids, include=["embeddings"])
        if not got["ids"]:  # the keyword index's passages have no vectors (a vector store being rebuilt)
            return {}
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        return dict(zip(got["ids"], (vectors @ np.asarray(query_vector, dtype=np.float32)).tolist()))


def _recent_days(asked_on: date) -> set[str]:
    """The ISO days of the week before the question, and the day after (dates are often a day off)."""
    return {(asked_on - timedelta(days=d)).isoformat() for d in range(-1, RECENT_DAYS)}


def _text_node(passage_id: str, text: str, doc_id: str, title: str, start: int, end: int) -> TextNode:
    return TextNode(id_=passage_id, text=text,
                    metadata={"doc_id": doc_id, "title": title, "start": start, "end": end})
