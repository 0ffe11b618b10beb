"""`assistant train-check`: fit how LLM mode weighs an LLM's reading of the best sentence beside the
reader's confidence (`answer_check`), for the LLM given.

It reads an eval run's answers (`assistant eval --folds … --withhold-gold`: each question asked, and asked
again with its gold articles withheld, by a reader model that never saw its week), asks the LLM about each
one's evidence sentence (resumable: the replies are kept in OUT/odds.jsonl), and fits a logistic regression
of "asked" against "withheld or not answerable" on the reader's log-odds and the LLM's. The abstention
thresholds are chosen as the reader's are (`reader_training`): the probability below which a tenth of the
answerable questions of each kind, dated or not, fall, on predictions for questions the predicting fit did
not see. The report gives the same numbers out-of-fold, folds by week, beside the reader's alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant import answer_check
from assistant.evaluate import asked_on, load_questions
from assistant.reader_training import FALSE_ABSTENTION, FOLDS, _weighted_quantile
from assistant.settings import Settings, SettingsError
from assistant.store import Store

_ASKED, _WITHHELD = "engine", "engine_gold_withheld"
# A kind of question (dated or not) sets its own threshold from at least this many answerable ones: a
# tenth of fewer is a handful of questions, and one more or less moves it. The development run's 39
# undated seed questions set 0.449 where the 620 dated ones set 0.350, and LLM mode then abstained on the
# seeds' "What reason did the Russian official give for the Kremlin favoring the Republican candidate?"
# (abstention precision on the seeds 0.923 → 0.857, `runs/exp/check_seeds.py`).
OWN_THRESHOLD_ROWS = 100


@dataclass
class CheckOptions:
    results: Path
    out: Path
    model: Path
    questions: Path | None = None
    limit: int | None = None
    progress: bool = True


def rows_of(results: Path, questions: Path | None) -> list[dict]:
    """The eval run's answers a check can learn from: each with its label (asked: 1; withheld or not
    answerable: 0), the reader's confidence, whether it was dated, and its group (its week when the
    questions file gives one, else its question)."""
    weeks = {q["id"]: str(asked_on(q) or q["id"]) for q in load_questions(questions)[0]} if questions else {}
    rows = []
    for line in results.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r.get("system") not in (_ASKED, _WITHHELD) or r.get("confidence") is None or r.get("problem"):
            continue
        features = r.get("evidence", {}).get("answerable_features", {})
        rows.append({**r, "label": int(r["system"] == _ASKED and r["answerable"]),
                     "dated": bool(features.get("dated")), "group": weeks.get(r["id"], r["id"])})
    return rows


def ask_llm(settings: Settings, rows: list[dict], cache: Path, progress: bool = True) -> None:
    """Each row's `odds` from the LLM (None where it had nothing to read), kept in `cache` as they come."""
    from tqdm import tqdm

    known = {}
    if cache.exists():  # replies kept from another reading of the passages are asked again
        for line in cache.read_text(encoding="utf-8").splitlines():
            got = json.loads(line)
            if got.get("reading", 1) == answer_check.READING:
                known[(got["id"], got["system"])] = got["odds"]
    store = Store(settings)

    def article(doc_id: str):
        if (found := store.article(doc_id)) is None:
            raise SettingsError(f"article {doc_id} of the eval run is not in the index at {settings.index_dir}; "
                                "give --index the index the eval ran on")
        return found

    with open(cache, "a", encoding="utf-8") as kept:
        for r in tqdm(rows, desc="ask the LLM", unit="answer", disable=not progress):
            key = (r["id"], r["system"])
            if key not in known:
                first = r["citations"][0]["quote"] if r.get("citations") else None
                known[key] = answer_check.read(settings, r["question"],
                                               answer_check.evidence(r.get("candidates") or [], first, article))
                kept.write(json.dumps({"id": r["id"], "system": r["system"], "odds": known[key],
                                       "reading": answer_check.READING}) + "\n")
                kept.flush()
            r["odds"] = known[key]


def _inputs(rows: list[dict], with_llm: bool = True) -> np.ndarray:
    columns = [[answer_check.logit(r["confidence"]) for r in rows]] + ([[r["odds"] or 0.0 for r in rows]] if with_llm else [])
    return np.column_stack(columns)


def fit(rows: list[dict]) -> dict:
    """The weights on all `rows`, and thresholds chosen on out-of-fold predictions within them."""
    weights = _weights(rows)
    held = _out_of_fold(rows)
    return {"weights": weights, **_thresholds(rows, held)}


def _weights(rows: list[dict], with_llm: bool = True) -> list[float]:
    from sklearn.linear_model import LogisticRegression

    # sklearn's default penalty: with two inputs and 1,307 answers it hardly moves the weights (unpenalised
    # 0.682 and 0.299 against 0.681 and 0.298 on the development run's answers).
    fitted = LogisticRegression(C=1.0).fit(_inputs(rows, with_llm), [r["label"] for r in rows])
    return [round(float(fitted.intercept_[0]), 4), *(round(float(w), 4) for w in fitted.coef_[0])] + [0.0] * (not with_llm)


def _predict(rows: list[dict], weights: list[float]) -> list[float]:
    model = {"weights": weights}
    return [answer_check.combined(r["confidence"], r["odds"] or 0.0, model) for r in rows]


def _out_of_fold(rows: list[dict], with_llm: bool = True) -> list[float]:
    from sklearn.model_selection import GroupKFold

    held = [0.0] * len(rows)
    groups = [r["group"] for r in rows]
    # Inside a training fold of a small run there may be fewer groups than folds.
    for train, test in GroupKFold(n_splits=min(FOLDS, len(set(groups)))).split(rows, groups=groups):
        weights = _weights([rows[i] for i in train], with_llm)
        for i, p in zip(test, _predict([rows[i] for i in test], weights)):
            held[i] = p
    return held


def _thresholds(rows: list[dict], held: list[float]) -> dict:
    """Each kind's (dated, undated) threshold from its own answerable questions when it has
    `OWN_THRESHOLD_ROWS` of them, else from all answerable questions together."""
    answerable = [(p, r["dated"]) for r, p in zip(rows, held) if r["label"]]
    below = {}
    for dated in (True, False):
        own = [(p, 1.0) for p, d in answerable if d == dated]
        below[dated] = _weighted_quantile(own if len(own) >= OWN_THRESHOLD_ROWS else [(p, 1.0) for p, _ in answerable],
                                          FALSE_ABSTENTION)
    return {"below": below[True], "below_undated": below[False]}


def cross_validate(rows: list[dict], with_llm: bool = True) -> dict:
    """Out-of-fold, folds by group: weights and thresholds fitted without each fold, applied to it."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    abstained = [False] * len(rows)
    scores = [0.0] * len(rows)
    for train, test in GroupKFold(n_splits=FOLDS).split(rows, groups=[r["group"] for r in rows]):
        inside = [rows[i] for i in train]
        weights = _weights(inside, with_llm)
        limits = _thresholds(inside, _out_of_fold(inside, with_llm))
        for i, p in zip(test, _predict([rows[i] for i in test], weights)):
            scores[i] = p
            abstained[i] = p < (limits["below"] if rows[i]["dated"] else limits["below_undated"])
    asked = [a for r, a in zip(rows, abstained) if r["label"]]
    withheld = [a for r, a in zip(rows, abstained) if r["system"] == _WITHHELD]
    return {"auc": round(float(roc_auc_score([r["label"] for r in rows], scores)), 4),
            "false_abstention": round(sum(asked) / max(len(asked), 1), 4),
            "withheld_abstained": round(sum(withheld) / max(len(withheld), 1), 4),
            "asked": len(asked), "withheld": len(withheld)}


def train(settings: Settings, options: CheckOptions) -> dict:
    """Ask, fit, report; writes the check to `options.model` and the report to `options.out`."""
    options.out.mkdir(parents=True, exist_ok=True)
    rows = _enough(options.results, rows_of(options.results, options.questions)[: options.limit])  # before any LLM call
    ask_llm(settings, rows, options.out / "odds.jsonl", options.progress)
    rows = _enough(options.results, [r for r in rows if r["odds"] is not None])
    reader_alone, with_llm = cross_validate(rows, with_llm=False), cross_validate(rows)
    model = {**fit(rows), "reading": answer_check.READING,
             "fitted_for": {"llm": Path(settings.llm_gguf).name if settings.llm_gguf else settings.llm_model,
                            "fingerprint": answer_check.fingerprint(settings.llm_gguf) if settings.llm_gguf else ""},
             "trained_on": {"results": str(options.results), "rows": len(rows),
                            "out_of_fold": {"reader": reader_alone, "reader_and_llm": with_llm}}}
    options.model.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    (options.out / "report.md").write_text(_markdown(model), encoding="utf-8")
    return model


def _enough(results: Path, rows: list[dict]) -> list[dict]:
    """`rows`, when they hold asked and withheld answers from `FOLDS` or more weeks; else a one-line error."""
    if len({r["label"] for r in rows}) < 2 or len({r["group"] for r in rows}) < FOLDS:
        raise SettingsError(f"{results} has too few answers to fit a check on ({len(rows)}: it needs asked and "
                            f"withheld questions from {FOLDS} or more weeks); run assistant eval --withhold-gold first")
    return rows


def _markdown(model: dict) -> str:
    oof = model["trained_on"]["out_of_fold"]
    lines = ["# The answer check", "", f"Fitted for {model['fitted_for']['llm']} on {model['trained_on']['rows']} answers "
             f"of {model['trained_on']['results']}.", "", "Out-of-fold, folds by week:", "",
             "| inputs | AUC, asked against withheld | false abstention | withheld abstained |", "|---|---|---|---|"]
    for name, values in (("the reader's confidence", oof["reader"]), ("and the LLM's reading", oof["reader_and_llm"])):
        lines.append(f"| {name} | {values['auc']} | {values['false_abstention']} | {values['withheld_abstained']} |")
    weights = model["weights"]
    lines += ["", f"P(answers) = σ({weights[0]} + {weights[1]} · logit(confidence) + {weights[2]} · LLM log-odds); "
              f"abstain below {model['below']} (dated), {model['below_undated']} (undated)."]
    return "\n".join(lines) + "\n"
