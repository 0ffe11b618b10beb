"""Reading "Who is …?": what the articles call someone (describe.py), as exact spans, on inline sentences
and through `assistant ask` on the seeds."""

import json
from types import SimpleNamespace

import pytest
from conftest import SEED_IDS, SEEDS, run_cli

from assistant.describe import descriptions
from assistant.questions import analyse

ARTICLE_TEXT = {doc_id: (SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in SEED_IDS}


@pytest.mark.parametrize("question, name", [
    ("Who is Peskov?", "Peskov"),
    ("Who was Sergey Kislyak, according to the Mouthpiece article?", "Sergey Kislyak"),
    ("Who’s Fareed Zakaria?", "Fareed Zakaria"),
    ("Who is the new Speaker?", None),  # asks for a name, not a description
    ("Who interviewed Peskov?", None),
    # what someone's job is asks for the same description
    ("What is Peskov's job?", "Peskov"),
    ("What was Michael Flynn’s role?", "Michael Flynn"),
    ("What does Dmitry Peskov do?", "Dmitry Peskov"),
    ("What is Peskov's view?", None),
    ("What does the Kremlin want?", None),
])
def test_a_question_asking_who_someone_is(question, name):
    assert analyse(question).described == name


def _sentences(*texts):
    return [SimpleNamespace(doc_id=f"d{i}", start=100 * i, end=100 * i + len(t), text=t, support=1.0 - i / 10)
            for i, t in enumerate(texts)]


@pytest.mark.parametrize("name, text, description", [
    ("Kislyak", "Sergey Kislyak, the Russian ambassador to the U.S., met with Flynn.", "the Russian ambassador to the U.S."),
    ("Peskov", "On Sunday, the Russian President Vladimir Putin’s spokesperson, Dmitry Peskov spoke on CNN.",
     "the Russian President Vladimir Putin’s spokesperson"),
    # The clause before the description is not part of it.
    ("Kislyak", "He defended the meetings that the Russian ambassador, Sergey Kislyak had with them.",
     "the Russian ambassador"),
    ("Prigozhin", "Yevgeny Prigozhin, a wealthy Russian businessman and top confidante of Vladimir Putin, on Monday "
     "claimed it.", "a wealthy Russian businessman and top confidante of Vladimir Putin"),
    ("Wray", "Under pressure, the director of the FBI, Christopher Wray, said so.", "the director of the FBI"),
    ("Peskov", "Kremlin spokesman Dmitry Peskov said the talks failed.", "Kremlin spokesman"),
    ("Zakaria", "He spoke with host\u00a0Fareed Zakaria about Trump.", "host"),  # a no-break space before the name
    ("Peskov", "Well, the spokesman for Putin Dmitry Peksov, claimed it was fake news.", None),  # not "Putin"
    ("Peskov", "On Sunday Peskov said so.", None),  # a day is no title
    ("Michael Jordan", "If Chairman Jordan truly cared, he would drive there.", None),  # another Jordan
    ("Prince William", "Adam Butler/AFP/Getty Images Prince William receives flowers.", None),  # a photo credit
    ("Prince William", "Dylan Martinez/Reuters Prince William grimaces.", None),
    ("Tony Blair", "Arise, Sir Tony Blair: he is knighted.", None),
    ("Jon Rahm", "Golf rewards those who put the pieces together when it matters most, Jon Rahm among them.", None),
    ("Zelensky", "Appearing before a joint meeting of Congress, Zelensky also bore sobering news.", None),
    ("Kislyak", "Flynn met with the Russian ambassador, Sergey Kislyak, in December.", "the Russian ambassador"),
    ("Altman", "Ousted co-founder and CEO Sam Altman has been reinstated.", "Ousted co-founder and CEO"),
    # The comma ends a quote: what comes before it is someone else's ("Microsoft, OpenAI's largest investor").
    ("Altman", "\"We look forward to it\" with Microsoft, OpenAI's largest investor, Altman said.", None),
    ("Peskov", "The reporters met Peskov.", None),
    # What happened to them is no description; the title after it is.
    ("Flynn", "This includes the resignation of former National Security Advisor to Trump, Michael Flynn, whose "
     "resignation is still raising questions.", "former National Security Advisor to Trump"),
    ("Doe", "It follows the sudden arrest of the former head of the agency, Jane Doe, on Friday.",
     "the former head of the agency"),
])
def test_a_description_is_an_exact_span_of_the_sentence_naming_them(name, text, description):
    found = descriptions(name, _sentences(text))
    assert [c.text for c in found[:1]] == ([description] if description else [])
    for c in found:
        assert text[c.start - c.sentence.start:c.end - c.sentence.start] == c.text


def test_an_appositive_comes_before_a_title_and_every_describing_sentence_corroborates():
    sentences = _sentences("Kremlin spokesman Dmitry Peskov said no.", "Dmitry Peskov, the Kremlin's press secretary, said yes.")
    found = descriptions("Peskov", sentences)
    assert [c.text for c in found] == ["the Kremlin's press secretary", "Kremlin spokesman"]
    assert found[0].named_in == {(s.doc_id, s.start, s.end) for s in sentences}


def test_who_is_is_answered_in_bold_by_a_cited_description(seed_index):
    answer = json.loads(run_cli("ask", "Who is Dmitry Peskov?", "--index", str(seed_index), "--json").stdout)
    short = answer["short_answer"]
    assert short and "spokesperson" in short["text"] and answer["answer"].splitlines()[0] == short["text"]
    assert ARTICLE_TEXT[short["doc_id"]][short["start"]:short["end"]] == short["text"]
    assert any(c["doc_id"] == short["doc_id"] and c["start"] <= short["start"] < short["end"] <= c["end"]
               for c in answer["citations"])


def test_what_is_a_name_takes_appositives_but_no_title():
    assert analyse("What is the Wagner Group?").described == "Wagner Group"
    assert analyse("What is Moscow's view of it?").described is None
    found = descriptions("OpenAI", _sentences("It was a hectic weekend for OpenAI, the artificial intelligence company "
                                              "behind ChatGPT, and its staff."), titles=False)
    assert [c.text for c in found] == ["the artificial intelligence company behind ChatGPT"]
    assert descriptions("Threads", _sentences("Fans of Meta Threads signed up."), titles=False) == []


def test_who_is_in_a_folder_of_ones_own_is_a_title_or_an_appositive(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "council.txt").write_text(
        "Council votes on bees\n\nThe council voted on Tuesday to ban pesticides. “It is a first step,” said Mayor "
        "Ana Ruiz. Tom Reyes, a beekeeper, welcomed it. Ana Ruiz met Tom Reyes later.", encoding="utf-8")
    run_cli("ingest", str(folder), "--index", str(tmp_path / "index"))
    ask = lambda q: json.loads(run_cli("ask", q, "--index", str(tmp_path / "index"), "--json").stdout)  # noqa: E731
    assert ask("Who is Ana Ruiz?")["short_answer"]["text"] == "Mayor"
    assert ask("Who is Tom Reyes?")["short_answer"]["text"] == "a beekeeper"
    assert ask("What does Tom Reyes do?")["short_answer"]["text"] == "a beekeeper"
