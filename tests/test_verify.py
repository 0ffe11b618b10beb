"""The LLM-sentence verifier against sentences a real model wrote, labelled by hand.

`fixtures/verifier_sample.jsonl`: 90 sentences Qwen2.5-Coder-0.5B-Instruct wrote in `eval --llm` on the
development slice (45 the verifier of that run kept, 45 it dropped, drawn at random), each with the
passages the model was given and a person's label `stated`: do the passages state what the sentence says?
Each sentence is checked here as if it carried no marker (against every passage), which is the content
check alone; attribution is tested in test_llm.py."""

import json
from pathlib import Path

from assistant import verify

SAMPLE = Path(__file__).parent / "fixtures" / "verifier_sample.jsonl"
# 80 more of that model's sentences (none in SAMPLE; 40 the verifier keeps, 40 it drops, at random, from
# the 0.5B model's other `eval --llm` runs on the slice), labelled the same way after the rules were
# written: the held-out measure. A reply that is only an answer ("House of the Dragon") is labelled as
# the claim that it answers the question.
HELD_OUT = Path(__file__).parent / "fixtures" / "verifier_sample_heldout.jsonl"


def _kept(row: dict) -> bool:
    results = verify.check(row["sentence"], row["passages"], row["question"])
    return bool(results) and all(r.verified for r in results)


def _precision_recall(path: Path) -> tuple[float, float]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    kept = [_kept(r) for r in rows]
    true_positive = sum(k and r["stated"] for k, r in zip(kept, rows))
    return true_positive / sum(kept), true_positive / sum(r["stated"] for r in rows)


def test_the_verifier_keeps_what_the_passages_state_and_drops_what_they_dont():
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 90 and sum(r["kept_in_run"] for r in rows) == 45
    precision, recall = _precision_recall(SAMPLE)
    # Measured when the rules below were written (on this same sample, so in-sample): 0.88 / 0.72, from
    # 0.80 / 0.70 before them. Floors, not targets: the are 0.95 / 0.70.
    assert precision >= 0.85 and recall >= 0.70, (precision, recall)


def test_the_verifier_on_sentences_its_rules_never_saw():
    # Measured 0.725 / 0.725 when labelled: what is kept wrongly is mostly relational ("Eric Adams previously
    # worked as …" from a span naming both) or a bare answer whose span is about something else.
    precision, recall = _precision_recall(HELD_OUT)
    assert precision >= 0.70 and recall >= 0.70, (precision, recall)


def _passage(text: str) -> list[dict]:
    return [{"doc_id": "a", "start": 0, "text": text, "title": "t"}]


def test_a_negation_counts_only_where_it_bears_on_the_claim():
    span = _passage("So the meetings are something that isn't unusual and took place in both campaigns.")
    assert verify.check("The meetings took place in both campaigns [1].", span)[0].verified
    assert not verify.check("The meetings did not take place in both campaigns [1].", span)[0].verified
    claimed = _passage("He claimed not only was the narrative fake news but that advisors met.")
    assert verify.check("He called the narrative fake news [1].", claimed)[0].verified
    denied = _passage("The advisors did not meet the ambassador.")
    assert not verify.check("The advisors met the ambassador [1].", denied)[0].verified


def test_a_misspelt_name_matches_but_numbers_and_other_names_dont():
    span = _passage("People working in think tanks were advising Hilary, Peksov said in 2017.")
    assert verify.check("Peskov said think tanks were advising Hillary [1].", span)[0].verified
    assert not verify.check("Peskov said think tanks were advising Hillary in 2018 [1].", span)[0].verified
    assert not verify.check("Peskov said think tanks were advising Obama [1].", span)[0].verified


def test_questions_restatements_and_empty_replies_are_not_statements():
    span = _passage("The curtain fell on Broadway's longest-running musical this week. It was Cats.")
    asked = "The curtain fell on Broadway's longest-running musical this week. What is the show called?"
    assert not verify.check("What is the show called?", span, asked)[0].verified
    restated = verify.check("The curtain fell on Broadway's longest-running musical this week.", span, asked)[0]
    assert not restated.verified and "question" in restated.reason
    assert not verify.check("No.", span, asked)[0].verified
    assert verify.check("Cats [1].", span, asked)[0].verified
