"""Where passages live: vectors in Chroma, and beside them the
tables (`tables.py`: one SQLite file under the index folder, or a PostgreSQL server) with the articles'
texts, their content hashes and the keyword index.

Writes are ordered so that a crash at any point leaves nothing duplicated or orphaned: an article's ids
are first recorded as pending, then its vectors replaced in Chroma, then its text, hash and keyword rows
committed in one transaction that also clears the pending mark. Pending ids left by a crash are purged
from Chroma when the store opens for writing (with PostgreSQL, only those whose writer is gone).

Another process may write the same index while this one serves it (`assistant ingest` beside `assistant
serve`). The embedded Chroma client caches its index in memory and doesn't see that process's writes, so a
reader reopens its client whenever the tables say another process committed, and once more when a read
fails. A write that meets the embedded Chroma's SQLite database locked by that other process is asked
again after a short wait (`LOCKED_WAITS`).
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from chromadb.errors import ChromaError

from assistant.articles import Article
from assistant.chroma_client import open_client
from assistant.embedder import model_name
from assistant.passages import Passage, embedding_key, embedding_text
from assistant.settings import Settings
from assistant.tables import Tables, open_tables

# Bytes one passage adds on disk besides its text and its vector (float32, kept twice: Chroma's log and its
# graph): the graph's links and ids, about 300 at Chroma's default M=16.
PASSAGE_OVERHEAD_BYTES = 300
# Seconds to wait before each new try of a Chroma write that found the embedded store's SQLite database
# locked by another process. SQLite waits out a plain lock itself (an ingest beside a connection holding
# the database for 20 s just waited), but a transaction that must turn from reading to writing while
# another process writes fails at once ("database is locked"): it happened to `assistant ingest` beside
# an `assistant serve` that reopened the index as each question came, about one test run in ten. Set by
# hand: about 8 s in all, far above that other process's transactions.
LOCKED_WAITS = (0.2, 0.5, 1.0, 2.0, 4.0)


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
        self._lock = threading.RLock()
        # Writes this process made: SQLite's `data_version` counts only other connections' commits.
        self._writes = 0
        self._catalogue: tuple[tuple | None, list[dict]] = (None, [])
        self.embedding_model = model_name(settings.encoder)
        self.tables = self._open_tables(settings, self.embedding_model)
        where = [self.tables.location] if settings.database_url else []
        self.location = " + ".join(where + [settings.chroma_url or str(settings.index_dir)])
        self._check_model()
        self._client = self.collection = None
        self._open_chroma()
        if writable:
            self._purge_pending()

    @staticmethod
    def _open_tables(settings: Settings, model: str) -> Tables:
        """The articles, keyword index and bookkeeping; a new index records the model that embeds it."""
        try:
            return open_tables(settings.index_dir, settings.database_url, model)
        except ImportError as exc:
            raise StoreError(f"ASSISTANT_DATABASE_URL needs PostgreSQL's driver ({exc}); "
                             "pip install 'assistant[postgres]'") from exc
        except Exception as exc:  # sqlite3's, psycopg's and the file system's errors share no base
            detail = " ".join(str(exc).split())[:200]
            if settings.database_url:
                detail = detail.replace(settings.database_url, "the database URL")
                raise StoreError(f"can't open the database ({detail}); is PostgreSQL running, and does "
                                 "ASSISTANT_DATABASE_URL name a database you may write?") from exc
            raise StoreError(f"can't open the index at {settings.index_dir} ({detail}); check the path and its "
                             "permissions") from exc

    def _check_model(self) -> None:
        """An index is read and written by the model that embedded it: another model's vectors (the static
        fast mode's, say) would be compared with them as if they meant the same. An empty index takes any."""
        with self._lock:
            stored = self.tables.embedding_model()
            if stored == self.embedding_model:
                return
            if not self.is_empty():
                built_with = "static" if "static" in stored else "onnx"
                raise StoreError(f"the index at {self.location} holds vectors from {stored}, which "
                                 f"ASSISTANT_ENCODER={self.settings.encoder} can't compare with; set "
                                 f"ASSISTANT_ENCODER={built_with} or use a new --index folder")
            self.tables.set_embedding_model(self.embedding_model)

    def _open_chroma(self) -> None:
        """(Re)open the Chroma client and collection; `_seen_version` marks the index as this client saw it."""
        settings = self.settings
        with self._lock:
            self._seen_version = self.tables.version()
            if self._client is not None:
                self._client.close()
            try:
                self._client = open_client(settings)
                # embedding_function=None: vectors always come from our packaged model, never Chroma's default.
                self.collection = self._client.get_or_create_collection(
                    settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"})
                # Chroma refuses larger writes (the limit comes from its SQLite build: 5,461 seen here).
                self._max_batch = max(1, self._client.get_max_batch_size())
            except Exception as exc:  # chromadb raises many unrelated types for an unreachable or broken store
                raise StoreError(f"can't open the Chroma store at {settings.chroma_url or settings.index_dir} "
                                 f"({' '.join(str(exc).split())[:200]}); is it running / readable?") from exc

    # --- reads ---

    def read(self, fetch):
        """`fetch()` against the index as it is now. An embedded Chroma store written by another process
        since this one last looked is reopened first, and reopened and asked again when the read fails (its
        cached index may be mid-change); a Chroma server is one store for every process and is asked once."""
        embedded = not self.settings.chroma_url
        try:
            with self.reading():
                if embedded and self.tables.version() != self._seen_version:
                    self._open_chroma()
                return fetch()
        except StoreError:
            if not embedded:
                raise
            with self.reading():
                self._open_chroma()
                return fetch()

    @contextmanager
    def reading(self):
        """Reads that fail (a server gone away, a broken file) raise a `StoreError` naming the store; the
        same store answers again once it is back."""
        try:
            yield
        except (ChromaError, httpx.HTTPError, OSError, *self.tables.errors) as exc:
            raise self._read_error(exc) from exc
        except BaseException as exc:
            # Chroma's Rust core panics on files it finds mid-change (chroma-core/chroma#5909: "range start
            # index … out of range"), and pyo3 raises that as a BaseException, which passed every handler up
            # to the chat's and ended the request; as a read failure, `read` reopens the store and asks again.
            if (type(exc).__module__, type(exc).__name__) != ("pyo3_runtime", "PanicException"):
                raise
            raise self._read_error(exc) from exc

    def _read_error(self, exc: BaseException) -> StoreError:
        return StoreError(f"can't read the store at {self.location} ({' '.join(str(exc).split())[:200]}); "
                          "is it running and readable? Ask again once it is")

    def content_hash(self, doc_id: str) -> str | None:
        with self.reading():
            return self.tables.content_hash(doc_id)

    def article(self, doc_id: str) -> Article | None:
        with self.reading():
            return self.tables.article(doc_id)

    def metadata(self, doc_ids: set[str]) -> dict[str, dict]:
        """Each named article's own metadata (outlet, publication date, …), as Chroma keeps it beside its
        passages."""
        return self.tables.metadata(doc_ids) if doc_ids else {}

    def published_days(self, doc_ids: set[str]) -> dict[str, str]:
        """Each named article's publication day ("2023-05-26"; "" when unknown)."""
        return {doc_id: str(meta.get("published_at") or "")[:10]
                for doc_id, meta in self.metadata(doc_ids).items()}

    def is_empty(self) -> bool:
        """No article stored; cheap, unlike `counts`, which scans the keyword index."""
        with self.reading():
            return self.tables.is_empty()

    def counts(self) -> dict:
        with self._lock, self.reading():
            articles, passages, keyword = self.tables.counts()
            vectors = self.collection.count()
            pending = len(self.tables.pending())
        return {"articles": articles, "passages": passages, "vectors": vectors, "keyword_rows": keyword,
                "pending": pending}

    def pending(self) -> set[str]:
        """Articles whose write began and didn't finish (an ingest running now, or one that failed): readers
        leave their vectors alone; the next ingest removes or completes them."""
        return self.tables.pending()

    def vectors_for_keys(self, keys: set[str]) -> dict[str, list[float]]:
        """Stored vectors by the key of the text they embed (see `passages.embedding_key`)."""
        if not keys:
            return {}
        with self._lock:
            got = self.collection.get(where={"embedded": {"$in": sorted(keys)}}, include=["embeddings", "metadatas"])
        return {meta["embedded"]: [float(x) for x in vector] for meta, vector in zip(got["metadatas"], got["embeddings"])}

    def keyword_search(self, terms: list[str], limit: int) -> list[KeywordHit]:
        """The passages holding any of `terms`, best first (BM25 in SQLite, `ts_rank` in PostgreSQL)."""
        if not terms:
            return []
        return [KeywordHit(r[0], r[1], r[2], int(r[3]), int(r[4]), r[5], float(r[6]))
                for r in self.tables.keyword_search(terms, limit)]

    def passage_shares(self, terms: list[str]) -> dict[str, float]:
        """Each term's share of the stored passages holding it: how common a word is here."""
        return self.tables.passage_shares(terms) if terms else {}

    def catalogue(self) -> list[dict]:
        """Every stored article's id, title, outlet and date (no text), by outlet then title. Kept until
        articles change, by this process (`_writes`) or another (`tables.version()`): a question naming a
        month, an article or "what's new" reads it, and building it took 53 ms on 6,339 articles, as long as
        the rest of an answer."""
        with self._lock, self.reading():
            key = (self.tables.version(), self._writes)
            if self._catalogue[0] != key:
                entries = [{"doc_id": doc_id, "title": title, "source": str(meta.get("source", "")),
                            "published_at": str(meta.get("published_at", ""))[:10]}
                           for doc_id, title, meta in self.tables.catalogue()]
                self._catalogue = key, sorted(entries, key=lambda e: (e["source"].lower(), e["title"].lower(),
                                                                      e["doc_id"]))
            return list(self._catalogue[1])

    def articles(self):
        """Every stored article, in id order, streamed."""
        yield from self.tables.articles()

    def fingerprint(self) -> str:
        """Changes whenever any article is added, changed or removed."""
        digest = hashlib.sha256()
        for doc_id, content_hash in self.tables.hashes():
            digest.update(f"{doc_id}\0{content_hash}\n".encode())
        return digest.hexdigest()

    def add_feedback(self, row: dict) -> None:
        """A reader's rating, kept with the index (a JSONL file beside SQLite; a table in PostgreSQL)."""
        with self.reading():
            self.tables.add_feedback(row)

    def feedback(self) -> list[dict]:
        with self.reading():
            return self.tables.feedback()

    def entities(self, keys: list[str]) -> dict[str, str]:
        """Sentences' entities found ahead of questions (`annotate.py`), by the sentences' keys."""
        if not keys:
            return {}
        with self.reading():
            return self.tables.entities(keys)

    def annotated(self) -> set[str]:
        """The articles whose sentences all have their entities stored, in the version stored now."""
        with self.reading():
            done = self.tables.annotated()
            return {doc_id for doc_id, content_hash in self.tables.hashes() if done.get(doc_id) == content_hash}

    def looks_annotated(self) -> bool:
        """Whether as many articles have their sentences' entities stored as there are articles: a count,
        8 ms on the development index against 0.1 s to compare every article's version (`annotated`). An
        article changed since it was annotated is still tagged when a question reads it."""
        with self.reading():
            articles, annotated = self.tables.annotated_count()
        return annotated >= articles

    def hashes(self) -> list[tuple[str, str]]:
        """Every stored article's (doc_id, content hash), in id order."""
        with self.reading():
            return list(self.tables.hashes())

    def add_entities(self, rows: list[tuple[str, str]], articles: list[tuple[str, str]]) -> None:
        """Store (key, entities) rows and mark `articles` (doc_id, content hash) done, in one transaction."""
        try:
            self.tables.add_entities(rows, articles)
        except self.tables.errors as exc:
            raise self._write_error(exc) from exc

    # --- writes ---

    def replace(self, batch: list[tuple[Article, str, list[Passage], list[list[float]]]]) -> None:
        """Store each (article, content hash, passages, vectors), replacing whatever it had before. On a
        failed write (a full disk, a store gone away) the batch's partial vectors are removed again, so
        readers never meet passages without their article; a rerun stores the batch whole."""
        doc_ids = [article.doc_id for article, *_ in batch]
        with self._lock:
            try:
                self._check_room(batch)
                self.tables.begin_write(doc_ids, [p.passage_id for _, _, passages, _ in batch for p in passages])
            except Exception as exc:  # the tables' own errors, or the file system's
                self._end_write()
                raise self._write_error(exc) from exc
            try:
                # One delete and one add for the whole batch: Chroma's per-call cost, paid per article,
                # took a third of ingest time.
                _when_unlocked(lambda: self.collection.delete(where={"doc_id": {"$in": doc_ids}}))
                rows = [(p.passage_id, v, p.text, _vector_metadata(article, p))
                        for article, _, passages, vectors in batch for p, v in zip(passages, vectors)]
                for start in range(0, len(rows), self._max_batch):
                    ids, vectors, texts, metadatas = zip(*rows[start:start + self._max_batch])
                    _when_unlocked(lambda: self.collection.add(ids=list(ids), embeddings=list(vectors),
                                                               documents=list(texts), metadatas=list(metadatas)))
                self.tables.commit_articles(batch)
            except Exception as exc:  # the tables' or any of chromadb's many error types
                # On a full disk the purge is left to the next writable open: removing vectors is itself a
                # write, and after an add that filled the disk, Chroma's delete never returned (the ingest
                # hung instead of ending in one line). The pending marks keep readers off the articles.
                if not _disk_full(exc):
                    self._try_purge_pending()
                raise self._write_error(exc) from exc
            finally:
                self._end_write()

    def finish_ingest(self) -> None:
        """After an ingest's last write: the embedded Chroma writes its vector graph to disk now, and
        searches it as widely as `dense_search_ef` says. Chroma persists the graph only every
        `sync_threshold` (1,000) records and has no call to do it sooner (chroma-core/chroma#7463); each
        process that opens the index replays the rest from its log into the graph, in several threads, and
        which of the last articles written a search found changed from process to process
        (chroma-core/chroma#3638): "Why did Puttin prefer Trump?" on the development index, the seeds
        ingested last, found the seed article's best passage in the first 400 in some runs and not in
        others. A client opened with a threshold of 2 replays that log and persists it at its first write
        (one stored record, written again unchanged). A Chroma server keeps its graph in memory between
        searches, so it answers alike until it restarts; it is left alone."""
        if self.settings.chroma_url:
            return
        with self._lock:
            threshold = ((self.collection.configuration or {}).get("hnsw") or {}).get("sync_threshold")
            # Persisting rewrites the graph's files: without room for them whole, the log keeps the records
            # (as before this existed) rather than a disk filling mid-rewrite (`_check_room`).
            if not threshold or shutil.disk_usage(self._chroma_folder()).free < 2 * self._graph_bytes():
                return
            try:
                _when_unlocked(lambda: self.collection.modify(configuration={"hnsw": {"sync_threshold": 2}}))
                try:
                    self._open_chroma()  # this process's client holds the graph loaded under the old threshold
                    one = self.collection.get(limit=1, include=["embeddings", "metadatas", "documents"])
                    if one["ids"]:
                        _when_unlocked(lambda: self.collection.upsert(
                            ids=one["ids"], embeddings=one["embeddings"], metadatas=one["metadatas"],
                            documents=one["documents"]))
                finally:
                    _when_unlocked(lambda: self.collection.modify(configuration={"hnsw": {
                        "sync_threshold": threshold, "ef_search": self.settings.dense_search_ef}}))
            except Exception as exc:  # any of chromadb's many error types
                raise self._write_error(exc) from exc

    def _chroma_folder(self) -> Path:
        return self.settings.index_dir / "chroma"

    def _graph_bytes(self) -> int:
        """The size of the embedded Chroma's vector graph files."""
        folder = self._chroma_folder()
        return sum(f.stat().st_size for segment in folder.iterdir() if segment.is_dir() for f in segment.iterdir())

    def _check_room(self, batch: list) -> None:
        """Refuse a write the disk may not hold whole, before anything is written. SQLite rolls back a write
        that fills the disk, but the embedded Chroma rewrites its vector graph's files and the pickle of their
        metadata in place after an add: a disk filling in the middle of that left the index unreadable
        ("Error deserializing pickle file", seen in `test_faults`' full-disk test), every article in it then
        lost. So a write needs free room for the graph's files rewritten whole, and twice the batch."""
        if self.settings.chroma_url:
            return
        folder, graph = self._chroma_folder(), self._graph_bytes()
        text = sum(len(p.text.encode()) for _, _, passages, _ in batch for p in passages)
        vectors = sum(2 * 4 * len(v) + PASSAGE_OVERHEAD_BYTES for *_, vectors in batch for v in vectors)
        needed = graph + 2 * (vectors + 3 * text)  # the text three times: Chroma's, ours, the keyword index's
        free = shutil.disk_usage(folder).free
        if free < needed:
            raise OSError(errno.ENOSPC, f"No space left on device: this write needs {needed // 2**20 + 1} MB free "
                                        f"beside the index, {free // 2**20} MB are")

    def _end_write(self) -> None:
        self._writes += 1
        try:
            self.tables.end_write()
        except Exception:  # noqa: BLE001 - a lost connection has let go of its locks already
            pass

    def _write_error(self, exc: Exception) -> StoreError:
        detail = " ".join(str(exc).split())[:200]
        disk = isinstance(exc, OSError) or any(w in detail.lower() for w in ("disk", "full", "space", "readonly",
                                                                             "read-only", "permission"))
        advice = "free disk space or fix permissions, then " if disk else ""
        return StoreError(f"can't write the index at {self.location} ({detail}); {advice}run the command again: "
                          "it resumes, and what was stored before is kept")

    def _try_purge_pending(self) -> None:
        try:
            self._purge_pending()
        except Exception:  # noqa: BLE001 - the store still refuses writes; the next writable open purges
            pass

    def _purge_pending(self) -> None:
        """Remove half-written articles. Their new vectors are deleted by id as well as by article: Chroma
        resolves a delete by metadata against what it has applied so far, and after a failed write (a full
        disk) the new vectors may still wait in its log."""
        with self._lock:
            try:
                pending, passage_ids = self.tables.orphaned()
                if not pending:
                    return
                self.collection.delete(where={"doc_id": {"$in": pending}})
                for start in range(0, len(passage_ids), self._max_batch):
                    self.collection.delete(ids=passage_ids[start:start + self._max_batch])
                self.tables.drop_orphaned(pending)
            finally:
                self._end_write()

    def close(self) -> None:
        with self._lock:
            self._client.close()
            self.tables.close()


def _when_unlocked(write):
    """`write()`, asked again after each of `LOCKED_WAITS` while the embedded Chroma's database is locked
    by another process; any other failure, or a lock that outlasts them, is raised."""
    for wait in (*LOCKED_WAITS, None):
        try:
            return write()
        except Exception as exc:  # chromadb's many error types; only the lock's message tells it apart
            if wait is None or "database is locked" not in str(exc).lower():
                raise
        time.sleep(wait)


def _disk_full(exc: BaseException | None) -> bool:
    """Whether `exc`, or what caused it, says the disk is full (as an OSError, or in SQLite's or Chroma's words)."""
    while exc is not None:
        if getattr(exc, "errno", None) == errno.ENOSPC or any(
                words in str(exc).lower() for words in ("no space left", "disk is full", "disk full")):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _vector_metadata(article: Article, passage: Passage) -> dict:
    """What Chroma keeps beside a passage's vector: its article's metadata and where the passage stands."""
    return {**article.metadata, "doc_id": article.doc_id, "title": article.title, "start": passage.start,
            "end": passage.end, "embedded": embedding_key(embedding_text(article, passage))}


# LlamaIndex's bookkeeping in the metadata of stores written through its `ChromaVectorStore` (before
# 2026-12): a JSON copy of the whole passage, and the article's id under three more names.
_LLAMA_INDEX_KEYS = frozenset({"_node_content", "_node_type", "document_id", "ref_doc_id"})


def plain_metadata(metadata: dict) -> dict:
    """A passage's metadata as `_vector_metadata` writes it, from any store this project wrote."""
    return {k: v for k, v in metadata.items() if k not in _LLAMA_INDEX_KEYS}
