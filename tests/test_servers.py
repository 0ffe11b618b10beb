"""A team's assistant: all state in real servers (PostgreSQL and `chroma run`, both on loopback, started by
the tests), and several `assistant serve` replicas over them, spoken to over HTTP."""

import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from assistant.settings import Settings
from assistant.store import Store
from conftest import CLINTON_ADVISORS, ROOT, SEED_IDS, chroma_run, free_port, run_cli, served

REUTERS = ROOT.parent / "shared" / "data" / "reuters-21578" / "articles.jsonl.gz"
FERRY = ("Ferry strike ends\n\nThe ferry workers' strike in Port Alder ended on Friday after the union "
         "accepted a 6 percent raise, the mayor said.\n")


@pytest.fixture
def servers(tmp_path, database_url) -> dict:
    """The environment that points every command at a fresh database and a fresh Chroma server."""
    with chroma_run(tmp_path / "chroma-server", free_port()) as chroma:
        yield {"ASSISTANT_DATABASE_URL": database_url, "ASSISTANT_CHROMA_URL": chroma}


def with_env(env: dict) -> tuple[str, ...]:
    return ("env", *(f"{key}={value}" for key, value in env.items()))


def files_under(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_with_both_servers_no_command_keeps_anything_on_local_disk(tmp_path, servers):
    index, out = tmp_path / "index", tmp_path / "report"
    prefix = with_env(servers)
    run_cli("ingest", "seeds", "--index", str(index), prefix=prefix)
    status = json.loads(run_cli("status", "--json", "--index", str(index), prefix=prefix).stdout)
    assert (status["articles"], status["pending"]) == (2, 0)
    assert status["passages"] == status["vectors"] == status["keyword_rows"] > 0
    assert status["store"].startswith("postgresql://postgres@127.0.0.1:")
    answer = json.loads(run_cli("ask", CLINTON_ADVISORS, "--json", "--local", "--index", str(index), prefix=prefix).stdout)
    assert {c["doc_id"] for c in answer["citations"]} == set(SEED_IDS)
    run_cli("eval", "--index", str(index), "--limit", "4", "--baseline", "--out", str(out), prefix=prefix)
    assert json.loads((out / "summary.json").read_text())["questions"] == 4
    assert files_under(index) == []  # articles, keywords, vectors, the recipe's index: all on the servers


def test_a_wrong_database_url_is_one_line(tmp_path):
    result = run_cli("status", "--index", str(tmp_path / "index"), check=False,
                     prefix=("env", f"ASSISTANT_DATABASE_URL=postgresql://someone:s3cret@127.0.0.1:{free_port()}/news"))
    assert result.returncode == 2 and "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: can't open the database") and "s3cret" not in result.stderr


def test_two_replicas_share_articles_and_feedback_and_carry_sixteen_sessions_over_http(tmp_path, servers):
    """An article uploaded through one replica is answered by the other at once; both replicas' ratings
    land in the one database, where `eval --feedback` finds them. Then the load test's 16 concurrent chat
    sessions × 20 questions, 8 on each replica: no errors, and every answer the one a single user gets,
    the same from either replica."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client, handle_file
    from playwright.sync_api import sync_playwright

    from assistant.load import run_load
    from test_browser import CHROMIUM, ask
    from test_load import QUESTIONS

    run_cli("ingest", "seeds", "--index", str(tmp_path / "first"), prefix=with_env(servers))
    ferry = tmp_path / "ferry.txt"
    ferry.write_text(FERRY, encoding="utf-8")
    with served(tmp_path / "first", env=servers) as (first, _), served(tmp_path / "second", env=servers) as (second, _):
        report = Client(first, verbose=False).predict([handle_file(str(ferry))], api_name="/add")
        assert "1 added" in report
        answer = Client(second, verbose=False).predict("What raise did the ferry union accept?", api_name="/chat")
        assert "6 percent" in answer and "ferry" in answer
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for url, question, button in ((first, "Who interviewed Peskov on CNN?", "Like"),
                                          (second, "What raise did the ferry union accept?", "Dislike")):
                page = browser.new_page()
                page.goto(url)
                ask(page, question)
                page.locator(f".message-wrap button[aria-label='{button}']").last.click()
                page.wait_for_timeout(1500)
        one, other = Client(first, verbose=False), Client(second, verbose=False)
        alone = {q: one.predict(q, api_name="/chat") for q in QUESTIONS}
        assert {q: other.predict(q, api_name="/chat") for q in QUESTIONS} == alone
        with ThreadPoolExecutor(2) as pool:
            runs = list(pool.map(lambda url: run_load(url, QUESTIONS, sessions=8, per_session=20), (first, second)))
    assert [run.errors for run in runs] == [[], []]
    assert [len(run.answers) for run in runs] == [8 * 20, 8 * 20]
    assert [(q, text) for run in runs for q, text in run.answers.values() if text != alone[q]] == []
    shared = Store(Settings.load(index_dir=tmp_path / "third", database_url=servers["ASSISTANT_DATABASE_URL"],
                                 chroma_url=servers["ASSISTANT_CHROMA_URL"]))
    assert "ferry" in shared.annotated()  # tagged by the replica it was uploaded to, for every replica
    ratings = shared.feedback()
    assert [(r["question"], r["liked"]) for r in ratings] == [("Who interviewed Peskov on CNN?", True),
                                                              ("What raise did the ferry union accept?", False)]
    out = tmp_path / "feedback-eval"
    run_cli("eval", "--index", str(tmp_path / "third"), "--feedback", "--out", str(out), prefix=with_env(servers))
    questions = [json.loads(line) for line in (out / "feedback-questions.jsonl").read_text().splitlines()]
    assert [q["type"] for q in questions] == ["liked", "needs_review"]
    assert files_under(tmp_path / "second") == []  # the upload went to the servers, not to the replica's disk


def test_overlapping_ingests_and_a_killed_writer_end_with_exact_counts(tmp_path, servers):
    """Two processes ingest overlapping halves of 300 Reuters articles at once; one is killed with
    `kill -9` mid-ingest, once the first articles are committed, while the other goes on (its pending articles are not the dead
    one's to purge, nor the other way round). Rerunning the killed one ends with every article once."""
    from assistant import embedder
    from assistant.articles import read_paths
    from assistant.passages import split_passages

    with gzip.open(REUTERS, "rt", encoding="utf-8") as handle:
        lines = list(itertools.islice(handle, 300))
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:200]), encoding="utf-8")
    second.write_text("".join(lines[100:]), encoding="utf-8")
    settings = Settings.load(index_dir=tmp_path / "reader", database_url=servers["ASSISTANT_DATABASE_URL"],
                             chroma_url=servers["ASSISTANT_CHROMA_URL"])
    env = {**os.environ, **servers}

    def ingest(path, index):
        return subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest", str(path), "--index", str(index)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    killed, other = ingest(first, tmp_path / "a"), ingest(second, tmp_path / "b")
    deadline = time.time() + 300
    while time.time() < deadline and killed.poll() is None and Store(settings).counts()["articles"] == 0:
        time.sleep(0.3)
    killed.send_signal(signal.SIGKILL)
    assert killed.wait() == -signal.SIGKILL  # killed while still ingesting, not after it had finished
    assert other.wait(timeout=600) == 0, other.stderr.read()[-2000:]
    assert Store(settings).counts()["articles"] >= 200  # the survivor's, whatever the killed one committed

    run_cli("ingest", str(first), "--index", str(tmp_path / "a"), prefix=with_env(servers))
    by_id = {a.doc_id: a for a in read_paths([first, second])}
    expected = sum(len(split_passages(a.doc_id, a.text, embedder.count_tokens, settings.passage_tokens))
                   for a in by_id.values())
    store = Store(settings)
    counts = store.counts()
    assert (counts["articles"], counts["pending"]) == (len(by_id), 0) == (300, 0)
    assert counts["passages"] == counts["vectors"] == counts["keyword_rows"] == expected
    ids = store.collection.get(include=[])["ids"]
    assert len(ids) == len(set(ids)) == expected

