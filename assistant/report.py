"""An evaluation's report.md and its plots (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

ENGINE = "engine"
WORST = 10


def write_report(out: Path, results: dict[str, list[dict]], summary: dict) -> None:
    systems = list(summary["systems"])
    lines = [f"# Evaluation: {summary['questions_file']}", "",
             f"{summary['questions']} questions ({summary['questions_skipped']} left out: their answer is in no "
             f"document), {summary['articles_indexed']} articles indexed, k = {summary['k']}.", "",
             "## Headline", "", _headline_table(summary, systems), "",
             f"## {ENGINE} by question type", "", _by_type_table(summary), "",
             "![metrics by type](metrics_by_type.png)", "", "![latency](latency.png)", "",
             *(["![reliability and abstention](calibration.png)", ""] if (out / "calibration.png").is_file() else []),
             f"## The {WORST} worst questions ({ENGINE})", "", _worst_table(results[ENGINE], summary["k"]), ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")


def _headline_table(summary: dict, systems: list[str]) -> str:
    others = [s for s in systems if s != ENGINE]
    header = ["metric", *systems, *[f"{ENGINE} − {o}" for o in others]]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for metric in summary["headline"]:
        values = [summary["systems"][s]["overall"].get(metric) for s in systems]
        if all(v is None for v in values):
            continue
        diffs = [summary["difference"][o].get(metric) for o in others]
        rows.append("| " + " | ".join([metric, *map(_fmt, values), *map(_signed, diffs)]) + " |")
    return "\n".join(rows)


def _by_type_table(summary: dict) -> str:
    by_type = summary["systems"][ENGINE]["by_type"]
    metrics = [m for m in summary["headline"] if any(by_type[t].get(m) is not None for t in by_type)]
    metrics = [m for m in metrics if not m.startswith("latency")]
    rows = ["| type | n | " + " | ".join(metrics) + " |", "|" + "---|" * (len(metrics) + 2)]
    for kind, values in by_type.items():
        rows.append(f"| {kind} | {values['questions']} | " + " | ".join(_fmt(values.get(m)) for m in metrics) + " |")
    return "\n".join(rows)


def diagnose(row: dict, k: int) -> str:
    m = row["metrics"]
    if not row["answerable"]:
        return "ok: abstained" if row["abstained"] else "answered a question the articles don't answer"
    if row["abstained"]:
        return "abstained although the articles answer it"
    if not m.get(f"doc_hit@{k}"):
        return f"no relevant article in the top {k}"
    if not m.get("answer_in_citations"):
        return "relevant article found, but the cited sentences miss the answer"
    if m.get("citation_precision", 1) < 1:
        return "also cites an article that isn't relevant"
    if m.get("cites_every_gold") == 0:
        return "misses an article that also answers it"
    return "ok"


def _badness(row: dict) -> tuple:
    m = row["metrics"]
    if not row["answerable"]:
        return (0 if not row["abstained"] else 3, 0, 0)
    return (m.get("answer_in_citations", 0) + (1 - m.get("abstained", 0)), m.get("mrr@10", 0),
            m.get("citation_precision", 0))


def _worst_table(rows: list[dict], k: int) -> str:
    worst = sorted(rows, key=_badness)[:WORST]
    out = ["| id | type | question | what went wrong | answer (start) |", "|---|---|---|---|---|"]
    for r in worst:
        answer = " ".join(r["answer"].split())[:120].replace("|", "\\|")
        out.append(f"| {r['id']} | {r['type']} | {r['question'][:90].replace('|', '/')} | {diagnose(r, k)} | {answer} |")
    return "\n".join(out)


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and abs(value) < 10 else f"{value:g}"


def _signed(value) -> str:
    return "–" if value is None else (f"{value:+.3f}" if abs(value) < 10 else f"{value:+g}")


def write_plots(out: Path, results: dict[str, list[dict]], summary: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _metrics_by_type(plt, out, summary)
    _latency(plt, out, results)
    rated = [r for rows in results.values() for r in rows if r.get("confidence") is not None]
    if rated:
        things = [r for r in results[ENGINE] if r.get("candidates") and "top_candidate_right" in r["metrics"]]
        plot_calibration(out / "calibration.png",
                         [("short answer right", [r["candidates"][0]["probability"] for r in things],
                           [r["metrics"]["top_candidate_right"] for r in things]),
                          ("passages answer", [r["confidence"] for r in rated], [float(r["answerable"]) for r in rated])],
                         [(r["confidence"], not r["answerable"]) for r in rated])


def plot_calibration(path: Path, series: list[tuple[str, list[float], list[float]]],
                     abstention: list[tuple[float, bool]], bins: int = 10) -> None:
    """Left: reliability diagram of each (name, predicted probabilities, outcomes). Right: precision and
    recall of abstaining below each threshold, from (probability the articles answer, unanswerable)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.6))
    left.plot([0, 1], [0, 1], "--", color="grey", label="perfectly calibrated")
    for name, p, y in series:
        p, y = np.array(p, dtype=float), np.array(y, dtype=float)
        which = np.minimum((p * bins).astype(int), bins - 1)
        filled = [b for b in range(bins) if (which == b).any()]
        left.plot([p[which == b].mean() for b in filled], [y[which == b].mean() for b in filled], "o-", label=name)
    left.set(xlabel="predicted probability", ylabel="observed share", title="Reliability", xlim=(0, 1), ylim=(0, 1))
    left.legend(loc="upper left", fontsize=8)
    unanswerable = sum(u for _, u in abstention) or 1
    precision, recall, hits = [], [], 0
    for i, (_, u) in enumerate(sorted(abstention, key=lambda a: a[0]), 1):  # abstaining on the first i
        hits += u
        precision.append(hits / i)
        recall.append(hits / unanswerable)
    right.plot(recall, precision)
    right.set(xlabel="abstention recall (unanswerable abstained on)", ylabel="abstention precision",
              title="Abstention", xlim=(0, 1), ylim=(0, 1.02))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _metrics_by_type(plt, out: Path, summary: dict) -> None:
    k = summary["k"]
    metrics = ["doc_hit@1", f"doc_hit@{k}", "answer_in_citations", "answer_in_answer"]
    systems = list(summary["systems"])
    types = [t for t in summary["systems"][ENGINE]["by_type"]
             if summary["systems"][ENGINE]["by_type"][t].get("answerable")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 4), sharey=True)
    width = 0.8 / len(systems)
    for ax, metric in zip(axes, metrics):
        for i, system in enumerate(systems):
            values = [summary["systems"][system]["by_type"].get(t, {}).get(metric) or 0 for t in types]
            ax.bar([x + i * width for x in range(len(types))], values, width, label=system)
        ax.set_title(metric)
        ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(types))], types, rotation=40, ha="right")
        ax.set_ylim(0, 1.05)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "metrics_by_type.png", dpi=110)
    plt.close(fig)


def _latency(plt, out: Path, results: dict[str, list[dict]]) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    for system, rows in results.items():
        values = [r["timings_ms"]["total_ms"] for r in rows if "total_ms" in r["timings_ms"]]
        if values:
            ax.hist(values, bins=30, alpha=0.5, label=system)
    ax.set_xlabel("answer latency (ms)")
    ax.set_ylabel("questions")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)
