"""`assistant bench`: speed and memory, measured in one run and reported as ratios to baselines from the
same run, never asserted in tests.

(a) the bare encoder (`SentenceTransformer.encode` on exactly the texts our ingest embeds), (b) our whole
ingest of the same articles into a fresh index, and its ratio to (a), (c) the plain LlamaIndex recipe's
ingest of them, (d) warm latency of retrieval alone and of the full answer, (e) cold start of `assistant
ask` in a new process, (f) peak memory, (g) answer latency under load: concurrent chat sessions through
the served HTTP API, against the single-user latency of (d).
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from assistant import embedder, scoring
from assistant.annotate import annotate
from assistant.answer import Assistant
from assistant.articles import Article, read_paths
from assistant.ingest import ingest
from assistant.passages import embedding_text, split_passages
from assistant.questions import analyse
from assistant.settings import Settings


@dataclass
class BenchOptions:
    corpus: list[Path]
    limit: int = 300
    questions: Path | None = None
    # An existing (large) index to time answers on; by default the fresh index (b) builds.
    index: Path | None = None
    asks: int = 50
    recipe: bool = True
    progress: bool = True
    sessions: int = 16
    per_session: int = 20


def bench(settings: Settings, options: BenchOptions) -> dict:
    articles = [a for a in itertools.islice((a for a in read_paths(options.corpus) if isinstance(a, Article)),
                                            options.limit)]
    if not articles:
        raise FileNotFoundError(f"no readable articles in {', '.join(map(str, options.corpus))}; pass --corpus FILE")
    embedder.load_model()
    result = {"articles": len(articles), "corpus": [str(c) for c in options.corpus]}
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as folder:
        fresh = settings.replace(index_dir=Path(folder) / "index")
        result["encoder"] = _bare_encoder(articles, settings)
        result["ingest"] = _our_ingest(articles, result["encoder"]["tokens"], fresh, Path(folder), options.progress)
        result["ingest"]["ratio_to_encoder"] = round(result["ingest"]["tokens_per_s"] / result["encoder"]["tokens_per_s"], 3)
        if options.recipe:
            result["recipe_ingest"] = _recipe_ingest(fresh, options.progress)
        answering = settings.replace(index_dir=options.index) if options.index else fresh
        questions = _questions(options, articles)
        result["latency"] = _latency(answering, questions, options.progress)
        if options.sessions:
            result["load"] = _under_load(answering, questions, options.sessions, options.per_session)
            result["load"]["p95_ratio_to_single_user"] = round(
                result["load"]["answer_p95_ms"] / result["latency"]["answer_p95_ms"], 2)
        result["cold_ask_s"], cold_rss_mb = _cold_ask(answering, questions[0])
    result["peak_rss_mb"] = {"this_process": _peak_rss_mb(resource.RUSAGE_SELF), "cold_ask": cold_rss_mb}
    return result


def _bare_encoder(articles: list[Article], settings: Settings) -> dict:
    texts = [embedding_text(a, p) for a in articles
             for p in split_passages(a.doc_id, a.text, embedder.count_tokens, settings.passage_tokens)]
    tokens = sum(embedder.count_tokens(texts))
    model = embedder.sentence_transformer()  # the baseline: sentence-transformers as packaged
    started = time.perf_counter()
    model.encode(texts, batch_size=settings.embed_batch, normalize_embeddings=True, show_progress_bar=False)
    seconds = time.perf_counter() - started
    return {"passages": len(texts), "tokens": tokens, "seconds": round(seconds, 2),
            "tokens_per_s": round(tokens / seconds, 1), "passages_per_s": round(len(texts) / seconds, 1)}


def _our_ingest(articles: list[Article], tokens: int, settings: Settings, folder: Path, progress: bool) -> dict:
    """`tokens`: what the bare encoder read for the same articles."""
    corpus = write_corpus(articles, folder / "corpus.jsonl.gz")
    started = time.perf_counter()
    report = ingest([corpus], settings, progress=progress)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = ingest([corpus], settings, progress=False)
    reingest = time.perf_counter() - started
    started = time.perf_counter()
    annotate(settings, progress=progress)
    return {"passages": report.passages, "seconds": round(seconds, 2), "tokens_per_s": round(tokens / seconds, 1),
            "articles_per_s": round(len(articles) / seconds, 2),
            "reingest_unchanged_s": round(reingest, 2), "reingest_embedded": again.passages,
            # `assistant annotate` after it, the separate step that makes answers faster
            "annotate_s": round(time.perf_counter() - started, 2)}


def _recipe_ingest(settings: Settings, progress: bool) -> dict:
    from assistant.baseline import Baseline
    from assistant.store import Store

    store = Store(settings)
    started = time.perf_counter()
    Baseline(store, settings, progress)
    seconds = time.perf_counter() - started
    articles = store.counts()["articles"]
    return {"seconds": round(seconds, 2), "articles_per_s": round(articles / seconds, 2)}


def _questions(options: BenchOptions, articles: list[Article]) -> list[str]:
    """The question set's questions, or one per article made from its headline."""
    if options.questions:
        from assistant.evaluate import load_questions

        rows, _ = load_questions(options.questions, options.asks)
        return [q["question"] for q in rows]
    return headline_questions(articles[: options.asks])


def headline_questions(articles: list[Article]) -> list[str]:
    """One question per article, made from its headline: for timing, when no question set is given."""
    return [f"What happened: {a.title}?" for a in articles]


def write_corpus(articles: list[Article], path: Path) -> Path:
    """The articles as a gzipped JSONL file that `ingest` reads back as they are."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for a in articles:
            handle.write(json.dumps({"id": a.doc_id, "title": a.title, "text": a.text, **a.metadata}) + "\n")
    return path


def _latency(settings: Settings, questions: list[str], progress: bool) -> dict:
    assistant = Assistant(settings)
    assistant.ask(questions[0])  # warm: caches, first-call allocations
    retrieval, full = [], []
    for question in tqdm(questions, desc="latency", unit=" questions", disable=not progress):
        analysed = analyse(question)
        started = time.perf_counter()
        vectors = embedder.embed(analysed.searches)
        assistant.retriever.retrieve_many(analysed.searches, vectors)
        retrieval.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assistant.ask(question)
        full.append((time.perf_counter() - started) * 1000)
    counts = assistant.store.counts()
    return {"index_passages": counts["passages"], "questions": len(questions),
            "annotated_share": round(len(assistant.store.annotated()) / max(counts["articles"], 1), 3),
            "retrieval_p50_ms": scoring.percentile(retrieval, 50), "retrieval_p95_ms": scoring.percentile(retrieval, 95),
            "answer_p50_ms": scoring.percentile(full, 50), "answer_p95_ms": scoring.percentile(full, 95)}


def _under_load(settings: Settings, questions: list[str], sessions: int, per_session: int) -> dict:
    """The chat served on loopback in this process, and `sessions` clients asking at once."""
    from assistant.load import run_load
    from assistant.web import build_app, launch

    with contextlib.redirect_stdout(sys.stderr):  # Gradio's notices; stdout carries only the result
        app = launch(build_app(Assistant(settings)), "127.0.0.1", None, block=False)
        try:
            run = run_load(app.local_url, questions, sessions, per_session)
        finally:
            app.close()
    return {"sessions": sessions, "per_session": per_session, "errors": len(run.errors),
            "answers_per_s": round(len(run.latencies_ms) / run.seconds, 2),
            "answer_p50_ms": scoring.percentile(run.latencies_ms, 50),
            "answer_p95_ms": scoring.percentile(run.latencies_ms, 95)}


# A forked child inherits its parent's peak RSS: a small launcher process runs the cold ask, so the peak it
# reports is the ask's own.
_LAUNCHER = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def _cold_ask(settings: Settings, question: str, runs: int = 3) -> tuple[float, float]:
    """Seconds from process start to printed answer (the median of `runs` fresh processes: one start
    varies by seconds with what the machine is doing), and the largest such process's peak RSS in MB."""
    seconds, peaks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        launched = subprocess.run([sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "assistant.cli", "ask",
                                   question, "--index", str(settings.index_dir)], check=True, capture_output=True, text=True)
        seconds.append(time.perf_counter() - started)
        peaks.append(int(launched.stdout.split()[-1]) / 1024)
    return round(statistics.median(seconds), 2), round(max(peaks), 1)


def _peak_rss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux reports KiB


TARGETS = {
    "ingest ratio to bare encoder": ("ingest", "ratio_to_encoder", "≥ 0.9"),
    "answer p50 ms": ("latency", "answer_p50_ms", "≤ 50 (≥ 100k passages)"),
    "answer p95 ms": ("latency", "answer_p95_ms", "≤ 150 (≥ 100k passages)"),
    "cold ask s": ("cold_ask_s", None, "≤ 2"),
    "peak RSS MB (this process, serving)": ("peak_rss_mb", "this_process", "≤ 2048"),
    "peak RSS MB (cold ask)": ("peak_rss_mb", "cold_ask", ""),
}


def table(result: dict) -> str:
    """The result as a plain-text table: what was measured, its value, and the target."""
    rows = [("articles", result["articles"], ""),
            ("bare encoder tokens/s", result["encoder"]["tokens_per_s"], "baseline"),
            ("our ingest tokens/s", result["ingest"]["tokens_per_s"], ""),
            ("re-ingest unchanged s", result["ingest"]["reingest_unchanged_s"], "seconds"),
            ("then annotate s (ingest s)", f"{result['ingest']['annotate_s']} ({result['ingest']['seconds']})", "")]
    if "recipe_ingest" in result:
        rows.append(("recipe ingest articles/s (ours)",
                     f"{result['recipe_ingest']['articles_per_s']} ({result['ingest']['articles_per_s']})", ""))
    latency = result["latency"]
    rows += [("passages in answering index", latency["index_passages"], ""),
             ("its articles annotated", latency["annotated_share"], "share (`assistant annotate`)"),
             ("retrieval p50 / p95 ms", f"{latency['retrieval_p50_ms']:.0f} / {latency['retrieval_p95_ms']:.0f}", "")]
    for name, (section, key, target) in TARGETS.items():
        value = result[section] if key is None else result[section][key]
        rows.append((name, value, target))
    if "load" in result:
        load = result["load"]
        rows += [(f"under load: {load['sessions']} sessions × {load['per_session']}, errors", load["errors"], ""),
                 ("under load: answer p50 / p95 ms", f"{load['answer_p50_ms']:.0f} / {load['answer_p95_ms']:.0f}",
                  f"p95 {load['p95_ratio_to_single_user']}× single-user"),
                 ("under load: answers/s", load["answers_per_s"], "")]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {value!s:>16}  {target}" for name, value, target in rows)
