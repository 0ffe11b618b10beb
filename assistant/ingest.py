"""Load → split → embed → store, incremental (a content hash per article) and resumable (each batch is
committed as it completes, so an interrupted run picks up where it stopped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from tqdm import tqdm

from assistant import embedder
from assistant.articles import Article, Limits, Rejected, count_articles, read_paths
from assistant.passages import embedding_key, embedding_text, split_passages, unwrapped
from assistant.settings import Settings
from assistant.store import Store


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    passages: int = 0
    # Passages whose vector was reused rather than embedded again.
    reused: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    # What a reader should know about articles that did go in (an upload stored under a new id).
    notices: list[str] = field(default_factory=list)

    def merge(self, other: "IngestReport") -> None:
        for name in ("added", "updated", "unchanged", "passages", "reused"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejected += other.rejected
        self.notices += other.notices

    def summary(self) -> str:
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.rejected)} skipped; {self.passages} passages stored, "
                f"{self.passages - self.reused} embedded")


def ingest(paths: Iterable[Path], settings: Settings, store: Store | None = None,
           progress: bool = True) -> IngestReport:
    paths, limits = list(paths), Limits.of(settings)
    return ingest_items(read_paths(paths, limits), settings, store, progress,
                        total=count_articles(paths, limits) if progress else None)


def ingest_items(items: Iterable[Article | Rejected], settings: Settings, store: Store | None = None,
                 progress: bool = True, total: int | None = None, again: bool = False) -> IngestReport:
    """Articles already read (and the reasons others weren't), stored as `ingest` stores files' articles;
    `again`: embedded and stored even when the store holds them unchanged (`repair`)."""
    store = store or Store(settings, writable=True)
    report, batch, seen = IngestReport(), [], {}
    bar = tqdm(desc="ingest", unit=" articles", disable=not progress, dynamic_ncols=True, total=total)
    try:
        for item in items:
            bar.update(1)
            entry = item if isinstance(item, Rejected) else _plan(item, store, seen, report, settings, again)
            if isinstance(entry, Rejected):
                report.rejected.append(entry)
                bar.write(str(entry))
            elif entry:
                batch.append(entry)
                if sum(len(e[2]) for e in batch) >= settings.flush_passages:
                    _flush(batch, store, settings, report, bar)
        _flush(batch, store, settings, report, bar)
        if report.passages:
            store.finish_ingest()
    finally:
        bar.close()
    return report


def _split_hash(article: Article) -> str:
    """The article's content hash; for a text wrapped at a fixed width, marked as split unwrapped
    (`passages.unwrapped`), so that one stored before, cut into passages at its line breaks, is split and
    embedded again by the next ingest."""
    return article.content_hash + ("+unwrapped" if unwrapped(article.text) != article.text else "")


def _plan(article: Article, store: Store, seen: dict, report: IngestReport, settings: Settings,
          again: bool = False):
    """(article, hash, passages, None) when the article needs embedding, None when it doesn't, or why it
    is skipped."""
    source = article.metadata.get("source_file", article.doc_id)
    if len(article.text) > settings.max_article_chars:
        return Rejected(source, f"{len(article.text):,} characters, over the limit of {settings.max_article_chars:,} "
                                "(ASSISTANT_MAX_ARTICLE_CHARS); split it into articles")
    content_hash = _split_hash(article)
    if article.doc_id in seen:
        if seen[article.doc_id] != content_hash:
            return Rejected(source, f"duplicate id {article.doc_id!r} with different text; kept the first")
        return None
    seen[article.doc_id] = content_hash
    stored = store.content_hash(article.doc_id)
    if stored == content_hash and not again:
        report.unchanged += 1
        return None
    if stored is None:
        report.added += 1
    else:
        report.updated += 1
    passages = split_passages(article.doc_id, article.text, embedder.count_tokens, settings.passage_tokens)
    return (article, content_hash, passages, None)


def _flush(batch: list, store: Store, settings: Settings, report: IngestReport, bar: tqdm) -> None:
    if not batch:
        return
    texts = [embedding_text(article, p) for article, _, passages, _ in batch for p in passages]
    vectors = _vectors(texts, store, settings, report)
    ready, i = [], 0
    for article, content_hash, passages, _ in batch:
        ready.append((article, content_hash, passages, vectors[i:i + len(passages)]))
        i += len(passages)
    store.replace(ready)
    report.passages += len(texts)
    rate = report.passages / max(bar.format_dict["elapsed"], 1e-6)
    bar.set_postfix(passages=report.passages, per_s=f"{rate:.0f}", reused=report.reused)
    batch.clear()


def _vectors(texts: list[str], store: Store, settings: Settings, report: IngestReport) -> list[list[float]]:
    """One vector per text, each distinct text embedded once: a text already in the store (a duplicate
    article, a passage repeated under the same headline) or repeated in the batch reuses its vector."""
    keys = [embedding_key(t) for t in texts]
    known = store.vectors_for_keys(set(keys))
    todo = {k: t for k, t in zip(keys, texts) if k not in known}
    known.update(zip(todo, embedder.embed(list(todo.values()), batch_size=settings.embed_batch).tolist()))
    report.reused += len(texts) - len(todo)
    return [known[k] for k in keys]
