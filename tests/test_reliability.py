"""Bad input, batch by batch: one clear line for each bad thing, the rest goes in, nothing stored is lost,
and the server keeps serving."""

import json
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
