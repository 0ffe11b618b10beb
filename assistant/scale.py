"""`assistant bench --scale`: how the assistant grows with its index, measured step by step in one run.

The articles of a corpus go into one index in steps (the first 100, then up to 500, …). After each step:
ingest throughput of that step, passages stored, disk used, this process's resident memory, and warm
latency of the keyword search alone and of the whole answer. The rows go to `scale.jsonl` as they are
measured and a plot to `scale.png`. The index lives in the output folder, so an interrupted run resumes:
a rerun skips the steps already measured (ingest itself resumes mid-step).

The mode is the settings' own: the embedded index, or the servers named by `ASSISTANT_DATABASE_URL` /
`ASSISTANT_CHROMA_URL`, which must then start empty (a measurement never mixes with real articles).
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

from assistant import scoring
from assistant.answer import Assistant
from assistant.articles import Article, read_paths
from assistant.bench import headline_questions, write_corpus
from assistant.ingest import ingest
from assistant.settings import Settings
from assistant.store import Store
from assistant.terms import content_terms


def scale(settings: Settings, corpus: list[Path], steps: list[int], out: Path, asks: int = 30,
          progress: bool = True) -> list[dict]:
    """Measure after each step of `steps` (cumulative article counts); returns every row of `scale.jsonl`."""
    out.mkdir(parents=True, exist_ok=True)
    settings = settings.replace(index_dir=out / "index")
    rows_path = out / "scale.jsonl"
    rows = [json.loads(line) for line in rows_path.read_text().splitlines()] if rows_path.exists() else []
    done = {row["articles_asked"] for row in rows}
    servers = bool(settings.database_url or settings.chroma_url)
    if servers and not rows and not Store(settings).is_empty():
        raise ValueError("the servers named by ASSISTANT_DATABASE_URL / ASSISTANT_CHROMA_URL already hold articles; "
                         "measure on an empty database and collection (ASSISTANT_COLLECTION)")
    articles = list(itertools.islice((a for a in read_paths(corpus) if isinstance(a, Article)), max(steps)))
    for step in sorted(steps):
        if step in done:
            continue
        part = write_corpus(articles[:step], out / f"articles-{step}.jsonl.gz")
        started = time.perf_counter()
        report = ingest([part], settings, progress=progress)
        seconds = time.perf_counter() - started
        part.unlink()
        row = {"articles_asked": step, "mode": "servers" if servers else "embedded",
               "ingest_new_passages": report.passages, "ingest_seconds": round(seconds, 1),
               "ingest_passages_per_s": round(report.passages / seconds, 1) if report.passages else None,
               **_measure(settings, articles[:step], asks)}
        rows.append(row)
        with open(rows_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
        if progress:
            print(json.dumps(row))
    _plot(rows, out / "scale.png")
    return rows


def _measure(settings: Settings, articles: list[Article], asks: int) -> dict:
    assistant = Assistant(settings)
    store = assistant.store
    questions = headline_questions(articles[:: max(1, len(articles) // asks)][:asks])
    assistant.ask(questions[0])  # warm: caches, first-call allocations
    keyword, answer = [], []
    for question in questions:
        started = time.perf_counter()
        store.keyword_search(content_terms(question), settings.candidates)
        keyword.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assistant.ask(question)
        answer.append((time.perf_counter() - started) * 1000)
    counts = store.counts()
    disk = _disk_mb(settings, store)
    store.close()
    return {"articles": counts["articles"], "passages": counts["passages"], "vectors": counts["vectors"],
            "disk_mb": disk, "rss_mb": _rss_mb(),
            "keyword_p50_ms": scoring.percentile(keyword, 50), "keyword_p95_ms": scoring.percentile(keyword, 95),
            "answer_p50_ms": scoring.percentile(answer, 50), "answer_p95_ms": scoring.percentile(answer, 95)}


def _disk_mb(settings: Settings, store: Store) -> float | None:
    """What the index takes on disk: its folder when embedded, the database's size with PostgreSQL
    (a Chroma server's disk is not visible from here, and is left out)."""
    if settings.database_url:
        return round(store.tables.database_bytes() / 2**20, 1)
    folder = settings.index_dir
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1) if folder.exists() else 0.0


def _rss_mb() -> float:
    """This process's resident memory now (not its peak: the peak of an ingest says little about serving)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(rows, key=lambda r: r["passages"])
    x = [r["passages"] for r in rows]
    figure, axes = plt.subplots(2, 2, figsize=(10, 7))
    panels = [("answer latency (ms)", [("answer_p50_ms", "answer p50"), ("answer_p95_ms", "answer p95"),
                                       ("keyword_p50_ms", "keyword search p50")]),
              ("resident memory (MB)", [("rss_mb", "this process")]),
              ("disk (MB)", [("disk_mb", "index")]),
              ("ingest (passages/s)", [("ingest_passages_per_s", "that step")])]
    for axis, (title, series) in zip(axes.flat, panels):
        for key, label in series:
            points = [(xi, r[key]) for xi, r in zip(x, rows) if r.get(key) is not None]
            if points:
                axis.plot(*zip(*points), marker="o", label=label)
        axis.set_title(title)
        axis.set_xlabel("passages in the index")
        axis.legend(fontsize=8)
    figure.suptitle(f"assistant bench --scale ({rows[0]['mode'] if rows else ''})")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)

