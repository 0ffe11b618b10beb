import functools
import gzip
import io
import json

from assistant.articles import Article, Limits, Rejected, read_paths
from conftest import SEEDS, SEED_IDS


def test_seed_text_is_the_file_content_and_id_is_the_name():
    articles = list(read_paths([SEEDS]))
    txt = [a for a in articles if isinstance(a, Article)]
    assert [a.doc_id for a in txt] == list(SEED_IDS)
    raw = (SEEDS / f"{SEED_IDS[0]}.txt").read_bytes().decode("utf-8")
    assert txt[0].text == raw
    assert txt[0].title == "Kremlin Spokesman “Russian Ambassador met with Clinton’s campaign advisors”"


def test_html_keeps_visible_text_only(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Budget vote</title><style>p{color:red}</style></head><body>"
                    "<h1>Budget vote</h1><p>The council <b>approved</b> the budget.</p>"
                    "<script>alert('x')</script></body></html>")
    [article] = read_paths([page])
    assert article.title == "Budget vote"
    assert "approved the budget" in article.text
    assert "alert" not in article.text and "color" not in article.text


def test_jsonl_gz_and_csv_keep_metadata_and_reject_bad_lines(tmp_path):
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt") as f:
        f.write(json.dumps({"id": "a1", "title": "T1", "text": "Body one.", "source": "x.com",
                            "published_at": "2023-04-01", "label": "real"}) + "\n")
        f.write("{not json\n")
        f.write(json.dumps({"id": "a2", "title": "T2"}) + "\n")
    table = tmp_path / "table.csv"
    table.write_text("id,title,text,url\nc1,Head,Csv body.,http://e.x/1\n")
    items = list(read_paths([corpus, table]))
    articles = {a.doc_id: a for a in items if isinstance(a, Article)}
    rejected = [r for r in items if isinstance(r, Rejected)]
    assert articles["a1"].metadata == {"source": "x.com", "published_at": "2023-04-01", "label": "real"}
    assert articles["c1"].metadata == {"url": "http://e.x/1"}
    assert sorted(r.line for r in rejected) == [2, 3]
    assert all(str(corpus) in str(r) for r in rejected)


def test_unreadable_inputs_get_one_line_reasons(tmp_path):
    (tmp_path / "no_text.csv").write_text("id,title\n1,x\n")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin.txt").write_bytes("Café crème\nLe maire a parlé.".encode("latin-1"))
    (tmp_path / "utf16.txt").write_bytes("A text saved as UTF-16 without its byte-order mark.".encode("utf-16-le"))
    # One NUL a scraper left in an article is no reason to refuse the article.
    body = "The council met on Tuesday and voted to close the pier for the winter. " * 3
    (tmp_path / "stray.txt").write_bytes(f"Stray byte\n{body}\x00{body}".encode())
    items = list(read_paths([tmp_path, tmp_path / "missing.txt"]))
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in items if isinstance(r, Rejected)}
    assert "'text' column" in reasons["no_text.csv"]
    assert "not text" in reasons["binary.txt"]
    assert "not text" in reasons["utf16.txt"]
    assert "no such file" in reasons["missing.txt"]
    loaded = {a.title: a for a in items if isinstance(a, Article)}
    assert set(loaded) == {"Café crème", "Stray byte"}
    assert loaded["Stray byte"].text == f"Stray byte\n{body}{body}"


def test_a_link_out_of_the_folder_is_skipped_and_one_inside_is_read(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("Not an article: a file beside the folder.")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "story.txt").write_text("Story\n\nThe council approved the budget.")
    (folder / "out.txt").symlink_to(outside)
    (folder / "again.txt").symlink_to(folder / "story.txt")
    items = list(read_paths([folder]))
    read = {a.doc_id: a.text for a in items if isinstance(a, Article)}
    [rejected] = [r for r in items if isinstance(r, Rejected)]
    assert rejected.source.endswith("out.txt") and "outside the folder" in rejected.reason
    assert "secret" not in " ".join(read.values()) and read["again"] == read["story"]


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Harbour Gazette</title>
<item><title>Tram line opens</title><link>https://gazette.example/tram</link><guid>tram-1</guid>
<pubDate>Mon, 06 May 2024 08:00:00 +0000</pubDate><dc:creator>Ana Ruiz</dc:creator><description>Short.</description>
<content:encoded><![CDATA[<p>The first tram ran to the harbour on Monday.</p><script>alert(1)</script><p>Tickets cost two euros.</p>]]>
</content:encoded></item>
<item><title>Pier &amp; promenade</title><link>https://gazette.example/pier</link>
<description>&lt;p&gt;Workers finished repairing the pier on Friday.&lt;/p&gt;</description></item>
<item><title>Photo only</title><link>https://gazette.example/photo</link></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Coast Herald</title>
<entry><title type="html">Storm &lt;b&gt;closes&lt;/b&gt; ferry</title><id>urn:coast:1</id>
<link rel="alternate" href="https://coast.example/ferry"/><published>2024-05-02T10:00:00Z</published>
<author><name>Li Wei</name></author>
<content type="html">&lt;p&gt;The ferry between the islands stopped on Thursday after a storm.&lt;/p&gt;</content></entry>
</feed>"""


def test_each_item_of_an_rss_or_atom_feed_is_an_article_with_its_outlet_date_and_link(tmp_path):
    (tmp_path / "gazette.rss").write_text(RSS, encoding="utf-8")
    with gzip.open(tmp_path / "herald.atom.gz", "wt", encoding="utf-8") as handle:
        handle.write(ATOM)
    read = list(read_paths([tmp_path]))
    articles = {a.doc_id: a for a in read if isinstance(a, Article)}
    assert set(articles) == {"tram-1", "https://gazette.example/pier", "urn:coast:1"}
    tram = articles["tram-1"]
    assert tram.title == "Tram line opens" and "alert" not in tram.text and "Short." not in tram.text  # full content
    assert tram.text == "The first tram ran to the harbour on Monday.\n\nTickets cost two euros."
    assert tram.metadata == {"source": "Harbour Gazette", "url": "https://gazette.example/tram", "author": "Ana Ruiz",
                             "published_at": "2024-05-06T08:00:00+00:00", "source_file": "gazette.rss"}
    assert articles["https://gazette.example/pier"].title == "Pier & promenade"
    assert articles["https://gazette.example/pier"].text == "Workers finished repairing the pier on Friday."
    ferry = articles["urn:coast:1"]
    assert ferry.title == "Storm closes ferry" and ferry.metadata["published_at"] == "2024-05-02T10:00:00Z"
    assert ferry.metadata["source"] == "Coast Herald" and ferry.metadata["author"] == "Li Wei"
    skipped = [r for r in read if isinstance(r, Rejected)]
    assert [(r.line, "without text" in r.reason) for r in skipped] == [(3, True)]  # the item with no text


def test_a_hostile_feed_is_skipped_with_one_line_and_reads_nothing_outside_it(tmp_path):
    """An entity bomb, an external entity pointing at a local file, XML that is no feed, broken XML."""
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    (tmp_path / "bomb.xml").write_text(f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{laughs}]>'
                                       "<rss><channel><item><description>&l9;</description></item></channel></rss>")
    (tmp_path / "xxe.rss").write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY s SYSTEM "file:///etc/passwd">]>'
                                      "<rss><channel><item><description>a &s; b</description></item></channel></rss>")
    (tmp_path / "page.xml").write_text("<html><body>Not a feed.</body></html>")
    (tmp_path / "broken.rss").write_text("<rss><channel><item><title>cut off")
    read = list(read_paths([tmp_path]))
    assert all(isinstance(r, Rejected) for r in read) and len(read) == 4, read
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in read}
    assert all("\n" not in r for r in reasons.values())
    assert "amplification" in reasons["bomb.xml"] and "undefined entity" in reasons["xxe.rss"]
    assert "not an RSS or Atom feed" in reasons["page.xml"] and reasons["broken.rss"].startswith("malformed XML")


@functools.lru_cache(maxsize=None)
def pdf_bytes(lines: tuple[str, ...], title: str = "", image_only: bool = False) -> bytes:
    """A real PDF, one line of text per entry laid out as on a page (matplotlib writes it; TrueType fonts,
    so its text can be extracted), or a page with only a picture on it (a scan)."""
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        figure = plt.figure(figsize=(8.5, 11))
        if image_only:
            figure.figimage([[0.0, 1.0], [1.0, 0.0]], xo=50, yo=50)
        for i, line in enumerate(lines):
            figure.text(0.05, 0.9 - 0.03 * i, line, fontsize=11)
        out = io.BytesIO()
        figure.savefig(out, format="pdf", metadata={"Title": title or None})
        plt.close(figure)
    return out.getvalue()


def test_a_pdfs_text_is_read_as_paragraphs_with_its_title(tmp_path):
    lines = ("Harbour tram opens",
             "The first tram ran to the harbour on Monday morning, the mayor said, and it was full of",
             "commuters and tourists who had waited for years to ride the new line across the bay.",
             "Tickets cost two euros. Riders said the trip took twelve minutes from the station to the ter-",
             "minal, faster than the bus.")
    (tmp_path / "tram.pdf").write_bytes(pdf_bytes(lines))
    (tmp_path / "titled.pdf").write_bytes(pdf_bytes(lines[1:3], title="Trams return"))
    articles = {a.doc_id: a for a in read_paths([tmp_path])}
    assert articles["tram"].title == "Harbour tram opens"
    assert articles["tram"].text == (
        "Harbour tram opens\n\nThe first tram ran to the harbour on Monday morning, the mayor said, and it was "
        "full of commuters and tourists who had waited for years to ride the new line across the bay.\n\nTickets "
        "cost two euros. Riders said the trip took twelve minutes from the station to the terminal, faster than "
        "the bus.")
    assert articles["tram"].metadata == {"source_file": "tram.pdf"}  # its creation date is the file's, not the story's
    assert articles["titled"].title == "Trams return"


def test_a_pdf_that_cant_be_read_is_skipped_with_what_to_do(tmp_path):
    from pypdf import PdfReader, PdfWriter

    (tmp_path / "scan.pdf").write_bytes(pdf_bytes((), image_only=True))
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(("Secret plans for the harbour.",)))))
    writer.encrypt("password", algorithm="RC4-128")
    with open(tmp_path / "locked.pdf", "wb") as handle:
        writer.write(handle)
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in read_paths([tmp_path])}
    assert set(reasons) == {"scan.pdf", "junk.pdf", "locked.pdf"}, reasons
    assert "without text" in reasons["scan.pdf"] and "OCR" in reasons["scan.pdf"]
    assert reasons["junk.pdf"].startswith("not a readable PDF") and "encrypted" in reasons["locked.pdf"]
    # text past the article limit is not read on (here 40 characters, for a 60-character page)
    (tmp_path / "long").mkdir()
    (tmp_path / "long" / "long.pdf").write_bytes(pdf_bytes(("The first tram ran to the harbour on Monday morning today.",)))
    [long] = read_paths([tmp_path / "long"], Limits(1 << 20, 10, 1 << 20, article_chars=40))
    assert isinstance(long, Rejected) and "more than 40 characters" in long.reason
