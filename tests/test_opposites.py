"""A quoted sentence saying the opposite of what is asked doesn't answer it (`opposites.py`), with the real
spaCy model, and end to end through `ask --json` over a folder written here."""

import json

from assistant.opposites import stated_opposite, unnegated
from conftest import ROOT, ask_folder, ask_index, run_cli, shared_folder
from test_swaps import KISHI, KOIZUMI

DELTA = "Delta Air Lines, one of the most vocal critics of Gulf carrier practices, is headquartered in Atlanta."
SANCTIONS = ("The legislation would reimpose some sanctions lifted last year as Myanmar returned to democracy. "
             "The measure does not target Burmese leader Aung San Suu Kyi, head of Myanmar’s civilian-led "
             "government. Introduced the day before Donald Trump leaves on his first trip to Asia as "
             "president, the bill is sponsored by Senator John McCain.")
TALKS = ("U.S. Defense Secretary Jim Mattis said on Thursday there could be an opportunity for talks between North "
         "Korea and the United States if Pyongyang stopped testing and developing its nuclear and missile programs. "
         "The last North Korean missile test was carried out almost two months ago, but U.S. officials say they "
         "have seen no signs that Pyongyang has stopped development.")


def test_a_sentence_stating_the_opposite_word_does_not_answer():
    assert stated_opposite("Which carrier is one of the least vocal critics?", [DELTA]) == ("least", "most")
    assert stated_opposite("Which carrier is one of the most vocal critics?", [DELTA]) is None
    # The word asked, said by any quoted sentence, is what was asked after all.
    assert stated_opposite("Which carrier is one of the least vocal critics?",
                           [DELTA, "Emirates is the least vocal."]) is None
    # Only the asking sentence counts: a scene's word ("first") isn't what is asked.
    assert stated_opposite("South Carolina's Aliyah Boston went first in the draft. How many players were "
                           "drafted?", ["She was the last of them to sign."]) is None


def test_wordnets_antonyms_are_opposites_but_not_pairs_said_both_ways_round():
    """The list's WordNet part (`tools/opposites_from_wordnet.py`): antonyms in their most frequent sense."""
    watchdog = "The internal watchdog at the U.S. Justice Department said he hopes to complete his review."
    assert stated_opposite("Who is the external watchdog at the U.S. Justice Department?", [watchdog]) == \
        ("external", "internal")
    assert stated_opposite("Which plan would get GDP growth to a lower level?",
                           ["A good tax plan could get GDP growth to a higher level."]) == ("lower", "higher")
    assert stated_opposite("Who bought the holdings?", ["Samjens sold its holdings to Morgan Stanley."]) is None
    assert stated_opposite("Which team lost the final?", ["Spain won the final against England."]) is None


def test_idioms_and_compounds_are_not_opposites():
    assert stated_opposite("Who was the first to arrive?", ["At least 36 people arrived last week."]) is None
    # "last November" is a time, not the last of them: the first is stated where the last is asked
    assert stated_opposite("Who was the last foreign leader to meet him?",
                           ["Abe was the first foreign leader to meet him after his election last November."]) == \
        ("last", "first")
    assert stated_opposite("Which school got the most money?", ["At least ten schools got money."]) is None
    assert stated_opposite("Which high school won?", ["A low-income school won the prize."]) is None


def test_a_sentence_negating_the_asked_verb_does_not_answer_but_it_answers_whether():
    certificates = "Participation certificates, which do not carry voting rights, are contrary to the law."
    assert stated_opposite("What kind of certificates carry voting rights?", [certificates]) == ("carry", "do not carry")
    assert stated_opposite("Which certificates do not carry voting rights?", [certificates]) is None
    assert stated_opposite("Do participation certificates carry voting rights?", [certificates]) is None
    # a word negated where it stands, not a verb
    assert stated_opposite("Who pleaded guilty on Monday?", ["Manafort pleaded not guilty on Monday."]) == \
        ("guilty", "not guilty")
    assert stated_opposite("Who was found guilty?", ["He was found not guilty of one count, guilty of two."]) is None
    assert stated_opposite("Who pleaded not guilty on Monday?", ["Manafort pleaded not guilty on Monday."]) is None
    # the word said in another form without the negation ("calling"): not what the sentence denies
    assert stated_opposite("What did Kim call Trump that Trump said was an insult?",
                           ["Trump said Kim had insulted him by calling him “old” and said he would never call Kim “short and fat.”"]) is None
    assert stated_opposite("What did the judge say he would rule on today?",
                           ["The judge said he would not rule on the request today."]) == ("rule", "would not rule")


def test_a_question_asking_what_did_not_happen_needs_a_negative_sentence():
    assert unnegated("Which country will Trump not visit on his first trip to Asia?", [SANCTIONS.split(". ")[2]])
    assert not unnegated("Which leader does the measure not target?", [SANCTIONS.split(". ")[1]])
    assert unnegated("Which toy will no longer be sold by Amazon?", ["Amazon released its hot toy list."])
    # the question's own negative verb, said, is no negation of it
    assert unnegated("What did the Gulf carriers not deny?", ["The Gulf carriers deny the accusation."])
    assert not unnegated("What did the Gulf carriers not deny?", ["The carriers did not deny the report."])
    # The negation describes someone rather than asks ("criticised for not disclosing"): not asked.
    assert not unnegated("Which justice was criticised for not disclosing luxury trips?",
                         ["Justice Clarence Thomas took lavish trips."])


def test_asked_the_opposite_or_about_someone_else_the_assistant_abstains_and_says_why(tmp_path):
    """Also `swaps.py`'s check, end to end: the folder is written here for both."""
    trip = ("Donald Trump leaves on Friday on his first trip to Asia as president. He will visit Japan, South "
            "Korea and China over twelve days.")
    ask_folder(tmp_path, {"delta": DELTA + " Emirates and Etihad deny the accusation.", "sanctions": SANCTIONS,
                          "trip": trip, "golf": KOIZUMI + " " + KISHI, "talks": TALKS},
               "Where is Delta Air Lines headquartered?")
    # each answered as asked, and abstained on with one word changed, saying why
    for asked, named, changed, kind, evidence, reason in [
            ("Which carrier is one of the most vocal critics of Gulf carrier practices?", "Delta",
             "Which carrier is one of the least vocal critics of Gulf carrier practices?", "opposite",
             ["least", "most"], "says “most” where the question asks “least”"),
            ("Which Japanese premier crooned Elvis tunes at Graceland?", "Koizumi",  # `swaps.py`
             "Which Korean premier crooned Elvis tunes at Graceland?", "swapped",
             ["Korean", "Japanese"], "speaks of “Japanese” where the question asks about “Korean”")]:
        answered = ask_index(tmp_path, asked)
        assert not answered["abstained"] and named in answered["answer"]
        abstained = ask_index(tmp_path, changed)
        assert abstained["abstained"] and abstained["evidence"][kind] == evidence and reason in abstained["answer"]
    not_target = ask_index(tmp_path, "Which leader does the sanctions measure not target?")
    assert not not_target["abstained"] and "Aung San Suu Kyi" in not_target["answer"]
    not_visit = ask_index(tmp_path, "Which country will Trump not visit on his first trip to Asia?")
    assert not_visit["abstained"] and not_visit["evidence"]["unnegated"]
    assert "asks what did not happen" in not_visit["answer"]
    # the bold answer's sentence is the one read, though quoted after the talks' sentence
    last = ask_index(tmp_path, "When was the last North Korean missile test carried out?")
    assert not last["abstained"] and last["short_answer"]["text"] == "almost two months ago"
    assert last["short_answer"]["text"] not in last["citations"][0]["quote"]
    first = ask_index(tmp_path, "When was the first North Korean missile test carried out?")
    assert first["abstained"] and first["evidence"]["opposite"] == ["first", "last"]


def test_on_topic_questions_of_a_real_folder_keep_their_floors(tmp_path):
    """The on-topic probe (README *Where it stands*): 20 ISOT and Reuters-21578 articles from ../shared,
    42 questions written against five of them, 20 changed so that they can't be answered. `assistant
    eval` as a user runs it; floors from the measured run less a small margin, as the seeds' gate's
    (measured: 13 of 20 changed abstained on, none of the 22 answerable, the answer in it for 19)."""
    index, report = str(tmp_path / "index"), tmp_path / "report"
    run_cli("ingest", str(shared_folder(tmp_path, "on_topic_articles.txt")), "--index", index)
    run_cli("eval", "--questions", str(ROOT / "tests" / "fixtures" / "on_topic_questions.jsonl"), "--index", index,
            "--out", str(report))
    overall = json.loads((report / "summary.json").read_text())["systems"]["engine"]["overall"]
    assert overall["abstention_recall"] >= 0.6 and overall["false_abstention"] <= 0.05
    assert overall["answer_in_answer"] >= 0.8

