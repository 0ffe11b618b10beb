"""`assistant train-reader`: learn the reader's three small models from question sets, reproducibly.

1. First the sentences: every question with answers goes through retrieval, and each distinct sentence
   read is a row, labelled by whether it names an accepted answer (whole words). A conditional logit
   (softmax over each question's sentences) learns which sentence answers; it replaces the hand-set
   support that chose the sentences read and quoted. One such model is fitted per fold, without that
   fold's weeks, and chooses the sentences of that fold's questions below (cross-fitting: the models
   downstream learn from sentences chosen as they will be for a new question).
2. Then every question goes through retrieval and the reader twice: as asked, and with its gold and
   silver articles withheld from retrieval (an answer then is a wrong answer: the realistic unanswerable
   question). Questions without answers (the seeds' unanswerable ones) go through once. The engine sees
   only the question's text; gold fields only label and withhold.
3. Two linear models over standardised features:
   - candidates: which of a question's candidates is the answer (token F1 ≥ `MATCH_F1` against an
     accepted answer)? A conditional logit (softmax over each question's candidates, fitted by L-BFGS):
     candidates compete within their question, which picks the answer more often than scoring each
     alone (out-of-fold on the development set, best candidate right: 0.434 → 0.456 with the same features).
   - answerable: do the passages answer the question at all (asked: yes; withheld or unanswerable: no)?
     A logistic regression (scikit-learn); its inputs include the candidate model's best probability.
4. Cross-validation grouped by week (`question_date`; a question without one is its own group): a
   week's questions, asked and withheld, are all in the same fold, so a story never helps predict itself.
   Every threshold is chosen on the training weeks; the held-out weeks' numbers are the out-of-fold report.
5. The models fitted on every question are written as one JSON file (`reader.MODEL_FILE` by default),
   with the out-of-fold report inside; `--out` gets report.md, the reliability diagrams, the precision/
   recall curve of abstention, the rows read (`--rows` refits from them), and each fold's model and
   questions for `assistant eval --folds`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant import reader, scoring
from assistant.answer import RULED_OUT, Assistant, QuestionError
from assistant.evaluate import articles_of, asked_on, asked_within, load_questions
from assistant.settings import Settings

FOLDS = 5
# A candidate is the answer when its words and an accepted answer's overlap this much (token F1):
# "Zakaria" for "Fareed Zakaria" (0.67) counts.
MATCH_F1 = 0.5
# The short answer leads the answer only where, on the training weeks, shown short answers were right
# at least this often: a wrong name in bold misleads more than the quoted sentences alone, and when it
# leads, its sentence is quoted first instead of the one most likely to answer. Chosen out-of-fold on the
# April–June slice (`assistant eval --folds`, `runs/eval-oof-tk10`, `-sa60`, `-sa70`, `-sa80`): choice
# accuracy 0.587 / 0.599 / 0.614 / 0.606 with 0.5 / 0.6 / 0.7 / 0.8, short answers shown on 0.72 / 0.53
# / 0.39 / 0.23 of the questions, exactly right on 0.28 / 0.26 / 0.23 / 0.16 of them.
SHORT_ANSWER_PRECISION = 0.7
# The assistant abstains below the probability at which, on the training weeks, this share of the
# questions asked with their articles available would be abstained on (the ceiling: 0.10).
FALSE_ABSTENTION = 0.10
CALIBRATION_BINS = 10
SENTENCE_ROWS = "sentence_rows.jsonl"


@dataclass
class TrainOptions:
    questions: list[Path]
    out: Path
    model: Path = reader.MODEL_FILE
    limit: int | None = None
    progress: bool = True
    rows: Path | None = None
    # A question set's own index (by its path), where it is not the settings' one: a small folder's
    # questions are read against that folder alone, as they will be asked.
    indexes: dict[Path, Path] = field(default_factory=dict)
    # Question sets that only choose the abstention threshold of their kind of question (dated or not),
    # never fitted: small undated folders (`assistant small-folders`). Fitted on, they moved the
    # threshold and nothing else (see `docs/reading-log.md`, *Small undated folders*).
    calibrate: list[Path] = field(default_factory=list)
    # Only the questions asked on or after the first day and before the second (`evaluate.asked_within`):
    # the weeks after stay held out (`assistant eval --since`).
    period: tuple[date | None, date | None] = (None, None)


def _week(question: dict) -> str:
    """The question's fold group: its week (`week`, for a question asked without its date but drawn from
    a dated one, else its date); a question without either (the seeds) is a group of its own."""
    return str(question.get("week") or question.get("question_date") or f"id:{question['id']}")


def week_folds(questions: list[dict]) -> dict[str, int]:
    """Each week's fold: the same split for the sentence model and the candidate and answerable models."""
    from sklearn.model_selection import GroupKFold

    weeks = [_week(q) for q in questions]
    folds = GroupKFold(n_splits=min(FOLDS, len(set(weeks)))).split(questions, groups=weeks)
    return {weeks[i]: fold for fold, (_, test) in enumerate(folds) for i in test}


def collect_sentences(assistants: dict[str, Assistant], questions: list[dict], progress: bool = True) -> list[dict]:
    """Rows for the sentence model: per question with answers, asked as is, each distinct sentence read
    (its `reader.SENTENCE_FEATURES`), labelled by whether it names an accepted answer (whole words).
    `assistants`: by index folder, the assistant that reads the questions of that index ("_index")."""
    rows = []
    for q in tqdm(questions, desc="sentences", unit=" questions", disable=not progress, dynamic_ncols=True):
        answers = q.get("answers") or []
        if not answers:
            continue
        try:
            answer = assistants[q["_index"]].read_for_training(q["question"], asked_on(q), within=articles_of(q))
        except QuestionError:
            continue
        if answer is None:  # a question about an article itself, which the reader never answers
            continue
        rows.append({"id": q["id"], "set": q["_set"], "week": _week(q),
                     "features": [s["features"] for s in answer.sentences_read],
                     "hand_support": [s["support"] for s in answer.sentences_read],
                     "labels": [int(scoring.names_any(s["text"], answers)) for s in answer.sentences_read]})
    return rows


def sentence_model(rows: list[dict]) -> dict:
    """Which of a question's sentences names the answer: a conditional logit over its sentences, each
    question set weighing the same (out-of-fold on the development set and the seeds, the sentence leading
    the answer named it for 0.698 of the news questions against 0.581 with the hand-set support, and 0.731
    of the seeds against 0.769; weighing each question alike, 0.694 and 0.654)."""
    weight = _set_weights(rows)
    return {"features": list(reader.SENTENCE_FEATURES),
            **_conditional_logit([(r["features"], r["labels"], weight[r["set"]]) for r in rows])}


def collect(assistants: dict[str, Assistant], questions: list[dict], sentence_models: dict[str, dict],
            progress: bool = True) -> list[dict]:
    """Rows of features and labels: one per question asked, one per question with its articles withheld.
    Each question dict carries "_set", the question set it came from; `sentence_models`: per week, the
    sentence model that chooses its sentences (one fitted without that week's questions)."""
    rows = []
    for q in tqdm(questions, desc="read", unit=" questions", disable=not progress, dynamic_ncols=True):
        answers = q.get("answers") or []
        withheld = frozenset(q.get("gold_doc_ids") or []) | frozenset(q.get("silver_doc_ids") or [])
        versions = [("asked", frozenset())] + ([("withheld", withheld)] if answers and withheld else [])
        week = _week(q)
        for version, exclude in versions:
            try:
                answer = assistants[q["_index"]].read_for_training(q["question"], asked_on(q), exclude,
                                                                   sentence_models.get(week), articles_of(q))
            except QuestionError:
                continue
            if answer is None:  # a question about an article itself, which the reader never answers
                continue
            rows.append({"id": q["id"], "set": q["_set"], "fit": q["_fit"], "week": week, "version": version,
                         "answerable": int(version == "asked" and bool(answers)),
                         "features": [[c["features"][f] for f in reader.FEATURES] for c in answer.candidates],
                         "labels": [int(any(scoring.token_f1(c["text"], a) >= MATCH_F1 for a in answers))
                                    for c in answer.candidates],
                         "texts": [c["text"] for c in answer.candidates],
                         "answerable_features": answer.evidence["answerable_features"],
                         # abstained on whatever the confidence (`answer.RULED_OUT`)
                         "ruled_out": any(answer.evidence.get(k) for k in RULED_OUT)})
    return rows


def fit(rows: list[dict], inner_folds: bool = True) -> dict:
    """Both models fitted on `rows`, with their thresholds, as the JSON the reader loads. Each question
    set weighs the same in both: the seeds' 52 questions on 2 articles would otherwise count for little
    beside hundreds of news questions, and the models would not hold on a small folder of articles.
    The thresholds are chosen on predictions for weeks the predicting models didn't see (`inner_folds`:
    a cross-validation inside `rows`): a model's probabilities on its own training questions run high,
    and an abstention threshold set on them abstained on 0.16–0.18 of new answerable questions where it
    was set for 0.10 (the April–June model on July–December)."""
    model = _fit_models(_fitted(rows))
    weeks = {r["week"] for r in rows}
    held = _inner_predictions(rows) if inner_folds and len(weeks) >= FOLDS else _predictions(rows, model)
    model["short_answer_from"] = _lowest_with_precision([(p, right) for r, (p, right, _) in zip(rows, held)
                                                         if r["version"] == "asked" and r.get("fit", True)])
    # At most FALSE_ABSTENTION of each set's answerable questions: sets differ (a small folder's questions
    # are far more clearly answerable than news questions), and one share over both let the news questions
    # be abstained on twice as often (0.21 of the July–December ones, with the seeds read alone). A
    # threshold for each kind of question, dated or not, from the sets of that kind: the dated news set
    # alone had said where folders abstain, and they were abstained on at 0.017 false abstention, not 0.10.
    # The questions `mentions` abstains on whatever their confidence are not left out: counted within the
    # share, the thresholds fell and, out-of-fold on April–June, withheld questions abstained on fell
    # 0.732 → 0.712 for false abstention 0.104 → 0.097 (`runs/eval-oof-um1`): the same curve, a step down.
    below = {dated: min(_weighted_quantile([(a, 1.0) for r, (_, _, a) in zip(rows, held)
                                            if r["answerable"] and r["set"] == name], FALSE_ABSTENTION)
                        for name in names)
             for dated in (True, False)
             if (names := {r["set"] for r in rows if r["answerable"] and bool(r["answerable_features"]["dated"]) == dated})}
    model["answerable"]["below"] = below.get(True, below.get(False))
    model["answerable"]["below_undated"] = below.get(False, below.get(True))
    return model


def _fitted(rows: list[dict]) -> list[dict]:
    """The rows the models learn from: not the calibration sets' (`TrainOptions.calibrate`)."""
    return [r for r in rows if r.get("fit", True)]


def _fit_models(rows: list[dict]) -> dict:
    weight = _set_weights(rows)
    model = {"version": reader.MODEL_VERSION, "features": list(reader.FEATURES),
             **_conditional_logit([(r["features"], r["labels"], weight[r["set"]]) for r in rows])}
    model["calibration"] = _calibration([_top(r, model) for r in rows if r["version"] == "asked" and r["features"]])
    answerable = _logistic(_answerable_inputs(rows, model), [r["answerable"] for r in rows],
                           [weight[r["set"]] for r in rows])
    model["answerable"] = {"features": list(reader.ANSWERABLE_FEATURES), **answerable}
    return model


def _predictions(rows: list[dict], model: dict) -> list[tuple[float, int, float]]:
    """Per row: its best candidate's probability, whether that candidate is right, and P(answerable)."""
    answerable = reader.logistic(_answerable_inputs(rows, model), model["answerable"]).tolist()
    return [(*_top(r, model), a) for r, a in zip(rows, answerable)]


def _inner_predictions(rows: list[dict]) -> list[tuple[float, int, float]]:
    """`_predictions` for every row by models fitted without its week."""
    from sklearn.model_selection import GroupKFold

    held: list = [None] * len(rows)
    for train, test in GroupKFold(n_splits=FOLDS).split(rows, groups=[r["week"] for r in rows]):
        model = _fit_models(_fitted([rows[i] for i in train]))
        for i, prediction in zip(test, _predictions([rows[i] for i in test], model)):
            held[i] = prediction
    return held


def _weighted_quantile(values: list[tuple[float, float]], share: float) -> float:
    """The value below which `share` of the (value, weight) pairs' weight lies."""
    total, seen = sum(w for _, w in values), 0.0
    for value, w in sorted(values):
        seen += w
        if seen > share * total:
            return round(float(value), 4)
    return 0.0


def _set_weights(rows: list[dict]) -> dict[str, float]:
    """A weight per question set that makes each set's rows add up to the same total."""
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r["set"]] = sizes.get(r["set"], 0) + 1
    return {name: len(rows) / (len(sizes) * size) for name, size in sizes.items()}


def _logistic(x: list[list[float]], y: list[int], weights: list[float]) -> dict:
    from sklearn.linear_model import LogisticRegression

    x, y, w = np.array(x, dtype=float), np.array(y), np.array(weights, dtype=float)
    mean, scale = np.average(x, axis=0, weights=w), np.sqrt(np.cov(x, rowvar=False, aweights=w).diagonal())
    scale[~(scale > 0)] = 1.0
    fitted = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y, sample_weight=w)
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": fitted.coef_[0].tolist(),
            "intercept": float(fitted.intercept_[0])}


def _conditional_logit(questions: list[tuple[list, list, float]], l2: float = 1.0) -> dict:
    """Weights w maximising Σ weight · log softmax(x·w)[answer] over the questions whose answer is among
    their candidates (`questions`: (candidate features, labels, weight)), with an L2 penalty as
    scikit-learn's default C=1 has; several right candidates ("Zakaria", "Fareed Zakaria") share the target."""
    from scipy.optimize import minimize

    usable = [(np.array(x, dtype=float), np.array(y, dtype=float), w) for x, y, w in questions if any(y)]
    every = np.vstack([x for x, _, _ in usable])
    mean, scale = every.mean(axis=0), every.std(axis=0)
    scale[~(scale > 0)] = 1.0
    usable = [((x - mean) / scale, y / y.sum(), w) for x, y, w in usable]

    def loss(coef):
        total, gradient = l2 * coef @ coef / 2, l2 * coef
        for x, target, w in usable:
            scores = x @ coef
            p = np.exp(scores - scores.max())
            p /= p.sum()
            total -= w * target @ np.log(p + 1e-12)
            gradient = gradient - w * x.T @ (target - p)
        return total, gradient

    coef = minimize(loss, np.zeros(every.shape[1]), jac=True, method="L-BFGS-B").x
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": coef.tolist()}


def _answerable_inputs(rows: list[dict], model: dict) -> list[list[float]]:
    """Each row's answerable features, what they say of its best candidate under `model` filled in."""
    return [[{**r["answerable_features"], **_best_candidate(r, model)}[f] for f in reader.ANSWERABLE_FEATURES]
            for r in rows]


def _best_candidate(row: dict, model: dict) -> dict:
    """`reader.best_candidate_evidence` of the row's most probable candidate under `model`."""
    if not row["features"]:
        return reader.best_candidate_evidence(0.0, None)
    p = reader.candidate_probabilities(row["features"], model)
    best = int(np.argmax(p))
    return reader.best_candidate_evidence(float(p[best]), dict(zip(reader.FEATURES, row["features"][best])))


def _calibration(tops: list[tuple[float, int]]) -> list[float]:
    """Platt scaling of the best candidate's probability against whether it is right: (a, b) in
    sigmoid(a · logit(p) + b)."""
    from sklearn.linear_model import LogisticRegression

    if len({right for _, right in tops}) < 2:
        return [1.0, 0.0]
    p = np.clip(np.array([p for p, _ in tops]), 1e-6, 1 - 1e-6)
    fitted = LogisticRegression(C=1e6).fit(np.log(p / (1 - p)).reshape(-1, 1), [right for _, right in tops])
    return [float(fitted.coef_[0][0]), float(fitted.intercept_[0])]


def _top(row: dict, model: dict) -> tuple[float, int]:
    """(probability, right) of the row's most probable candidate; (0, 0) when it has none."""
    if not row["features"]:
        return 0.0, 0
    p = reader.candidate_probabilities(row["features"], model)
    best = int(np.argmax(p))
    return float(p[best]), row["labels"][best]


def _lowest_with_precision(tops: list[tuple[float, int]]) -> float:
    """The lowest probability from which shown short answers are right `SHORT_ANSWER_PRECISION` of the time."""
    best, right = 1.01, 0
    for i, (p, correct) in enumerate(sorted(tops, reverse=True), 1):
        right += correct
        if right / i >= SHORT_ANSWER_PRECISION:
            best = p
    return round(best, 4)


def cross_validate(rows: list[dict], fold_of: dict[str, int], sentence_models: list[dict]) -> dict:
    """Out-of-fold numbers (folds by week: `fold_of`), each row's held-out predictions, and the fold
    models (each with `sentence_models`' one for its fold)."""
    weeks = [r["week"] for r in rows]
    splits = [([i for i, w in enumerate(weeks) if fold_of[w] != fold], [i for i, w in enumerate(weeks) if fold_of[w] == fold])
              for fold in sorted(set(fold_of.values()))]
    folds, held_out, models = [], [None] * len(rows), []
    for fold, (train, test) in enumerate(splits):
        model = {**fit([rows[i] for i in train]), "sentences": sentence_models[fold]}
        models.append(model)
        answerable = reader.logistic(_answerable_inputs([rows[i] for i in test], model), model["answerable"])
        for i, p_answerable in zip(test, answerable):
            p, right = _top(rows[i], model)
            held_out[i] = {"version": rows[i]["version"], "answerable": rows[i]["answerable"],
                           "probability": p, "right": right, "reachable": int(any(rows[i]["labels"])),
                           "has_candidates": bool(rows[i]["features"]), "shown": bool(p >= model["short_answer_from"]),
                           "p_answerable": float(p_answerable),
                           # rows collected before 2026-12-04 say "unmentioned", the only rule then
                           "abstained": bool(rows[i].get("ruled_out", rows[i].get("unmentioned"))) or bool(
                               p_answerable < reader.abstention_threshold(rows[i]["answerable_features"], model))}
        folds.append({"fold": fold, "weeks": len({weeks[i] for i in test}), **_summary([held_out[i] for i in test])})
    return {"folds": folds, "overall": _summary(held_out), "held_out": held_out, "models": models}


def _sentences_out_of_fold(rows: list[dict], fold_of: dict[str, int], models: list[dict]) -> dict:
    """How often the best sentence (and one of the best two) names the answer, by the sentence model of the
    fold that held the question's week out, and by the hand-set support it replaced; over the questions
    where some sentence read names it."""
    found = [r for r in rows if any(r["labels"])]
    if not found:
        return {}

    def names(scores, labels, k):
        return float(any(labels[i] for i in np.argsort(-np.array(scores), kind="stable")[:k]))

    learned = [reader.conditional_logit(r["features"], models[fold_of[r["week"]]]) for r in found]
    mean = lambda values: round(float(np.mean(values)), 4)  # noqa: E731
    return {"questions": len(found),
            "best_names_answer": mean([names(p, r["labels"], 1) for p, r in zip(learned, found)]),
            "best_two_name_answer": mean([names(p, r["labels"], 2) for p, r in zip(learned, found)]),
            "hand_set_best_names_answer": mean([names(r["hand_support"], r["labels"], 1) for r in found]),
            "hand_set_best_two_name_answer": mean([names(r["hand_support"], r["labels"], 2) for r in found])}


def _summary(held_out: list[dict]) -> dict:
    asked = [h for h in held_out if h["version"] == "asked" and h["answerable"]]
    things = [h for h in asked if h["has_candidates"]]
    shown = [h for h in things if h["shown"]]
    withheld = [h for h in held_out if not h["answerable"]]
    abstained = [h for h in held_out if h["abstained"]]
    ratio = lambda part, whole: round(len(part) / len(whole), 4) if whole else None  # noqa: E731
    return {"asked": len(asked), "not_answerable": len(withheld),
            "top_candidate_right": ratio([h for h in things if h["right"]], things),
            "answer_among_candidates": ratio([h for h in things if h["reachable"]], things),
            "short_answer_shown": ratio(shown, things),
            "short_answer_precision": ratio([h for h in shown if h["right"]], shown),
            "candidate_ece": scoring.expected_calibration_error([h["probability"] for h in things],
                                                                [h["right"] for h in things], CALIBRATION_BINS),
            "abstained_when_not_answerable": ratio([h for h in withheld if h["abstained"]], withheld),
            "false_abstention": ratio([h for h in asked if h["abstained"]], asked),
            "abstention_precision": ratio([h for h in abstained if not h["answerable"]], abstained),
            "answerable_ece": scoring.expected_calibration_error([h["p_answerable"] for h in held_out],
                                                                 [h["answerable"] for h in held_out], CALIBRATION_BINS)}


def train(settings: Settings, options: TrainOptions) -> dict:
    questions = [{**q, "_set": str(path), "_index": str(options.indexes.get(path, settings.index_dir)),
                  "_fit": path not in options.calibrate}
                 for path in [*options.questions, *options.calibrate]
                 for q in asked_within(load_questions(path)[0], *options.period)]
    questions = questions[: options.limit] if options.limit else questions
    fold_of = week_folds(questions)
    if options.rows:  # an earlier run's rows.jsonl (and sentence_rows.jsonl): refit without reading again
        rows, sentence_rows = (_read_rows(options.rows), _read_rows(options.rows.with_name(SENTENCE_ROWS)))
    else:
        assistants = {index: Assistant(settings.replace(index_dir=Path(index))) for index in {q["_index"] for q in questions}}
        sentence_rows = collect_sentences(assistants, [q for q in questions if q["_fit"]], options.progress)
    # Cross-fitted: each week's sentences are chosen, for the candidate rows, by a sentence model that
    # never saw that week, as they will be for a new question.
    sentence_models = [sentence_model([r for r in sentence_rows if fold_of[r["week"]] != fold])
                       for fold in sorted(set(fold_of.values()))]
    if not options.rows:
        rows = collect(assistants, questions, {w: sentence_models[f] for w, f in fold_of.items()}, options.progress)
    report = cross_validate(rows, fold_of, sentence_models)
    report["sentences"] = _sentences_out_of_fold(sentence_rows, fold_of, sentence_models)
    model = {**fit(rows), "sentences": sentence_model(sentence_rows)}
    model["trained_on"] = {"questions": [str(p) for p in options.questions],
                           "asked": {"since": str(options.period[0] or ""), "before": str(options.period[1] or "")},
                           "calibrated_on": [str(p) for p in options.calibrate], "rows": len(_fitted(rows)),
                           "candidates": sum(len(r["labels"]) for r in _fitted(rows)), "trained": date.today().isoformat(),
                           "out_of_fold": report["overall"], "folds": report["folds"],
                           "sentences_out_of_fold": report["sentences"]}
    options.out.mkdir(parents=True, exist_ok=True)
    options.model.parent.mkdir(parents=True, exist_ok=True)
    options.model.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    _write_folds(options.out, report["models"], questions, fold_of)
    (options.out / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (options.out / SENTENCE_ROWS).write_text("".join(json.dumps(r) + "\n" for r in sentence_rows), encoding="utf-8")
    (options.out / "held_out.jsonl").write_text("".join(json.dumps({"id": r["id"], "set": r["set"], **h}) + "\n"
                                                        for r, h in zip(rows, report["held_out"])), encoding="utf-8")
    _plots(options.out, report["held_out"])
    (options.out / "report.md").write_text(_markdown(model, report), encoding="utf-8")
    return model


def _read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_folds(out: Path, models: list[dict], questions: list[dict], fold_of: dict[str, int]) -> None:
    """Each fold's model and held-out questions (by week: also those the reader gave no row, which are
    answered from an article itself; not the calibration sets'): `assistant eval --folds OUT` answers every
    question with the model that never saw its week."""
    for fold, model in enumerate(models):
        (out / f"fold-{fold}.json").write_text(json.dumps(model) + "\n", encoding="utf-8")
        (out / f"fold-{fold}-questions.jsonl").write_text(
            "".join(json.dumps({k: v for k, v in q.items() if k not in ("_set", "_index", "_fit")}, ensure_ascii=False)
                    + "\n" for q in questions if q["_fit"] and fold_of[_week(q)] == fold), encoding="utf-8")


def _plots(out: Path, held_out: list[dict]) -> None:
    from assistant.report import plot_calibration

    things = [h for h in held_out if h["version"] == "asked" and h["answerable"] and h["has_candidates"]]
    plot_calibration(out / "reader_calibration.png",
                     [("short answer right", [h["probability"] for h in things], [h["right"] for h in things]),
                      ("passages answer", [h["p_answerable"] for h in held_out], [h["answerable"] for h in held_out])],
                     [(h["p_answerable"], not h["answerable"]) for h in held_out])


def _markdown(model: dict, report: dict) -> str:
    head = ["fold", "weeks", "asked", "not_answerable", "top_candidate_right", "answer_among_candidates",
            "short_answer_shown", "short_answer_precision", "candidate_ece", "abstained_when_not_answerable",
            "false_abstention", "abstention_precision", "answerable_ece"]
    lines = ["# Reader training", "", f"Out-of-fold, {FOLDS} folds grouped by week; questions: "
             f"{', '.join(model['trained_on']['questions'])}. Each question asked as is and with its gold and "
             "silver articles withheld (not answerable).", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in report["folds"] + [{"fold": "all", "weeks": "", **report["overall"]}]:
        lines.append("| " + " | ".join(str(row.get(h, "")) for h in head) + " |")
    for title, features, weights in (("Sentence model", model["sentences"]["features"], model["sentences"]["coef"]),
                                     ("Candidate model", model["features"], model["coef"]),
                                     ("Answerable model", model["answerable"]["features"], model["answerable"]["coef"])):
        lines += ["", f"{title} weights (standardised features):", ""]
        lines += [f"- {f}: {w:+.3f}" for f, w in sorted(zip(features, weights), key=lambda t: -abs(t[1]))]
    sentences = report.get("sentences") or {}
    if sentences:
        lines += ["", f"Sentences, out-of-fold ({sentences['questions']} questions where a sentence read names the "
                  f"answer): the best names it for {sentences['best_names_answer']} (hand-set support: "
                  f"{sentences['hand_set_best_names_answer']}), one of the best two for "
                  f"{sentences['best_two_name_answer']} ({sentences['hand_set_best_two_name_answer']})."]
    lines += ["", f"Short answer shown from probability {model['short_answer_from']}; abstains below "
              f"{model['answerable']['below']} (questions with a date) and {model['answerable']['below_undated']} "
              "(without; all chosen on predictions for weeks the predicting models didn't see, "
              "all questions for the shipped model).", "",
              "![reliability and abstention](reader_calibration.png)", ""]
    return "\n".join(lines)
