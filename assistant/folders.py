"""`assistant small-folders`: a dated news question set turned into questions asked over small undated
folders, drawn from one large index without building an index per folder.

A person drops a folder of articles in and asks without a date; the questions the engine learned
abstention from are dated news questions over a whole corpus, and the seeds' unanswerable ones are off
the topic altogether ("What is the capital of Australia?"). Here each question's folder is its gold and
silver articles plus the `distractors` articles retrieval ranks next for it (the hardest neighbours: the
same story from other outlets and weeks), and its date is dropped. `assistant eval --withhold-gold` then
asks it over the whole folder (answerable) and over the distractors alone (the articles don't say).

A neighbour is an article of at least `min_words` words: the development corpus also holds the quiz's own
one-line notes (749 `rtqa-ev-*` documents, 13-57 words for 90% of them), which retrieval often ranks next
and no person's folder holds. At 80 words, 744 of the 749 notes are left out and 112 of the 5,590 articles.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from tqdm import tqdm

from assistant.answer import Assistant, QuestionError
from assistant.evaluate import load_questions
from assistant.settings import Settings


MIN_WORDS = 80


def small_folders(settings: Settings, questions: Path, out: Path, distractors: int = 3,
                  progress: bool = True, min_words: int = MIN_WORDS) -> int:
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
        ranked_ids = dict.fromkeys(n.metadata["doc_id"] for n in ranked)
        long_enough = (d for d in ranked_ids if len(assistant.article(d).text.split()) >= min_words)
        nearest = list(itertools.islice(long_enough, distractors))
        rows.append({**{k: v for k, v in q.items() if k != "question_date"}, "id": f"{q['id']}-folder",
                     "type": "small_folder", "week": q.get("question_date"), "articles": sorted(relevant) + nearest})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)
