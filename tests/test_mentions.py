"""The names a question gives that no article read mentions (`mentions.py`), with the real spaCy model."""

from assistant.mentions import unmentioned

INTERVIEW = ("Well in an interview with CNN the spokesman for Putin Dmitry Peksov claimed the ambassador met "
             "Clinton's advisors. He told host Fareed Zakaria it was routine.")


def test_a_person_the_articles_never_name_is_unmentioned_and_so_is_their_full_name():
    assert unmentioned("Who interviewed Lavrov on CNN?", [INTERVIEW]) == ["Lavrov"]
    assert unmentioned("Whose spokesman is Sergey Lavrov?", [INTERVIEW]) == ["Sergey Lavrov"]


def test_a_person_is_mentioned_by_surname_and_by_a_close_spelling():
    assert unmentioned("What did Zakaria ask?", [INTERVIEW]) == []
    assert unmentioned("Who did Peskov tell about the meetings?", [INTERVIEW]) == []  # the article's "Peksov"
    assert unmentioned("Why did Puttin prefer Trump?", [INTERVIEW + " Trump won."]) == []


def test_an_organisation_needs_each_of_its_words():
    assert unmentioned("Which drug did the Alaska Airlines pilot take?", ["The airline's pilot took drugs."]) \
        == ["Alaska Airlines"]
    assert unmentioned("Which drug did the Alaska Airlines pilot take?", ["An Alaska Airlines pilot."]) == []
    assert unmentioned("Which company is The Federal Trade Commission suing?", ["The FTC sued Amazon."]) == []


def test_places_and_words_naming_the_article_are_not_checked():
    # "a lake in Europe" is Lake Garda in Italy to the article; the outlet names the article asked about.
    assert unmentioned("Which popular lake in Europe was flooded?", ["Lake Garda in Italy flooded."]) == []
    assert unmentioned("What does the Mouthpiece article say about Lavrov?", ["Lavrov spoke."],
                       not_names="Mouthpiece") == []
