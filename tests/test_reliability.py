"""Bad input, batch by batch: one clear line for each bad thing, the rest goes in, nothing stored is lost,
and the server keeps serving."""

import json
import subprocess
import sys
import os

from assistant.settings import Settings
from assistant.store import Store
from conftest import CLINTON_ADVISORS, copy_seeds, run_cli, served

BAD_QUESTIONS = {
    "empty": "",
    "whitespace": " \t\n  ",
    "100 KB": "why " * 25_000,
    "control characters": "\x00\x07\x1b\x7f\x08",
    "punctuation only": "?!?...;;",
}


def test_bad_questions_get_a_message_and_the_server_keeps_serving(tmp_path):
    from gradio_client import Client

    index = tmp_path / "index"
    run_cli("ingest", str(copy_seeds(tmp_path / "articles")), "--index", str(index))
    with served(index) as (url, server):
        client = Client(url, verbose=False)
        for name, question in BAD_QUESTIONS.items():
            reply = client.predict(question, api_name="/chat")
            assert reply.startswith("Can't answer: ") and "\n" not in reply and "Traceback" not in reply, name
        # a question in another language is a question: answered or honestly abstained, never an error
        reply = client.predict("¿Qué dijo Peskov sobre los asesores de Clinton?", api_name="/chat")
        assert not reply.startswith("Can't answer") and "Traceback" not in reply
        assert "Peskov" in client.predict(CLINTON_ADVISORS, api_name="/chat")  # still serving
        assert server.poll() is None


def test_a_batch_of_bad_articles_skips_each_with_its_reason_and_keeps_the_rest(tmp_path):
    index = tmp_path / "index"
    run_cli("ingest", str(copy_seeds(tmp_path / "seeds")), "--index", str(index))
    before = Store(Settings.load(index_dir=index)).counts()

    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "empty.txt").write_bytes(b"")
    (batch / "noise.txt").write_bytes(os.urandom(4096))
    (batch / "latin.txt").write_bytes("Fête du village\nLe maire a annoncé la fête.".encode("latin-1"))
    (batch / "utf16.txt").write_bytes("Council vote\nThe council approved the budget.".encode("utf-16"))
    (batch / "rows.jsonl").write_text(
        json.dumps({"id": "j1", "title": "Harbour", "text": "The harbour reopened on Monday."}) + "\n"
        + "{broken json\n"
        + json.dumps({"id": "j1", "title": "Harbour", "text": "A different text under the same id."}) + "\n",
        encoding="utf-8")
    (batch / "no_text.csv").write_text("id,title\n1,Headline only\n", encoding="utf-8")
    big = "The committee met again to discuss the long report. " * 200_000  # about 10 MB
    (batch / "big.txt").write_text("A very long report\n" + big, encoding="utf-8")

    result = run_cli("ingest", str(batch), "--index", str(index), check=False)
    skipped = [line for line in result.stderr.splitlines() if line.lstrip("\r").startswith("skipped ")] + \
              [line for line in result.stdout.splitlines() if line.startswith("skipped ")]
    reasons = "\n".join(skipped) + result.stderr
    assert "empty.txt" in reasons and "noise.txt" in reasons
    assert "rows.jsonl:2" in reasons  # the malformed line, by number
    assert "duplicate id 'j1'" in reasons
    assert "no_text.csv" in reasons and "'text' column" in reasons
    assert "big.txt" in reasons and "limit" in reasons
    assert "Traceback" not in result.stderr

    store = Store(Settings.load(index_dir=index))
    after = store.counts()
    kept = {"latin", "utf16", "j1"}
    assert after["articles"] == before["articles"] + len(kept)
    assert after["passages"] == after["vectors"] == after["keyword_rows"] > before["passages"]
    assert store.article("latin").text.startswith("Fête du village")
    assert store.article("utf16").title == "Council vote"
    assert store.article("j1").text == "The harbour reopened on Monday."  # the first of the duplicate ids
    for doc_id in ("000_5fd4c794f016a340", "001_e31c4c802982c21a"):
        assert store.article(doc_id) is not None  # nothing stored before is lost


def _gzip_bomb(path, inflated_mb: int, prefix: bytes = b'{"id": "bomb", "text": "', suffix: bytes = b'"}\n') -> None:
    """A gzip file of a few KB per inflated MB: one JSON line of `inflated_mb` MB of one letter."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    with open(path, "wb") as out:
        out.write(packer.compress(prefix))
        for _ in range(inflated_mb):
            out.write(packer.compress(b"a" * (1 << 20)))
        out.write(packer.compress(suffix) + packer.flush())


def test_bombs_and_deep_nesting_are_skipped_in_one_line_each_and_the_rest_goes_in(tmp_path):
    import gzip

    batch = tmp_path / "batch"
    batch.mkdir()
    _gzip_bomb(batch / "bomb.jsonl.gz", 40)  # one 40 MB line
    _gzip_bomb(batch / "bomb.json.gz", 40, b'[{"id": "b2", "text": "', b'"}]')
    many = b"".join(json.dumps({"id": f"r{i}", "text": "a short line"}).encode() + b"\n" for i in range(1200))
    (batch / "lines.jsonl.gz").write_bytes(gzip.compress(many))
    deep = "[" * 100_000 + "]" * 100_000
    (batch / "nested.jsonl").write_text(
        json.dumps({"id": "beacon", "title": "Beacon relit", "text": "The Carrow beacon was relit on Friday."})
        + "\n" + deep + "\n" + json.dumps({"id": "deepmeta", "text": "Deep metadata.", "x": json.loads("[" * 500 + "]" * 500)})
        + "\n", encoding="utf-8")
    (batch / "nested.json").write_text(deep, encoding="utf-8")
    # Limits small enough for a test's bombs; the defaults (256 MB, 100,000 articles) work the same way.
    env = {**os.environ, "ASSISTANT_MAX_FILE_MB": "16", "ASSISTANT_MAX_FILE_RECORDS": "1000",
           "ASSISTANT_MAX_ARTICLE_CHARS": "1000000"}
    index = tmp_path / "index"
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(batch), "--index", str(index)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    output = (result.stdout + result.stderr).replace("\r", "\n")
    skipped = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in output.splitlines() if line.startswith("skipped ")}
    assert "over 16 MB once decompressed (ASSISTANT_MAX_FILE_MB)" in skipped["bomb.json.gz"]
    # a line longer than any article is passed over unread, then the file's byte limit stops it
    assert "ASSISTANT_MAX_FILE_MB" in skipped["bomb.jsonl.gz"]
    assert "over 1,000 articles in one file (ASSISTANT_MAX_FILE_RECORDS)" in skipped["lines.jsonl.gz"]
    assert "nested too deeply" in skipped["nested.jsonl:2"] and "nested too deeply" in skipped["nested.json"]
    store = Store(Settings.load(index_dir=index))
    assert store.article("beacon").text.startswith("The Carrow beacon")  # the good line of the nested file
    assert store.article("deepmeta") is not None and store.article("r1") is None
    assert store.counts()["articles"] == 2


def test_a_long_article_of_short_lines_is_stored_whole(tmp_path):
    """450,000 one-word lines make more passages than Chroma takes in one write (5,461 here)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "lines.txt").write_text("Tally of the count\n" + "w\n" * 450_000, encoding="utf-8")
    index = tmp_path / "index"
    result = run_cli("ingest", str(folder), "--index", str(index))
    assert "1 added" in result.stdout + result.stderr
    counts = Store(Settings.load(index_dir=index)).counts()
    assert counts["passages"] == counts["vectors"] == counts["keyword_rows"] > 5_461


def test_status_lists_each_article_on_one_line_whatever_its_title_holds(tmp_path):
    corpus = tmp_path / "odd.jsonl"
    corpus.write_text("\n".join(json.dumps(row) for row in [
        {"id": "nul\x00id", "title": "Two\nlines\x1b[31m red", "text": "The mill closed on Monday.", "source": "A\rB"},
        {"id": "plain", "title": "Plain", "text": "The mill reopened on Tuesday."}]) + "\n", encoding="utf-8")
    index = tmp_path / "index"
    run_cli("ingest", str(corpus), "--index", str(index))
    listing = run_cli("status", "--articles", "--index", str(index)).stdout
    rows = [line for line in listing.splitlines() if "\t" in line]
    assert len(rows) == 2 and not any(ch in listing for ch in "\x00\x1b\r")
    assert "nul\\x00id\tA\\rB\t-\tTwo\\nlines\\x1b[31m red" in rows
