import gzip
import json

from assistant.articles import Article, Rejected, read_paths
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
    items = list(read_paths([tmp_path, tmp_path / "missing.txt"]))
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in items if isinstance(r, Rejected)}
    assert "'text' column" in reasons["no_text.csv"]
    assert "not text" in reasons["binary.txt"]
    assert "no such file" in reasons["missing.txt"]
    latin = next(a for a in items if isinstance(a, Article))
    assert latin.title == "Café crème"


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
