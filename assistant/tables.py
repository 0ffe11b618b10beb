"""Everything the store keeps beside the vectors: articles with their texts and content hashes, the keyword
index over passages, pending-write marks, readers' feedback, the sentences' entities found ahead of
questions (`annotate.py`) and the store's own facts. One interface, two backends:

- `SqliteTables`: one file under the index folder (FTS5/BM25 for keywords; feedback as JSONL and the
  entities in a file of their own beside it), for one machine. The default.
- `PostgresTables` (`ASSISTANT_DATABASE_URL=postgresql://…`): a PostgreSQL server that several `assistant`
  processes on several machines share (full-text search on a weighted title/body `tsvector` with a GIN
  index). Together with a Chroma server nothing is kept on local disk.

`Store` orders writes across the tables and Chroma; the tables only say what each step is in their SQL.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from assistant.articles import Article
from assistant.passages import doc_id_of

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class Tables:
    """What both backends answer. Rows come back as plain tuples; `errors` are the backend's own
    exception types, which the store turns into one-line `StoreError`s. The SQL both dialects share is
    here, written with `MARK` for the driver's parameter placeholder."""

    errors: tuple[type[Exception], ...] = ()
    location: str
    MARK = "?"

    def _all(self, sql: str, params=()) -> list[tuple]: ...

    def _one(self, sql: str, params=()):
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def embedding_model(self) -> str:
        return self._one("SELECT value FROM info WHERE key = 'embedding_model'")[0]

    def content_hash(self, doc_id: str) -> str | None:
        row = self._one(f"SELECT content_hash FROM articles WHERE doc_id = {self.MARK}", (doc_id,))
        return row[0] if row else None

    def is_empty(self) -> bool:
        return self._one("SELECT 1 FROM articles LIMIT 1") is None

    def pending(self) -> set[str]:
        return {row[0] for row in self._all("SELECT doc_id FROM pending")}

    def hashes(self) -> Iterator[tuple[str, str]]:
        yield from self._all("SELECT doc_id, content_hash FROM articles ORDER BY doc_id")

    def set_embedding_model(self, model: str) -> None: ...
    def version(self) -> int: ...
    def article(self, doc_id: str) -> Article | None: ...
    def metadata(self, doc_ids: set[str]) -> dict[str, dict]: ...
    def counts(self) -> tuple[int, int, int]: ...
    def keyword_search(self, terms: list[str], limit: int) -> list[tuple]: ...
    def passage_shares(self, terms: list[str]) -> dict[str, float]: ...
    def catalogue(self) -> list[tuple[str, str, dict]]: ...
    def articles(self) -> Iterator[Article]: ...
    def begin_write(self, doc_ids: list[str], passage_ids: list[str]) -> None: ...
    def commit_articles(self, batch) -> None: ...
    def end_write(self) -> None: ...
    def orphaned(self) -> tuple[list[str], list[str]]: ...
    def drop_orphaned(self, doc_ids: list[str]) -> None: ...
    def add_feedback(self, row: dict) -> None: ...
    def feedback(self) -> list[dict]: ...
    def close(self) -> None: ...

    # Sentences' entities, found ahead of questions (`annotate.py`): keyed by the sentence's text, so an
    # article changed since is simply not found and its sentences are tagged at question time. Written
    # apart from the articles: a reader isn't told to reopen its vectors when only these change.
    def entities(self, keys: list[str]) -> dict[str, str]: ...
    def annotated(self) -> dict[str, str]: ...
    def annotated_count(self) -> tuple[int, int]: ...
    def add_entities(self, rows: list[tuple[str, str]], articles: list[tuple[str, str]]) -> None: ...


def open_tables(index_dir: Path, database_url: str, model: str) -> Tables:
    if database_url:
        return PostgresTables(database_url, model)
    return SqliteTables(index_dir, model)


def _passage_rows(article: Article, passages) -> list[tuple]:
    return [(p.passage_id, p.doc_id, article.title, p.start, p.end, p.text) for p in passages]


# --- one file ---------------------------------------------------------------------------------------------

_TOKENIZE = "porter unicode61 remove_diacritics 2"
SQLITE_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS articles (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, content_hash TEXT NOT NULL, text TEXT NOT NULL,
    metadata TEXT NOT NULL, passages INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS pending_passages (passage_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS passage_fts USING fts5(
    title, body, passage_id UNINDEXED, doc_id UNINDEXED, pstart UNINDEXED, pend UNINDEXED,
    tokenize = '{_TOKENIZE}');
"""
# Both backends: a sentence's entities by the sentence's key, and which version (content hash) of each
# article has every sentence's.
ENTITIES_SCHEMA = """
CREATE TABLE IF NOT EXISTS sentence_entities (key TEXT PRIMARY KEY, entities TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS annotated (doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL);
"""
# Keyword terms held by more than this share of passages are not searched (`keyword_search`). Chosen on
# the April–June slice, end to end (`eval --folds runs/reader-slice8 --withhold-gold`, 311 questions):
# every term, 5 % and 2 % gave the same answers (doc_hit@1 0.823/0.826/0.823, choice 0.587 each,
# withheld abstention 0.666/0.666/0.669) at answer p50 77/68/61 ms; checked on July–December (479
# questions, 224k passages): the same answers again (choice 0.568 each), p50 96/79/72 ms. Below 2 % the
# keyword index alone starts losing the gold article (1 %: 0.633 among the 30 proposed, against 0.715).
COMMON_SHARE = 0.02
# And of those, only the rarest few are searched: each adds its postings to what FTS5 scores. Chosen on the
# April–June questions asked of the development index (out-of-fold readers, `runs/exp/kw_terms.py`): the 2,
# 3, 4 or 5 rarest terms gave the same answers as all of them (choice 0.552 each, withheld abstained
# 0.532), the 5 rarest also the same doc_hit@5 (0.926; 0.923 with fewer), at keyword p50 6.5 ms against
# 11.8; checked on July–December (shipped reader): identical answers and retrieval, 7.9 against 12.3 ms.
# PostgreSQL, the same two sets in the server mode: identical answers, keyword p50 38.6 against 66.0 ms
# and 42.2 against 71.7 (`runs/exp/kw_terms_pg.py`).
KEYWORD_TERMS = 5


class SqliteTables(Tables):
    """One SQLite file, `articles.sqlite`, written by one process at a time."""

    errors = (sqlite3.Error,)

    def __init__(self, index_dir: Path, model: str):
        self.location = str(index_dir)
        self._feedback_path = index_dir / "feedback.jsonl"
        self._lock = threading.RLock()
        index_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(index_dir / "articles.sqlite", check_same_thread=False)
        self._db.executescript(SQLITE_SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO info VALUES ('embedding_model', ?)", (model,))
        self._db.commit()
        # Its own file: `version()` (the articles file's commits) makes readers reopen Chroma.
        self._entity_db = sqlite3.connect(index_dir / "entities.sqlite", check_same_thread=False)
        self._entity_db.executescript(ENTITIES_SCHEMA)
        self._vocabulary: dict[str, int] = {}  # token → passages holding it, looked up as questions need
        self._tokenizer: sqlite3.Connection | None = None
        self._vocabulary_version, self._vocabulary_due = None, 0.0
        self._written, self._passages = 0, 1  # passages this process committed since the counts were read

    def _all(self, sql: str, params=()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def set_embedding_model(self, model: str) -> None:
        with self._lock:
            self._db.execute("UPDATE info SET value = ? WHERE key = 'embedding_model'", (model,))
            self._db.commit()

    def version(self) -> int:
        """Changes when another connection commits (SQLite's own counter)."""
        return self._one("PRAGMA data_version")[0]

    def article(self, doc_id: str) -> Article | None:
        row = self._one("SELECT doc_id, title, text, metadata FROM articles WHERE doc_id = ?", (doc_id,))
        return Article(row[0], row[1], row[2], json.loads(row[3])) if row else None

    def metadata(self, doc_ids: set[str]) -> dict[str, dict]:
        marks = ",".join("?" * len(doc_ids))
        rows = self._all(f"SELECT doc_id, metadata FROM articles WHERE doc_id IN ({marks})", sorted(doc_ids))
        return {doc_id: json.loads(metadata) for doc_id, metadata in rows}

    def counts(self) -> tuple[int, int, int]:
        articles, passages = self._one("SELECT COUNT(*), COALESCE(SUM(passages), 0) FROM articles")
        return articles, passages, self._one("SELECT COUNT(*) FROM passage_fts")[0]

    def keyword_search(self, terms: list[str], limit: int) -> list[tuple]:
        """BM25 over passage bodies (and, weighted lower, titles) for any of the terms, each quoted so
        nothing is read as FTS5 syntax. Terms in more than `COMMON_SHARE` of the passages are left out
        (the rarest term always stays), and of the rest only the `KEYWORD_TERMS` rarest are searched: FTS5
        scores every passage holding any term, so "president" or "first" cost most of the search while
        their idf adds little to the ranking."""
        with self._lock:
            shares = self._shares(terms)
            rare = sorted((t for t in terms if shares[t] <= COMMON_SHARE), key=shares.get)[:KEYWORD_TERMS] \
                or sorted(terms, key=shares.get)[:1]
            match = " OR ".join('"' + term.replace('"', "") + '"' for term in rare)
            return self._all("SELECT passage_id, doc_id, title, pstart, pend, body, -bm25(passage_fts, 0.5, 1.0) AS score "
                             "FROM passage_fts WHERE passage_fts MATCH ? ORDER BY score DESC LIMIT ?", (match, limit))

    def passage_shares(self, terms: list[str]) -> dict[str, float]:
        with self._lock:
            return self._shares(terms)

    def _shares(self, terms: list[str]) -> dict[str, float]:
        """Each term's share of passages holding it (its rarest token's, for a term FTS5 splits). The
        tokens come from FTS5's own tokenizer (a scratch table in memory); the counts from its vocabulary,
        a token at a time (about 1 ms a question at 224k passages; reading the vocabulary whole took 0.6 s
        of a cold `ask`), kept, and forgotten when another process has written, at most once a minute: a
        count a little stale only moves a term across the line."""
        if self._tokenizer is None:
            # The question's words go through a scratch table on a connection of their own, in memory:
            # a write on the index's connection would hold its file locked against other processes.
            self._tokenizer = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._tokenizer.executescript(f"""
                CREATE VIRTUAL TABLE question_terms USING fts5(t, tokenize = '{_TOKENIZE}');
                CREATE VIRTUAL TABLE question_tokens USING fts5vocab(question_terms, 'instance');""")
            self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.passage_vocab USING fts5vocab(main, passage_fts, 'row')")
        version = self.version()
        stale = version != self._vocabulary_version and time.monotonic() > self._vocabulary_due
        # This process's own writes don't move `data_version`: a tenth more passages makes the counts stale
        # (a server started on the two seeds, then given a corpus, would otherwise judge words by the seeds).
        if self._vocabulary_version is None or stale or self._written > 0.1 * self._passages:
            self._vocabulary = {}
            self._vocabulary_version, self._vocabulary_due = version, time.monotonic() + 60
            self._passages = max(1, self._one("SELECT COALESCE(SUM(passages), 0) FROM articles")[0])
            self._written = 0
        tokenizer = self._tokenizer
        tokenizer.execute("DELETE FROM question_terms")
        tokenizer.executemany("INSERT INTO question_terms (rowid, t) VALUES (?, ?)", list(enumerate(terms)))
        tokens = tokenizer.execute("SELECT doc, term FROM question_tokens").fetchall()
        for token in {token for _, token in tokens} - self._vocabulary.keys():
            found = self._db.execute("SELECT doc FROM temp.passage_vocab WHERE term = ?", (token,)).fetchone()
            self._vocabulary[token] = found[0] if found else 0
        shares = {}
        for i, token in tokens:
            share = self._vocabulary[token] / self._passages
            shares[terms[i]] = min(shares.get(terms[i], share), share)
        return {term: shares.get(term, 0.0) for term in terms}

    def catalogue(self) -> list[tuple[str, str, dict]]:
        return [(doc_id, title, json.loads(meta)) for doc_id, title, meta in
                self._all("SELECT doc_id, title, metadata FROM articles")]

    def articles(self) -> Iterator[Article]:
        cursor = self._db.cursor()
        for row in cursor.execute("SELECT doc_id, title, text, metadata FROM articles ORDER BY doc_id"):
            yield Article(row[0], row[1], row[2], json.loads(row[3]))

    def begin_write(self, doc_ids: list[str], passage_ids: list[str]) -> None:
        with self._lock:
            try:
                self._db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(d,) for d in doc_ids])
                self._db.executemany("INSERT OR IGNORE INTO pending_passages VALUES (?)", [(p,) for p in passage_ids])
                self._db.commit()
            except sqlite3.Error:
                self._db.rollback()
                raise

    def commit_articles(self, batch) -> None:
        db = self._db
        with self._lock:
            try:
                for article, content_hash, passages, _ in batch:
                    db.execute("DELETE FROM passage_fts WHERE doc_id = ?", (article.doc_id,))
                    db.executemany("INSERT INTO passage_fts (passage_id, doc_id, title, pstart, pend, body) "
                                   "VALUES (?, ?, ?, ?, ?, ?)", _passage_rows(article, passages))
                    db.execute("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?)",
                               (article.doc_id, article.title, content_hash, article.text,
                                json.dumps(article.metadata, ensure_ascii=False), len(passages)))
                    db.execute("DELETE FROM pending WHERE doc_id = ?", (article.doc_id,))
                    db.executemany("DELETE FROM pending_passages WHERE passage_id = ?",
                                   [(p.passage_id,) for p in passages])
                db.commit()
                self._written += sum(len(passages) for _, _, passages, _ in batch)
            except sqlite3.Error:
                db.rollback()
                raise

    def end_write(self) -> None:
        """One writer per file: nothing is held between `begin_write` and here."""

    def orphaned(self) -> tuple[list[str], list[str]]:
        """Every pending article and passage: with one writer, a mark left when a store opens is a crash's."""
        with self._lock:
            return (sorted(self.pending()), [row[0] for row in self._db.execute("SELECT passage_id FROM pending_passages")])

    def drop_orphaned(self, doc_ids: list[str]) -> None:
        with self._lock:
            try:
                for doc_id in doc_ids:
                    self._db.execute("DELETE FROM passage_fts WHERE doc_id = ?", (doc_id,))
                    self._db.execute("DELETE FROM articles WHERE doc_id = ?", (doc_id,))
                self._db.execute("DELETE FROM pending")
                self._db.execute("DELETE FROM pending_passages")
                self._db.commit()
            except sqlite3.Error:
                self._db.rollback()
                raise

    def add_feedback(self, row: dict) -> None:
        with self._lock, open(self._feedback_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    def feedback(self) -> list[dict]:
        if not self._feedback_path.exists():
            return []
        with open(self._feedback_path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def entities(self, keys: list[str]) -> dict[str, str]:
        with self._lock:
            return {key: value for i in range(0, len(keys), 500) for key, value in self._entity_db.execute(
                f"SELECT key, entities FROM sentence_entities WHERE key IN ({','.join('?' * len(keys[i:i + 500]))})",
                keys[i:i + 500])}

    def annotated(self) -> dict[str, str]:
        with self._lock:
            return dict(self._entity_db.execute("SELECT doc_id, content_hash FROM annotated").fetchall())

    def annotated_count(self) -> tuple[int, int]:
        with self._lock:
            annotated = self._entity_db.execute("SELECT COUNT(*) FROM annotated").fetchone()[0]
        return self._one("SELECT COUNT(*) FROM articles")[0], annotated

    def add_entities(self, rows: list[tuple[str, str]], articles: list[tuple[str, str]]) -> None:
        with self._lock:
            try:
                self._entity_db.executemany("INSERT OR REPLACE INTO sentence_entities VALUES (?, ?)", rows)
                self._entity_db.executemany("INSERT OR REPLACE INTO annotated VALUES (?, ?)", articles)
                self._entity_db.commit()
            except sqlite3.Error:
                self._entity_db.rollback()
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._entity_db.close()


# --- a shared server --------------------------------------------------------------------------------------

# Title words weigh B (0.4), body words A (1.0) in `ts_rank`: as FTS5's bm25 weights 0.5/1.0 above.
POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, content_hash TEXT NOT NULL, text TEXT NOT NULL,
    metadata JSONB NOT NULL, passages INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS pending_passages (passage_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS passages (
    passage_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, title TEXT NOT NULL, pstart INTEGER NOT NULL,
    pend INTEGER NOT NULL, body TEXT NOT NULL,
    terms TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'B') || setweight(to_tsvector('english', body), 'A')) STORED);
CREATE INDEX IF NOT EXISTS passages_terms ON passages USING GIN (terms);
CREATE INDEX IF NOT EXISTS passages_doc ON passages (doc_id);
CREATE TABLE IF NOT EXISTS feedback (id BIGSERIAL PRIMARY KEY, row JSONB NOT NULL);
INSERT INTO info VALUES ('version', '0') ON CONFLICT DO NOTHING;
""" + ENTITIES_SCHEMA
# Advisory-lock keys: one for creating the schema (two replicas starting at once would both create it),
# and per article `hashtext(doc_id)` in their own key space (the two-integer form).
_SCHEMA_LOCK = 7_401_116
_ARTICLE_LOCKS = 7_401_117


class PostgresTables(Tables):
    """A PostgreSQL database shared by every process that names it.

    Writers coordinate through advisory locks held by their connection: while an article's write is in
    flight its writer holds that article's lock, so a second writer of the same article waits (overlapping
    ingests end with one copy of each), and a pending mark whose lock nobody holds belongs to a writer that
    died (its connection closed): only those are purged. Locks are taken in sorted order, so two writers
    of overlapping batches never wait on each other in a circle."""

    MARK = "%s"

    def __init__(self, url: str, model: str):
        import psycopg  # only this backend needs it (the `postgres` extra)

        self._psycopg = psycopg
        self.errors = (psycopg.Error,)
        self.location = _without_password(url)
        self._url = url
        self._lock = threading.RLock()
        self._conn = None
        self._stats, self._stats_version = {}, -1
        with self._transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            cur.execute(POSTGRES_SCHEMA)
            cur.execute("INSERT INTO info VALUES ('embedding_model', %s) ON CONFLICT DO NOTHING", (model,))

    def _connection(self):
        """The connection, reconnected when the server dropped it (a restart): reads then just work again."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._psycopg.connect(self._url, autocommit=True, connect_timeout=10)
        return self._conn

    @contextmanager
    def _transaction(self):
        with self._lock:
            conn = self._connection()
            with conn.transaction():
                yield conn.cursor()

    def _all(self, sql: str, params=()) -> list[tuple]:
        with self._lock:
            return self._connection().execute(sql, params).fetchall()

    def set_embedding_model(self, model: str) -> None:
        self._all("UPDATE info SET value = %s WHERE key = 'embedding_model' RETURNING 1", (model,))

    def version(self) -> int:
        """Bumped by every commit of articles, whichever process made it."""
        return int(self._one("SELECT value FROM info WHERE key = 'version'")[0])

    def article(self, doc_id: str) -> Article | None:
        row = self._one("SELECT doc_id, title, text, metadata FROM articles WHERE doc_id = %s", (doc_id,))
        return Article(row[0], row[1], row[2], row[3]) if row else None

    def metadata(self, doc_ids: set[str]) -> dict[str, dict]:
        return dict(self._all("SELECT doc_id, metadata FROM articles WHERE doc_id = ANY(%s)", (sorted(doc_ids),)))

    def counts(self) -> tuple[int, int, int]:
        articles, passages = self._one("SELECT COUNT(*), COALESCE(SUM(passages), 0) FROM articles")
        return articles, int(passages), self._one("SELECT COUNT(*) FROM passages")[0]

    def keyword_search(self, terms: list[str], limit: int) -> list[tuple]:
        """Passages holding any of the terms (English stemming), ranked like BM25: Σ idf(term) ·
        ts_rank(passage, term), normalisation 2 (rank / words). `ts_rank` alone knows no idf: a question's
        common words outvote its rare ones. On the development slice's questions (36,778 passages) the
        gold article was among the 30 passages proposed for 0.781 of them against 0.715 for a plain
        `ts_rank` and 0.748 for SQLite's FTS5 bm25 (normalisation 2 beat 1, 0.763, and 0, 0.737; see the
        README). As in SQLite, terms in more than `COMMON_SHARE` of the passages are left out (the rarest
        stays), and only the `KEYWORD_TERMS` rarest of the rest are searched: each costs a `ts_rank` on
        every passage holding it."""
        operands = [" <-> ".join(pieces) for pieces in (_WORD.findall(t) for t in terms) if pieces]
        found = {term: stats for term, stats in self._term_stats(operands).items() if stats is not None}
        rare = sorted((term for term, (_, share) in found.items() if share <= COMMON_SHARE), key=lambda t: found[t][1])
        weights = [(term, found[term][0]) for term in rare[:KEYWORD_TERMS]]
        if not weights and found:
            rarest = min(found, key=lambda term: found[term][1])
            weights = [(rarest, found[rarest][0])]
        if not weights:
            return []
        score = " + ".join("%s * ts_rank(terms, to_tsquery('english', %s), 2)" for _ in weights)
        return self._all(f"SELECT passage_id, doc_id, title, pstart, pend, body, {score} AS score FROM passages "
                         "WHERE terms @@ to_tsquery('english', %s) ORDER BY score DESC LIMIT %s",
                         (*[v for term, idf in weights for v in (idf, term)], " | ".join(t for t, _ in weights), limit))

    def passage_shares(self, terms: list[str]) -> dict[str, float]:
        """Each term's share of passages holding it (0 for one in none, or only stop words)."""
        operands = {term: " <-> ".join(_WORD.findall(term)) for term in terms}
        stats = self._term_stats([o for o in operands.values() if o])
        return {term: (stats.get(o) or (0.0, 0.0))[1] if o else 0.0 for term, o in operands.items()}

    def _term_stats(self, operands: list[str]) -> dict[str, tuple[float, float] | None]:
        """Each operand's BM25 idf and share of passages, from its passage count (through the GIN index),
        kept until the tables change; None for an operand that is only stop words or in no passage."""
        version = self.version()
        if self._stats_version != version:
            self._stats, self._stats_version = {}, version
        missing = [o for o in dict.fromkeys(operands) if o not in self._stats]
        if missing:
            passages = self._one("SELECT COUNT(*) FROM passages")[0]
            for operand, lexemes, df in self._all(
                    "SELECT o, numnode(to_tsquery('english', o)), (SELECT COUNT(*) FROM passages WHERE terms @@ "
                    "to_tsquery('english', o)) FROM unnest(%s::text[]) o", (missing,)):
                self._stats[operand] = ((math.log(1 + (passages - df + 0.5) / (df + 0.5)), df / passages)
                                        if lexemes and df else None)
        return {o: self._stats[o] for o in operands}

    def catalogue(self) -> list[tuple[str, str, dict]]:
        return self._all("SELECT doc_id, title, metadata FROM articles")

    def articles(self) -> Iterator[Article]:
        # A server-side cursor streams; it needs a transaction of its own connection.
        with self._psycopg.connect(self._url) as conn, conn.cursor(name="articles") as cursor:
            cursor.execute("SELECT doc_id, title, text, metadata FROM articles ORDER BY doc_id")
            for row in cursor:
                yield Article(*row)

    def begin_write(self, doc_ids: list[str], passage_ids: list[str]) -> None:
        """Take each article's lock (waiting while another writer has it), then mark the writes pending."""
        with self._lock:
            conn = self._connection()
            for doc_id in sorted(set(doc_ids)):
                conn.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (_ARTICLE_LOCKS, doc_id))
            with self._transaction() as cur:
                cur.executemany("INSERT INTO pending VALUES (%s) ON CONFLICT DO NOTHING", [(d,) for d in doc_ids])
                cur.executemany("INSERT INTO pending_passages VALUES (%s, %s) ON CONFLICT DO NOTHING",
                                [(p, doc_id_of(p)) for p in passage_ids])

    def commit_articles(self, batch) -> None:
        with self._transaction() as cur:
            for article, content_hash, passages, _ in batch:
                cur.execute("DELETE FROM passages WHERE doc_id = %s", (article.doc_id,))
                cur.executemany("INSERT INTO passages (passage_id, doc_id, title, pstart, pend, body) "
                                "VALUES (%s, %s, %s, %s, %s, %s)", _passage_rows(article, passages))
                cur.execute("INSERT INTO articles VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (doc_id) DO UPDATE "
                            "SET title = EXCLUDED.title, content_hash = EXCLUDED.content_hash, text = EXCLUDED.text, "
                            "metadata = EXCLUDED.metadata, passages = EXCLUDED.passages",
                            (article.doc_id, article.title, content_hash, article.text,
                             self._psycopg.types.json.Jsonb(article.metadata), len(passages)))
                cur.execute("DELETE FROM pending WHERE doc_id = %s", (article.doc_id,))
                cur.execute("DELETE FROM pending_passages WHERE doc_id = %s", (article.doc_id,))
            cur.execute("UPDATE info SET value = (value::bigint + 1)::text WHERE key = 'version'")

    def end_write(self) -> None:
        """Let the batch's articles go to the next writer."""
        with self._lock:
            if self._conn is not None and not self._conn.closed:
                self._conn.execute("SELECT pg_advisory_unlock_all()")

    def orphaned(self) -> tuple[list[str], list[str]]:
        """Pending articles whose writer is gone: this connection can take their lock (it also holds the
        ones it is writing itself, after a failure). The locks taken here are kept until `end_write`."""
        with self._lock:
            conn = self._connection()
            orphans = [doc_id for doc_id in sorted(self.pending())
                       if conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))",
                                       (_ARTICLE_LOCKS, doc_id)).fetchone()[0]]
            passages = [row[0] for row in conn.execute(
                "SELECT passage_id FROM pending_passages WHERE doc_id = ANY(%s)", (orphans,))]
            return orphans, passages

    def drop_orphaned(self, doc_ids: list[str]) -> None:
        with self._transaction() as cur:
            for table in ("passages", "articles", "pending", "pending_passages"):
                cur.execute(f"DELETE FROM {table} WHERE doc_id = ANY(%s)", (doc_ids,))
            cur.execute("UPDATE info SET value = (value::bigint + 1)::text WHERE key = 'version'")

    def database_bytes(self) -> int:
        """What the whole database takes on the server's disk (tables, indexes, their overhead)."""
        return self._one("SELECT pg_database_size(current_database())")[0]

    def add_feedback(self, row: dict) -> None:
        self._all("INSERT INTO feedback (row) VALUES (%s) RETURNING id", (self._psycopg.types.json.Jsonb(row),))

    def feedback(self) -> list[dict]:
        return [row[0] for row in self._all("SELECT row FROM feedback ORDER BY id")]

    def entities(self, keys: list[str]) -> dict[str, str]:
        return dict(self._all("SELECT key, entities FROM sentence_entities WHERE key = ANY(%s)", (keys,)))

    def annotated(self) -> dict[str, str]:
        return dict(self._all("SELECT doc_id, content_hash FROM annotated"))

    def annotated_count(self) -> tuple[int, int]:
        return self._one("SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM annotated)")

    def add_entities(self, rows: list[tuple[str, str]], articles: list[tuple[str, str]]) -> None:
        with self._transaction() as cur:
            cur.executemany("INSERT INTO sentence_entities VALUES (%s, %s) ON CONFLICT (key) DO NOTHING", rows)
            cur.executemany("INSERT INTO annotated VALUES (%s, %s) "
                            "ON CONFLICT (doc_id) DO UPDATE SET content_hash = EXCLUDED.content_hash", articles)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()


def _without_password(url: str) -> str:
    """The URL as shown in messages and `status`: never the password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
