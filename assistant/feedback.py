"""Readers' thumbs up/down on answers, kept as JSONL beside the index: a record of where the assistant
helped or failed, for turning into evaluation questions."""

from __future__ import annotations

import json
import threading
import time

from assistant.settings import Settings

_lock = threading.Lock()


def record_feedback(settings: Settings, question: str, answer: str, liked: bool) -> None:
    row = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "question": question, "answer": answer, "liked": bool(liked)}
    path = settings.index_dir / "feedback.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
