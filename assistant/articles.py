"""Readers that turn files on disk into `Article` records, one reader per format.

A file that can't be read yields a `Rejected` record (file, line, one-line reason) instead of raising,
so one bad file never stops a batch.
"""

from __future__ import annotations

import codecs
import csv
import email.utils
import gzip
import hashlib
import io
import json
import logging
import re
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree
from typing import Iterable, Iterator

from assistant.settings import Settings

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
RECORD_SUFFIXES = {".json", ".jsonl", ".csv"}
# A saved news feed: each item of an RSS 2.0 / RSS 1.0 or Atom feed is an article.
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | RECORD_SUFFIXES | FEED_SUFFIXES | PDF_SUFFIXES
# What to tell someone whose file isn't one of these.
SUPPORTED_NAMES = ".txt .md .html .json .jsonl .csv .rss .atom .xml .pdf (.gz)"
CORE_FIELDS = ("id", "title", "text")
IGNORE_FILE = ".ingestignore"


@dataclass
class Article:
    doc_id: str
    title: str
    text: str
    metadata: dict = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        payload = json.dumps([self.title, self.text, self.metadata], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class Rejected:
    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return printable(f"skipped {where}: {self.reason}")


# Bidirectional overrides and isolates (U+202A–202E, U+2066–2069) reorder what follows them on screen:
# "cost \u202e05$" shows as "cost $50". Shown as escapes like the other controls, what a quote looks like
# is what it holds.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile(rf"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def printable(text: str) -> str:
    """One line for a terminal: control characters from a file (NUL, newlines, terminal escapes) shown as
    escapes ("\\n", "\\x1b"), so a title or id can't break a one-line-per-item listing or drive the terminal."""
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), str(text))


class OverLimit(ValueError):
    """A file past one of the input limits (`Limits`): skipped whole, with the limit that stopped it."""


@dataclass(frozen=True)
class Limits:
    """How much one file may hold once decompressed and parsed (see `Settings.max_file_mb`)."""

    file_bytes: int
    records: int
    # A JSONL line longer than this can't hold an article within `max_article_chars` (a character is at
    # most 6 bytes of JSON, "\\uXXXX"; the rest is room for the title and metadata), so it is skipped
    # unread instead of being held whole (a 3 GB line would be).
    line_bytes: int
    # A PDF's text is read page by page up to this (`Settings.max_article_chars`), not held past it.
    article_chars: int

    @classmethod
    def of(cls, settings: Settings | None = None) -> "Limits":
        settings = settings or Settings.load()
        return cls(settings.max_file_mb << 20, settings.max_file_records, 6 * settings.max_article_chars + (1 << 20),
                   settings.max_article_chars)

    def too_big(self) -> OverLimit:
        return OverLimit(f"over {self.file_bytes >> 20:,} MB once decompressed (ASSISTANT_MAX_FILE_MB); "
                         "split it into smaller files")

    def too_many(self) -> OverLimit:
        return OverLimit(f"over {self.records:,} articles in one file (ASSISTANT_MAX_FILE_RECORDS); "
                         "split it into smaller files")


def read_paths(paths: Iterable[Path], limits: Limits | None = None) -> Iterator[Article | Rejected]:
    """Articles from files and folders (walked recursively, supported suffixes only), in name order."""
    limits = limits or Limits.of()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            inside = path.resolve()
            for child in _folder_files(path):
                # A folder of articles is read as it stands: a link in it may point anywhere (/etc/passwd),
                # and what is ingested is shown to whoever asks.
                if not (target := child.resolve()).is_relative_to(inside):
                    yield Rejected(str(child), f"a link to {target}, outside the folder; "
                                               "copy the file into the folder to ingest it")
                    continue
                yield from read_file(child, limits)
        elif path.is_file():
            yield from read_file(path, limits)
        else:
            yield Rejected(str(path), "no such file or folder; check the path")


def _folder_files(folder: Path) -> list[Path]:
    """Supported files under `folder`, less those its `.ingestignore` names (glob patterns, one a line:
    a question set kept beside its articles is not an article)."""
    ignore_file = folder / IGNORE_FILE
    patterns = [p.strip() for p in ignore_file.read_text(encoding="utf-8").splitlines()
                if p.strip() and not p.startswith("#")] if ignore_file.is_file() else []
    return sorted(p for p in folder.rglob("*") if p.is_file() and suffix_of(p) in SUPPORTED
                  and not any(p.relative_to(folder).match(pattern) for pattern in patterns))


def count_articles(paths: Iterable[Path], limits: Limits | None = None) -> int | None:
    """How many articles `read_paths` will yield, counted cheaply (files, JSONL lines) so that progress can
    show an ETA; None when a JSON or CSV file makes that as slow as reading it."""
    limits, total = limits or Limits.of(), 0
    for path in map(Path, paths):
        files = _folder_files(path) if path.is_dir() else [path]
        for file in files:
            suffix = suffix_of(file)
            if suffix in (".json", ".csv") or suffix in FEED_SUFFIXES:
                return None
            if suffix == ".jsonl" and file.is_file():
                try:
                    total += _count_records(file, limits)
                except (OverLimit, OSError, EOFError, zlib.error):
                    total += 1  # reading it will say what's wrong
            else:
                total += 1
    return total


def _count_records(path: Path, limits: Limits) -> int:
    """Non-empty lines of a JSONL file, read in bounded pieces; `OverLimit` past the file's limits."""
    records = 0
    for line in _bounded_lines(path, limits):
        records += bool(line is None or line.strip())
        if records > limits.records:
            raise limits.too_many()
    return records


def _bounded_lines(path: Path, limits: Limits) -> Iterator[bytes | None]:
    """The file's lines, never more than `limits.line_bytes` held at once: a longer line comes as None
    (and is read past in pieces). `OverLimit` once more than `limits.file_bytes` have been read."""
    read = 0
    with _open(path) as handle:
        while line := handle.readline(limits.line_bytes + 1):
            read += len(line)
            too_long = len(line) > limits.line_bytes and not line.endswith(b"\n")
            while too_long and read <= limits.file_bytes and (rest := handle.readline(1 << 20)):
                read += len(rest)
                if rest.endswith(b"\n"):
                    break
            if read > limits.file_bytes:
                raise limits.too_big()
            yield None if too_long else line


def read_file(path: Path, limits: Limits | None = None) -> Iterator[Article | Rejected]:
    limits = limits or Limits.of()
    suffix = suffix_of(path)
    if suffix not in SUPPORTED:
        yield Rejected(str(path), f"unsupported type {suffix or '(none)'}; use {SUPPORTED_NAMES}")
        return
    try:
        if suffix == ".jsonl":
            _count_records(path, limits)  # the whole file is within its limits before any of it goes in
            yield from _read_jsonl(path, limits)
            return
        raw = _read_bytes(path, limits)
        if suffix in RECORD_SUFFIXES:
            yield from _read_records(path, suffix, raw, limits)
            return
        if suffix in FEED_SUFFIXES:
            yield from _read_feed(path, raw, limits)
            return
        if suffix in PDF_SUFFIXES:
            article = _read_pdf(path, raw, limits)
            yield article if article.text.strip() else Rejected(str(path), "a PDF without text (a scan, or pictures "
                                                                           "only); run OCR on it, or save its text")
            return
        text = decode(raw)
        article = _read_html(path, text) if suffix in HTML_SUFFIXES else _read_text(path, text)
    except RecursionError:
        yield Rejected(str(path), "nested too deeply to be articles; fix or remove the file")
        return
    except (OSError, ValueError, EOFError, csv.Error, zlib.error) as exc:
        yield Rejected(str(path), _one_line(exc))
        return
    yield article if article.text.strip() else Rejected(str(path), "no text in the file")


def suffix_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _open(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _read_bytes(path: Path, limits: Limits) -> bytes:
    with _open(path) as handle:
        raw = handle.read(limits.file_bytes + 1)
    if len(raw) > limits.file_bytes:
        raise limits.too_big()
    return raw


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; otherwise Windows-1252/Latin-1. Rejects binary."""
    if raw.startswith(codecs.BOM_UTF8):
        text = raw.decode("utf-8-sig")
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="strict") if _is_cp1252(raw) else raw.decode("latin-1")
    if _looks_binary(text):
        raise ValueError("not text (binary or unknown encoding); save it as UTF-8 text")
    # A stray NUL in text (a copy-and-paste or scraping artefact) is no character of it.
    return text.replace("\x00", "")


def _is_cp1252(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _looks_binary(text: str) -> bool:
    """More than 1 character in 100 a control character (NUL included): UTF-16 without its BOM is every
    other one, an image or archive far more than that; a text's stray NUL or escape is not."""
    if not text:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > 0.01 * len(text)


def _read_text(path: Path, text: str) -> Article:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return Article(_doc_id(path), first.lstrip("#").strip() or path.stem, text, {"source_file": path.name})


class _VisibleText(HTMLParser):
    """Collects the text a browser would show: scripts, styles and other invisible elements dropped."""

    HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
              "header", "footer", "blockquote", "pre", "ul", "ol", "table", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title_parts.append(data)
        elif not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str]:
    """(title, visible text) of an HTML document, whitespace tidied line by line."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text = "\n\n".join(line for line in lines if line)
    return " ".join("".join(parser.title_parts).split()), text


def _read_html(path: Path, markup: str) -> Article:
    title, text = html_to_text(markup)
    if not title:
        title = next((line for line in text.splitlines() if line.strip()), path.stem)
    return Article(_doc_id(path), title, text, {"source_file": path.name})


def _doc_id(path: Path) -> str:
    name = path.name
    for suffix in reversed(path.suffixes):
        name = name[: -len(suffix)] if name.lower().endswith(suffix.lower()) else name
    return name or path.name


def _read_jsonl(path: Path, limits: Limits) -> Iterator[Article | Rejected]:
    """Streamed line by line, so a corpus of any size never sits in memory."""
    for line_no, line in enumerate(_bounded_lines(path, limits), 1):
        if line is None:
            yield Rejected(str(path), f"a line over {limits.line_bytes >> 20:,} MB, longer than any article "
                                      "(ASSISTANT_MAX_ARTICLE_CHARS); split it", line_no)
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line.decode("utf-8-sig" if line_no == 1 else "utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield Rejected(str(path), f"malformed JSON ({_one_line(exc)[:80]}); fix or remove the line", line_no)
            continue
        except RecursionError:
            yield Rejected(str(path), "JSON nested too deeply to be an article; fix or remove the line", line_no)
            continue
        yield _record_article(path, line_no, row)


def _read_records(path: Path, suffix: str, raw: bytes, limits: Limits) -> Iterator[Article | Rejected]:
    text = decode(raw)
    rows = list(_json_rows(text) if suffix == ".json" else _csv_rows(path, text))
    if len(rows) > limits.records:
        raise limits.too_many()
    for line, row in rows:
        yield _record_article(path, line, row)


def _json_rows(text: str):
    data = json.loads(text)
    if isinstance(data, dict):
        data = data.get("articles", [data])
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of articles or an object with an 'articles' list")
    yield from enumerate(data, 1)


def _csv_rows(path: Path, text: str):
    csv.field_size_limit(1 << 30)
    reader = csv.DictReader(io.StringIO(text, newline=""))  # "": a lone \r ends a line (old Mac files), not an error
    if "text" not in (reader.fieldnames or []):
        raise ValueError(f"no 'text' column (columns: {', '.join(reader.fieldnames or [])}); add one")
    for row in reader:
        yield reader.line_num, row


def _record_article(path: Path, line: int, row) -> Article | Rejected:
    if not isinstance(row, dict):
        return Rejected(str(path), "expected an object with 'id', 'title', 'text'", line)
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return Rejected(str(path), "no 'text' field; every article needs its text", line)
    doc_id = str(row.get("id") or f"{_doc_id(path)}-{line}")
    title = str(row.get("title") or "").strip() or text.strip().splitlines()[0][:120]
    try:
        metadata = {k: _scalar(v) for k, v in row.items() if k not in CORE_FIELDS and v not in (None, "")}
    except RecursionError:
        return Rejected(str(path), "a field nested too deeply to keep; fix or remove the article", line)
    return Article(doc_id, title, text, metadata)


def _scalar(value):
    """Chroma keeps only str/int/float/bool metadata: anything else is kept as its JSON."""
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False)


_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC = "{http://purl.org/dc/elements/1.1/}"


def _read_feed(path: Path, raw: bytes, limits: Limits) -> Iterator[Article | Rejected]:
    """Each item of an RSS (2.0 or 1.0) or Atom feed as an article: its full content where the feed
    carries it (`content:encoded`, Atom `content`), else its summary, as visible text; its title, link,
    date and author, and the feed's title as its outlet. The XML parser resolves no external entity (a
    feed can't pull in a file or a URL) and refuses entity expansion past its amplification limit."""
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:  # also what an entity bomb or an external entity ends in
        raise ValueError(f"malformed XML ({_one_line(exc)}); fix or remove the file") from None
    except LookupError as exc:  # a declared encoding Python doesn't know ("UTF.8"): found by the loaders' fuzz test
        raise ValueError(f"XML in an unknown encoding ({_one_line(exc)}); save it as UTF-8") from None
    atom = root.tag == f"{_ATOM}feed"
    if atom:
        outlet, items = _child_text(root, f"{_ATOM}title"), root.findall(f"{_ATOM}entry")
    elif _local(root.tag) in ("rss", "RDF"):
        channel = next((e for e in root if _local(e.tag) == "channel"), None)
        outlet = _child_text(channel, "title", local=True) if channel is not None else ""
        items = [e for e in root.iter() if _local(e.tag) == "item"]
    else:
        raise ValueError(f"XML but not an RSS or Atom feed (its root is <{_local(root.tag)}>); save articles as "
                         "text, HTML or JSON")
    if len(items) > limits.records:
        raise limits.too_many()
    if not items:
        yield Rejected(str(path), "a feed without items; nothing to ingest")
    for n, item in enumerate(items, 1):
        yield _feed_article(path, n, item, atom, outlet)


def _feed_article(path: Path, n: int, item, atom: bool, outlet: str) -> Article | Rejected:
    if atom:
        link = next((e.get("href", "") for e in item.findall(f"{_ATOM}link") if e.get("rel", "alternate") == "alternate"), "")
        body = _child_text(item, f"{_ATOM}content") or _child_text(item, f"{_ATOM}summary")
        fields = {"id": _child_text(item, f"{_ATOM}id"), "title": _child_text(item, f"{_ATOM}title"),
                  "published_at": _child_text(item, f"{_ATOM}published") or _child_text(item, f"{_ATOM}updated"),
                  "author": _child_text(item.find(f"{_ATOM}author"), f"{_ATOM}name")}
    else:
        link = _child_text(item, "link", local=True)
        body = _child_text(item, _CONTENT) or _child_text(item, "description", local=True)
        fields = {"id": _child_text(item, "guid", local=True), "title": _child_text(item, "title", local=True),
                  "published_at": _rfc822_iso(_child_text(item, "pubDate", local=True)) or _child_text(item, f"{_DC}date"),
                  "author": _child_text(item, f"{_DC}creator") or _child_text(item, "author", local=True)}
    text = html_to_text(body)[1] if "<" in body else "\n\n".join(" ".join(p.split()) for p in body.split("\n\n") if p.strip())
    if not text:
        return Rejected(str(path), "a feed item without text (no content or summary); nothing to ingest", n)
    title = " ".join(html_to_text(fields["title"])[1].split()) or text.splitlines()[0][:120]
    doc_id = fields["id"] or link or f"{_doc_id(path)}-{n}"
    metadata = {"source": outlet, "url": link, "published_at": fields["published_at"], "author": fields["author"],
                "source_file": path.name}
    return Article(doc_id, title, text, {k: v for k, v in metadata.items() if v})


# A line ends its paragraph when it ends a sentence, or when it is this much shorter than the page's
# longest line (a headline, a paragraph's last line): PDF text comes line by line as laid out on the page.
_PARAGRAPH_END = re.compile(r"[.!?:”\"’']\s*$")
_SHORT_LINE = 0.6


def _read_pdf(path: Path, raw: bytes, limits: Limits) -> Article:
    """A PDF's text, page by page (pypdf, which bounds what each stream may decompress to), its laid-out
    lines joined into paragraphs; its title from its record, else its first line. A PDF's creation date is
    the file's, not the story's, so it is not kept as a publication date."""
    from pypdf import PdfReader  # only when a PDF is read

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # how it read past damage is no reader's news
    try:
        reader = PdfReader(io.BytesIO(raw))
        encrypted = reader.is_encrypted
        pages = [] if encrypted else _pdf_pages(reader, limits)
        title = "" if encrypted else str((reader.metadata or {}).get("/Title") or "").strip()
    except OverLimit:
        raise
    except Exception as exc:  # a parser of untrusted bytes: whatever it raises, the file can't be read
        raise ValueError(f"not a readable PDF ({_one_line(exc)[:120]}); save it again or as text") from None
    if encrypted:
        raise ValueError("an encrypted PDF; save it without a password")
    text = "\n\n".join(p for p in pages if p)
    return Article(_doc_id(path), " ".join(title.split()) or next(iter(text.splitlines()), path.stem), text,
                   {"source_file": path.name})


def _pdf_pages(reader, limits: Limits) -> list[str]:
    """Each page's text as paragraphs, `OverLimit` once they pass `limits.article_chars`."""
    pages, chars = [], 0
    for page in reader.pages:
        pages.append(_paragraphs(page.extract_text() or ""))
        chars += len(pages[-1])
        if chars > limits.article_chars:
            raise OverLimit(f"more than {limits.article_chars:,} characters of text, longer than any article "
                            "(ASSISTANT_MAX_ARTICLE_CHARS); split it")
    return pages


def _paragraphs(page: str) -> str:
    """A page's laid-out lines as paragraphs, a blank line between them: the lines within one joined by a
    space, a word broken by a hyphen at a line's end joined whole."""
    lines = [" ".join(line.split()) for line in page.splitlines()]
    short = _SHORT_LINE * max(map(len, lines), default=0)
    paragraphs, current = [], ""
    for line in lines:
        if current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        elif line:
            current = f"{current} {line}" if current else line
        if current and (not line or _PARAGRAPH_END.search(line) or len(line) < short):
            paragraphs, current = paragraphs + [current], ""
    return "\n\n".join(paragraphs + ([current] if current else []))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element, tag: str, local: bool = False) -> str:
    """The text of `element`'s first child `tag` (in any namespace with `local`), stripped; "" if none."""
    if element is None:
        return ""
    child = next((e for e in element if _local(e.tag) == tag), None) if local else element.find(tag)
    return "".join(child.itertext()).strip() if child is not None else ""


def _rfc822_iso(value: str) -> str:
    """An RSS date ("Tue, 21 Nov 2023 09:30:00 GMT") as ISO 8601, or "" when it can't be read."""
    try:
        return email.utils.parsedate_to_datetime(value).isoformat() if value else ""
    except (TypeError, ValueError, IndexError):
        return ""


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
