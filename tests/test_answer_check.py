"""How LLM mode weighs the LLM's reading beside the reader's confidence (`answer_check`, `check_training`):
the parts that need no LLM."""

import json
import random

import pytest

from assistant import answer_check
from assistant.articles import Article
from assistant.check_training import cross_validate
from assistant.settings import Settings, SettingsError

ARTICLE = Article("a1", "Rate decision", "Markets waited all week. Policymakers lifted borrowing costs a quarter point "
                  "on Wednesday. Shares fell.")


def test_the_llm_reads_the_sentence_that_holds_the_readers_most_probable_candidate_and_with_its_neighbours():
    start = ARTICLE.text.index("a quarter point")
    candidates = [{"doc_id": "a1", "start": 0, "end": 7, "probability": 0.2},
                  {"doc_id": "a1", "start": start, "end": start + 15, "probability": 0.7}]
    assert answer_check.evidence(candidates, None, {"a1": ARTICLE}.get) == [
        "Policymakers lifted borrowing costs a quarter point on Wednesday.", ARTICLE.text]
    # A one-sentence article has no neighbours: the sentence is read once.
    alone = Article("a2", "Rates", "Policymakers lifted borrowing costs a quarter point.")
    assert answer_check.evidence([{**candidates[1], "doc_id": "a2", "start": 20, "end": 25}], None, {"a2": alone}.get) == [
        alone.text]
    assert answer_check.evidence([], "A quote.", {}.get) == ["A quote."]
    assert answer_check.evidence([], None, {}.get) == []


def test_the_weighed_probability_rises_with_either_reading():
    model = {"weights": [-1.0, 0.8, 0.5]}
    assert answer_check.combined(0.3, 0.0, model) < answer_check.combined(0.6, 0.0, model)
    assert answer_check.combined(0.3, -2.0, model) < answer_check.combined(0.3, 2.0, model)
    assert 0.0 < answer_check.combined(0.0, -50.0, model) < answer_check.combined(1.0, 50.0, model) < 1.0


def test_the_packaged_check_is_used_only_with_the_llm_file_it_was_fitted_for(tmp_path):
    other = tmp_path / "other.gguf"
    other.write_bytes(b"GGUF" + bytes(100))
    assert answer_check.model_for(Settings(llm_gguf=str(other))) is None
    assert answer_check.model_for(Settings(llm_url="http://localhost:8080/v1")) is None
    assert answer_check.model_for(Settings(llm_gguf=str(other), llm_check="off")) is None
    packaged = answer_check.load_model()
    assert answer_check.model_for(Settings(llm_gguf=str(other), llm_check=str(answer_check.MODEL_PATH))) == packaged
    assert packaged["fitted_for"]["fingerprint"].split(":")[0].isdigit() and len(packaged["weights"]) == 3
    with pytest.raises(SettingsError, match="can't read the answer check"):
        answer_check.load_model(str(tmp_path / "missing.json"))


def test_an_llm_reading_that_tells_answered_from_not_lowers_withheld_questions_kept_at_the_same_false_abstention():
    """Synthetic rows: the reader's confidence half-separates asked from withheld questions; an LLM reading
    that carries its own signal must, cross-validated, raise the AUC and abstain on more withheld ones."""
    rng = random.Random(0)
    rows = []
    for i in range(600):
        label = i % 2
        confidence = min(max(rng.gauss(0.55 + 0.15 * label, 0.2), 0.01), 0.99)
        rows.append({"label": label, "system": "engine" if label else "engine_gold_withheld", "dated": True,
                     "confidence": confidence, "odds": rng.gauss(2.0 * label - 1.0, 1.5), "group": f"w{i // 20}"})
    reader, both = cross_validate(rows, with_llm=False), cross_validate(rows)
    assert both["auc"] > reader["auc"] + 0.05
    assert both["withheld_abstained"] > reader["withheld_abstained"]
    assert abs(both["false_abstention"] - 0.10) < 0.05 and abs(reader["false_abstention"] - 0.10) < 0.05


def test_a_check_fitted_on_another_reading_of_the_passages_is_refused_in_one_line(tmp_path):
    import json

    older = {k: v for k, v in answer_check.load_model().items() if k != "reading"}
    path = tmp_path / "older.json"
    path.write_text(json.dumps(older), encoding="utf-8")
    with pytest.raises(SettingsError, match=f"fitted on another reading of the passages .*reading 1, this version "
                                            f"reads {answer_check.READING}.*assistant train-check"):
        answer_check.load_model(str(path))


def test_a_server_without_token_probabilities_is_asked_once_not_once_a_reading(tmp_path):
    """A stand-in OpenAI-compatible server on loopback that replies without token probabilities, as some
    servers do (the llama.cpp server the other LLM tests run always gives them): the check has no reading,
    and asks nothing more once the first reply says so."""
    import http.server
    import threading

    asked = []

    class Server(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            asked.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            body = json.dumps({"id": "1", "object": "chat.completion", "created": 0, "model": "m",
                               "choices": [{"index": 0, "finish_reason": "length", "logprobs": None,
                                            "message": {"role": "assistant", "content": "yes"}}],
                               "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = Settings(llm_url=f"http://127.0.0.1:{server.server_address[1]}/v1")
        assert answer_check.read(settings, "Who hosts GPS?", ["Fareed Zakaria hosts GPS.", "CNN airs it."]) is None
        assert len(asked) == 1 and asked[0]["max_tokens"] == 1
    finally:
        server.shutdown()
