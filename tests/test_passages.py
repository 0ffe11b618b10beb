from assistant.embedder import count_tokens
import pytest

from assistant.passages import is_page_furniture, is_wrapped, reading_sentences, sentence_spans, split_passages
from conftest import SEEDS


def test_sentences_respect_abbreviations_quotes_and_ellipses():
    text = "Mr. Smith met Dr. Jones in the U.S. on Monday. “We disagree … in lots of issues,” he said. Done!"
    got = [text[s.start:s.end] for s in sentence_spans(text)]
    assert got == ["Mr. Smith met Dr. Jones in the U.S. on Monday.",
                   "“We disagree … in lots of issues,” he said.", "Done!"]
    # A scraped page that lost the space after a quotation.
    text = 'in the region.”Harry Kazianis, an analyst, said so. She asked: "Why?""I think not."'
    assert [text[s.start:s.end] for s in sentence_spans(text)] == [
        "in the region.”", "Harry Kazianis, an analyst, said so.", 'She asked: "Why?"', '"I think not."']
    # A dateline's state is no sentence's end: the agency and the dash go on with the story.
    text = "ANAHEIM, Calif. (AP) — The Angels hired Ron Washington. AUGUSTA, Ga. — Woods withdrew. Anaheim, Calif. Next."
    assert [text[s.start:s.end] for s in sentence_spans(text)] == [
        "ANAHEIM, Calif. (AP) — The Angels hired Ron Washington.", "AUGUSTA, Ga. — Woods withdrew.", "Anaheim, Calif.",
        "Next."]


WRAPPED = ("AQUINO ANNOUNCES LAND REFORM PLANS\n\nPresident Corazon Aquino announced\ngovernment plans to devote to "
           "land reform an estimated 24\nbillion pesos raised from the\nsale of failed businesses.\n    Agrarian "
           "Reform Secretary Heherson Alvarez said recently\nthe government planned to distribute 9.7 mln hectares\n"
           "of land to farmworkers.\n REUTER\n")


def test_a_text_wrapped_at_a_fixed_width_is_read_in_whole_sentences():
    """Newswire wrapped at 65 characters: its line breaks are no sentence ends, its indented lines are."""
    got = [WRAPPED[s.start:s.end] for s in sentence_spans(WRAPPED)]
    assert got == ["AQUINO ANNOUNCES LAND REFORM PLANS",
                   "President Corazon Aquino announced\ngovernment plans to devote to land reform an estimated 24\n"
                   "billion pesos raised from the\nsale of failed businesses.",
                   "Agrarian Reform Secretary Heherson Alvarez said recently\nthe government planned to distribute "
                   "9.7 mln hectares\nof land to farmworkers.", "REUTER"]
    # Short lines that end no sentence (a list of headlines) are no wrapped text: each is its own.
    lines = "Markets fell on Monday\nOil rose two percent, traders said\nGold was flat\nThe dollar slipped\n"
    assert len(sentence_spans(lines)) == 4


def test_a_passage_of_a_wrapped_text_is_read_as_its_article_is():
    """A passage of two lines can't tell that it was wrapped; its article can (`is_wrapped`)."""
    assert is_wrapped(WRAPPED) and not is_wrapped(SEEDS.joinpath("000_5fd4c794f016a340.txt").read_text())
    passage = ("Greenfield also said Samjens could sell its holdings in\nBurlington for 95 mln dlrs. \"We don't want "
               "that. We're not in\nthis for the money,\" he said.")
    alone = [sentence for _, _, sentence in reading_sentences(passage, 100)]
    assert alone[0] == "Greenfield also said Samjens could sell its holdings in"  # as it was read before
    read = reading_sentences(passage, 100, wrapped=True)
    assert read[0] == (100, 100 + passage.index("dlrs.") + 5, passage[:passage.index("dlrs.") + 5])
    assert [sentence for _, _, sentence in reading_sentences(passage, 100, wrapped=False)] == alone


def test_passages_are_exact_spans_within_the_token_budget():
    for path in SEEDS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        passages = split_passages(path.stem, text, count_tokens, 64)
        assert passages
        for p in passages:
            assert text[p.start:p.end] == p.text
            assert count_tokens([p.text])[0] <= 64
        # passages cover every sentence, in order, without overlap
        assert all(a.end <= b.start for a, b in zip(passages, passages[1:]))


def test_a_sentence_longer_than_the_budget_is_cut_at_words():
    text = "word " * 300 + "end."
    passages = split_passages("long", text, count_tokens, 50)
    assert len(passages) > 1
    assert all(count_tokens([p.text])[0] <= 50 and text[p.start:p.end] == p.text for p in passages)


@pytest.mark.parametrize("sentence, furniture", [
    ("Israel-Hamas War newsletter:Sign up to get the latest news and analysis from USA TODAY into your inbox.", True),
    ("From our morning news briefing to a weekly Good News Newsletter, get the best of The Week delivered "
     "directly to your inbox.", True),
    ("RELATED:Carney calls for bipartisan approach in State of the State address", True),
    ("Read more: False claim Trump increased debt more than any president", True),
    ("Click here to see the rankings.", True),
    # A link to another story, its label glued to its headline.
    ("More:Trump says he's made a decision on Iran nuclear deal", True),
    ("WANNA BET?Everything you need to know before betting on 2023 Women's World Cup", True),
    ("►Spillover:Supreme Court's affirmative action cases could affect private employers", True),
    ("► Founded: May 11, 1858 (32nd state to join)", False),
    ("Washington:Librarians at some district public schools could see cuts in their positions next year.", False),
    ("UPDATE: The storm made landfall near the border at 5 p.m.", False),
    # The story's own words about such things are the story.
    ("More than a million readers signed up for the paper's newsletter last year, the company said.", False),
    ("Residents who sign up for the city's flood alerts will get a text message.", False),
    ("The senator said related matters would be heard in May.", False),
])
def test_the_page_around_a_story_is_never_read_as_an_answer(sentence, furniture):
    assert is_page_furniture(sentence) is furniture
    assert bool(reading_sentences(sentence)) is not furniture
