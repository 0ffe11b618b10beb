"""`assistant repair`: the embedded vector store made whole again from the articles the tables hold.

The tables keep every stored article's whole text, so Chroma's vectors can always be made again. Chroma's
own files can still be damaged (a crash in the middle of its write, a disk that filled before `store.py`
checked for room): then nothing could be read although nothing stored was gone. `repair` first copies
the articles out (`repair-articles.jsonl` in the index folder), sets an unreadable vector store aside
under a new name (never deleting it), then embeds every article whose vectors the store lacks. The copy
is what makes an interrupted repair resume: an article caught mid-write is dropped from the tables when
the store next opens for writing, as after any crash, and the copy still has it. It is removed once every
article is back.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from assistant.articles import Article
from assistant.chroma_client import first_query, forget_clients
from assistant.embedder import model_name
from assistant.ingest import IngestReport, ingest_items
from assistant.passages import doc_id_of
from assistant.settings import Settings
from assistant.store import Store, StoreError
from assistant.tables import open_tables

COPY = "repair-articles.jsonl"


def repair(settings: Settings, progress: bool = True) -> tuple[IngestReport, Path | None]:
    """What was embedded again, and where an unreadable vector store was set aside (None: it read)."""
    if settings.chroma_url or settings.database_url:
        raise StoreError("repair rebuilds the embedded vector store under --index; a Chroma or PostgreSQL "
                         "server keeps its own, restore it from the server's backups")
    copy = settings.index_dir / COPY
    if not copy.exists():  # else a repair was interrupted: its copy has every article
        _copy_articles(settings, copy)
    set_aside = None
    try:
        store = _readable(Store(settings, writable=True))
    except StoreError:
        set_aside = settings.index_dir / f"chroma.unreadable-{time.strftime('%Y%m%d-%H%M%S')}"
        (settings.index_dir / "chroma").rename(set_aside)
        forget_clients()
        store = Store(settings, writable=True)
    embedded = {doc_id_of(pid) for pid in store.read(lambda: store.collection.get(include=[])["ids"])}
    articles = [a for a in _read_copy(copy) if a.doc_id not in embedded]
    report = ingest_items(articles, settings, store, progress, total=len(articles), again=True)
    store.close()
    copy.unlink()
    return report, set_aside


def _readable(store: Store) -> Store:
    """`store`, once a query that loads its vector graph works."""
    try:
        store.read(lambda: first_query(store.collection))
    except Exception as exc:  # StoreError, or any of chromadb's error types from the query
        store.close()
        raise StoreError(str(exc)) from exc
    return store


def _copy_articles(settings: Settings, copy: Path) -> None:
    """Every stored article into `copy`, written beside it first: a half-written copy is never read."""
    partial = copy.with_suffix(".partial")
    try:
        tables = open_tables(settings.index_dir, "", model_name(settings.encoder))
        try:
            with partial.open("w", encoding="utf-8") as out:
                for article in tables.articles():
                    out.write(json.dumps({"doc_id": article.doc_id, "title": article.title, "text": article.text,
                                          "metadata": article.metadata}, ensure_ascii=False) + "\n")
        finally:
            tables.close()
    except Exception as exc:  # sqlite3's and the file system's errors share no base
        raise StoreError(f"can't copy the articles out of {settings.index_dir} ({' '.join(str(exc).split())[:200]}); "
                         "nothing was changed: check the folder's permissions and free space, then run repair again") from exc
    partial.replace(copy)


def _read_copy(copy: Path) -> list[Article]:
    with copy.open(encoding="utf-8") as lines:
        return [Article(r["doc_id"], r["title"], r["text"], r["metadata"]) for r in map(json.loads, lines)]
