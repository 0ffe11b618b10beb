"""The article loaders fuzzed with hypothesis: whatever bytes or records a file holds, reading it yields
articles or one-line reasons naming the file, never an exception, and the text it keeps is the file's."""

import gzip
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.articles import Article, Rejected, html_to_text, read_file

SUFFIXES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".txt.gz", ".jsonl.gz", ".rss", ".xml", ".pdf"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=80))
records = st.dictionaries(st.sampled_from(["id", "title", "text", "body", "source", "published_at", "x"]),
                          st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2)),
                          max_size=6)


def read(name: str, payload: bytes) -> list:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(gzip.compress(payload) if name.endswith(".gz") else payload)
        items = list(read_file(path))
    for item in items:
        assert isinstance(item, (Article, Rejected))
        if isinstance(item, Rejected):
            assert name in item.source and item.reason and "\n" not in str(item)
        else:
            assert item.text.strip() and isinstance(item.title, str) and item.doc_id
    return items


@FUZZ
@given(st.sampled_from(SUFFIXES), st.binary(max_size=2000))
@example(".csv", b"\r ")  # found by this test: a lone carriage return made the CSV reader raise
def test_any_bytes_in_any_supported_file_never_raise(suffix, payload):
    read(f"fuzzed{suffix}", payload)


@FUZZ
@given(st.sampled_from([".txt", ".md"]), st.text(min_size=1, max_size=1500))
def test_text_files_keep_their_text_exactly(suffix, text):
    items = read(f"note{suffix}", text.encode("utf-8"))
    if isinstance(items[0], Article):  # a leading BOM is the encoding's mark, not text
        assert items[0].text == text.removeprefix("\ufeff")


@FUZZ
@given(st.lists(st.one_of(records, scalars), max_size=8))
def test_jsonl_records_of_any_shape_are_read_or_rejected_by_line(rows):
    payload = "\n".join(json.dumps(r) for r in rows).encode("utf-8")
    items = read("records.jsonl", payload)
    assert len(items) <= len(rows)
    for item in items:
        if isinstance(item, Rejected):
            assert item.line is not None and 1 <= item.line <= len(rows)


@FUZZ
@given(st.text(max_size=400), st.text(st.characters(blacklist_characters="<"), max_size=400))
def test_html_never_keeps_script_or_style_content(visible, hidden):
    hidden = "ZQXHIDDEN " + hidden
    markup = f"<html><body><p>{visible}</p><script>{hidden}</script><style>{hidden}</style></body></html>"
    _, text = html_to_text(markup)
    assert "ZQXHIDDEN" not in text or "ZQXHIDDEN" in visible


@FUZZ
@given(st.sampled_from(["feed.rss", "paper.pdf"]), st.lists(st.tuples(st.floats(0, 1, exclude_max=True),
                                                                   st.integers(0, 255)), min_size=1, max_size=20),
       st.floats(0.05, 1))
@example("feed.rss", [(0.0390625, 46)], 1.0)  # found by this test: "UTF.8" declared made the XML parser raise
def test_a_damaged_feed_or_pdf_never_raises(name, changes, kept):
    """Random bytes rarely get past a parser's first check; a real file with a few bytes changed, or cut
    short, reaches deep into it."""
    from test_articles import RSS, pdf_bytes

    pdf = pdf_bytes(("Harbour tram opens", "The first tram ran on Monday."))
    payload = bytearray(RSS.encode("utf-8") if name.endswith(".rss") else pdf)
    for where, value in changes:
        payload[int(where * len(payload))] = value
    read(name, bytes(payload[: max(1, int(kept * len(payload)))]))
