"""The names a question gives that no article read mentions (`mentions.py`), with the real spaCy model."""

from assistant.answer import _whole_articles
from assistant.mentions import mentions_one_of, unmentioned
from assistant.retrieve import Hit
from conftest import ask_folder

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


def test_a_country_or_us_state_counts_by_its_name_an_alias_or_a_word_made_from_it():
    articles = ["The main vote: Senator Mike Lee of Utah will vote for the tax bill.", "Ukrainian and U.S. officials met."]
    assert unmentioned("Which senator from Maine will vote against the tax bill?", articles) == ["Maine"]
    assert unmentioned("Which senator from Utah will vote for it?", articles) == []
    assert unmentioned("Did Ukraine and the United States meet?", articles) == []


def test_a_people_counts_by_its_name_its_countrys_or_a_word_made_from_it():
    german = ["The 1984 strike closed down the German car industry for about seven weeks."]
    assert unmentioned("How long did the strike close down the British car industry?", german) == ["British"]
    assert unmentioned("How long did the strike close down the British car industry?",
                       german + ["UK carmakers were spared."]) == []
    assert unmentioned("What did Texan officials say?", ["Texas officials said so."]) == []


def test_places_and_words_naming_the_article_are_not_checked():
    # "a lake in Europe" is Lake Garda in Italy to the article (a region, not a country or US state); the
    # outlet names the article asked about.
    assert unmentioned("Which popular lake in Europe was flooded?", ["Lake Garda in Italy flooded."]) == []
    assert unmentioned("What does the Mouthpiece article say about Lavrov?", ["Lavrov spoke."],
                       not_names="Mouthpiece") == []


def test_a_year_no_article_gives_is_unmentioned_but_other_numbers_are_not_checked():
    text = "Trump won the 2016 election by 77,744 votes in three states."
    assert unmentioned("Who won the 2020 presidential election?", [text]) == ["2020"]
    assert unmentioned("Who won the 2016 presidential election?", [text]) == []
    assert unmentioned("Who won by around 78,000 votes?", [text]) == []  # articles round numbers


def test_a_decade_is_mentioned_as_such_or_by_one_of_its_years():
    conrail = "Conrail was formed during the 1970's from Penn Central Railroad."
    assert unmentioned("Which railroad was Conrail formed from in the 1990s?", [conrail]) == ["1990s"]
    assert unmentioned("Which railroad was Conrail formed from in the 1970s?", [conrail]) == []
    assert unmentioned("What was built in the 1980s?", ["The dam was built in 1984."]) == []


def test_an_article_mentions_the_year_it_was_published_in():
    # "this year" in an article of 2023 is 2023 (the engine checks each article read with its day).
    text = "Texas suffered the deadliest mass shooting this year."
    read = [Hit("a:0", text, {"doc_id": "a", "title": "Shooting", "published_at": "2023-05-07"})]
    articles = _whole_articles(read, lambda doc_id: text)
    assert unmentioned("Which state suffered the deadliest mass shooting in 2023?", articles) == []
    assert unmentioned("Which state suffered the deadliest mass shooting in 2022?", articles) == ["2022"]


def test_a_passage_mentions_a_name_by_each_of_its_words_or_the_place_it_names():
    assert mentions_one_of(["Isakson"], "A spokeswoman for Isakson did not mention the Gulf airlines.")
    assert not mentions_one_of(["Johnny Isakson"], "A spokeswoman for Isakson did not mention it.")
    assert mentions_one_of(["British"], "Britain voted.") and not mentions_one_of(["Maine"], "the main vote")
    assert not mentions_one_of(["UK"], "Any passage at all.")  # a name of only short words is never found so


def test_a_name_the_passages_read_lack_has_the_articles_that_mention_it_read_instead(tmp_path):
    # Twelve articles on other people's spokespeople rank above the one naming Isakson, whom the
    # embedding doesn't know; the keyword index proposes it, and it is what the question is about.
    others = {f"spokes{i}": f"A spokeswoman for Senator {name} said on Thursday the senator would vote for the bill. "
              f"The spokeswoman, {aide}, declined to say more." for i, (name, aide) in enumerate([
                  ("Collins", "Annie Clark"), ("Murkowski", "Karina Borger"), ("Manchin", "Sam Runyon"),
                  ("Sinema", "Hannah Hurley"), ("Romney", "Arielle Mueller"), ("Tester", "Roy Loewenstein"),
                  ("Warner", "Rachel Cohen"), ("Kaine", "Katie Stuntz"), ("Coons", "Sean Coit"),
                  ("Casey", "Natalie Adams"), ("Brown", "Jenny Donohue"), ("Peters", "Zade Alsawah")])}
    gulf = ("U.S. airlines have petitioned the government for years over Gulf carriers. The addition to the tax "
            "plan was introduced by Senator Johnny Isakson of Georgia. Delta Air Lines is headquartered in "
            "Atlanta. “This provision supports American jobs,” Isakson spokeswoman Marie Gordon said in an email.")
    answer = ask_folder(tmp_path, {**others, "gulf": gulf}, "Who is Isakson's spokeswoman?")
    assert not answer["abstained"] and "Marie Gordon" in answer["answer"]
    assert {c["doc_id"] for c in answer["citations"]} == {"gulf"}
