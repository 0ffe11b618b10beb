"""`assistant small-folders`: a dated news question set turned into questions asked over small undated
folders, drawn from one large index without building an index per folder.

A person drops a folder of articles in and asks without a date; the questions the engine learned
abstention from are dated news questions over a whole corpus, and the seeds' unanswerable ones are off
the topic altogether ("What is the capital of Australia?"). Here each question's folder is its gold and
silver articles plus the `distractors` articles retrieval ranks next for it (the hardest neighbours: the
same story from other outlets and weeks), and its date is dropped. `assistant eval --withhold-gold` then
asks it over the whole folder (answerable) and over the distractors alone (the articles don't say).
"""

from __future__ import annotations

import json
from pathlib import Path

from tqdm import tqdm

from assistant.answer import Assistant, QuestionError
from assistant.evaluate import load_questions
from assistant.settings import Settings


def small_folders(settings: Settings, questions: Path, out: Path, distractors: int = 3,
                  progress: bool = True) -> int:
    """Writes the folder questions (JSONL) to `out` and returns how many: each keeps its answers and
    gold ids, gains `articles` (its folder) and `week` (its date, only to keep it in its week's fold),
    and loses `question_date`. Questions without answers or gold articles are left out."""
    assistant = Assistant(settings)
    rows = []
    for q in tqdm(load_questions(questions)[0], desc="folders", unit=" questions", disable=not progress,
                  dynamic_ncols=True):
        relevant = frozenset(q.get("gold_doc_ids") or ()) | frozenset(q.get("silver_doc_ids") or ())
        if not q.get("answers") or not relevant:
            continue
        try:
            ranked = assistant.retrieve(q["question"], exclude=relevant)
        except QuestionError:
            continue
        nearest = list(dict.fromkeys(n.node.metadata["doc_id"] for n in ranked))[:distractors]
        rows.append({**{k: v for k, v in q.items() if k != "question_date"}, "id": f"{q['id']}-folder",
                     "type": "small_folder", "week": q.get("question_date"), "articles": sorted(relevant) + nearest})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)
