"""The real Gradio app, served in its own process, answered over HTTP through gradio_client."""

import json

import pytest

from conftest import CLINTON_ADVISORS, ROOT, free_port, run_cli, served


def test_served_app_answers_over_http_and_keeps_serving(tmp_path):
    from gradio_client import Client

    index = tmp_path / "index"  # empty: serve must ingest the seeds first
    with served(index) as (url, _):
        client = Client(url, verbose=False)
        answer = client.predict(CLINTON_ADVISORS, api_name="/chat")
        assert "000_5fd4c794f016a340" in answer and "001_e31c4c802982c21a" in answer
        assert "[1]" in answer and "[2]" in answer
        assert answer.count("According to") == 2  # one line per article
        assert "Peskov" in answer.split("[1]", 1)[1]  # each cited span says whose words it is
        assert client.predict("", api_name="/chat").startswith("Can't answer:")
        assert "don't answer" in client.predict("What is the capital of Australia?", api_name="/chat")


def test_ask_on_a_served_index_asks_the_server_and_answers_alone_once_it_stops(tmp_path):
    import time

    index = tmp_path / "index"
    run_cli("ingest", str(ROOT / "seeds"), "--index", str(index))
    local = json.loads(run_cli("ask", CLINTON_ADVISORS, "--index", str(index), "--json", "--local").stdout)
    assert "answered_by" not in local
    with served(index) as (url, server):
        # The port listens a moment before serve, back from launching, writes its record.
        deadline = time.monotonic() + 60
        while not (index / "serving.json").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        record = json.loads((index / "serving.json").read_text())
        assert record["pid"] == server.pid and url.startswith(record["url"].rstrip("/"))
        remote = json.loads(run_cli("ask", CLINTON_ADVISORS, "--index", str(index), "--json").stdout)
        assert remote["answered_by"] == record["url"]
        assert remote["answer"] == local["answer"] and remote["citations"] == local["citations"]
        text = run_cli("ask", CLINTON_ADVISORS, "--index", str(index)).stdout
        assert "[1]" in text and "answered by the assistant serving this index" in text
        scoped = run_cli("ask", CLINTON_ADVISORS, "--index", str(index), "--article", "nope", check=False)
        assert scoped.returncode == 2 and scoped.stderr.startswith("error: ") and "'nope'" in scoped.stderr
    assert not (index / "serving.json").exists(), "a stopped server takes its record with it"
    assert "2 of the 2 articles aren't annotated yet" in server.logs  # ingested without --annotate

    # A record left by a process that died without cleaning up is ignored.
    (index / "serving.json").write_text(json.dumps({"url": record["url"], "pid": 2**22 + 12345, "login": False}))
    alone = json.loads(run_cli("ask", CLINTON_ADVISORS, "--index", str(index), "--json").stdout)
    assert "answered_by" not in alone and alone["answer"] == local["answer"]


def test_chat_html_escapes_article_markup():
    from assistant.answer import Answer, Citation
    from assistant.render import answer_as_html

    import html

    quote = "<script>alert(1)</script> and <img src=x onerror=alert(2)> ![p](http://h/p.png) [l](http://h)"
    answer = Answer("q", f"{quote} [1]", False, [Citation(1, "d", "<b>T</b>", 0, len(quote), quote, 1.0)],
                    [{"doc_id": "d", "title": "<b>T</b>", "start": 0, "end": len(quote), "score": 1.0, "text": quote}])
    shown = answer_as_html(answer)
    assert "<script>" not in shown and "<img" not in shown and "<b>T</b>" not in shown
    assert "![" not in shown and "](" not in shown and "http:" not in shown  # no Markdown image or link either
    assert quote in html.unescape(shown) and 'class="cite"' in shown  # reads as written; the marker still links


def test_a_bidirectional_override_in_an_article_is_shown_not_obeyed():
    """"cost \u202e05$" shows as "cost $50" on screen (Trojan Source): in the chat and in the terminal the
    override is shown as its escape, so a quote looks like what the article holds."""
    from assistant.answer import Answer, Citation
    from assistant.render import answer_as_html, answer_as_text

    quote = "Tickets cost \u202e05$\u202c for adults; \u2067isolated\u2069 too."
    answer = Answer("q", f"{quote} [1]", False, [Citation(1, "d", "T\u202e", 0, len(quote), quote, 1.0)],
                    [{"doc_id": "d", "title": "T", "start": 0, "end": len(quote), "score": 1.0, "text": quote}])
    for shown in (answer_as_html(answer), answer_as_text(answer)):
        assert not any(ch in shown for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
        assert "u202e05$" in shown.replace("&#92;", "\\")


def test_an_abstention_says_it_quotes_nothing(seed_assistant):
    """Under "The articles don't answer this." the footer said "Quoted from the articles", over passages
    listed only as related reading."""
    import html

    from assistant.render import answer_as_html, answer_as_text

    answer = seed_assistant.ask("What is Peskov's salary?")
    assert answer.abstained and not answer.citations and answer.passages
    for shown in (answer_as_text(answer), html.unescape(answer_as_html(answer))):
        assert "Nothing quoted as an answer (extractive)." in shown and "Quoted from the articles" not in shown
    assert "Quoted from the articles (extractive)." in answer_as_text(seed_assistant.ask(CLINTON_ADVISORS))


def test_chat_shows_each_article_side_by_side_with_speakers(seed_assistant):
    from assistant.render import answer_as_html

    answer = seed_assistant.ask(CLINTON_ADVISORS)
    shown = answer_as_html(answer)
    assert '<table class="by-article">' in shown
    assert shown.count("<tr><td>") == len(answer.by_article) == 2
    for citation in answer.citations:
        assert f"[{citation.n}]" in shown and citation.speaker in shown
    assert "the article&#x27;s own words" not in shown  # every cited span here is Peskov's, not the article's


def test_listening_beyond_loopback_needs_a_login(tmp_path):
    from gradio_client import Client

    refused = run_cli("serve", "--host", "0.0.0.0", "--port", str(free_port()), "--index", str(tmp_path / "i"), check=False)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: serving on 0.0.0.0 lets other machines in: set ASSISTANT_LOGIN")

    with served(tmp_path / "index", "--host", "0.0.0.0", env={"ASSISTANT_LOGIN": "alice:s3cret-pass"}) as (url, server):
        try:
            Client(url, verbose=False).predict("Who interviewed Peskov on CNN?", api_name="/chat")
            raise AssertionError("the chat answered without a login")
        except AssertionError:
            raise
        except Exception:
            pass  # refused, as it should be
        with pytest.raises(Exception):
            Client(url, auth=("alice", "wrong"), verbose=False)
        client = Client(url, auth=("alice", "s3cret-pass"), verbose=False)
        assert "Zakaria" in client.predict("Who interviewed Peskov on CNN?", api_name="/chat")
    assert "s3cret-pass" not in server.logs  # the password never reaches the logs


def test_articles_added_from_the_browser_are_answered_and_bad_files_say_why(tmp_path):
    from gradio_client import Client, handle_file

    index = tmp_path / "index"
    with served(index, env={"ASSISTANT_MAX_UPLOAD_MB": "1"}) as (url, _):
        good = tmp_path / "ferry.txt"
        good.write_text("Ferry strike ends\n\nThe ferry workers' strike in Port Alder ended on Friday after "
                        "the union accepted a 6 percent raise, the mayor said.\n", encoding="utf-8")
        bad = tmp_path / "notes.exe"
        bad.write_bytes(b"MZ\x90\x00")
        sneaky = tmp_path / "..%2F..%2Fescape.txt"
        sneaky.write_text("Escape attempt\n\nThis file's name tries to leave the uploads folder.", encoding="utf-8")
        huge = tmp_path / "huge.txt"
        huge.write_text("Huge\n\n" + "A long sentence about the harbour. " * 60_000, encoding="utf-8")  # ~2 MB
        client = Client(url, verbose=False)
        report = client.predict([handle_file(str(p)) for p in (good, bad, sneaky, huge)], api_name="/add")
        assert "2 added" in report and "notes.exe: not an article file" in report
        assert "huge.txt: over the 1 MB upload limit" in report
        assert all(p.parent == index / "uploads" for p in (index / "uploads").iterdir())
        answer = client.predict("What raise did the ferry union accept?", api_name="/chat")
        assert "6 percent" in answer and "ferry" in answer


def test_an_upload_never_replaces_an_article_and_rejected_files_are_removed(tmp_path):
    import html

    from gradio_client import Client, handle_file

    index = tmp_path / "index"  # serve ingests the seeds first
    files = tmp_path / "files"
    files.mkdir()
    forged = files / "000_5fd4c794f016a340.txt"
    forged.write_text("Forged\n\nFareed Zakaria never interviewed Peskov; the Kremlin said so on Friday.\n", encoding="utf-8")
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    (first / r"..\..\x.txt").write_text("Kiln fire\n\nThe Ashby kiln fire was put out by noon.\n", encoding="utf-8")
    (second / r"..\..\x.txt").write_text("Bridge vote\n\nThe Ashby bridge vote passed by three votes.\n", encoding="utf-8")
    nested = files / "deep.json"
    nested.write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    mixed = files / "mixed.jsonl"
    mixed.write_text(json.dumps({"id": "tern", "title": "Terns return", "text": "Arctic terns returned to Holm."})
                     + "\n" + "[" * 50_000 + "\n", encoding="utf-8")
    with served(index) as (url, _):
        client = Client(url, verbose=False)
        before = client.predict("Who interviewed Peskov on CNN?", api_name="/chat")
        report = html.unescape(client.predict([handle_file(str(p)) for p in (forged, nested, mixed)], api_name="/add"))
        assert "0 updated" in report and "3 skipped" not in report
        assert "'000_5fd4c794f016a340' belongs to another article, which is kept" in report
        assert "stored as '000_5fd4c794f016a340-2'" in report
        assert "deep.json: nested too deeply" in report and "mixed.jsonl:2" in report, report.splitlines()
        for folder in (first, second):
            report = html.unescape(client.predict([handle_file(str(p)) for p in folder.iterdir()], api_name="/add"))
            assert "1 added" in report, report
        after = client.predict("Who interviewed Peskov on CNN?", api_name="/chat")
        assert "Zakaria" in before and "(000_5fd4c794f016a340, chars" in after  # the seed is still cited
        kiln = client.predict("When was the Ashby kiln fire put out?", api_name="/chat")
        bridge = client.predict("By how many votes did the Ashby bridge vote pass?", api_name="/chat")
        assert "noon" in kiln and "three votes" in bridge
        assert "Arctic terns" in client.predict("Where did the Arctic terns return?", api_name="/chat")
    from assistant.settings import Settings
    from assistant.store import Store

    store = Store(Settings.load(index_dir=index))
    # the seeds serve ingested and every upload were annotated as they went in (fast answers at once)
    assert len(store.annotated()) == store.counts()["articles"] == 6
    seed = store.article("000_5fd4c794f016a340")
    assert seed.text == (ROOT / "seeds" / "000_5fd4c794f016a340.txt").read_text(encoding="utf-8")
    uploads = sorted(p.name for p in (index / "uploads").iterdir())
    assert uploads == ["000_5fd4c794f016a340.txt", "mixed.jsonl", "x-2.txt", "x.txt"]  # deep.json was removed
