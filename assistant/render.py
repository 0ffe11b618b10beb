"""An `Answer` as terminal text or as inert HTML for the chat: article text is always escaped, for HTML and
for Markdown alike (the chat renders Markdown: `![x](http://…)` in an article would load an image)."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING
from urllib.parse import quote

from assistant.articles import BIDI_CONTROLS, Article, printable

if TYPE_CHECKING:  # only for annotations: `assistant ask` renders a server's answer without loading models
    from assistant.answer import Answer

RELATED_READING = 3
# Characters that make Markdown (or HTML) out of text: written as character references, which Markdown
# shows as the characters and never reads as syntax, so no image, link, raw HTML or emphasis survives.
_MARKUP = str.maketrans({**{c: f"&#{ord(c)};" for c in "&<>\"'[]()!`*_~#|\\{}:"},
                         # a bidirectional override would reorder the quote on screen: shown as its escape
                         **{c: f"&#92;u{ord(c):04x}" for c in BIDI_CONTROLS}})


def inert(text: str) -> str:
    """Text that reads the same in the chat's Markdown and in HTML, and never becomes markup."""
    return str(text).translate(_MARKUP)


def answer_as_text(answer: Answer) -> str:
    lines = [*map(printable, answer.answer.splitlines()), "", made_by(answer)]
    if answer.abstained and answer.passages:
        lines.append("Related reading:")
        for i, p in enumerate(answer.passages[:RELATED_READING], 1):
            lines.append(printable(f"  - {p['title']} ({p['doc_id']}, chars {p['start']}-{p['end']})"))
            lines.append(textwrap.indent(textwrap.fill(printable(_snippet(p["text"])), 96), "      "))
    for c in answer.citations:
        lines.append(printable(f"[{c.n}] {c.title} ({c.doc_id}, chars {c.start}-{c.end}) · {voice_label(c)}"))
        lines.append(textwrap.indent(textwrap.fill(printable(" ".join(f"“{c.quote}”".split())), 96), "    "))
    return "\n".join(lines).rstrip()


def answer_as_html(answer: Answer) -> str:
    """Markdown-safe HTML: the answer, then the cited passages, each collapsible with its quote highlighted."""
    e = inert
    kind = "abstained" if answer.abstained else "answer"
    lines = answer.answer.splitlines()
    lead = ""
    if answer.short_answer:  # the answer's first line; the chat sets it in bold
        lead, lines = f'<b class="short-answer">{e(lines[0])}</b>', lines[1:]
    if len(answer.by_article) > 1:
        body = "<br>".join(filter(None, [lead, _comparison(answer)]))
    else:
        body = "<br>".join(filter(None, [lead, *map(e, lines)]))
    parts = [f'<div class="{kind}">{_linked(body, answer)}</div>']
    if answer.resolved_from:
        parts.insert(0, f"<sub>Read as: {e(answer.question)}</sub>")
    if answer.abstained and answer.passages:
        items = "".join(f"<li><b>{e(p['title'])}</b> <code>{e(p['doc_id'])}</code>: {e(_snippet(p['text']))}</li>"
                        for p in answer.passages[:RELATED_READING])
        parts.append(f"<details><summary>Related reading</summary><ul>{items}</ul></details>")
    for c in answer.citations:
        where = " · ".join(x for x in (c.outlet, c.published_at[:10]) if x)
        parts.append(f"<details><summary>{_link(c)} {e(c.title)} <code>{e(c.doc_id)}</code> "
                     f'<span class="voice">{e(where)}{" · " if where else ""}{e(voice_label(c))}</span></summary>'
                     f"<blockquote>{_highlighted(answer, c)}</blockquote></details>")
    total = answer.timings_ms.get("total_ms")
    made = e(made_by(answer)) + (f" · {total:.0f} ms" if total is not None else "")
    parts.append(f'<sub class="made-by">{made}</sub>')
    return "\n".join(parts)


def made_by(answer: Answer) -> str:
    """Which way the answer was made, and the notice that goes with it."""
    # An abstention quotes nothing: the passages under it are related reading, not what it says.
    how = ("Written by the LLM; each sentence checked against the passage it cites." if answer.mode == "llm"
           else "Nothing quoted as an answer (LLM mode: the LLM's check)." if answer.abstained and "check" in answer.evidence
           else "Nothing quoted as an answer (extractive)." if answer.abstained and not answer.citations
           else "Quoted from the articles (extractive).")
    return f"{how} {answer.notice}".strip()


def article_as_html(article: Article, start: int, end: int) -> str:
    """The whole article, escaped, with the span [start, end) marked: the article viewer's content."""
    e, text = inert, article.text
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    meta = article.metadata
    where = " · ".join(str(x) for x in (meta.get("source"), str(meta.get("published_at", ""))[:10]) if x)
    return (f'<div class="viewer-head"><b>{e(article.title)}</b><br><span class="voice">{e(where)} '
            f"<code>{e(article.doc_id)}</code></span></div>"
            f'<div class="article-body">{e(text[:start])}<mark id="viewer-span">{e(text[start:end])}</mark>'
            f"{e(text[end:])}</div>")


def voice_label(citation) -> str:
    """Whose words the cited span is: "quote · Peskov", "Peskov's claim, reported", "the article's own words";
    and, for another article's copy of a cited sentence, which."""
    if citation.kind == "quote":
        voice = f"quote · {citation.speaker}" if citation.speaker else "quote · speaker not named"
    elif citation.kind == "reported" and citation.speaker:
        # "Republicans' claim", as AP style writes any name ending in s ("Jones' claim").
        possessive = "'" if citation.speaker.endswith("s") else "'s"
        voice = f"{citation.speaker}{possessive} claim, reported"
    else:
        voice = "the article's own words"
    copy_of = getattr(citation, "copy_of", None)  # an answer from an older server has none
    return f"{voice} · the same words as [{copy_of}]" if copy_of else voice


def _link(citation) -> str:
    """A citation marker that opens its article in the chat's viewer, scrolled to the cited span. The target
    rides in the href: the chat's sanitizer keeps hrefs but drops data- attributes."""
    e = inert
    return (f'<a class="cite" href="#cite/{quote(citation.doc_id, safe="")}/{citation.start}/{citation.end}" '
            f'title="Open {e(citation.title)} at the cited passage">[{citation.n}]</a>')


def _linked(body: str, answer: Answer) -> str:
    """Every [n] in the answer's (escaped) text made a link to citation n."""
    by_n = {c.n: c for c in answer.citations}
    return re.sub(r"&#91;(\d+)&#93;", lambda m: _link(by_n[int(m[1])]) if int(m[1]) in by_n else m[0], body)


def _comparison(answer: Answer) -> str:
    """How each article reports it: one row per article, side by side."""
    e = inert
    rows = "".join(f'<tr><td>{e(a["source"])}</td><td>{e(a["statement"])}</td></tr>' for a in answer.by_article)
    return f'<table class="by-article"><tr><th>Article</th><th>What it says</th></tr>{rows}</table>'


def _highlighted(answer: Answer, citation) -> str:
    """The passage the citation came from, with the cited span marked; the span alone when it reaches
    over two passages (a sentence quoted with the one before it, which says who "he" is)."""
    passage = next((p for p in answer.passages if p["doc_id"] == citation.doc_id
                    and p["start"] <= citation.start and citation.end <= p["end"]), None)
    if passage is None:
        return f"<mark>{_quote_with_short_answer(answer, citation)}</mark>"
    text, offset = passage["text"], passage["start"]
    before, after = text[: citation.start - offset], text[citation.end - offset:]
    return f"{inert_lines(before)}<mark>{_quote_with_short_answer(answer, citation)}</mark>{inert_lines(after)}"


def _quote_with_short_answer(answer: Answer, citation) -> str:
    """The cited quote, the short answer inside it (when it lies there) in bold; in LLM mode, the
    extractive reader's differing short answer likewise, in its own quote."""
    inside = [s for s in (answer.short_answer, answer.alternative_answer) if s and s["doc_id"] == citation.doc_id
              and citation.start <= s["start"] < s["end"] <= citation.end]
    if not inside:
        return inert_lines(citation.quote)
    short = inside[0]
    a, b = short["start"] - citation.start, short["end"] - citation.start
    quote = citation.quote
    return f'{inert_lines(quote[:a])}<b class="short-answer">{inert_lines(quote[a:b])}</b>{inert_lines(quote[b:])}'


def inert_lines(text: str) -> str:
    """Escaped, with line breaks as <br>: a blank line would otherwise end the chat's Markdown paragraph
    in the middle of a highlighted span."""
    return "<br>".join(inert(line) for line in text.split("\n"))


def _snippet(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …"
