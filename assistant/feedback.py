"""Readers' thumbs up/down on answers, kept with the index (`Store.add_feedback`: JSONL beside the SQLite
file, a table in PostgreSQL, where every replica's ratings meet), and turned into evaluation questions:
a liked answer becomes a regression question (the same articles, the same quoted sentences), a liked
abstention an unanswerable one; a disliked answer needs a person to say what the right one is."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the chat hands answers in; reading feedback needs no model loaded
    from assistant.answer import Answer
    from assistant.store import Store


def record_feedback(store: Store, question: str, shown: str, liked: bool, answer: Answer | None = None) -> None:
    """`shown`: the answer as the reader saw it; `answer`: the same answer, when the chat still has it."""
    row = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "question": question, "answer": shown, "liked": bool(liked)}
    if answer is not None:
        row.update(abstained=answer.abstained, doc_ids=sorted({c.doc_id for c in answer.citations}),
                   quotes=[c.quote for c in answer.citations])
    store.add_feedback(row)


def read_feedback_file(path: Path) -> list[dict]:
    """Ratings saved as JSONL (an index's feedback.jsonl, or an export)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def feedback_questions(rows: list[dict]) -> list[dict]:
    """One question per distinct question asked, from its latest rating, in the evaluation's format."""
    latest = {}
    for row in rows:
        if "abstained" in row:  # ratings from before answers were recorded can't be scored
            latest[row["question"]] = row
    return [_question(i, row) for i, row in enumerate(latest.values(), 1)]


def _question(i: int, row: dict) -> dict:
    question = {"id": f"feedback-{i:04d}", "question": row["question"], "rated_at": row["at"]}
    if not row["liked"]:
        # What the right answer is, only a person can say: fill in `answers` and drop `needs_review`.
        return {**question, "type": "needs_review", "needs_review": True, "answers": [], "shown": row["answer"]}
    if row["abstained"]:
        return {**question, "type": "unanswerable", "answers": [], "gold_doc_ids": []}
    return {**question, "type": "liked", "answers": row["quotes"], "gold_doc_ids": row["doc_ids"]}
