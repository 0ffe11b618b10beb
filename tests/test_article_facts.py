"""Questions about an article itself (its photo credit, date, outlet, headline, start and end), answered
from that article's own text and record: a tiny corpus inline, a real index, the packaged models."""

import json
from datetime import date

import pytest

from assistant import article_facts
from assistant.answer import Assistant
from assistant.settings import Settings
from tests.conftest import run_cli

ARTICLES = [
    {"id": "bees", "title": "City council votes to protect urban bees", "source": "Harbour Gazette",
     "published_at": "2024-05-02",
     "text": "The city council voted on Tuesday to ban pesticides in public parks. Beekeepers had asked for the ban "
             "for three years. “It is a first step,” said Mayor Ana Ruiz.\n\nGardeners will get free seeds of "
             "wildflowers this summer. The council will review the ban next spring.Featured image via Mark "
             "Jones/Getty Images."},
    {"id": "ferry", "title": "Ferry service resumes after storm", "source": "Coast Herald",
     "text": "The ferry between the two islands sailed again on Monday. A storm had stopped it for a week. The "
             "repairs to the pier cost more than expected."},  # no one speaks: not even "the operator said"
]


@pytest.fixture(scope="module")
def facts_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("facts")
    (folder / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    index = folder / "index"
    run_cli("ingest", str(folder / "articles.jsonl"), "--index", str(index))
    return index


@pytest.fixture(scope="module")
def assistant(facts_index):
    return Assistant(Settings.load(index_dir=facts_index))


def _text(answer, citation) -> str:
    return ARTICLES[0 if citation.doc_id == "bees" else 1]["text"][citation.start:citation.end]


def test_the_photo_credit_is_quoted_with_the_credit_as_short_answer(assistant):
    answer = assistant.ask("Who took the featured image of the urban bees article?")
    assert not answer.abstained and [c.doc_id for c in answer.citations] == ["bees"]
    assert answer.short_answer["text"] == "Mark Jones/Getty Images"
    quote = answer.citations[0]
    assert quote.quote == _text(answer, quote) and quote.quote.startswith("Featured image via")
    text = ARTICLES[0]["text"]
    assert text[answer.short_answer["start"]:answer.short_answer["end"]] == answer.short_answer["text"]


def test_an_article_left_out_is_not_answered_from(assistant):
    """The eval's withheld-gold questions and the chat's "the other article" leave articles out."""
    answer = assistant.ask("Who took the featured image of the urban bees article?", exclude=frozenset({"bees"}))
    assert not answer.evidence.get("article_fact") and all(c.doc_id != "bees" for c in answer.citations)


def test_what_an_article_lacks_is_said_not_guessed(assistant):
    answer = assistant.ask("Which photo agency supplied the ferry service article's picture?")
    assert answer.abstained and "no photo credit" in answer.answer and not answer.citations
    answer = assistant.ask("When was the ferry service article published?")
    assert answer.abstained and "no publication date" in answer.answer


def test_the_date_and_outlet_come_from_the_articles_record_with_its_opening_cited(assistant):
    answer = assistant.ask("When was the urban bees article published?")
    assert not answer.abstained and "2024-05-02" in answer.answer
    assert answer.citations[0].published_at == "2024-05-02" and answer.citations[0].start == 0
    answer = assistant.ask("Which outlet published the urban bees article?")
    assert "Harbour Gazette" in answer.answer and answer.citations[0].outlet == "Harbour Gazette"


def test_how_an_article_begins_and_ends_quotes_its_first_and_last_sentences(assistant):
    begins = assistant.ask("How does the urban bees article begin?")
    assert [c.quote for c in begins.citations] == ["The city council voted on Tuesday to ban pesticides in public "
                                                   "parks.", "Beekeepers had asked for the ban for three years."]
    # A news article's lede is its summary.
    assert [c.quote for c in assistant.ask("What is the urban bees article about?").citations] == [
        c.quote for c in begins.citations]
    ends = assistant.ask("How does the urban bees article end?")
    assert ends.citations and all(_text(ends, c) == c.quote for c in ends.citations)
    # The credit line glued to the last sentence isn't the story's end.
    assert ends.citations[-1].quote == "The council will review the ban next spring."


def test_who_is_quoted_names_each_speaker_beside_their_first_quote(assistant):
    answer = assistant.ask("Who is quoted in the urban bees article?")
    assert answer.answer.startswith("Quoted in it: Ana Ruiz [1]")
    assert answer.citations[0].quote == "“It is a first step,” said Mayor Ana Ruiz."
    assert answer.citations[0].speaker == "Ana Ruiz" and answer.citations[0].kind == "quote"
    nobody = assistant.ask("Who is quoted in the ferry service article?")
    assert nobody.abstained and "no one quoted" in nobody.answer


def test_a_question_asked_of_the_start_of_an_article_reads_only_its_start(assistant):
    answer = assistant.ask("What did the council ban, at the start of the urban bees article?")
    assert answer.citations and all(c.start < ARTICLES[0]["text"].index("Gardeners") for c in answer.citations)
    answer = assistant.ask("What does the urban bees article say gardeners will get at the end?")
    assert answer.citations and all(c.start >= ARTICLES[0]["text"].index("Beekeepers") for c in answer.citations)


def test_the_only_article_chosen_with_ask_article_is_the_one_asked_about(facts_index):
    answer = json.loads(run_cli("ask", "What is the headline?", "--index", str(facts_index),
                                "--article", "ferry", "--json").stdout)
    # A data set's headline is its record's, not the text's: said as the record's, no span to put in bold.
    assert "Ferry service resumes after storm" in answer["answer"] and answer["short_answer"] is None
    assert answer["citations"][0]["doc_id"] == "ferry"


@pytest.mark.parametrize("question", [
    "Which musician will headline the Super Bowl LVIII halftime show?",
    "The Supreme Court ruled Andy Warhol infringed on a photographer’s copyright. Which prints?",
    "Which lawmaker announced that he is leaving Congress at the end of this year?",
    "What year was the dossier released, according to the Mouthpiece article?",
    "What title did Flynn hold, according to the Mouthpiece article?",
    "Which newspaper was the other source of the quotes in the Kremlin Spokesman article?",
    "How did Peskov say the campaign started?",
    "Who scored at the end?",
    "What is the dispute about?",
])
def test_questions_about_the_story_are_not_taken_for_questions_about_the_article(question):
    assert article_facts.asked(question) is None and article_facts.asked_at(question) is None


def test_llm_mode_answers_a_question_about_the_article_from_the_article_without_calling_the_llm(facts_index):
    """Nothing listens on the LLM's port: an answer that needed it would fall back with a notice saying so."""
    from assistant import written

    llm_mode = Assistant(Settings.load(index_dir=facts_index, llm_url="http://127.0.0.1:9/v1", llm_timeout=2.0))
    answer = written.ask(llm_mode, "Who took the featured image of the urban bees article?")
    assert answer.short_answer["text"] == "Mark Jones/Getty Images"
    assert "without the LLM" in answer.notice and "instead" not in answer.notice


def test_what_the_articles_are_about_is_each_ones_lede(assistant, monkeypatch):
    """The first question put to a new folder names nothing to search for (it used to be refused)."""
    answer = assistant.ask("What are the articles about?")
    assert not answer.abstained and {c.doc_id: c.quote for c in answer.citations} == {  # by outlet, as listed
        "bees": "The city council voted on Tuesday to ban pesticides in public parks.",
        "ferry": "The ferry between the two islands sailed again on Monday."}
    chosen = assistant.ask("Summarize these articles", within=frozenset({"ferry"}))
    assert [c.doc_id for c in chosen.citations] == ["ferry"]
    monkeypatch.setattr(article_facts, "OVERVIEW_ARTICLES", 1)  # more articles than can be listed
    many = assistant.ask("What are the articles about?")
    assert many.abstained and "holds 2 articles" in many.answer and "status --articles" in many.answer


def test_a_credit_inside_the_story_neither_ends_it_nor_is_taken_for_its_own_picture():
    text = ("Storm hits the coast\n\nThe storm reached the coast at dawn (Photo by Jane Roe/Reuters) and flooded "
            "the harbour. Crews worked all day.Featured image via Sam Poe/Getty Images.")
    ending = article_facts.read("ending", "Storm hits the coast", text, {})
    assert [text[a:b] for a, b in ending.spans][-1] == "Crews worked all day."
    credit = article_facts.read("image_credit", "Storm hits the coast", text, {})
    assert text[credit.short[0]:credit.short[1]] == "Sam Poe/Getty Images"


def test_a_newsletter_sign_up_is_not_how_a_story_ends():
    text = ("Storm hits the coast\n\nThe storm reached the coast at dawn. Crews worked all day. "
            "Sign up for our Weather Watch newsletter to get storm alerts in your inbox. Read more: Floods close schools.")
    ending = article_facts.read("ending", "Storm hits the coast", text, {})
    assert [text[a:b] for a, b in ending.spans] == ["The storm reached the coast at dawn.", "Crews worked all day."]


def test_a_question_about_the_article_that_names_none_is_answered_from_each(assistant):
    """"Who is quoted?" with two articles read: it stopped at "the question has no words to search for";
    "When was this article published?" was searched for like a story and abstained."""
    answer = assistant.ask("Who is quoted?")
    lines = answer.answer.splitlines()
    assert not answer.abstained and "In “City council votes to protect urban bees”: Quoted in it: Ana Ruiz [1]" in lines
    assert [c.doc_id for c in answer.citations] == ["bees"]
    assert any("no one quoted" in line for line in lines)  # the ferry article's line says what it lacks
    rows = {a["doc_id"]: a["statement"] for a in answer.by_article}  # the chat's table: a row each
    assert sorted(rows) == ["bees", "ferry"] and rows["ferry"] == "No one quoted."
    published = assistant.ask("When was this article published?")
    assert "2024-05-02" in published.answer and "no publication date" in published.answer
    # One article read: answered as if named, its credit in bold.
    one = assistant.ask("Who took the photo?", within=frozenset({"bees"}))
    assert one.short_answer["text"] == "Mark Jones/Getty Images"


def test_more_articles_than_can_be_listed_are_not_answered_but_named_how_to_choose(assistant, monkeypatch):
    monkeypatch.setattr(article_facts, "OVERVIEW_ARTICLES", 1)
    answer = assistant.ask("How does the article end?")
    assert answer.abstained and not answer.citations and "2 are read" in answer.answer and "--article" in answer.answer


@pytest.mark.parametrize("question, kind", [
    ("Who is quoted in this article?", "quoted"), ("How does it end?", "ending"), ("What is the headline?", "headline"),
    ("Which photo agency supplied the picture?", "image_credit"),
    # A named article, or a story to search for, is not "the article".
    ("Who is quoted in the Mouthpiece article?", None),
    ("What was the headline in The News Journal that referred to the wild fir tree growing from a crack in "
     "Philadelphia Pike?", None),
    ("Who scored at the end?", None),
])
def test_a_question_about_the_article_alone(question, kind):
    assert article_facts.asked_of_no_article(question) == kind


NEWS = [
    {"id": "tram", "title": "Tram line opens", "source": "Harbour Gazette", "published_at": "2024-05-06",
     "text": "Tram line opens\n\nThe first tram ran to the harbour on Monday morning. Tickets cost two euros."},
    {"id": "pier", "title": "Pier repairs finished", "source": "Coast Herald", "published_at": "2024-05-03T09:30:00",
     "text": "Pier repairs finished\n\nWorkers finished repairing the storm-damaged pier on Friday. It reopens soon."},
    {"id": "fair", "title": "Spring fair draws crowds", "source": "Harbour Gazette", "published_at": "2024-04-20",
     "text": "Spring fair draws crowds\n\nThousands visited the spring fair in the old town on Saturday."},
    {"id": "essay", "title": "On harbours", "source": "Coast Herald",
     "text": "On harbours\n\nEvery harbour town remembers its storms. This essay carries no date."},
]


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    folder = tmp_path_factory.mktemp("news")
    (folder / "news.jsonl").write_text("".join(json.dumps(a) + "\n" for a in NEWS), encoding="utf-8")
    run_cli("ingest", str(folder / "news.jsonl"), "--index", str(folder / "index"))
    return folder / "index"


@pytest.mark.parametrize("question, when", [
    ("What happened this week?", "week"), ("What's new?", "week"), ("what is new today?", "today"),
    ("Any news?", "week"), ("What's the latest?", "week"), ("What happened yesterday?", "yesterday"),
    ("What happened to the pier?", None), ("What is new in the harbour?", None), ("What is the latest fare?", None),
])
def test_what_asks_what_is_new(question, when):
    assert article_facts.asks_latest(question) == when


def test_what_is_new_is_the_newest_articles_ledes_newest_first_and_never_an_undated_one(news):
    """"What happened this week?" names nothing to search for, so it was refused ("no words to search for")."""
    answer = Assistant(Settings.load(index_dir=news)).ask("What happened this week?")
    texts = {a["id"]: a["text"] for a in NEWS}
    assert not answer.abstained and [c.doc_id for c in answer.citations] == ["tram", "pier", "fair"]
    assert all(texts[c.doc_id][c.start:c.end] == c.quote for c in answer.citations)
    assert answer.citations[0].quote == "The first tram ran to the harbour on Monday morning."
    assert answer.answer.startswith("3 articles, newest first:") and "(2024-05-03)" in answer.answer


def test_what_is_new_on_a_day_is_that_weeks_or_that_days_articles(news):
    assistant = Assistant(Settings.load(index_dir=news))
    week = assistant.ask("What happened this week?", asked_on=date(2024, 5, 7))
    assert [c.doc_id for c in week.citations] == ["tram", "pier"] and "week up to 2024-05-07" in week.answer
    yesterday = assistant.ask("What happened yesterday?", asked_on=date(2024, 5, 4))
    assert [c.doc_id for c in yesterday.citations] == ["pier"] and "published on 2024-05-03" in yesterday.answer
    none = assistant.ask("Any news today?", asked_on=date(2024, 6, 1))
    assert none.abstained and not none.citations and "No article here was published on 2024-06-01" in none.answer
    shown = run_cli("ask", "What's new?", "--date", "2024-05-07", "--index", str(news)).stdout
    assert "Tram line opens" in shown and "Spring fair" not in shown and "Related reading" not in shown


def test_what_is_new_in_a_folder_without_dates_says_it_cant_be_told(news):
    answer = Assistant(Settings.load(index_dir=news)).ask("What's new?", within=frozenset({"essay"}))
    assert answer.abstained and not answer.citations and "publication date" in answer.answer


def test_a_saved_news_feed_ingests_and_what_is_new_lists_its_dated_items(tmp_path):
    from test_articles import ATOM, RSS

    (tmp_path / "gazette.rss").write_text(RSS, encoding="utf-8")
    (tmp_path / "herald.atom").write_text(ATOM, encoding="utf-8")
    run_cli("ingest", str(tmp_path), "--index", str(tmp_path / "index"))
    answer = json.loads(run_cli("ask", "What's new?", "--index", str(tmp_path / "index"), "--json").stdout)
    assert [c["doc_id"] for c in answer["citations"]] == ["tram-1", "urn:coast:1"]  # the undated pier item: never new
    assert [c["outlet"] for c in answer["citations"]] == ["Harbour Gazette", "Coast Herald"]
    assert "Harbour Gazette (2024-05-06)" in answer["answer"] and "Coast Herald (2024-05-02)" in answer["answer"]
    assert answer["citations"][0]["quote"] == "The first tram ran to the harbour on Monday."


@pytest.mark.parametrize("question, catalogue, term", [
    ("How many articles are there?", True, None), ("What articles do you have?", True, None),
    ("List the articles", True, None), ("What's in the folder?", True, None),
    ("How many articles are in the index?", True, None),
    ("Which articles mention the storm?", False, "storm"), ("How many stories mention “Ana Ruiz”?", False, "Ana Ruiz"),
    ("Does any article mention Kislyak?", False, "Kislyak"), ("Which article mentions bees?", False, "bees"),
    ("Which articles mention Peskov's?", False, "Peskov"), ("Which articles mention C++?", False, "C++"),
    ("Which articles mention “*”?", False, None),  # no words: asked as any question (and refused)
    ("What are the articles about?", False, None), ("How many articles did the council ban?", False, None),
])
def test_what_asks_which_articles_there_are_or_which_mention_something(question, catalogue, term):
    assert article_facts.asks_catalogue(question) is catalogue
    assert article_facts.asks_mentioning(question) == term


def test_which_articles_there_are_counts_them_their_outlets_and_days_and_cites_the_newest(news):
    """"How many articles are there?" was refused: it names nothing to search for."""
    answer = Assistant(Settings.load(index_dir=news)).ask("How many articles are there?")
    texts = {a["id"]: a["text"] for a in NEWS}
    assert answer.answer.startswith("4 articles in all from 2 outlets, published from 2024-04-20 to 2024-05-06.")
    assert [c.doc_id for c in answer.citations] == ["tram", "pier", "fair", "essay"]  # newest first, undated last
    assert all(texts[c.doc_id][c.start:c.end] == c.quote for c in answer.citations)


def test_which_articles_mention_words_cites_each_where_it_first_does_and_says_none_when_none(news):
    assistant = Assistant(Settings.load(index_dir=news))
    texts = {a["id"]: a["text"] for a in NEWS}
    answer = assistant.ask("Which articles mention the storm?")  # "storm-damaged" holds it; "storms" doesn't
    assert answer.answer.startswith("1 of the 4 articles mentions “storm”.") and not answer.abstained
    assert [(c.doc_id, c.quote) for c in answer.citations] == [
        ("pier", "Workers finished repairing the storm-damaged pier on Friday.")]
    assert all(texts[c.doc_id][c.start:c.end] == c.quote for c in answer.citations)
    none = assistant.ask("Which articles mention Kislyak?")
    assert none.abstained and not none.citations and none.answer == "None of the 4 articles mentions “Kislyak”."
    scoped = assistant.ask("How many articles mention harbour?", exclude=frozenset({"essay"}))
    assert scoped.answer.startswith("1 of the 3 articles mentions “harbour”.")


def test_which_articles_mention_words_reads_alike_from_both_table_backends(tmp_path, store_settings):
    """The keyword index proposes the passages: SQLite's FTS5 and PostgreSQL's full-text search alike, for
    words either could misread as syntax."""
    from assistant.ingest import ingest
    from conftest import copy_seeds

    ingest([copy_seeds(tmp_path / "articles")], store_settings, progress=False)
    assistant = Assistant(store_settings)
    assert assistant.ask("Which articles mention Sessions?").answer.startswith("1 of the 2 articles mentions “Sessions”.")
    assert assistant.ask("How many articles mention “Jeff Sessions”?").citations[0].quote.endswith("Jeff Sessions.")
    for odd in ("AND OR NOT", "C++", "Kislyak's"):
        assert assistant.ask(f"Which articles mention {odd}?").answer  # an answer, never a syntax error
