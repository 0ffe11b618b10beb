"""Load: 16 concurrent chat sessions × 20 questions through the real served HTTP API on loopback."""

import json

from assistant.load import run_load
from conftest import ROOT, served

QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "seeds" / "questions.jsonl").read_text().splitlines()][:20]


def test_sixteen_sessions_get_the_single_user_answers_without_errors(seed_index):
    from gradio_client import Client

    with served(seed_index) as (url, _):
        client = Client(url, verbose=False)
        alone = {q: client.predict(q, api_name="/chat") for q in QUESTIONS}
        result = run_load(url, QUESTIONS, sessions=16, per_session=20)
    assert result.errors == []
    assert len(result.answers) == 16 * 20
    differing = [(s, q) for (s, _), (q, text) in result.answers.items() if text != alone[q]]
    assert differing == []
    assert sum("Can't answer" in text for text in alone.values()) == 0
