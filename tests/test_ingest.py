import json

import pytest

from assistant.ingest import ingest
from assistant.store import Store
from conftest import SEED_IDS, copy_seeds, run_cli


def test_reingest_embeds_nothing_and_a_changed_article_is_replaced(tmp_path, store_settings):
    settings = store_settings
    folder = copy_seeds(tmp_path / "articles")
    first = ingest([folder], settings, progress=False)
    assert (first.added, first.unchanged) == (2, 0) and first.passages > 0
    again = ingest([folder], settings, progress=False)
    assert (again.added, again.updated, again.unchanged, again.passages) == (0, 0, 2, 0)
    counts = Store(settings).counts()

    path = folder / f"{SEED_IDS[1]}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nA late correction was added.\n", encoding="utf-8")
    changed = ingest([folder], settings, progress=False)
    assert (changed.updated, changed.unchanged) == (1, 1)
    # only the passage holding the correction is embedded again; the others reuse their vectors
    assert changed.passages - changed.reused <= 2 < changed.passages
    after = Store(settings).counts()
    assert after["articles"] == 2
    assert after["vectors"] == after["passages"] == after["keyword_rows"]
    assert after["passages"] - counts["passages"] in (0, 1)  # replaced, never duplicated


def test_stored_passages_are_exact_spans_of_the_files(seed_index):
    from assistant.settings import Settings

    store = Store(Settings.load(index_dir=seed_index))
    got = store.collection.get(include=["documents", "metadatas"])
    assert len(got["ids"]) == store.counts()["passages"] > 0
    texts = {doc_id: (store.settings.seeds_dir / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in SEED_IDS}
    for document, meta in zip(got["documents"], got["metadatas"]):
        assert texts[meta["doc_id"]][meta["start"]:meta["end"]] == document


def test_status_reports_what_the_index_holds(seed_index):
    info = json.loads(run_cli("status", "--index", str(seed_index), "--json").stdout)
    assert info["articles"] == 2 and info["passages"] == info["vectors"] > 0
    assert info["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"


def test_a_duplicate_article_is_stored_but_not_embedded_again(tmp_path, store_settings):
    settings = store_settings
    folder = copy_seeds(tmp_path / "articles")
    first = ingest([folder], settings, progress=False)
    source = folder / f"{SEED_IDS[0]}.txt"
    (folder / "copy-of-000.txt").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    again = ingest([folder], settings, progress=False)
    assert again.added == 1 and again.passages == again.reused > 0  # every vector reused
    store = Store(settings)
    counts = store.counts()
    assert counts["articles"] == 3 and counts["vectors"] == counts["passages"] == counts["keyword_rows"]
    assert counts["passages"] == first.passages + again.passages
    twin = store.collection.get(where={"doc_id": "copy-of-000"}, include=["embeddings", "metadatas"])
    original = store.collection.get(where={"doc_id": SEED_IDS[0]}, include=["embeddings", "metadatas"])
    by_start = {m["start"]: v for m, v in zip(original["metadatas"], original["embeddings"])}
    # The twin carries the original's vectors (the reuse itself is counted above; Chroma's cosine space may
    # renormalise a stored vector in its last bit).
    assert all(abs(by_start[m["start"]] - v).max() < 1e-6 for m, v in zip(twin["metadatas"], twin["embeddings"]))


def test_kill_9_during_ingest_then_rerun_gives_the_exact_passage_count(tmp_path, store_settings):
    """A real `kill -9` of the ingest process after its first committed batch; the rerun resumes. Batches
    of 32 passages (`ASSISTANT_FLUSH_PASSAGES`) put a dozen commits in 250 articles."""
    import gzip
    import itertools
    import os
    import signal
    import subprocess
    import sys
    import time

    from assistant import embedder
    from assistant.articles import read_paths
    from assistant.passages import split_passages
    from conftest import ROOT

    source = ROOT.parent / "shared" / "data" / "reuters-21578" / "articles.jsonl.gz"
    corpus = tmp_path / "news.jsonl"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        corpus.write_text("".join(itertools.islice(handle, 250)), encoding="utf-8")
    settings = store_settings
    index = settings.index_dir
    env = {**os.environ, "ASSISTANT_DATABASE_URL": settings.database_url, "ASSISTANT_FLUSH_PASSAGES": "32"}
    command = [sys.executable, "-m", "assistant.cli", "ingest", str(corpus), "--index", str(index)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None:
        if Store(settings).counts()["articles"] > 0:
            break
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted = Store(settings).counts()["articles"]
    assert 0 < interrupted < 250  # killed mid-way, with something committed

    run_cli("ingest", str(corpus), "--index", str(index), prefix=("env", f"ASSISTANT_DATABASE_URL={settings.database_url}"))
    expected = sum(len(split_passages(a.doc_id, a.text, embedder.count_tokens, settings.passage_tokens))
                   for a in read_paths([corpus]))
    counts = Store(settings).counts()
    assert counts["articles"] == 250
    assert counts["passages"] == counts["vectors"] == counts["keyword_rows"] == expected
    ids = Store(settings).collection.get(include=[])["ids"]
    assert len(ids) == len(set(ids)) == expected


def test_a_process_that_has_searched_leaves_the_index_writable_for_others(tmp_path, settings):
    """A serving process's keyword searches hold no lock on the index file: another process ingests."""
    ingest([copy_seeds(tmp_path / "articles")], settings, progress=False)
    store = Store(settings)
    assert store.keyword_search(["Peskov", "Clinton", "advisors"], 5)
    assert not store.tables._db.in_transaction
    more = tmp_path / "more"
    more.mkdir()
    (more / "ferry.txt").write_text("Ferry strike ends\n\nThe ferry strike in Port Alder ended on Friday.\n")
    run_cli("ingest", str(more), "--index", str(settings.index_dir))
    assert store.counts()["articles"] == 3


def test_the_catalogue_is_the_index_as_it_is_now_whoever_wrote_it(tmp_path, settings):
    """The catalogue is kept between questions, and is read anew once articles change: stored by this
    process, or by another (an `assistant ingest` beside a serving chat)."""
    ingest([copy_seeds(tmp_path / "articles")], settings, progress=False)
    store = Store(settings)
    assert sorted(e["doc_id"] for e in store.catalogue()) == sorted(SEED_IDS)
    own, other = tmp_path / "own", tmp_path / "other"
    for folder, name in ((own, "ferry"), (other, "harbour")):
        folder.mkdir()
        (folder / f"{name}.txt").write_text(f"{name.title()} strike ends\n\nThe {name} strike in Port Alder "
                                            "ended on Friday.\n", encoding="utf-8")
    ingest([own], settings, store=store, progress=False)
    assert "Ferry strike ends" in {e["title"] for e in store.catalogue()}
    run_cli("ingest", str(other), "--index", str(settings.index_dir))
    assert {e["title"] for e in store.catalogue()} >= {"Ferry strike ends", "Harbour strike ends"}
    assert len(store.catalogue()) == 4


def test_common_words_are_judged_by_the_index_as_it_is_now(tmp_path, settings):
    """A process that searched a small index, then stored many more articles itself, counts words anew:
    "Peskov", in many of the seeds' passages, is rare once a corpus is in."""
    import gzip
    import itertools

    from conftest import ROOT

    ingest([copy_seeds(tmp_path / "articles")], settings, progress=False)
    store = Store(settings)
    before = store.passage_shares(["peskov"])["peskov"]
    assert before > 0.02  # common among the seeds' passages
    corpus = tmp_path / "news.jsonl"
    with gzip.open(ROOT.parent / "shared" / "data" / "reuters-21578" / "articles.jsonl.gz", "rt") as handle:
        corpus.write_text("".join(itertools.islice(handle, 150)), encoding="utf-8")
    ingest([corpus], settings, store=store, progress=False)
    after = store.passage_shares(["peskov"])["peskov"]
    assert after < before / 5 and after == pytest.approx(before * 29 / store.counts()["passages"], rel=0.01)


def test_an_ingest_leaves_the_vector_graph_on_disk_and_searched_widely(tmp_path, settings):
    """Chroma writes its vector graph to disk only every 1,000 records; each process opening the index
    replayed the rest into the graph in several threads, so a search found different passages among the
    last ones written from one process to the next (`Store.finish_ingest`). After an ingest, the graph on
    disk holds all but at most one record (the one written again to make Chroma persist; Chroma searches
    that exactly). This reads Chroma's own bookkeeping (its SQLite file): no public call says how far its
    graph is persisted, and the nondeterminism itself is too rare to provoke in a small test."""
    import sqlite3

    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(150):  # past Chroma's in-memory batch of 100, which it searches exactly
        (folder / f"bridge{i}.txt").write_text(
            f"Bridge {i} repairs\n\nThe council of Place{i} voted on Tuesday to repair bridge {i} after years of "
            "complaints about cracks in its deck.\n", encoding="utf-8")
    assert ingest([folder], settings, progress=False).passages == 150
    db = sqlite3.connect(settings.index_dir / "chroma" / "chroma.sqlite3")
    persisted = db.execute("SELECT m.seq_id FROM max_seq_id m JOIN segments s ON s.id = m.segment_id "
                           "WHERE s.scope = 'VECTOR'").fetchone()
    logged = db.execute("SELECT max(seq_id) FROM embeddings_queue").fetchone()[0]
    assert persisted and persisted[0] >= logged - 1, (persisted, logged)
    assert Store(settings).collection.configuration["hnsw"]["ef_search"] == settings.dense_search_ef
