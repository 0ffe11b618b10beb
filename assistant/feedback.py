"""Readers' thumbs up/down on answers, kept as JSONL beside the index, and turned into evaluation questions:
a liked answer becomes a regression question (the same articles, the same quoted sentences), a liked
abstention an unanswerable one; a disliked answer needs a person to say what the right one is."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import Settings

if TYPE_CHECKING:  # the chat hands answers in; reading feedback needs no model loaded
    from assistant.answer import Answer

_lock = threading.Lock()


def feedback_path(settings: Settings) -> Path:
    return settings.index_dir / "feedback.jsonl"


def record_feedback(settings: Settings, question: str, shown: str, liked: bool, answer: Answer | None = None) -> None:
    """`shown`: the answer as the reader saw it; `answer`: the same answer, when the chat still has it."""
    row = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "question": question, "answer": shown, "liked": bool(liked)}
    if answer is not None:
        row.update(abstained=answer.abstained, doc_ids=sorted({c.doc_id for c in answer.citations}),
                   quotes=[c.quote for c in answer.citations])
    path = feedback_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def feedback_questions(path: Path) -> list[dict]:
    """One question per distinct question asked, from its latest rating, in the evaluation's format."""
    latest = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line) if line.strip() else None
            if row and "abstained" in row:  # ratings from before answers were recorded can't be scored
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
