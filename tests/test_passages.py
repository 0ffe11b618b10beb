from assistant.embedder import count_tokens
from assistant.passages import sentence_spans, split_passages
from conftest import SEEDS


def test_sentences_respect_abbreviations_quotes_and_ellipses():
    text = "Mr. Smith met Dr. Jones in the U.S. on Monday. “We disagree … in lots of issues,” he said. Done!"
    got = [text[s.start:s.end] for s in sentence_spans(text)]
    assert got == ["Mr. Smith met Dr. Jones in the U.S. on Monday.",
                   "“We disagree … in lots of issues,” he said.", "Done!"]


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
