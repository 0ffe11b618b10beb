"""One settings object for every command: defaults, overlaid by `ASSISTANT_*` environment variables,
overlaid by command-line options."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

# Set before any library that phones home is imported: the product must run with no network at all.
# (Also keeps library progress bars for model loading off the CLI's output.)
LIBRARY_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


ENCODERS = ("onnx", "torch", "static")


class SettingsError(ValueError):
    """A setting that can't be used as given, with what to do instead."""


def apply_offline_env() -> None:
    for key, value in LIBRARY_ENV.items():
        os.environ.setdefault(key, value)


def _project_root() -> Path:
    """The checkout holding `seeds/` when run from a clone; the working directory otherwise."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "seeds").is_dir() else Path.cwd()


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=lambda: _project_root() / "index")
    seeds_dir: Path = field(default_factory=lambda: _project_root() / "seeds")
    # A Chroma server (`chroma run`) instead of the embedded store under index_dir.
    chroma_url: str = ""
    # A PostgreSQL server (postgresql://user:password@host/db; the `postgres` extra) for the articles, the
    # keyword index and feedback, instead of the SQLite file under index_dir: with `chroma_url` too, several
    # `assistant` processes on several machines share one collection and nothing is kept on local disk.
    database_url: str = ""
    collection: str = "passages"
    # all-MiniLM-L6-v2 reads 256 word pieces at most and was trained on 128; two or three sentences
    # (64 pieces) retrieve the right passage more often than longer chunks on the seed questions.
    passage_tokens: int = 64
    embed_batch: int = 64
    # Passages an ingest embeds and commits together: enough to keep the encoder busy, few enough that an
    # interruption loses little (all that a kill loses is the batch in hand; a rerun resumes after it).
    flush_passages: int = 512
    # "onnx": the packaged model exported once to ONNX and run by ONNX Runtime (the same vectors to 1e-6;
    # a question no longer waits ~5 s for torch and sentence-transformers to import). "torch": the
    # model through sentence-transformers, as packaged. "static": the opt-in fast mode, the model distilled
    # once into static word-piece vectors (many times faster, retrieves worse; needs its own index).
    encoder: str = "onnx"
    # What scores the sentences of the retrieved passages to pick the ones the answer quotes. Picking the
    # sentence that answers is closer to matching words than topics: the static table (a weighted bag of
    # word pieces) picks better than the transformer (right choice 0.489 against 0.466 on the whole
    # development set) and embeds the ~40 candidate sentences in about 1 ms instead of about 150.
    sentence_encoder: str = "static"
    # Where the ONNX export is kept (about 90 MB), made on first use from the packaged weights.
    cache_dir: Path = field(default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                            / "news-assistant")
    # Longer "articles" are rejected with a reason: a 10 MB file is a dump to split, not a news story, and
    # would hold the encoder for many minutes.
    max_article_chars: int = 1_000_000
    # Input is bounded after decompression and parsing, whatever its size on disk (a 13 MB gzip can inflate
    # to 3 GB): at most this many megabytes read from one file (JSON, CSV and text files are held whole;
    # the development corpus is 54 MB) and this many articles in it (Reuters-21578 holds 19,043). A file
    # over either is skipped whole with a reason, before anything of it is embedded.
    max_file_mb: int = 256
    max_file_records: int = 100_000
    # Largest file the chat accepts as an upload; bigger corpora go through `assistant ingest`.
    max_upload_mb: int = 50
    # How many passages each retriever proposes, and how many the answer reads.
    candidates: int = 30
    top_k: int = 10
    # At most this many of the `top_k` passages read come from one article while others are left
    # (`answer.passages_read`). Out-of-fold on the development set (`runs/eval-dev-pa*`), 5 leaves choice
    # accuracy where it was (April–June questions: 0.534 with and without) and 3 makes the best candidate
    # right less often (0.486 → 0.464); on the seeds, 5 cites both articles on 0.95 of the two-source
    # questions, against 0.70 with no cap.
    per_article: int = 5
    # How many nearest passages one dense search fetches, before articles are left out and the question's
    # week is picked from them (see `retrieve.HybridRetriever._dense`).
    dense_pool: int = 400
    # How many candidates Chroma's vector graph explores for a search (HNSW's ef; Chroma's default is 100,
    # and a search of `dense_pool` explores that many). Over 61 development questions against an exact
    # search of the development index: the exact best passage found 0.984 → 1.0 of the time, the exact 400
    # best 0.934 → 0.979, at 3.1 → 4.4 ms a search (`runs/exp/recall.py`), an answer's median about 8 ms
    # slower (`runs/exp/ef_time.py`); out-of-fold choice accuracy 0.646 → 0.651 (README, *Finding
    # passages*). Set on the index at the end of each ingest (`Store.finish_ingest`).
    dense_search_ef: int = 1000
    # Fusion weight of the keyword (BM25) score against the dense cosine score. The keyword index always
    # proposes candidates (each then scored by its exact cosine); adding BM25 to the ranking score
    # made the seeds' multi-article answers worse (a name shared by every passage drowns the topic).
    keyword_weight: float = 0.0
    # Added to the score of articles published in the week before the question was asked (when the
    # question comes with its date: `ask --date`, the eval's question_date). On the development slice
    # doc_hit@1 goes 0.73 (none) → 0.79 (0.05) → 0.83 (0.1) → 0.86 (0.15) → 0.85 (0.2).
    recent_weight: float = 0.15
    # Sentences in an answer (on the development slice, 1 names the right choice less often and 3 only
    # adds words), and the evidence below which the assistant says the articles don't answer
    # (calibrated on seeds/questions.jsonl with the static sentence encoder: see `docs/reading-log.md`,
    # *Measured on the whole development set*).
    answer_sentences: int = 2
    abstain_below: float = 0.3
    # The reader's learned candidate scoring (`assistant train-reader`); empty: the one in the package.
    reader_model: str = ""
    # An OpenAI-compatible chat server that writes fluent answers (`--llm URL`; needs the llm extra), e.g.
    # http://localhost:11434/v1 (Ollama) or http://localhost:8080/v1 (llama.cpp). Empty: extractive answers.
    llm_url: str = ""
    # A GGUF model file run inside the assistant by llama.cpp (`--llm PATH.gguf` sets it too), on
    # `llm_threads` threads (0: every core).
    llm_gguf: str = ""
    llm_threads: int = 0
    # How LLM mode decides whether the articles answer: a file of `assistant train-check`'s, "off" (the
    # LLM's own "the articles don't say" only), or empty: the packaged check when it was fitted for the
    # GGUF file being run (`answer_check.model_for`).
    llm_check: str = ""
    llm_model: str = "local"
    # The server's key: ASSISTANT_LLM_API_KEY, or a file holding it (ASSISTANT_LLM_API_KEY_FILE).
    llm_api_key: str = ""
    llm_api_key_file: str = ""
    # Seconds to wait for the server before showing the extractive answer instead.
    llm_timeout: float = 60.0
    llm_context: int = 4096
    # One to three short sentences need about 100 tokens; a model that rambles is cut off here.
    llm_max_tokens: int = 160
    # How many of the best passages the LLM reads (fewer than `top_k`: small models lose the thread).
    llm_passages: int = 6
    host: str = "127.0.0.1"
    port: int = 7860
    # Who may use the chat when it listens beyond this machine: "user:password", or a file of such lines.
    # Never on the command line, where other users and shell history would see it.
    login: str = ""
    login_file: str = ""

    @classmethod
    def load(cls, **overrides) -> "Settings":
        """Defaults, then `ASSISTANT_<FIELD>` from the environment, then non-None `overrides`."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"ASSISTANT_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _coerce(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("index_dir", "seeds_dir", "cache_dir"):
            if key in values:
                values[key] = Path(values[key])
        return cls(**values)

    def __post_init__(self) -> None:
        for name in ("encoder", "sentence_encoder"):
            if getattr(self, name) not in ENCODERS:
                raise SettingsError(f"ASSISTANT_{name.upper()}={getattr(self, name)!r} is not an encoder; "
                                    f"use one of {', '.join(ENCODERS)}")

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(name: str, type_name: str, raw: str):
    try:
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
    except ValueError:
        kind = "a whole number" if type_name == "int" else "a number"
        raise SettingsError(f"ASSISTANT_{name.upper()}={raw!r} is not {kind}; set it to one, or unset it "
                            "for the default") from None
    return raw
