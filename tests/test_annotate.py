"""Reading ahead (`assistant annotate`): the sentences' entities stored in either backend give the same
answers as tagging at question time, without running spaCy on the question's path."""

import json
import subprocess
import sys

import pytest

from assistant import annotate as annotate_module
from assistant import reader
from assistant.annotate import annotate
from assistant.answer import Assistant
from assistant.ingest import ingest
from assistant.store import Store
from conftest import SEED_IDS, copy_seeds, run_cli

# Questions that ask for a thing, so that the reader tags sentences (names, a number, a place).
QUESTIONS = ["Who interviewed Peskov on CNN?", "Which TV network interviewed Peskov?",
             "Where did the specialists advising Hillary work, according to Peskov?",
             "How many children of Kremlin officials live abroad?"]


def _answers(assistant: Assistant) -> list[str]:
    reader._entity_cache.clear()  # nothing from memory: only the store or spaCy
    return [json.dumps({k: v for k, v in assistant.ask(q).to_dict().items() if k != "timings_ms"}, sort_keys=True)
            for q in QUESTIONS]


@pytest.fixture
def tagged(monkeypatch) -> list[int]:
    """How many sentences spaCy tags (a spy on the real tagger, which still runs)."""
    counts, real = [], reader.tag

    def counting(nlp, texts, parsed):
        counts.append(len(texts))
        return real(nlp, texts, parsed)

    monkeypatch.setattr(reader, "tag", counting)
    return counts


def test_stored_entities_answer_as_tagging_does_and_spare_spacy(tmp_path, store_settings, tagged):
    settings = store_settings
    folder = copy_seeds(tmp_path / "articles")
    ingest([folder], settings, progress=False)
    assistant = Assistant(settings)
    before = _answers(assistant)
    assert sum(tagged) > 0  # the questions do make the reader tag sentences
    tagged.clear()

    report = annotate(settings, progress=False)
    assert (report.articles, report.already) == (2, 0) and report.sentences == sum(tagged) > 20
    assert sorted(Store(settings).annotated()) == sorted(SEED_IDS)
    tagged.clear()
    assert _answers(assistant) == before
    assert sum(tagged) == 0  # every sentence read came from the store

    again = annotate(settings, progress=False)
    assert (again.articles, again.sentences, again.already) == (0, 0, 2)

    # A changed article is annotated again; until then its new sentences are tagged at question time.
    path = folder / f"{SEED_IDS[0]}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nFareed Zakaria later spoke to Sergey Lavrov in Geneva.\n",
                    encoding="utf-8")
    ingest([folder], settings, progress=False)
    assert Store(settings).annotated() == {SEED_IDS[1]}
    redo = annotate(settings, progress=False)
    assert (redo.articles, redo.already) == (1, 1) and 1 <= redo.sentences <= 3


def test_an_interrupted_annotate_keeps_its_batches_and_resumes(tmp_path, monkeypatch, settings):
    ingest([copy_seeds(tmp_path / "articles")], settings, progress=False)
    monkeypatch.setattr(annotate_module, "BATCH_ARTICLES", 1)
    real, calls = reader.tag, []

    def interrupted(nlp, texts, parsed):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(nlp, texts, parsed)

    monkeypatch.setattr(reader, "tag", interrupted)
    with pytest.raises(KeyboardInterrupt):
        annotate(settings, progress=False)
    assert len(Store(settings).annotated()) == 1  # the first batch was committed
    monkeypatch.setattr(reader, "tag", real)
    resumed = annotate(settings, progress=False)
    assert (resumed.articles, resumed.already) == (1, 1)


def test_the_cli_annotates_and_status_counts_it(tmp_path):
    index = tmp_path / "index"
    done = run_cli("ingest", str(copy_seeds(tmp_path / "articles")), "--index", str(index), "--annotate")
    assert "2 articles annotated" in done.stdout
    status = json.loads(run_cli("status", "--index", str(index), "--json").stdout)
    assert status["annotated"] == status["articles"] == 2
    missing = run_cli("annotate", "--index", str(tmp_path / "none"), check=False)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no index at") and len(missing.stderr.splitlines()) == 1
    assert not (tmp_path / "none").exists()


def test_a_one_shot_ask_loads_spacy_only_when_reading_the_question_needs_it(tmp_path, settings):
    """A cold `assistant ask` loads spaCy (half a second of Python beside the question's own work) only to
    parse the question or to tag sentences whose entities aren't stored; the answers are the same."""
    ingest([copy_seeds(tmp_path / "articles")], settings, progress=False)
    # As the console script ends a question (`cli.run`: no teardown), after saying whether spaCy was loaded.
    probe = ("import os, sys\nfrom assistant.cli import main\nstatus = main(sys.argv[1:])\n"
             "print(status, 'spacy' in sys.modules, file=sys.stderr, flush=True)\nsys.stdout.flush()\nos._exit(status)")

    def ask(question: str) -> tuple[list[str], dict]:
        done = subprocess.run([sys.executable, "-c", probe, "ask", question, "--local", "--json", "--index",
                               str(settings.index_dir)], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        answer = json.loads(done.stdout)
        return done.stderr.split()[-2:], {k: answer[k] for k in ("answer", "short_answer", "citations")}

    who, which = "Who interviewed Peskov on CNN?", "Which TV network interviewed Peskov?"
    loaded, untagged = ask(who)
    assert loaded == ["0", "True"]  # its sentences aren't annotated yet: NER runs on them
    annotate(settings, progress=False)
    (spared, answer), (parsed, _) = ask(who), ask(which)
    assert spared == ["0", "False"] and answer == untagged
    assert parsed == ["0", "True"]  # "which TV network" is found by the parser
