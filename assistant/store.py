"""Where passages live: vectors in Chroma (through LlamaIndex's `ChromaVectorStore`), and beside them one
SQLite file with the articles' texts, their content hashes and the keyword (FTS5/BM25) index.

Writes are ordered so that a crash at any point leaves nothing duplicated or orphaned: an article's ids
are first recorded as pending, then its vectors replaced in Chroma, then its text, hash and keyword rows
committed in one SQLite transaction that also clears the pending mark. Pending ids left by a crash are
purged from Chroma when the store opens for writing.

Another process may write the same index while this one serves it (`assistant ingest` beside `assistant
serve`). The embedded Chroma client caches its index in memory and doesn't see that process's writes, so a
reader reopens its client whenever SQLite says another connection committed (`PRAGMA data_version`), and
once more when a read fails.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from assistant.articles import Article
from assistant.embedder import model_name
from assistant.passages import Passage, embedding_key, embedding_text
from assistant.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, content_hash TEXT NOT NULL, text TEXT NOT NULL,
    metadata TEXT NOT NULL, passages INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS pending_passages (passage_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS passage_fts USING fts5(
    title, body, passage_id UNINDEXED, doc_id UNINDEXED, pstart UNINDEXED, pend UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2');
"""


class StoreError(RuntimeError):
    """A store that can't be opened or written, with what to do about it."""


@dataclass
class KeywordHit:
    passage_id: str
    doc_id: str
    title: str
    start: int
    end: int
    text: str
    score: float


class Store:
    def __init__(self, settings: Settings, writable: bool = False):
        self.settings = settings
        self.location = settings.chroma_url or str(settings.index_dir)
        self._lock = threading.RLock()
        self.embedding_model = model_name(settings.encoder)
        self._db = self._open_sqlite(settings.index_dir, self.embedding_model)
        self._check_model()
        self._client = self.collection = self.vector_store = None
        self._open_chroma()
        if writable:
            self._purge_pending()

    @staticmethod
    def _open_sqlite(index_dir: Path, model: str) -> sqlite3.Connection:
        """The articles, keyword index and bookkeeping; a new index records the model that embeds it."""
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(index_dir / "articles.sqlite", check_same_thread=False)
            db.executescript(SCHEMA)
            db.execute("INSERT OR IGNORE INTO info VALUES ('embedding_model', ?)", (model,))
            db.commit()
            return db
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"can't open the index at {index_dir} ({exc}); check the path and its permissions") from exc

    def _check_model(self) -> None:
        """An index is read and written by the model that embedded it: another model's vectors (the static
        fast mode's, say) would be compared with them as if they meant the same. An empty index takes any."""
        with self._lock:
            stored = self._db.execute("SELECT value FROM info WHERE key = 'embedding_model'").fetchone()[0]
            if stored == self.embedding_model:
                return
            if not self.is_empty():
                built_with = "static" if "static" in stored else "onnx"
                raise StoreError(f"the index at {self.settings.index_dir} holds vectors from {stored}, which "
                                 f"ASSISTANT_ENCODER={self.settings.encoder} can't compare with; set "
                                 f"ASSISTANT_ENCODER={built_with} or use a new --index folder")
            self._db.execute("UPDATE info SET value = ? WHERE key = 'embedding_model'", (self.embedding_model,))
            self._db.commit()

    def _open_chroma(self) -> None:
        """(Re)open the Chroma client and collection; `_seen_version` marks the index as this client saw it."""
        settings, chroma_settings = self.settings, ChromaSettings(anonymized_telemetry=False)
        with self._lock:
            self._seen_version = self._data_version()
            if self._client is not None:
                self._client.close()
            try:
                if settings.chroma_url:
                    url = urlparse(settings.chroma_url)
                    self._client = chromadb.HttpClient(host=url.hostname, port=url.port or 8000,
                                                       ssl=url.scheme == "https", settings=chroma_settings)
                else:
                    self._client = chromadb.PersistentClient(path=str(settings.index_dir / "chroma"),
                                                             settings=chroma_settings)
                # embedding_function=None: vectors always come from our packaged model, never Chroma's default.
                self.collection = self._client.get_or_create_collection(
                    settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"})
                # Chroma refuses larger writes (the limit comes from its SQLite build: 5,461 seen here).
                self._max_batch = max(1, self._client.get_max_batch_size())
            except Exception as exc:  # chromadb raises many unrelated types for an unreachable or broken store
                raise StoreError(f"can't open the Chroma store at {settings.chroma_url or settings.index_dir} "
                                 f"({' '.join(str(exc).split())[:200]}); is it running / readable?") from exc
            self.vector_store = ChromaVectorStore(chroma_collection=self.collection)

    def _data_version(self) -> int:
        with self._lock:
            return self._db.execute("PRAGMA data_version").fetchone()[0]

    # --- reads ---

    def read(self, fetch):
        """`fetch()` against the index as it is now. An embedded store written by another process since
        this one last looked is reopened first, and reopened and asked again when the read fails (its
        cached index may be mid-change); a Chroma server is one store for every process and is asked once."""
        embedded = not self.settings.chroma_url
        if embedded and self._data_version() != self._seen_version:
            self._open_chroma()
        try:
            with self.reading():
                return fetch()
        except StoreError:
            if not embedded:
                raise
            self._open_chroma()
            with self.reading():
                return fetch()

    @contextmanager
    def reading(self):
        """Reads that fail (a Chroma server gone away, a broken file) raise a `StoreError` naming the store;
        the same store answers again once it is back."""
        try:
            yield
        except (ChromaError, httpx.HTTPError, OSError, sqlite3.Error) as exc:
            raise StoreError(f"can't read the store at {self.location} ({' '.join(str(exc).split())[:200]}); "
                             "is it running and readable? Ask again once it is") from exc

    def content_hash(self, doc_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT content_hash FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def article(self, doc_id: str) -> Article | None:
        with self._lock:
            row = self._db.execute("SELECT doc_id, title, text, metadata FROM articles WHERE doc_id = ?",
                                   (doc_id,)).fetchone()
        return Article(row[0], row[1], row[2], json.loads(row[3])) if row else None

    def published_days(self, doc_ids: set[str]) -> dict[str, str]:
        """Each named article's publication day ("2023-05-26"; "" when unknown)."""
        marks = ",".join("?" * len(doc_ids))
        with self._lock:
            rows = self._db.execute(f"SELECT doc_id, json_extract(metadata, '$.published_at') FROM articles "
                                    f"WHERE doc_id IN ({marks})", sorted(doc_ids)).fetchall()
        return {doc_id: str(day or "")[:10] for doc_id, day in rows}

    def is_empty(self) -> bool:
        """No article stored; cheap, unlike `counts`, which scans the keyword index."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def counts(self) -> dict:
        with self._lock, self.reading():
            articles, passages = self._db.execute("SELECT COUNT(*), COALESCE(SUM(passages), 0) FROM articles").fetchone()
            keyword = self._db.execute("SELECT COUNT(*) FROM passage_fts").fetchone()[0]
            vectors = self.collection.count()
        return {"articles": articles, "passages": passages, "vectors": vectors, "keyword_rows": keyword,
                "pending": len(self.pending())}

    def pending(self) -> set[str]:
        """Articles whose write began and didn't finish (an ingest running now, or one that failed): readers
        leave their vectors alone; the next ingest removes or completes them."""
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT doc_id FROM pending")}

    def vectors_for_keys(self, keys: set[str]) -> dict[str, list[float]]:
        """Stored vectors by the key of the text they embed (see `passages.embedding_key`)."""
        if not keys:
            return {}
        with self._lock:
            got = self.collection.get(where={"embedded": {"$in": sorted(keys)}}, include=["embeddings", "metadatas"])
        return {meta["embedded"]: [float(x) for x in vector] for meta, vector in zip(got["metadatas"], got["embeddings"])}

    def keyword_search(self, match: str, limit: int) -> list[KeywordHit]:
        """BM25 over passage bodies (and, weighted lower, titles). `match` is an FTS5 query."""
        sql = ("SELECT passage_id, doc_id, title, pstart, pend, body, bm25(passage_fts, 0.5, 1.0) AS rank "
               "FROM passage_fts WHERE passage_fts MATCH ? ORDER BY rank LIMIT ?")
        with self._lock:
            rows = self._db.execute(sql, (match, limit)).fetchall()
        return [KeywordHit(r[0], r[1], r[2], int(r[3]), int(r[4]), r[5], -r[6]) for r in rows]

    def catalogue(self) -> list[dict]:
        """Every stored article's id, title, outlet and date (no text), by outlet then title."""
        with self._lock:
            rows = self._db.execute("SELECT doc_id, title, metadata FROM articles").fetchall()
        entries = [{"doc_id": doc_id, "title": title, "source": str(meta.get("source", "")),
                    "published_at": str(meta.get("published_at", ""))[:10]}
                   for doc_id, title, meta in ((r[0], r[1], json.loads(r[2])) for r in rows)]
        return sorted(entries, key=lambda e: (e["source"].lower(), e["title"].lower(), e["doc_id"]))

    def articles(self):
        """Every stored article, in id order, streamed."""
        cursor = self._db.cursor()
        for row in cursor.execute("SELECT doc_id, title, text, metadata FROM articles ORDER BY doc_id"):
            yield Article(row[0], row[1], row[2], json.loads(row[3]))

    def fingerprint(self) -> str:
        """Changes whenever any article is added, changed or removed."""
        digest = hashlib.sha256()
        with self._lock:
            for doc_id, content_hash in self._db.execute("SELECT doc_id, content_hash FROM articles ORDER BY doc_id"):
                digest.update(f"{doc_id}\0{content_hash}\n".encode())
        return digest.hexdigest()

    # --- writes ---

    def replace(self, batch: list[tuple[Article, str, list[Passage], list[list[float]]]]) -> None:
        """Store each (article, content hash, passages, vectors), replacing whatever it had before. On a
        failed write (a full disk, a store gone away) the batch's partial vectors are removed again, so
        readers never meet passages without their article; a rerun stores the batch whole."""
        ids = [(article.doc_id,) for article, *_ in batch]
        with self._lock:
            try:
                self._db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", ids)
                self._db.executemany("INSERT OR IGNORE INTO pending_passages VALUES (?)",
                                     [(p.passage_id,) for _, _, passages, _ in batch for p in passages])
                self._db.commit()
            except sqlite3.Error as exc:
                self._db.rollback()
                raise self._write_error(exc) from exc
            try:
                # One delete and one add for the whole batch: Chroma's per-call cost, paid per article,
                # took a third of ingest time.
                self.collection.delete(where={"doc_id": {"$in": [doc_id for doc_id, in ids]}})
                nodes = [_node(article, p, v) for article, _, passages, vectors in batch
                         for p, v in zip(passages, vectors)]
                for start in range(0, len(nodes), self._max_batch):
                    self.vector_store.add(nodes[start:start + self._max_batch])
                self._commit_articles(batch)
            except Exception as exc:  # sqlite3 or any of chromadb's many error types
                self._db.rollback()
                self._try_purge_pending()
                raise self._write_error(exc) from exc

    def _write_error(self, exc: Exception) -> StoreError:
        detail = " ".join(str(exc).split())[:200]
        disk = isinstance(exc, OSError) or any(w in detail.lower() for w in ("disk", "full", "space", "readonly",
                                                                             "read-only", "permission"))
        advice = "free disk space or fix permissions, then " if disk else ""
        return StoreError(f"can't write the index at {self.location} ({detail}); {advice}run the command again: "
                          "it resumes, and what was stored before is kept")

    def _commit_articles(self, batch) -> None:
        db = self._db
        for article, content_hash, passages, _ in batch:
            db.execute("DELETE FROM passage_fts WHERE doc_id = ?", (article.doc_id,))
            db.executemany("INSERT INTO passage_fts VALUES (?, ?, ?, ?, ?, ?)",
                           [(article.title, p.text, p.passage_id, p.doc_id, p.start, p.end) for p in passages])
            db.execute("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?)",
                       (article.doc_id, article.title, content_hash, article.text,
                        json.dumps(article.metadata, ensure_ascii=False), len(passages)))
            db.execute("DELETE FROM pending WHERE doc_id = ?", (article.doc_id,))
            db.executemany("DELETE FROM pending_passages WHERE passage_id = ?", [(p.passage_id,) for p in passages])
        db.commit()

    def _try_purge_pending(self) -> None:
        try:
            self._purge_pending()
        except Exception:  # noqa: BLE001 - the store still refuses writes; the next writable open purges
            self._db.rollback()

    def _purge_pending(self) -> None:
        """Remove half-written articles. Their new vectors are deleted by id as well as by article: Chroma
        resolves a delete by metadata against what it has applied so far, and after a failed write (a full
        disk) the new vectors may still wait in its log."""
        with self._lock:
            pending = sorted(self.pending())
            if not pending:
                return
            passage_ids = [row[0] for row in self._db.execute("SELECT passage_id FROM pending_passages")]
            self.collection.delete(where={"doc_id": {"$in": pending}})
            for start in range(0, len(passage_ids), self._max_batch):
                self.collection.delete(ids=passage_ids[start:start + self._max_batch])
            for doc_id in pending:
                self._db.execute("DELETE FROM passage_fts WHERE doc_id = ?", (doc_id,))
                self._db.execute("DELETE FROM articles WHERE doc_id = ?", (doc_id,))
            self._db.execute("DELETE FROM pending")
            self._db.execute("DELETE FROM pending_passages")
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._client.close()
            self._db.close()


def _node(article: Article, passage: Passage, vector: list[float]) -> TextNode:
    metadata = {**article.metadata, "doc_id": article.doc_id, "title": article.title,
                "start": passage.start, "end": passage.end,
                "embedded": embedding_key(embedding_text(article, passage))}
    node = TextNode(id_=passage.passage_id, text=passage.text, embedding=vector, metadata=metadata,
                    start_char_idx=passage.start, end_char_idx=passage.end)
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=article.doc_id)
    return node
