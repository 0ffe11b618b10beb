import json
import re

import pytest

from assistant.answer import QuestionError
from assistant.questions import analyse
from assistant.settings import Settings
from conftest import CLINTON_ADVISORS, SEED_IDS, SEEDS, ask_folder, ask_index, copy_seeds, run_cli, shared_folder

ARTICLE_TEXT = {doc_id: (SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in SEED_IDS}


def assert_quotes_exact(answer: dict) -> None:
    for c in answer["citations"]:
        assert ARTICLE_TEXT[c["doc_id"]][c["start"]:c["end"]] == c["quote"]
        assert f"[{c['n']}]" in answer["answer"]


def test_clinton_advisors_cites_both_articles_with_the_claim(seed_index):
    answer = json.loads(run_cli("ask", CLINTON_ADVISORS, "--index", str(seed_index), "--json").stdout)
    assert not answer["abstained"]
    assert_quotes_exact(answer)
    by_doc = {}
    for c in answer["citations"]:
        by_doc.setdefault(c["doc_id"], []).append(c["quote"].lower())
    assert set(by_doc) == set(SEED_IDS)
    for doc_id, quotes in by_doc.items():
        # the claim: people around Clinton (advisors) met the Russian ambassador / had such meetings
        assert any(("advis" in q or "meetings" in q or "met with" in q) for q in quotes), (doc_id, quotes)
    # who is speaking: every cited span is Peskov's, quoted or reported, never the article's own assertion
    for c in answer["citations"]:
        assert c["kind"] in ("quote", "reported"), c
        assert c["speaker"] and c["speaker"].split()[-1] in ("Peskov", "Peksov"), c
    # how each article reports it: one line per article, each with its own citations
    assert [a["doc_id"] for a in answer["by_article"]] == list(dict.fromkeys(c["doc_id"] for c in answer["citations"]))
    for entry in answer["by_article"]:
        assert {"doc_id", "title", "statement", "citations"} <= set(entry)
        assert all(f"[{n}]" in entry["statement"] for n in entry["citations"])
        assert entry["statement"] in answer["answer"]
    assert set(answer) >= {"question", "answer", "abstained", "citations", "passages", "timings_ms"}
    assert all({"doc_id", "start", "end", "score"} <= set(p) for p in answer["passages"])


def test_who_interviewed_peskov(seed_assistant):
    answer = seed_assistant.ask("Who interviewed Peskov on CNN?")
    assert not answer.abstained
    assert "Fareed Zakaria" in answer.answer
    assert_quotes_exact(answer.to_dict())


def test_a_quote_that_opens_on_a_pronoun_includes_the_sentence_it_points_back_to(seed_assistant):
    answer = seed_assistant.ask("What kind of people around the Democratic candidate did Moscow's envoy meet?")
    assert_quotes_exact(answer.to_dict())
    quote = next(c.quote for c in answer.citations if "These were the people" in c.quote)
    assert "think tanks" in quote and not quote.startswith("These")


@pytest.mark.parametrize("question, speaker", [
    ("What did Jeff Sessions say?", "Jeff Sessions"),
    ("What did Jeff Sessions say in response to the accusations?", "Jeff Sessions"),
    ("What did Peskov claim about Clinton's advisors?", "Peskov"),
    ("What was the final score of the game between Delaware and Penn State?", None),  # "State" is no verb here
    ("What was a fan dressed as, and what did their sign say?", None),
    ("What did the Mouthpiece article say about Kislyak?", None),  # what an article says: no one's words
    ("What does the CNN story report about the meetings?", None),
    ("What did the report's author say?", "the report's author"),
    ("What did Peskov say the Russian ambassador's job was?", "Peskov"),  # his words on what follows "say"
    ("What is the focus of Delaware State University's contribution to the mission?", None),
])
def test_whose_words_a_question_asks_for(question, speaker):
    assert analyse(question).speaker == speaker


def test_a_speaker_asked_by_description_is_whoever_the_articles_have_speak_so(seed_assistant):
    """"The aide did however say, that they were largely disappointed …" is Peskov's: asked for "the Kremlin
    aide"'s words, the answer quotes it rather than saying no sentence is by the Kremlin aide."""
    answer = seed_assistant.ask("What did the Kremlin aide say about President Trump?")
    assert not answer.abstained, answer.answer
    assert any("disappointed" in c.quote and c.speaker == "Peskov" for c in answer.citations), answer.citations


def test_a_speakers_words_that_both_articles_report_are_cited_from_both(seed_assistant):
    """The first seed article says it is "part of the ambassador’s job to talk to officials of all political
    parties"; the second, in its own words, that Kislyak "had a responsibility to meet with both candidates’
    teams": Peskov's words, by two outlets."""
    answer = seed_assistant.ask("What did Peskov say the Russian ambassador's job was?")
    assert_quotes_exact(answer.to_dict())
    assert {c.doc_id for c in answer.citations} == set(SEED_IDS), answer.citations
    assert any("ambassador’s job" in c.quote for c in answer.citations)
    assert any("bilateral relations" in c.quote for c in answer.citations)


def test_asking_the_words_of_someone_who_never_speaks_abstains(seed_assistant):
    answer = seed_assistant.ask("What did Jeff Sessions say in response to the accusations?")
    assert answer.abstained and answer.evidence["speaker_not_found"] < 0
    assert "None of the sentences closest to the question is by Jeff Sessions." in answer.answer


@pytest.mark.parametrize("sentence, offered", [
    ("Zakaria, 58, hosts the show.", True), ("The 58-year-old host spoke.", True), ("He was aged 58.", True),
    ("Peskov, who is fifty-two years old, spoke.", True), ("Biden, who turned 80 in November, ran.", True),
    ("The interview lasted 30 minutes.", False), ("On March 3, 2017, 12 people came.", False),
])
def test_a_question_for_an_age_is_offered_only_an_age(sentence, offered):
    from assistant.answer_types import NUMBER, offers

    assert offers(sentence, NUMBER, {"how", "old", "is", "fareed", "zakaria"}) is offered
    assert offers("The interview lasted 30 minutes.", NUMBER, {"how", "long", "did", "it", "last"})


@pytest.mark.parametrize("sentence, offered", [
    ("The interview lasted 30 minutes.", True), ("The strike could last months.", True),
    ("Riders hung upside down for about three hours.", True), ("He was suspended for 90 days.", True),
    ("Peskov spoke on CNN in 2016.", False), ("12 people came on March 3.", False),
])
def test_a_question_for_a_length_is_offered_only_a_length(sentence, offered):
    from assistant.answer_types import NUMBER, offers

    assert offers(sentence, NUMBER, {"how", "long", "did", "the", "interview", "last"}) is offered


def test_asking_a_length_the_articles_never_give_says_so(seed_assistant):
    # The seeds give years and counts, but no length of time.
    answer = seed_assistant.ask("How long did Peskov's interview with Fareed Zakaria last?")
    assert answer.evidence["kind_not_offered"] < 0


def test_asking_an_age_the_articles_never_give_says_so(seed_assistant):
    # The seeds give numbers (years, counts) but no one's age.
    answer = seed_assistant.ask("How old is Fareed Zakaria?")
    assert answer.evidence["kind_not_offered"] < 0
    assert answer.abstained and "None of the sentences closest to the question gives a number." in answer.answer


@pytest.mark.parametrize("question", ["What is Peskov's salary?", "When did Peskov visit Paris?",
                                      "What was Peskov's re-election slogan?"])  # “re-election”, not “re”
def test_an_abstention_names_the_question_words_no_passage_read_holds(seed_assistant, question):
    """"The articles don't answer this" says why where it can, and what it says is true of the passages:
    each word it names, as the question spells it, is in none of the passages read."""
    answer = seed_assistant.ask(question).to_dict()
    assert answer["abstained"], answer["answer"]
    named = re.findall(r"“([^”]+)”", answer["answer"].split("None of the passages found mentions", 1)[1])
    assert named and all(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", question) for w in named), (named, answer["answer"])
    read = [p for p in answer["passages"] if p["read"]]
    for word in named:
        assert not any(re.search(rf"\b{re.escape(word)}\b", p["text"] + " " + p["title"], re.IGNORECASE) for p in read), word


def test_an_abstention_never_says_a_country_is_missing_that_a_passage_names_another_way():
    """"US" is named by "American" (not "UK"): an abstention's reason doesn't call it missing."""
    from types import SimpleNamespace

    from assistant.answer import _missing_as_asked
    from assistant.questions import analyse

    read = [SimpleNamespace(text="American auto workers ended their six-week strike.", metadata={"title": "Deal"})]
    assert _missing_as_asked(analyse("Which major strike in the US ended this week?"), read) == ["“major”"]
    assert _missing_as_asked(analyse("Which strike in the UK ended?"), read) == ["“UK”"]


def test_an_abstention_names_a_missing_number_as_the_question_writes_it():
    """"More than 30,000 pounds …" was abstained on saying no passage mentions “000”: the terms split the
    number at its comma; the reason names it whole, once."""
    from types import SimpleNamespace

    from assistant.answer import _missing_as_asked

    read = [SimpleNamespace(text="Officials recalled 30 tonnes of beef last week.", metadata={"title": "Recall"})]
    asked = analyse("More than 30,000 pounds of which food product were recalled, a 1.5 share?")
    assert _missing_as_asked(asked, read) == ["“30,000”", "“pounds”", "“food”", "“product”", "“1.5”", "“share”"]


def test_an_abstention_never_says_a_word_is_missing_that_a_passage_holds_with_another_ending(seed_assistant):
    """"with host Fareed Zakaria": the missing-words evidence stems crudely and misses "hosts", but the
    reason given must still be true of the passages."""
    answer = seed_assistant.ask("Who hosts GPS?").to_dict()
    read = " ".join(p["text"] for p in answer["passages"] if p["read"])
    assert re.search(r"\bhost\b", read)
    assert "“hosts”" not in answer["answer"], answer["answer"]


# Five short stories that say "major", and the one the question is about, which doesn't.
MAJOR = [("storm", "Storm hits coast", "A major storm hit the coast on Monday, cutting power to thousands of homes."),
         ("road", "Road works", "Major road works will close the bridge for two weeks, the council said."),
         ("match", "Cup final", "The major final drew a record crowd to the stadium on Saturday."),
         ("bank", "Bank results", "A major bank reported higher profits as interest rates rose."),
         ("film", "Film festival", "The festival opened with a major premiere attended by hundreds of fans."),
         ("bakery", "Bakery shuts", "The Stromness bakery shut its doors on Friday after forty years of trading.")]


def test_an_abstention_names_the_missing_words_that_tell_the_story_and_the_week_none_is_of(tmp_path, store_settings):
    """"None of the passages found mentions “major”" was the reason given where most passages of the
    index lack "major" whatever their story: the reason names the question's rare missing words, not its
    common ones, by either table backend's counts; and a question asked on a day says that none of the
    best passages is of its week."""
    import dataclasses
    from datetime import date

    from assistant.answer import Assistant
    from assistant.ingest import ingest

    corpus = tmp_path / "major.jsonl"
    corpus.write_text("".join(json.dumps({"id": d, "title": t, "text": x, "published_at": f"2023-01-{10 + i}"}) + "\n"
                              for i, (d, t, x) in enumerate(MAJOR)), encoding="utf-8")
    settings = dataclasses.replace(store_settings, top_k=1)  # the bakery's passage alone is read
    ingest([corpus], settings, progress=False)
    assistant = Assistant(settings)
    question = "Which major bakery chain closed its seaside shop?"
    answer = assistant.ask(question)
    assert [p["doc_id"] for p in answer.to_dict()["passages"] if p["read"]] == ["bakery"]
    assert answer.abstained and "mentions “chain”, “seaside” or “shop”." in answer.answer, answer.answer
    assert "“major”" not in answer.answer and "week" not in answer.answer
    dated = assistant.ask(question, asked_on=date(2023, 6, 1))
    assert dated.abstained and "published in the week up to 2023-06-01." in dated.answer, dated.answer
    assert "published in the week" not in assistant.ask(question, asked_on=date(2023, 1, 16)).answer


@pytest.mark.parametrize("question", ["Who interviewed Lavrov on CNN?", "Whose spokesman is Sergey Lavrov?",
                                      "Who won the 2023 Masters Tournament at Augusta National?",
                                      "Who won the 2020 presidential election?",
                                      "Which Clinton advisors met with the Russian ambassador in Texas?"])
def test_a_question_naming_someone_no_article_read_mentions_is_not_answered(seed_assistant, question):
    """The sentence about Peskov's CNN interview matches every other word of "Who interviewed Lavrov on
    CNN?"; neither seed article names Lavrov, so they don't answer it, and the abstention says so. What
    it names is in the question, and a word of it in no article read, anywhere in its text."""
    answer = seed_assistant.ask(question).to_dict()
    assert answer["abstained"] and not answer["citations"], answer["answer"]
    named = re.findall(r"“([^”]+)”", answer["answer"].split("None of the articles found mentions", 1)[1])
    assert named and all(name in question for name in named), (named, answer["answer"])
    read = [ARTICLE_TEXT[doc_id] for doc_id in {p["doc_id"] for p in answer["passages"] if p["read"]}]
    for name in named:
        assert any(not any(re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) for text in read)
                   for word in name.split()), name


@pytest.mark.parametrize("question", ["Why did Puttin prefer Trump?", "Who interviewed Peksov on CNN?",
                                      "What did Fareed Zakaria ask Peskov?", "What did Peskov say about the US?",
                                      "Why did Russia prefer Trump?"])
def test_a_name_the_articles_spell_another_way_or_only_in_part_counts_as_mentioned(seed_assistant, question):
    # "Puttin" is Putin misspelled, "Peksov" how one seed misspells Peskov; "Fareed Zakaria" is named in full;
    # the US is "the United States" to the seeds, and Russia is named (a country counts, not a city).
    assert seed_assistant.ask(question).evidence["unmentioned"] == []


def test_unrelated_question_abstains_with_related_reading(seed_assistant):
    answer = seed_assistant.ask("What is the capital of Australia?")
    assert answer.abstained and not answer.citations
    assert "don't answer" in answer.answer
    assert answer.passages  # closest passages offered as related reading


@pytest.mark.parametrize("question", ["", "   \n\t ", "?!...", "x" * 100_000])
def test_unusable_questions_get_a_clear_message(seed_assistant, question):
    with pytest.raises(QuestionError) as error:
        seed_assistant.ask(question)
    assert "\n" not in str(error.value) and str(error.value)


def test_cli_prints_a_cited_answer_and_one_line_errors(seed_index):
    text = run_cli("ask", "Who interviewed Peskov on CNN?", "--index", str(seed_index)).stdout
    assert "[1]" in text and "Fareed Zakaria" in text
    bad = run_cli("ask", "   ", "--index", str(seed_index), check=False)
    assert bad.returncode == 2 and bad.stderr.strip().startswith("error:") and "Traceback" not in bad.stderr


def test_asking_only_one_article_cites_only_it(seed_index):
    only = SEED_IDS[1]
    answer = json.loads(run_cli("ask", CLINTON_ADVISORS, "--index", str(seed_index), "--json", "--article", only).stdout)
    assert answer["citations"] and {c["doc_id"] for c in answer["citations"]} == {only}
    assert_quotes_exact(answer)
    unknown = run_cli("ask", CLINTON_ADVISORS, "--index", str(seed_index), "--outlet", "Nowhere Gazette", check=False)
    assert unknown.returncode == 2 and "Nowhere Gazette" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_choice_of_articles_less_the_left_out_ones_is_what_is_read(seed_assistant):
    # How eval asks a small folder's question with its gold article withheld: the rest of the folder.
    kept = seed_assistant.ask(CLINTON_ADVISORS, exclude=frozenset(SEED_IDS[:1]), within=frozenset(SEED_IDS))
    assert {p["doc_id"] for p in kept.passages} == {SEED_IDS[1]}
    none = seed_assistant.ask(CLINTON_ADVISORS, exclude=frozenset(SEED_IDS), within=frozenset(SEED_IDS))
    assert none.abstained and not none.passages


def test_asking_a_missing_index_says_to_ingest_first_and_creates_nothing(tmp_path):
    for command in (("ask", "Who interviewed Peskov on CNN?"), ("status",)):
        result = run_cli(*command, "--index", str(tmp_path / "empty"), check=False)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.strip().splitlines() == [result.stderr.strip()]
        assert "no index at" in result.stderr and "assistant ingest" in result.stderr
    assert not (tmp_path / "empty").exists()


def test_one_article_cannot_crowd_the_second_source_out_of_what_is_read(seed_index):
    """All ten best passages for this question are the first article's; the second names the ambassador."""
    answer = json.loads(run_cli("ask", "What is the name of the Russian ambassador?", "--index", str(seed_index),
                                "--json").stdout)
    passages = answer["passages"]
    assert len({p["doc_id"] for p in passages[:10]}) == 1  # what the cap is for: one article leads
    read, cap = [p for p in passages if p["read"]], Settings().per_article
    assert len(read) == Settings().top_k == 2 * cap
    # each article's best `cap`, in rank order
    for doc_id in SEED_IDS:
        assert [p for p in read if p["doc_id"] == doc_id] == [p for p in passages if p["doc_id"] == doc_id][:cap]


def test_a_question_that_names_an_article_reads_only_that_article(seed_index):
    answer = json.loads(run_cli("ask", "How did Russian hackers try to influence the election, according to the "
                                "Mouthpiece article?", "--index", str(seed_index), "--json").stdout)
    mouthpiece = "001_e31c4c802982c21a"  # "Putin & Trump’s Mouthpiece Blames Hillary Clinton …"
    assert answer["passages"] and {p["doc_id"] for p in answer["passages"]} == {mouthpiece}
    assert {c["doc_id"] for c in answer["citations"]} <= {mouthpiece}
    assert "“Mouthpiece”" in answer["notice"]
    assert_quotes_exact(answer)


def test_asking_what_a_named_article_says_reads_it_rather_than_looking_for_its_words(seed_assistant):
    """"What did the Mouthpiece article say about Kislyak?" was read as asking for the words of a speaker
    called "the Mouthpiece article", whom no sentence is by, and abstained."""
    answer = seed_assistant.ask("What did the Mouthpiece article say about Kislyak?").to_dict()
    assert not answer["abstained"] and {c["doc_id"] for c in answer["citations"]} == {"001_e31c4c802982c21a"}
    assert any("Kislyak" in c["quote"] for c in answer["citations"]), answer["citations"]
    assert_quotes_exact(answer)


def test_invisible_characters_pasted_into_a_question_change_nothing(seed_assistant):
    plain = seed_assistant.ask("Who interviewed Peskov on CNN?")
    pasted = seed_assistant.ask("Who \u200binterviewed Pes\u200bkov\u2060 on\u200e CNN?\ufeff")
    assert pasted.question == plain.question and pasted.answer == plain.answer


@pytest.mark.parametrize("question, named", [
    ("Who took the feature image of the Mouthpiece article?", "Mouthpiece"),
    ("Besides the CNN interview, where were the quotes in the Kremlin Spokesman article taken from?", "Kremlin Spokesman"),
    ("How many died, according to the new Reuters report?", "Reuters"),
    ("What does the latest report say about oil?", None),  # says which article without naming one
    ("Who resigned, according to this week's report?", None),
    ("What did Peskov claim about Clinton's advisors?", None),
])
def test_the_words_a_question_names_an_article_by(question, named):
    assert analyse(question).article == named


def test_a_passage_only_the_keyword_index_proposes_carries_its_articles_outlet_and_date(tmp_path):
    # With a dense pool of one passage, the other article reaches the answer through the keyword index
    # alone: it must still know its week (the recency bonus) and its outlet and date (its citation).
    from assistant.answer import Assistant

    corpus = tmp_path / "news.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in [
        {"id": "ferry", "title": "Glenmoor ferry", "source": "harbour.example", "published_at": "2023-05-02",
         "text": "The Glenmoor ferry terminal opens in June, the council said."},
        {"id": "gulls", "title": "Gulls of Glenmoor", "source": "birds.example", "published_at": "2023-05-03",
         "text": "Herring gulls nest on the roofs of Glenmoor every spring."}]))
    index = tmp_path / "index"
    run_cli("ingest", str(corpus), "--index", str(index))
    assistant = Assistant(Settings.load(index_dir=index, dense_pool=1, candidates=1))
    ranked = assistant.retrieve("When does the Glenmoor ferry terminal open, and where do gulls nest?")
    assert {n.metadata["doc_id"] for n in ranked} == {"ferry", "gulls"}
    assert all(n.metadata.get("source", "").endswith(".example") and n.metadata.get("published_at")
               for n in ranked)


def test_one_article_alone_answering_is_quoted_with_its_runner_up_sentence(tmp_path):
    """Only one article is about e-scooters: its best sentence (the vote) answers "why" and its runner-up
    (at least a fifth as probable) the "when", so both are quoted; the other article stays out."""
    answer = ask_folder(tmp_path, {
        "scooters": "City bans e-scooters\n\nThe city council voted on Tuesday to ban rental e-scooters from the old "
                    "town after a year of complaints from residents. The ban takes effect in May, and the three "
                    "rental companies must remove their scooters by then. Private scooters are not affected.\n",
        "parking": "New parking rules downtown\n\nDrivers will pay more to park downtown from next month, the council "
                   "said. The new rates apply on weekdays between eight and six.\n"},
        "Why did the council ban rental e-scooters, and when?")
    assert not answer["abstained"] and [c["doc_id"] for c in answer["citations"]] == ["scooters", "scooters"]
    assert "complaints" in answer["citations"][0]["quote"] and "takes effect in May" in answer["citations"][1]["quote"]


def test_the_person_a_question_names_never_leads_its_answer(tmp_path):
    """"What did Pruitt promote?" is not answered **Scott Pruitt**: the question's own subject, named whole
    in the sentence that answers, is never the short answer."""
    answer = ask_folder(tmp_path, {
        "pruitt": "EPA chief's trip to Morocco questioned\n\nEPA Administrator Scott Pruitt, in a trip to Morocco last "
                  "week, promoted U.S. liquefied natural gas. Senator Tom Carper asked the agency's inspector "
                  "general to audit the trip, which he said cost taxpayers $40,000.\n",
        "tax": "Senator Lee backs tax bill\n\nRepublican Senator Mike Lee of Utah said on Monday that he will vote "
               "for the tax bill, leaving two Republicans undecided.\n"},
        "What did Pruitt promote in Morocco?")
    assert not answer["abstained"] and "liquefied natural gas" in answer["citations"][0]["quote"]
    assert "Pruitt" not in (answer["short_answer"] or {}).get("text", "")


def test_a_text_wrapped_at_a_fixed_width_is_quoted_in_whole_sentences(tmp_path):
    """Newswire wrapped at 65 characters (Reuters-21578): the answer quotes the whole sentence that
    answers, across its line breaks, and shows it on one line; the citation is still the article's span."""
    from test_passages import WRAPPED

    answer = _ask_one_article(tmp_path, WRAPPED, "How much will the government devote to land reform?")
    quote = answer["citations"][0]["quote"]
    assert quote.startswith("President Corazon Aquino announced") and quote.endswith("failed businesses.")
    assert WRAPPED[answer["citations"][0]["start"]:answer["citations"][0]["end"]] == quote
    assert " ".join(quote.split()) in answer["answer"]


def test_a_sentence_addressed_to_a_model_is_never_quoted(injected_index):
    """Hostile input: an article that talks to a model ("ignore your previous instructions …") is read like
    any other, but such sentences instruct rather than answer, so no answer quotes them."""
    answer = json.loads(run_cli("ask", CLINTON_ADVISORS, "--index", str(injected_index), "--json").stdout)
    assert any("BANANAS" in p["text"] for p in answer["passages"])  # it was read
    assert answer["citations"] and "BANANAS" not in answer["answer"].upper()


def test_a_sentence_opening_on_the_city_is_not_quoted_with_the_headline_line_above_it(tmp_path):
    """"The city …" points back to the sentence before it, except where that is a text file's headline."""
    text = ("City bans rented e-scooters\n\nThe city council voted on Monday to ban rented e-scooters from the old "
            "town. Riders left them on pavements, the mayor said.\n")
    answer = ask_folder(tmp_path, {"scooters": text}, "What did the city council ban on Monday?")
    quotes = [c["quote"] for c in answer["citations"]]
    assert quotes and quotes[0].startswith("The city council voted") and all(text[c["start"]:c["end"]] == c["quote"]
                                                                           for c in answer["citations"])


def test_a_sentence_two_articles_share_is_quoted_once_and_cited_in_both(tmp_path):
    """A wire story run by two outlets: its sentence was quoted twice, once per article ([1] and [2] the
    same words). Now it is quoted once, and the other outlet's copy is cited beside it, marked as a copy."""
    folder = tmp_path / "articles"
    folder.mkdir()
    wire = ("The city council voted on Tuesday to ban rental e-scooters from the old town after a year of "
            "complaints from residents.")
    texts = {"herald": f"Council bans e-scooters\n\n{wire} The ban takes effect in May.\n",
             "gazette": f"Scooters out of old town\n\n{wire} Three rental companies operate there.\n"}
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    run_cli("ingest", str(folder), "--index", str(tmp_path / "index"))
    answer = json.loads(run_cli("ask", "Why did the council ban rental e-scooters?", "--index", str(tmp_path / "index"),
                                "--json").stdout)
    assert not answer["abstained"] and answer["answer"].count(wire) == 1, answer["answer"]
    assert all(texts[c["doc_id"]][c["start"]:c["end"]] == c["quote"] for c in answer["citations"])
    # the gazette is cited by its copy alone: beside the sentence, never as a second line
    quoting = [c for c in answer["citations"] if c["copy_of"] is None]
    copies = [c for c in answer["citations"] if c["copy_of"] is not None]
    assert [c["quote"] for c in quoting] == [wire], quoting
    assert [(c["doc_id"], c["copy_of"], c["quote"]) for c in copies] == [
        (({"herald", "gazette"} - {quoting[0]["doc_id"]}).pop(), quoting[0]["n"], wire)], copies
    assert f"{wire} [{quoting[0]['n']}] [{copies[0]['n']}]" in answer["answer"]
    assert len(answer["by_article"]) == 1 and copies[0]["n"] in answer["by_article"][0]["citations"]
    shown = run_cli("ask", "Why did the council ban rental e-scooters?", "--index", str(tmp_path / "index")).stdout
    assert f"· the same words as [{quoting[0]['n']}]" in shown


def _ask_one_article(tmp_path, text: str, question: str) -> dict:
    """`text` stored as the one article of a new index, then `question` asked of it (`ask --json`)."""
    return ask_folder(tmp_path, {"article": text}, question)


def test_a_sentence_calling_the_answer_what_the_question_does_is_quoted_with_the_one_naming_it(tmp_path):
    """"The signature drink returned …" answers "Which signature drink …?" with the words the question uses,
    but it is the sentence before that names the drink: the two are quoted as one span, and the name is a
    candidate read from it."""
    text = ("Coffee chain brings back its autumn favourite\n\nStarbucks’ beloved Pumpkin Spice Latte is back. The "
            "signature drink returned to the fall menu on Thursday, marking its 20th anniversary. Baristas said "
            "queues formed early in several cities.\n")
    answer = _ask_one_article(tmp_path, text, "Which signature drink returned to the fall menu on Thursday?")
    holding = [c for c in answer["citations"] if "The signature drink returned" in c["quote"]]
    assert holding and holding[0]["quote"].startswith("Starbucks’ beloved Pumpkin Spice Latte"), answer["citations"]
    assert text[holding[0]["start"]:holding[0]["end"]] == holding[0]["quote"]
    named = [c for c in answer["candidates"] if c["text"] == "Pumpkin Spice Latte"]
    assert named and text[named[0]["start"]:named[0]["end"]] == "Pumpkin Spice Latte", answer["candidates"]


def test_a_sentence_pointing_back_past_a_link_is_quoted_alone(tmp_path):
    """"This is the closest the Nuggets have come …" points back, but the sentence before it is a link to
    another story, glued to its label ("More:…"); a subheading that asks is kept: it often names what "the
    company" is."""
    text = ("Nuggets one win from the title\n\nThe Denver Nuggets beat the Miami Heat 108-95 on Friday to lead the "
            "NBA Finals three games to one.\n\nHave the Nuggets ever won a championship?\n\nThis would be Denver’s "
            "first NBA Finals victory in the franchise's 47 seasons in the league.\n\nMore:Heat coach Erik "
            "Spoelstra says his team will not quit\n\nThis is the closest the Nuggets have come to a title since "
            "they joined the NBA in 1976.\n")
    answer = _ask_one_article(tmp_path, text, "When was the closest the Nuggets have come to a title?")
    assert any(c["quote"].startswith("This is the closest the Nuggets have come") for c in answer["citations"]), answer
    assert not any("More:" in c["quote"] for c in answer["citations"])
    answer = ask_index(tmp_path, "Would this be Denver's first NBA Finals victory?")
    assert any(c["quote"].startswith("Have the Nuggets ever won a championship?") for c in answer["citations"]), answer


def test_a_quote_two_articles_report_cites_both_without_quoting_it_twice(seed_assistant):
    """Both seed articles report Peskov's words on Clinton, each with its own lead-in and attribution, so
    no sentence of one is a sentence of the other. The article whose sentence isn't quoted is cited for
    the run of words it shares with the quoted one, at that run's exact span."""
    answer = seed_assistant.ask("Why did Puttin prefer Trump?").to_dict()
    assert_quotes_exact(answer)
    copies = [c for c in answer["citations"] if c["copy_of"] is not None]
    assert {c["doc_id"] for c in answer["citations"]} == set(SEED_IDS) and copies, answer["citations"]
    by_n = {c["n"]: c for c in answer["citations"]}
    for copy in copies:
        original = by_n[copy["copy_of"]]
        assert copy["doc_id"] != original["doc_id"] and len(copy["quote"].split()) >= 10
        assert " ".join(re.findall(r"\w+", copy["quote"].lower())) in " ".join(re.findall(r"\w+", original["quote"].lower()))
        assert copy["quote"] not in answer["answer"]  # cited, not quoted again


def test_a_sentence_is_quoted_with_the_next_one_when_that_turns_against_it(tmp_path):
    """"… you would probably say that, yes, he was trying to interfere. But it would be nonsense," Peskov said:
    the first sentence alone was quoted, saying the opposite of what he meant."""
    text = ("Harbour toll\n\nThe mayor said critics would call the new harbour toll a tax rise for fishermen. "
            "But that would be wrong, because boats under ten metres pay nothing, she said.\n\n"
            "The toll starts in June. But the council has not yet printed the tickets.\n")
    answer = _ask_one_article(tmp_path, text, "Would critics call the harbour toll a tax rise for fishermen?")
    quotes = [c["quote"] for c in answer["citations"]]
    assert any(q.startswith("The mayor said critics") and q.endswith("she said.") for q in quotes), quotes
    assert all(text[c["start"]:c["end"]] == c["quote"] for c in answer["citations"])
    assert sum("But that would be wrong" in q for q in quotes) == 1  # once, not again on its own


DEAL = [
    {"id": "vote", "title": "Budget deal heads to the council", "source": "Harbour Gazette",
     "text": "The budget deal now goes to the council. The budget deal on the harbour needs one more council vote. "
             "Council members expect the budget deal vote this week."},
    {"id": "mayor", "title": "Mayor on the harbour", "source": "Coast Herald",
     "text": "The mayor spoke at the pier on Monday.\n\n“I’m confident we will pass it, and the harbour will not "
             "close,” Mayor Ana Ruiz said of the agreement. Fishing boats left early."},
]


PRIZE = [
    {"id": "last-year", "title": "Nobel Peace Prize goes to rights campaigners", "source": "Harbour Gazette",
     "published_at": "2022-10-07",
     "text": "The Nobel Peace Prize was won by rights campaigners from three countries. Who won the Nobel Peace "
             "Prize this year? Campaigners won the Nobel Peace Prize."},
    {"id": "this-week", "title": "Quiz note", "source": "Coast Herald", "published_at": "2023-10-06",
     "text": "The jailed Iranian activist Narges Mohammadi was honoured in Oslo for her fight for women's rights."},
]


def test_a_dated_question_reads_its_weeks_passages_even_below_the_passages_read(tmp_path):
    """"Who won this year's Nobel Peace Prize?" read ten passages on the 2022 prize, none of the week's
    own short note that names the winner, and abstained."""
    folder = tmp_path / "prize"
    folder.mkdir()
    (folder / "prize.jsonl").write_text("".join(json.dumps(a) + "\n" for a in PRIZE), encoding="utf-8")
    run_cli("ingest", str(folder / "prize.jsonl"), "--index", str(tmp_path / "index"))
    question = "Who won this year's Nobel Peace Prize?"
    ask = ("ask", question, "--index", str(tmp_path / "index"), "--json")
    # Reading one passage only: last year's article ranks first, even with the week's boost.
    dated = json.loads(run_cli(*ask, "--date", "2023-10-06", prefix=("env", "ASSISTANT_TOP_K=1")).stdout)
    assert [p["doc_id"] for p in dated["passages"]][0] == "last-year"
    assert {p["doc_id"] for p in dated["passages"] if p["read"]} == {"last-year", "this-week"}
    undated = json.loads(run_cli(*ask, prefix=("env", "ASSISTANT_TOP_K=1")).stdout)
    assert {p["doc_id"] for p in undated["passages"] if p["read"]} == {"last-year"}  # no week to read


RATES = [
    {"id": "june-2022", "title": "Central bank raises rates", "source": "Harbour Gazette", "published_at": "2022-07-27",
     "text": "The central bank raised its interest rate by three quarters of a point on Wednesday to fight "
             "inflation, its fourth rise this year."},
    {"id": "june-2023", "title": "Central bank holds rates", "source": "Coast Herald", "published_at": "2023-06-14",
     "text": "The central bank decided on Wednesday to hold its interest rate where it was, pausing after ten "
             "rises in a row."},
    {"id": "july-2023", "title": "Rate decision", "source": "Coast Herald", "published_at": "2023-07-26",
     "text": "Policymakers lifted borrowing costs a quarter point to a 22-year high."},
]


@pytest.mark.parametrize("question, read", [
    ("What did the central bank decide about interest rates in July?", "july-2023"),  # the latest July
    ("What did the central bank decide about interest rates in July 2022?", "june-2022"),
    ("What did the central bank decide about interest rates during June?", "june-2023"),
])
def test_a_question_naming_a_month_or_year_reads_that_periods_articles(tmp_path, question, read):
    """"What did the Fed decide about interest rates in July?" read the June decision first: a period the
    question names steers retrieval as a question's week does."""
    folder = tmp_path / "rates"
    folder.mkdir()
    (folder / "rates.jsonl").write_text("".join(json.dumps(a) + "\n" for a in RATES), encoding="utf-8")
    run_cli("ingest", str(folder / "rates.jsonl"), "--index", str(tmp_path / "index"))
    ask = ("ask", question, "--index", str(tmp_path / "index"), "--json")
    answer = json.loads(run_cli(*ask, prefix=("env", "ASSISTANT_TOP_K=1")).stdout)
    assert [p["doc_id"] for p in answer["passages"]][0] == read
    assert "published in" not in answer["notice"]
    plain = json.loads(run_cli("ask", re.sub(r" (in|during) \w+( \d+)?\?$", "?", question), "--index",
                               str(tmp_path / "index"), "--json", prefix=("env", "ASSISTANT_TOP_K=1")).stdout)
    assert plain["notice"] == ""


def test_an_answer_says_when_none_of_its_quotes_is_of_the_period_the_question_names(tmp_path):
    folder = tmp_path / "rates"
    folder.mkdir()
    (folder / "rates.jsonl").write_text("".join(json.dumps(a) + "\n" for a in RATES), encoding="utf-8")
    index = str(tmp_path / "index")
    run_cli("ingest", str(folder / "rates.jsonl"), "--index", index)
    # No article of March: the period is an event's, not a report's, and nothing is said of it.
    answer = json.loads(run_cli("ask", "What will the central bank decide about interest rates in March?",
                                "--index", index, "--json").stdout)
    assert answer["notice"] == ""
    answer = json.loads(run_cli("ask", "How much did the central bank raise its interest rate in July?",
                                "--index", index, "--json", prefix=("env", "ASSISTANT_TOP_K=1")).stdout)
    quoted_days = {c["published_at"][:7] for c in answer["citations"]}
    assert ("None of the passages quoted was published in July 2023" in answer["notice"]) == ("2023-07" not in quoted_days)


def test_an_abstention_on_a_name_no_article_read_mentions_says_which_others_do(tmp_path):
    """"Who intervewed Peskov on CNN?" on the development index read ten passages about CNN interviews and
    said none mentions Peskov, while 23 other articles do: the abstention now says so, and how to list them,
    counting only the articles the question may read."""
    folder = copy_seeds(tmp_path / "articles")
    (folder / "lavrov.txt").write_text("Lavrov visits Ankara\n\nRussian foreign minister Sergei Lavrov arrived in "
                                       "Ankara on Tuesday for talks on grain exports.\n", encoding="utf-8")
    index = str(tmp_path / "index")
    run_cli("ingest", str(folder), "--index", index)
    ask = ("ask", "Who interviewed Lavrov on CNN?", "--index", index, "--json")
    narrow = ("env", "ASSISTANT_TOP_K=1")  # one passage read: a seed's, about the CNN interview
    answer = json.loads(run_cli(*ask, prefix=narrow).stdout)
    assert answer["abstained"] and answer["evidence"]["unmentioned"] == ["Lavrov"]
    assert "1 other article mentions “Lavrov”: ask “Which articles mention Lavrov?”" in answer["answer"]
    seeds_only = [arg for doc_id in SEED_IDS for arg in ("--article", doc_id)]
    answer = json.loads(run_cli(*ask, *seeds_only, prefix=narrow).stdout)
    assert answer["abstained"] and "other article" not in answer["answer"]  # the Lavrov article is out of scope
    listed = json.loads(run_cli("ask", "Which articles mention Lavrov?", "--index", index, "--json").stdout)
    assert [c["doc_id"] for c in listed["citations"]] == ["lavrov"]


def test_what_someone_said_is_answered_by_their_own_words_even_below_the_passages_read(tmp_path):
    """"What did Biden say about the debt ceiling deal?" read ten passages about the deal, none with Biden
    speaking, and abstained; given his words, it quoted a headline about the deal instead."""
    folder = tmp_path / "deal"
    folder.mkdir()
    (folder / "deal.jsonl").write_text("".join(json.dumps(a) + "\n" for a in DEAL), encoding="utf-8")
    run_cli("ingest", str(folder / "deal.jsonl"), "--index", str(tmp_path / "index"))
    question = "What did Ruiz say about the budget deal?"
    # Reading one passage only: the deal's own article ranks first, the mayor's words are read all the same.
    answer = json.loads(run_cli("ask", question, "--index", str(tmp_path / "index"), "--json",
                                prefix=("env", "ASSISTANT_TOP_K=1")).stdout)
    assert [p["doc_id"] for p in answer["passages"]][0] == "vote"
    assert not answer["abstained"] and answer["citations"]
    assert all(c["speaker"] == "Ana Ruiz" for c in answer["citations"])
    assert "will not close" in answer["citations"][0]["quote"]


MANILA = """The Philippines will offer its commercial
bank creditors an innovative pricing plan that will make debt
payments through certificates of indebtedness as an alternative
to cash, the authoritative Business Day newspaper said.
    Finance Secretary Jaime Ongpin told reporters yesterday the
alternative proposal is designed to avoid an impasse when debt
rescheduling talks reopen in New York on Tuesday.
    He did not give details but said, "It is a very useful
alternative and in the end will permit the banks to say that
they achieved their pricing target and will likewise permit the
Philippines to say exactly the same thing."
    Quoting negotiation documents to be presented to the
country's 12-bank advisory committee, Business Day said the
debt certificates will carry maturities of five or six years.
    It said the certificates will be classified as zero-coupon
bonds or promissory notes with no interest but priced at a
considerable discount from their redemption price.
    It said the debt bonds will entitle holder banks to a
guaranteed return on both interest and principal since no
payment of any kind is made until the bond matures.
    It said a bank can sell the bonds on the secondary bond
market for either dlrs or pesos depending on its requirement.
    The documents said peso proceeds can be invested in
selected industries under the Philippines' debt/equity program.
    Ongpin said Manila is sticking to its demand of a spread of
5/8 percentage points over London Interbank Offered Rates
(LIBOR) for restructuring 3.6 billion dlrs of debt repayments.
    "We don't believe that there is going to be a problem on the
accounting side," Ongpin said. "Neither have the government
regulators indicated that there will be a problem."
 REUTER
"""
# Other articles' passages enough to fill the passages read beside the five the cap allows one article.
HARBOURS = [{"id": f"harbour-{n}", "title": "Ferry timetable", "text": f"The harbour board met on day {n} to discuss the "
             f"new ferry timetable, and the mayor said the ferries would run every {n + 10} minutes from the spring."}
            for n in range(1, 7)]


def test_a_passage_the_cap_left_out_is_read_where_it_holds_a_word_no_passage_read_holds(tmp_path):
    """"Who is the Finance Secretary of the Philippines?" read the article's five best passages, by the
    cap on one article's, and abstained saying none mentions “Finance”: its seventh best, just as well
    matched, did (Reuters-21578, as a folder of `tests/fixtures/on_topic_articles_heldout2.txt` holds it)."""
    folder = tmp_path / "folder"
    folder.mkdir()
    articles = [{"id": "manila", "title": "MANILA SAID TO OFFER DEBT BONDS TO BANKS", "text": MANILA}, *HARBOURS]
    (folder / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    run_cli("ingest", str(folder / "articles.jsonl"), "--index", str(tmp_path / "index"))
    # A cap of two, so that the ten read are the article's best four (two, and two more to fill the ten
    # beside the six others) and the six others: the passage ranks fifth of its article's here.
    answer = json.loads(run_cli("ask", "Who is the Finance Secretary of the Philippines?", "--index",
                                str(tmp_path / "index"), "--json", prefix=("env", "ASSISTANT_PER_ARTICLE=2")).stdout)
    manila = [p for p in answer["passages"] if p["doc_id"] == "manila"]
    finance = [i for i, p in enumerate(manila) if "Finance Secretary" in p["text"]]
    assert finance and finance[0] >= Settings().top_k - len(HARBOURS)  # what the cap leaves out
    assert manila[finance[0]]["read"]
    assert not answer["abstained"] and answer["short_answer"]["text"] == "Jaime Ongpin"


def test_under_a_bold_answer_another_article_is_quoted_only_where_it_names_it(tmp_path):
    """"Who is the Finance Secretary of the Philippines?" led with **Jaime Ongpin** and quoted, beside him,
    a senator on the Fed chair from another article of the folder (`tests/fixtures/on_topic_articles_heldout2.txt`,
    ISOT and Reuters-21578 articles from ../shared)."""
    run_cli("ingest", str(shared_folder(tmp_path, "on_topic_articles_heldout2.txt")), "--index", str(tmp_path / "index"))
    answer = ask_index(tmp_path, "Who is the Finance Secretary of the Philippines?")
    assert answer["short_answer"]["text"] == "Jaime Ongpin"
    assert all("Ongpin" in c["quote"] or c["doc_id"] == answer["short_answer"]["doc_id"] for c in answer["citations"])
