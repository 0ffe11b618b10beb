"""`assistant eval`: run a fixed question set through the engine (and the plain LlamaIndex recipe), score
every answer, and write results.jsonl, summary.json, report.md and plots.

The engine sees only each question's text; gold fields stay here, in scoring. Each answer is kept as it
comes (`answers-SYSTEM.partial.jsonl` in the report folder), so an interrupted run (an LLM run takes an
hour) resumes where it stopped when run again with the same settings, index and questions.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tqdm import tqdm

from assistant import scoring
from assistant.answer import Assistant, QuestionError
from assistant.ingest import ingest
from assistant.settings import Settings
from assistant.store import Store

ENGINE = "engine"
# The same engine with an LLM writing the answer (`eval --llm URL`), each sentence checked: the answer as
# shown (the extractive one where the LLM's fails or doesn't check out; both readings where they differ),
# and the LLM's own reading alone (abstaining wherever it didn't give a checked answer).
ENGINE_LLM = "engine_llm"
LLM_READER = "engine_llm_reader"
HEADLINE = ("doc_hit@1", "doc_hit@{k}", "mrr@10", "recall@{k}", "gold_note_hit@5", "answer_in_citations",
            "answer_in_answer", "citation_precision", "cites_every_gold", "choice_accuracy",
            "closest_choice_accuracy", "short_answer_shown", "short_exact", "short_f1", "top_candidate_right",
            "confidence_ece", "quotes_exact", "false_abstention",
            "abstention_precision", "abstention_recall", "abstained_or_right", "abstention_recall_answer_absent",
            "answer_words_median", "answer_words_p90",
            "latency_total_p50_ms", "latency_total_p95_ms", "llm_answered", "sentences_verified",
            "sentences_dropped")


@dataclass
class EvalOptions:
    questions: Path
    corpus: list[Path]
    out: Path
    k: int = 5
    limit: int | None = None
    baseline: bool = False
    progress: bool = True
    # A `train-reader --out` folder: each question is answered by the reader model of the fold that held
    # its week out (out-of-fold numbers); the questions are those folds' questions.
    folds: Path | None = None
    # Also ask every answerable question with its gold and silver articles withheld from retrieval: an
    # answer then is wrong, and `engine_gold_withheld`'s abstention_recall says how often it abstained.
    withhold_gold: bool = False
    # Only the questions asked on or after the first day and before the second (either may be None): a
    # period held out from training (`train-reader --before`).
    period: tuple[date | None, date | None] = (None, None)


WITHHELD = "engine_gold_withheld"
# LLM mode asked the same way (`--llm` with `--withhold-gold`): how often it abstains where it should.
LLM_WITHHELD = "engine_llm_gold_withheld"


def load_questions(path: Path, limit: int | None = None) -> tuple[list[dict], int]:
    """Questions that can be scored, and how many were left out (their answer is in no document, a
    disliked answer's right answer awaits a person, or there is no question text)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    usable = [q for q in rows if q.get("answer_in_gold_or_silver", True) and not q.get("needs_review")
              and str(q.get("question") or "").strip()]
    return usable[:limit] if limit else usable, len(rows) - len(usable)


def evaluate(settings: Settings, options: EvalOptions) -> dict:
    if options.folds:
        questions, model_of = _fold_questions(options.folds)
        skipped = 0
    else:
        (questions, skipped), model_of = load_questions(options.questions), {}
    questions = asked_within(questions, *options.period)
    questions = questions[: options.limit] if options.limit else questions
    store = Store(settings, writable=True)
    if options.corpus:
        print(ingest(options.corpus, settings, store=store, progress=options.progress).summary())
    elif store.is_empty():
        print(ingest([settings.seeds_dir], settings, store=store, progress=options.progress).summary())
    assistant = Assistant(settings, store)
    by_model = {path: Assistant(settings.replace(reader_model=path), store) for path in set(model_of.values())}
    options.out.mkdir(parents=True, exist_ok=True)
    run = _run_key(settings, options, store)

    def _run(ask, questions: list[dict], progress: bool, name: str) -> list[dict]:
        return _answers(ask, questions, progress, name, options.out / PARTIAL.format(name), run)

    def _run_engine(ask, questions: list[dict], progress: bool, name: str = ENGINE) -> list[dict]:
        def answer(q: dict) -> dict:
            try:
                return ask(q).to_dict()
            except QuestionError as exc:
                return {"question": q["question"], "answer": str(exc), "abstained": True, "citations": [],
                        "passages": [], "timings_ms": {}}
        return _run(answer, questions, progress, name)

    def engine(q: dict, exclude: frozenset[str] = frozenset()):
        return by_model.get(model_of.get(q["id"]), assistant).ask(q["question"], asked_on(q), exclude=exclude,
                                                                  within=articles_of(q))

    systems = {ENGINE: _run_engine(engine, questions, options.progress)}
    withheld = [q for q in questions if q.get("answers") and (q.get("gold_doc_ids") or q.get("silver_doc_ids"))]
    # Scored as what they are now: questions the articles left to read can't answer. Some still can
    # (another outlet's story of the same week, the same quiz question asked in another week): the
    # gold answer is kept aside, to count answers that name it anyway (`abstained_or_right`).
    as_withheld = [{**q, "answers": [], "withheld_answers": q["answers"], "type": "gold withheld"} for q in withheld]
    if options.withhold_gold:
        systems[WITHHELD] = (_run_engine(lambda q: engine(q, _relevant(q)), withheld, options.progress, WITHHELD),
                             as_withheld)
    if settings.llm_url:
        from assistant.written import ask

        def written(q: dict, exclude: frozenset[str] = frozenset()):
            return ask(by_model.get(model_of.get(q["id"]), assistant), q["question"], asked_on=asked_on(q),
                       exclude=exclude, within=articles_of(q))

        systems[ENGINE_LLM] = _run_engine(written, questions, options.progress, ENGINE_LLM)
        systems[LLM_READER] = [_llm_reading(a) for a in systems[ENGINE_LLM]]
        if options.withhold_gold:
            systems[LLM_WITHHELD] = (_run_engine(lambda q: written(q, _relevant(q)), withheld, options.progress,
                                                 LLM_WITHHELD), as_withheld)
    if options.baseline:
        from assistant.baseline import Baseline, MODES

        baseline = Baseline(store, settings, options.progress)
        recipe = _run(lambda q: baseline.ask(q["question"]), questions, options.progress, "recipe")
        systems.update({f"recipe_{mode}": [answers[mode] for answers in recipe] for mode in MODES})
    results = {name: [_score(name, q, a, store, options.k)
                      for q, a in zip(*(runs[::-1] if isinstance(runs, tuple) else (questions, runs)))]
               for name, runs in systems.items()}
    for row in results[ENGINE]:
        if row["problem"]:
            print(f"question {row['id']}: {row['problem']}")
    summary = _summarize(results, options, store.counts()["articles"], skipped)
    _write(options.out, results, summary)
    for partial in options.out.glob(PARTIAL.format("*")):  # written whole: nothing left to resume
        partial.unlink()
    return summary


def _fold_questions(folder: Path) -> tuple[list[dict], dict[str, str]]:
    """The questions of every fold `train-reader` wrote, and for each the model of its fold."""
    questions, model_of = [], {}
    for path in sorted(folder.glob("fold-*-questions.jsonl")):
        model = str(path.with_name(path.name.replace("-questions.jsonl", ".json")))
        for q in load_questions(path)[0]:
            questions.append(q)
            model_of[q["id"]] = model
    if not questions:
        raise FileNotFoundError(f"no fold-*-questions.jsonl in {folder}; run `assistant train-reader --out {folder}` first")
    return questions, model_of


def _relevant(question: dict) -> frozenset[str]:
    return frozenset(question.get("gold_doc_ids") or []) | frozenset(question.get("silver_doc_ids") or [])


PARTIAL = "answers-{}.partial.jsonl"
# Settings that change no answer: where a server listens (an embedded GGUF runner gets a new port each run).
_NOT_IN_RUN_KEY = {"host", "port", "login", "login_file", "llm_api_key", "llm_api_key_file"}


def _run_key(settings: Settings, options: EvalOptions, store: Store) -> str:
    """What the answers depend on: the settings, the question set and what the index holds."""
    kept = {k: str(v) for k, v in dataclasses.asdict(settings).items() if k not in _NOT_IN_RUN_KEY
            and not (k == "llm_url" and settings.llm_gguf)}
    what = {"settings": kept, "questions": str(options.folds or options.questions), "limit": options.limit,
            "period": [str(day) for day in options.period],
            "index": store.counts()}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


def _answers(ask, questions: list[dict], progress: bool, name: str, partial: Path, run: str) -> list[dict]:
    """`ask(question_dict)`: the system's answer as JSON (`Answer.to_dict()`, or the recipe's one per mode);
    the engine sees only the question's text and date. Each answer goes to `partial` as it comes; those there
    from an interrupted run of the same `run` are kept."""
    done = _resumed(partial, run)
    if done:
        print(f"{name}: resuming, {sum((q['id'], q['question']) in done for q in questions)} of {len(questions)} "
              f"answers kept from {partial}")
    # Written afresh (a line cut off when the run was killed would run into the next one).
    partial.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in
                               [{"run": run}, *({"id": i, "question": t, "answer": a} for (i, t), a in done.items())]),
                       encoding="utf-8")
    answers = []
    with open(partial, "a", encoding="utf-8") as handle:
        for q in tqdm(questions, desc=name, unit=" questions", disable=not progress):
            if (q["id"], q["question"]) in done:
                answers.append(done[q["id"], q["question"]])
                continue
            answer = ask(q)
            answers.append(answer)
            handle.write(json.dumps({"id": q["id"], "question": q["question"], "answer": answer},
                                    ensure_ascii=False) + "\n")
            handle.flush()
    return answers


def _resumed(partial: Path, run: str) -> dict[tuple[str, str], dict]:
    """The answers an interrupted run of `run` kept, by (id, question); none from another run's file."""
    if not partial.exists():
        return {}
    rows = []
    for line in partial.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:  # cut off when the run was killed: the lines before it stand
            break
    if not rows or not isinstance(rows[0], dict) or rows[0].get("run") != run:
        return {}
    return {(r["id"], r["question"]): r["answer"] for r in rows[1:]}


def _llm_reading(answer: dict) -> dict:
    """The LLM's own checked answer, without the extractive reading beside it; an abstention where the
    extractive answer stood in for it."""
    if answer.get("mode") != "llm":
        return {**answer, "answer": "", "abstained": True, "citations": [], "short_answer": None}
    if answer.get("alternative_answer"):  # its last line names the extractive reading
        return {**answer, "answer": answer["answer"].rsplit("\n", 1)[0]}
    return answer


def articles_of(question: dict) -> frozenset[str]:
    """The articles a question is asked over (its "articles": ids), as if they were the whole folder: a small
    folder's questions drawn from a large index without building an index per folder. Empty: every article."""
    return frozenset(question.get("articles") or ())


def asked_within(questions: list[dict], since: date | None, before: date | None) -> list[dict]:
    """The questions asked on or after `since` and before `before`; those without a date belong to no
    period and stay (the seeds' beside the news)."""
    return [q for q in questions
            if (day := asked_on(q)) is None or ((since is None or day >= since) and (before is None or day < before))]


def asked_on(question: dict) -> date | None:
    """The question's own date ("2023/04/07"), which the engine may see: the quiz was asked that week."""
    raw = str(question.get("question_date") or "").replace("/", "-")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _score(system: str, question: dict, answer: dict, store: Store, k: int) -> dict:
    relevant = set(_relevant(question))
    answerable = bool(question.get("answers"))
    docs = scoring.ranked_docs(answer["passages"])
    metrics = {"abstained": float(answer["abstained"])}
    problem = ""
    if answerable:
        if relevant:
            metrics.update(scoring.retrieval_metrics(docs, relevant, set(question.get("gold_doc_ids") or []), k))
        else:
            problem = "answerable but names no gold or silver documents: its retrieval is not scored; add gold_doc_ids"
        metrics.update(scoring.answer_metrics(question, answer["answer"], answer["citations"],
                                              answer["abstained"], relevant))
        metrics.update(scoring.short_answer_metrics(question, answer.get("short_answer"), answer.get("candidates") or []))
    elif question.get("withheld_answers"):
        # Whether an article read still names the withheld answer somewhere (word boundaries; a short answer
        # such as "Four" may be named by chance). Where none does, the articles surely can't answer, and
        # only an abstention is right: `abstention_recall_answer_absent`. Passages listed but not read
        # (related reading) don't count.
        read = scoring.ranked_docs([p for p in answer["passages"] if p.get("read", True)])
        metrics["answer_in_read_articles"] = float(any(scoring.names_any(_article_words(store, d), question["withheld_answers"])
                                                       for d in read))
        if not answer["abstained"]:
            said = scoring.without_markers(answer["answer"])
            metrics["right_anyway"] = float(scoring.choice_correct(said, question["withheld_answers"], question["choices"])
                                            if question.get("choices") else
                                            scoring.names_any(said, question["withheld_answers"]))
    written = answer.get("sentences") or []
    if answer.get("mode") == "llm" or system in (ENGINE_LLM, LLM_READER, LLM_WITHHELD):
        metrics["llm_answered"] = float(answer.get("mode") == "llm")
    if written:
        metrics["sentences_verified"] = sum(s["verified"] for s in written) / len(written)
        metrics["sentences_dropped"] = 1.0 - metrics["sentences_verified"]
    if answer["citations"]:
        metrics["quotes_exact"] = sum(_quote_exact(store, c) for c in answer["citations"]) / len(answer["citations"])
    return {"id": question.get("id"), "type": question.get("type", "untyped"), "question": question["question"],
            "answerable": answerable, "retrieved": docs[:10], "answer": answer["answer"],
            "abstained": answer["abstained"], "evidence": answer.get("evidence", {}), "citations": answer["citations"],
            "notice": answer.get("notice", ""), "sentences": answer.get("sentences", []),
            "short_answer": answer.get("short_answer"), "confidence": answer.get("confidence"),
            "candidates": answer.get("candidates", []), "problem": problem, "metrics": metrics,
            "timings_ms": answer.get("timings_ms", {})}


def _article_words(store: Store, doc_id: str) -> str:
    article = store.article(doc_id)
    return f"{article.title}\n{article.text}" if article else ""


def _quote_exact(store: Store, citation: dict) -> bool:
    article = store.article(citation["doc_id"])
    return article is not None and article.text[citation["start"]:citation["end"]] == citation["quote"]


def _aggregate(rows: list[dict], k: int) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    names = {m for r in answerable for m in r["metrics"]} - {"abstained", "answer_words"}
    out = {name: scoring.mean([r["metrics"][name] for r in answerable if name in r["metrics"]]) for name in names}
    quotes = [r["metrics"]["quotes_exact"] for r in rows if "quotes_exact" in r["metrics"]]
    out["quotes_exact"] = scoring.mean(quotes)
    rated = [r for r in answerable if r.get("candidates") and "top_candidate_right" in r["metrics"]]
    out["confidence_ece"] = scoring.expected_calibration_error([r["candidates"][0]["probability"] for r in rated],
                                                               [r["metrics"]["top_candidate_right"] for r in rated])
    out["incomplete_questions"] = sum(bool(r.get("problem")) for r in rows)
    out["false_abstention"] = scoring.mean([float(r["abstained"]) for r in answerable])
    out.update(_abstention(rows))
    words = [r["metrics"]["answer_words"] for r in answerable if not r["abstained"]]
    out["answer_words_median"], out["answer_words_p90"] = scoring.median(words), scoring.percentile(words, 90)
    for stage in sorted({s for r in rows for s in r["timings_ms"]}):
        values = [r["timings_ms"][stage] for r in rows if stage in r["timings_ms"]]
        name = stage.removesuffix("_ms")
        out[f"latency_{name}_p50_ms"] = scoring.percentile(values, 50)
        out[f"latency_{name}_p95_ms"] = scoring.percentile(values, 95)
    out["questions"], out["answerable"] = len(rows), len(answerable)
    return out


def _abstention(rows: list[dict]) -> dict:
    abstained = [r for r in rows if r["abstained"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    if not unanswerable:
        return {}
    right = sum(not r["answerable"] for r in abstained)
    anyway = sum(r["metrics"].get("right_anyway", 0.0) for r in unanswerable)
    absent = [r for r in unanswerable if r["metrics"].get("answer_in_read_articles") == 0.0]
    return {"abstention_precision": round(right / len(abstained), 4) if abstained else None,
            "abstention_recall": round(right / len(unanswerable), 4),
            # Abstained, or answered right from articles that weren't withheld (see WITHHELD above).
            "abstained_or_right": round((right + anyway) / len(unanswerable), 4),
            # Abstained where no article read names the withheld answer at all (`_score`).
            **({"abstention_recall_answer_absent": round(sum(r["abstained"] for r in absent) / len(absent), 4),
                "answer_absent": len(absent)} if absent else {})}


def _summarize(results: dict[str, list[dict]], options: EvalOptions, articles: int, skipped: int) -> dict:
    systems = {}
    for name, rows in results.items():
        by_type = {}
        for kind in sorted({r["type"] for r in rows}):
            by_type[kind] = _aggregate([r for r in rows if r["type"] == kind], options.k)
        systems[name] = {"overall": _aggregate(rows, options.k), "by_type": by_type}
    summary = {"questions_file": str(options.questions), "corpus": [str(c) for c in options.corpus],
               "articles_indexed": articles, "questions": len(results[ENGINE]), "questions_skipped": skipped,
               "k": options.k, "headline": [h.format(k=options.k) for h in HEADLINE], "systems": systems}
    summary["difference"] = {
        other: {m: _diff(systems[ENGINE]["overall"].get(m), systems[other]["overall"].get(m))
                for m in summary["headline"]}
        for other in systems if other != ENGINE}
    return summary


def _diff(a, b):
    return round(a - b, 4) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None


def _write(out: Path, results: dict[str, list[dict]], summary: dict) -> None:
    from assistant.report import write_plots, write_report

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.jsonl", "w", encoding="utf-8") as handle:
        for system, rows in results.items():
            for row in rows:
                handle.write(json.dumps({"system": system, **row}, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    write_plots(out, results, summary)
    write_report(out, results, summary)
