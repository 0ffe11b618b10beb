"""Who is speaking: the rules in assistant/speakers.py against hand-labelled sentences of the seed articles
(seeds/speakers.jsonl: every direct quote and reported claim in them, plus narration that mentions
speakers or uses quotation marks for other things), and on inline text."""

import json

import pytest

from assistant.questions import analyse
from assistant.speakers import NARRATION, QUOTE, REPORTED, voice_of, voices
from conftest import SEEDS, run_cli


def _labelled():
    for line in (SEEDS / "speakers.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = (SEEDS / f"{row['doc_id']}.txt").read_text(encoding="utf-8")
        start = text.index(row["sentence"])
        yield row, voice_of(text, start, start + len(row["sentence"]))


def _right(row, voice) -> bool:
    if voice.kind != row["kind"]:
        return False
    if not row["speaker"]:
        return voice.speaker is None
    return any(name.lower() in (voice.speaker or "").lower() for name in row["speaker"])


def test_seed_quotes_are_attributed_to_their_speakers():
    results = [(row["sentence"], voice.kind, voice.speaker, _right(row, voice)) for row, voice in _labelled()]
    wrong = [r for r in results if not r[3]]
    assert len(results) >= 25
    assert len(wrong) / len(results) <= 0.05, wrong


def test_quote_named_at_its_end_lends_the_name_to_earlier_sentences():
    text = ("The minister spoke on Tuesday.\n\n“We will not raise taxes. We never have,” Ana Costa said.\n\n"
            "Critics disagreed. “She raised them twice,” said Tom Reyes.")
    found = {text[v.start:v.end]: v for v in voices(text)}
    assert found["“We will not raise taxes."].kind == QUOTE
    assert found["“We will not raise taxes."].speaker == "Ana Costa"
    assert found["“She raised them twice,” said Tom Reyes."].speaker == "Tom Reyes"
    assert found["Critics disagreed."].kind == NARRATION
    assert found["The minister spoke on Tuesday."].speaker is None


def test_a_quote_closed_without_a_space_after_it_ends_there():
    # A scraped page's "… the region.”Harry Kazianis, …": the next sentence is not inside the quote.
    text = ("“Russia tries to weaken trust,” the cable said. “Its invasions show a willingness to use force in "
            "the region.”Harry Kazianis, an analyst, said, “Moscow will not take kindly to it.”")
    found = {text[v.start:v.end]: v for v in voices(text)}
    assert found["Harry Kazianis, an analyst, said, “Moscow will not take kindly to it.”"].speaker == "Harry Kazianis"


@pytest.mark.parametrize("sentence, speaker", [
    ("An unclassified State Department cable, seen by Reuters, said: “Russia tries to weaken trust.”",
     "an unclassified State Department cable"),
    ("The memo, obtained by The Associated Press, says the agency will cut 300 jobs.", "the memo"),
    ("Southwest CEO Bob Jordan, in a message to employees obtained by CNN, acknowledged the delays.", "Bob Jordan"),
    ("Peskov, seen by many as Putin's voice, said the talks failed.", "Peskov")])
def test_the_outlet_that_saw_a_document_is_not_its_speaker(sentence, speaker):
    """"…, seen by Reuters, said" is the document's claim: Reuters only saw it. Nor does the next quote
    lend its speaker to the document's words."""
    text = f"The talks stalled. {sentence} “We are not worried,” Smith said."
    found = {text[v.start:v.end]: v for v in voices(text)}
    assert found[sentence].speaker == speaker, found[sentence]


def test_reported_claim_and_pronoun_refer_back():
    text = "Maria Lopez said the bridge was safe. She added that repairs would start in May. It rained."
    kinds = [(v.kind, v.speaker) for v in voices(text)]
    assert kinds == [(REPORTED, "Maria Lopez"), (REPORTED, "Maria Lopez"), (NARRATION, None)]


def test_scare_quotes_leave_narration_alone():
    text = "Given the senator’s “hostile” views on trade, the deal is unlikely to pass this year."
    assert voices(text)[0].kind == NARRATION


def test_an_unnamed_speaker_at_the_end_is_not_the_opening_name():
    text = "Quarry reopens\n\nThe Dunmore slate quarry reopened on Monday with forty workers, the owners said.\n"
    [_, sentence] = voices(text)
    assert (sentence.kind, sentence.speaker) == (REPORTED, "the owners")


@pytest.mark.parametrize("text, kind, speaker", [
    ("The fire was contained by Tuesday, officials said on Tuesday.", REPORTED, "officials"),
    ("The mayor said the city would pay.", REPORTED, "the mayor"),
    ("“We are thrilled,” said the director.", QUOTE, "the director"),
    # A pronoun or a relative clause names no one; nor does an unnamed speaker become whom "he" refers to.
    ("Sales fell 3%, it said.", NARRATION, None),
    ("The deal, which officials said was final, collapsed.", NARRATION, None),
    ("Prices rose, the owners said. It was a good year, he said.", NARRATION, None),
])
def test_news_attributes_a_claim_to_someone_unnamed(text, kind, speaker):
    """"…, officials said" is the commonest attribution in news: someone's claim, not the article's own voice."""
    assert (voices(text)[-1].kind, voices(text)[-1].speaker) == (kind, speaker)


@pytest.mark.parametrize("text, speakers", [
    # an institution named with "the" keeps its whole name: not "York Times", "Aviation Administration"
    ("The New York Times said the talks had stalled.", ["New York Times"]),
    ("The Federal Aviation Administration said it will act.", ["Federal Aviation Administration"]),
    ("The Kremlin’s Dmitry Peskov said it was fake.", ["Dmitry Peskov"]),  # someone's: two words still
    # a title opening the sentence refers back, and is the title's holder when no one was named
    ("Biden said it was over. The President said the deal was off.", ["Biden", "Biden"]),
    ("The hearing ended. The President said the deal was off.", [None, "the President"]),
    ("They said no.", [None]),
    # "According to Reuters, …" opens a claim; a name run into a title names no one this can tell
    ("According to Reuters, the deal collapsed.", ["Reuters"]),
    # a name after "the" is an institution's, whole; a person's title before their name stays out
    ("Flooding is likely, the National Hurricane Center said.", ["National Hurricane Center"]),
    ("The quake struck at 3 a.m., the U.S. Geological Survey said.", ["U.S. Geological Survey"]),
    ("It is over, the former President Donald Trump said.", ["Donald Trump"]),
    # an outlet closing the sentence reports it, whole, unless someone in it speaks; never a later "he"
    ("The fire spread, WUSA-TV reported Monday.", ["WUSA-TV"]),
    ("Talks failed, Minnesota Public Radio reported. He said no.", ["Minnesota Public Radio", None]),
    ("Riskey said workers want talks, Minnesota Public Radio reported.", ["Riskey"]),
    ("Delaware reported 886 cases.", [None]),  # a count, not a claim
    ("According to CNN Chief Law Enforcement Analyst John Miller, it is similar.", [None]),
    # the verb closing the sentence is the unnamed speaker's, not the name before the comma
    ("He was not charged, unlike the former President, the person said.", ["the person"]),
    ("Jackson, a “known fugitive,” police said.", [None]),  # a quote blanked inside the words is no name
    ("When it was finally over, pundits continued to pick it apart.", [None]),  # "continued to" says nothing
    # "added" or "posted" with a count after it is a score, not a claim; with a clause, words
    ("Popp scored twice and Germany added four more in the second.", [None]),
    ("The US economy added 261,000 new jobs in October.", [None]),
    ("Scheffler birdied one hole and posted two bogeys Friday.", [None]),
    ("Germany added that the team was tired.", ["Germany"]),
    # "continued to" says nothing; a participle after a comma is the sentence's subject's, not the name's
    ("Trump continued to insist the election was stolen.", [None]),
    ("Trump publicly bashed Cruz, saying she had poor leadership ability.", ["Trump"]),
    ("Biden continued to pledge support for Florida, saying the storm was among the worst.", ["Biden"]),
])
def test_who_speaks_is_named_whole_or_not_at_all(text, speakers):
    assert [v.speaker for v in voices(text)] == speakers


def test_a_label_before_a_colon_is_not_a_speaker():
    """"Item 1: the council … noted it": the colon ends the label, so "Item" is not someone speaking."""
    text = "Item 1: the council heard a routine report on mooring number 1 and noted it."
    assert voice_of(text, 0, len(text)).kind == NARRATION


@pytest.mark.parametrize("text, speaker", [
    ("Nielsen, the television ratings service, said Tuesday that 115.1 million viewers watched the game.", "Nielsen"),
    ("The Milwaukee County Zoo is closing immediately, County Executive Chris Abele said Saturday.", "Chris Abele"),
    ("It will stay closed Tuesday, the central bank announced.", "the central bank"),
    ("The deal is dead, May said.", "May"),  # a month that is also a name stays a name
])
def test_a_day_is_when_someone_spoke_never_who(text, speaker):
    """"said Tuesday" made "Tuesday" the speaker ("Tuesday's claim, reported") in 1,079 of the voices of
    2,187 development and ISOT articles."""
    assert [v.speaker for v in voices(text)] == [speaker]


@pytest.mark.parametrize("question, quoted", [
    ("Who said 'fake news'?", "fake news"),
    ("Which national leader claimed the UN was “losing credibility”?", "losing credibility"),
    ("Which state said “yes” to it?", None),  # one word: a sentence holding it says little
    ("What did Peskov call “fake news”?", None),  # asks what, not who
])
def test_a_question_quoting_words_asks_who_said_them(question, quoted):
    assert analyse(question).quoted == quoted


def test_who_said_quoted_words_is_answered_by_their_speaker_inside_the_quote(seed_index):
    # "Clinton" led it in bold: a name of the sentence, not the one saying it.
    answer = json.loads(run_cli("ask", "Who said 'fake news'?", "--index", str(seed_index), "--json").stdout)
    short = answer["short_answer"]
    assert short["text"] == "Dmitry Peksov" and answer["answer"].splitlines()[0] == "Dmitry Peksov"
    article = (SEEDS / f"{short['doc_id']}.txt").read_text(encoding="utf-8")
    assert article[short["start"]:short["end"]] == short["text"]
    assert any(c["start"] <= short["start"] < short["end"] <= c["end"] and "fake news" in c["quote"]
               for c in answer["citations"])


@pytest.mark.parametrize("text, speaker", [
    # A pronoun after the verb is the subject of what was said, not the speaker named at the end.
    ("Maria Lopez spoke first. Now Trump says he never met her.", "Trump"),
    ("Tom Reyes called. President Donald J. Trump said on Tuesday that the wall would be built.", "Donald J. Trump"),
    ("Maria Lopez said the vote was close. “The bill is dead,” she said.", "Maria Lopez"),
    # The name before an appositive speaks, not the last name before the verb.
    ("Senator Rand Paul, a fiscal hawk who has opposed his party’s spending plans, said he planned to vote "
     "for the U.S. Senate tax bill and urged his colleagues to do the same.", "Rand Paul"),
    ("Senator Marco Rubio, a Republican from Florida, the state with the most Haitians, urged Trump to act.",
     "Marco Rubio"),
    # A possessive or a party's adjective qualifies who speaks.
    ("Puerto Rico’s government has said 64 people died because of the hurricane.", "Puerto Rico’s government"),
    ("The Democratic governor said in a statement Wednesday that it was a proud day.", "Democratic governor"),
    # Pronouns and openers name nobody.
    ("We asked the White House for comment.", None),
    ("Some are saying that Trump has not botched the relief effort.", None),
    ("As Trump said, the bill is great.", "Trump"),
    ("That’s an increase of 250 cases, according to the state.", "the state"),
    # A title between "According to" and the name; an unnamed source opening the sentence.
    ("According to Weather.com meteorologist Chris Dolce, the storm will weaken by Friday.", "Chris Dolce"),
    ("According to a police spokesman, two people were hurt.", "a police spokesman"),
    ("According to data from the Centers for Disease Control and Prevention, cases rose.", None),
    # A passive verb's subject is what was said or done, not who said it ("Anyone with information … is
    # asked to call …" was Anyone's claim); someone asked something answers in the "he said" that follows.
    ("New measures were announced on Tuesday.", None),
    ("Anyone with information is asked to call Detective Gary Toms at 317-327-3475.", None),
    ("He was identified as Eric Jones, 23, according to the Marion County Coroner's Office.",
     "the Marion County Coroner's Office"),
    ("When Montalbano was asked by CNN’s Kristin Fisher about the station, he said it was safe.", "Montalbano"),
    ("Peskov was asked about the meetings. He said they were normal.", "Peskov"),
    ("Al-Thawadi was asked about the deaths due to construction for the World Cup and said: “It is 400.”",
     "Al-Thawadi"),
])
def test_who_speaks_is_a_name_not_an_opener_a_pronoun_or_a_qualifier(text, speaker):
    """Speaker labels over 1,400 ISOT and development articles (`runs/exp/speakers_diff.py`): "We", "As",
    "Some", "That’s" were speakers, "said he" handed the sentence to the last person named before."""
    assert voices(text)[-1].speaker == speaker


def test_a_reported_claim_is_labelled_with_the_speakers_possessive():
    from types import SimpleNamespace

    from assistant.render import voice_label

    label = lambda speaker: voice_label(SimpleNamespace(kind=REPORTED, speaker=speaker))  # noqa: E731
    assert label("Peskov") == "Peskov's claim, reported"
    assert label("Republicans") == "Republicans' claim, reported"
