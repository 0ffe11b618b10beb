"""The plain LlamaIndex recipe, as people hand-roll it in a notebook, for side-by-side evaluation:
`VectorStoreIndex` over Chroma, the default `SentenceSplitter` (1024/200), the same packaged embedding
model, a top-k retriever. Its answer is its top passage, or that passage's sentence closest to the
question; its citations are its top-k passages.

Built from the articles already in our store (same corpus), in its own Chroma folder, and rebuilt only
when the store's articles change.
"""

from __future__ import annotations

import time

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from llama_index.core import Document, StorageContext, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from llama_index.vector_stores.chroma import ChromaVectorStore

from assistant import embedder
from assistant.passages import sentence_spans
from assistant.settings import Settings
from assistant.store import Store

TOP_K = 10
MODES = ("top_passage", "best_sentence")


class PackagedEmbedding(BaseEmbedding):
    """LlamaIndex face of the packaged model: the recipe embeds with the very same model instance as the
    engine, instead of LlamaIndex's OpenAI default."""

    model_name: str = embedder.MODEL_NAME

    def _get_query_embedding(self, query: str) -> list[float]:
        return embedder.embed([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return embedder.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return embedder.embed(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class Baseline:
    def __init__(self, store: Store, settings: Settings, progress: bool = True):
        folder, chroma_settings = settings.index_dir / "baseline", ChromaSettings(anonymized_telemetry=False)
        # Beside an embedded index the recipe's own index is kept for the next eval; with a database, where
        # nothing is kept on this machine, it is built in memory each time.
        client = (chromadb.EphemeralClient(settings=chroma_settings) if settings.database_url
                  else chromadb.PersistentClient(path=str(folder), settings=chroma_settings))
        marker, fingerprint = folder / "corpus.sha256", store.fingerprint()
        fresh = not settings.database_url and marker.exists() and marker.read_text() == fingerprint
        if not fresh and "recipe" in [c.name for c in client.list_collections()]:
            client.delete_collection("recipe")
        vector_store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("recipe", embedding_function=None))
        if fresh:
            index = VectorStoreIndex.from_vector_store(vector_store, embed_model=PackagedEmbedding())
        else:
            documents = [Document(text=a.text, id_=a.doc_id, metadata={"doc_id": a.doc_id, "title": a.title})
                         for a in store.articles()]
            index = VectorStoreIndex.from_documents(
                documents, storage_context=StorageContext.from_defaults(vector_store=vector_store),
                embed_model=PackagedEmbedding(), transformations=[SentenceSplitter(chunk_size=1024, chunk_overlap=200)],
                show_progress=progress)
            if not settings.database_url:
                marker.write_text(fingerprint)
        self.retriever = index.as_retriever(similarity_top_k=TOP_K)

    def ask(self, question: str) -> dict[str, dict]:
        """One answer per mode, in the shape of `Answer.to_dict()`."""
        started = time.perf_counter()
        nodes = self.retriever.retrieve(question)
        retrieve_ms = (time.perf_counter() - started) * 1000
        passages = [{"doc_id": n.node.metadata["doc_id"], "title": n.node.metadata["title"],
                     "start": n.node.start_char_idx, "end": n.node.end_char_idx, "score": n.score,
                     "text": n.node.get_content()} for n in nodes]
        citations = [{"n": i + 1, "doc_id": p["doc_id"], "title": p["title"], "start": p["start"], "end": p["end"],
                      "quote": p["text"]} for i, p in enumerate(passages)]
        top = passages[0]["text"] if passages else ""
        sentence = _closest_sentence(question, top)
        total_ms = (time.perf_counter() - started) * 1000
        base = {"question": question, "abstained": not passages, "citations": citations, "passages": passages}
        return {
            "top_passage": {**base, "answer": top, "timings_ms": {"retrieve_ms": retrieve_ms, "total_ms": retrieve_ms}},
            "best_sentence": {**base, "answer": sentence, "timings_ms": {"retrieve_ms": retrieve_ms, "total_ms": total_ms}},
        }


def _closest_sentence(question: str, passage: str) -> str:
    sentences = [passage[s.start:s.end] for s in sentence_spans(passage)]
    if not sentences:
        return ""
    vectors = embedder.embed([question] + sentences)
    return sentences[int(np.argmax(vectors[1:] @ vectors[0]))]
