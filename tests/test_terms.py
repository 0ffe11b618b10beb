import pytest

from assistant.terms import content_terms, words


@pytest.mark.parametrize("written, asked", [("the U.S. strike", "the US strike"), ("in Washington, D.C.", "in Washington DC"),
                                            ("from Aug. 14", "from August 14"), ("on Sept 3", "on September 3"),
                                            ("U.S.-led talks", "US-led talks")])
def test_one_word_written_two_ways_reads_as_one(written, asked):
    """A question's "US" is an article's "U.S."; its "August 14" an article's "Aug. 14": the words that
    missing-word evidence and term overlap compare are the same either way."""
    assert words(written) == words(asked)


def test_what_only_looks_like_initials_or_a_month_stays_as_written():
    # "Jan" alone is a name, "Dec" in "Decide" no month, and a lone capital with a full stop ends a sentence.
    assert words("Jan said Plan B. Then decide") == ["jan", "said", "plan", "b", "then", "decide"]
    assert content_terms("Which major strike in the US ended?") == ["major", "strike", "us", "ended"]
