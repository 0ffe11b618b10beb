"""Questions about an article itself rather than its story: its headline, when and where it was published,
who took its picture, who is quoted in it, how it begins or ends, what it is about, what it says at its
start or end; and what the articles of a small folder are about.

The reader looks for the sentence that answers; these questions have no such sentence ("Which photo agency
supplied the Mouthpiece article's feature image?" matches nothing but a credit line at the very end, 11th of
17 passages by similarity), so they were abstained on. When a question asks one of these about one article
(the article it names, or the only one it may read), the answer comes from that article's own text and
record, cited like any quote: the credit line, the headline, the opening or closing sentences. What the
article doesn't hold (no credit line, no date in its record) is said so, naming what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.passages import is_page_furniture, sentence_spans
from assistant.questions import analyse
from assistant.speakers import NARRATION, QUOTE, same_name, voices
from assistant.terms import content_terms, words

# What a question asks about an article, by its words. Each needs the article itself to be what is asked
# about, which `answer.Assistant` checks (a named article, or the only one read); the verbs must have the
# article for their subject ("When was the article published?", not "What year was the dossier released,
# according to the article?").
# The words that name an article (`conversation` resolves "this …" of them to the one just cited).
_ARTICLE_NOUNS = "article|story|piece|report|op-ed|editorial|column|post"
ARTICLE_WORDS = rf"(?:{_ARTICLE_NOUNS})"
_ARTICLE = rf"(?:{_ARTICLE_NOUNS}|it)"
_IMAGE = re.compile(r"\b(?:photo(?:graph)?|picture|image|pic)s?\b", re.IGNORECASE)
_IMAGE_SOURCE = re.compile(r"\b(?:credit\w*|took|taken|shot|suppl(?:y|ied)|provided?|source|agency|photographer|"
                           r"courtesy|via)\b", re.IGNORECASE)
_PHOTOGRAPHER = re.compile(r"\b(?:who|which)\s+(?:is|was)\s+the\s+photographer\b|\bphotographer\s+of\b", re.IGNORECASE)
_PUBLISHED = re.compile(rf"\b(?:when|what\s+(?:date|day|year|month)|which\s+(?:date|day|year|month))\b.*\b{_ARTICLE}"
                        r"\s+(?:\w+\s+)?(?:published|posted|written|dated|released|out)\b"
                        rf"|\b(?:date|day)\s+of\s+publication\b", re.IGNORECASE)
_OUTLET = re.compile(rf"\b(?:which|what)\s+(?:news\s+)?(?:outlet|publication|newspaper|paper|site|website|"
                     rf"organi[sz]ation|magazine|network)\s+(?:published|ran|printed|posted|carried)\b"
                     rf"|\bwho\s+(?:published|ran|printed|posted|carried)\s+(?:the|this|that|it)\b"
                     rf"|\b(?:outlet|publisher|source)\s+of\s+(?:the|this|that)\s+(?:(?!(?:the|of|in)\b)[\w'’&.-]+\s+)"
                     rf"{{0,5}}{_ARTICLE}\b|\b{_ARTICLE}['’]s\s+(?:outlet|publisher|source)\b", re.IGNORECASE)
_HEADLINE = re.compile(rf"\bheadline\b(?!\s+(?:the|a|an)\b)|\btitle\s+of\s+(?:the|this|that|its)\s+(?:(?!(?:the|of|in)\b)[\w'’&.-]+\s+)"
                       rf"{{0,5}}{_ARTICLE}\b|\b{_ARTICLE}['’]s\s+title\b", re.IGNORECASE)
_OPENING = re.compile(rf"\b{_ARTICLE}\s+(?:begins?|began|begun|start(?:s|ed)?|opens?|opened)\b"
                      r"|\b(?:first|opening)\s+(?:sentence|line|paragraph|words)\b", re.IGNORECASE)
# "Summarise the Mouthpiece article", "What is the Kremlin spokesman article about?": a news article's
# first sentences (its lede) are written to be its summary.
_SUMMARY = re.compile(rf"\bsummar(?:y|ise|ize|ising|izing)\b|\bgist\b|\bmain\s+points?\b|\btl;?dr\b"
                      rf"|\bwhat(?:\s+is|['’]s)\s+(?:it|(?:the|this|that)\s+(?:(?!(?:the|of|in)\b)[\w'’&.-]+\s+){{0,5}}"
                      rf"{_ARTICLE})\s+about\s*\??\s*$",
                      re.IGNORECASE)
# "Who is quoted in the Mouthpiece article?" (not "Which newspaper was the other source of the quotes in …",
# which asks about its story).
_QUOTED = re.compile(r"\b(?:who|whom)\s+(?:is|are|was|were|gets?|got)\s+quoted\b|\b(?:who|whom)\s+(?:does|did)\s+"
                     rf"(?:the|this|that|it)\b.*\b(?:quote|cite)\b|\bwhich\s+(?:people|persons|officials|experts|"
                     r"sources|speakers)\s+(?:are|were|does|did|is)\b.*\b(?:quot|cite)", re.IGNORECASE)
_ENDING = re.compile(rf"\b{_ARTICLE}\s+(?:ends?|ended|conclude[sd]?|close[sd]?|finish(?:es|ed)?)\b"
                     r"|\b(?:last|final|closing|concluding)\s+(?:sentence|line|paragraph|words)\b", re.IGNORECASE)
_FACT_PATTERNS = {"published": _PUBLISHED, "outlet": _OUTLET, "headline": _HEADLINE, "opening": _OPENING,
                  "ending": _ENDING, "summary": _SUMMARY, "quoted": _QUOTED}
_ARTICLE_PLURALS = {"articles", "stories", "pieces", "reports", "columns", "posts", "editorials"}
# "… described at the start of the Mouthpiece article": a question about the story, asked of a place in it.
_OF_ARTICLE = rf"\s+of\s+(?:the|this|that|its)\s+(?:(?!(?:the|of|in)\b)[\w'’&.-]+\s+){{0,5}}{_ARTICLE}\b"
# Or closing a question about an article: "What does the Mouthpiece article say at the end?" (not "Who
# scored at the end?").
_ABOUT_ARTICLE = r"(?=.*\b(?:article|story|piece|report|op-ed|editorial|column)\b)"
_AT_START = re.compile(rf"\b(?:at|in|near)\s+the\s+(?:very\s+)?(?:start|beginning|top|opening|outset)"
                       rf"(?:{_OF_ARTICLE}|\s*[?.!]*\s*$)", re.IGNORECASE)
_AT_END = re.compile(rf"\b(?:at|in|near)\s+the\s+(?:very\s+)?(?:end|bottom|close|conclusion)(?:{_OF_ARTICLE}|\s*[?.!]*\s*$)",
                     re.IGNORECASE)

# A photo credit as news sites print it: "Featured image via Getty Images/Anna Sergeeva.", "Photo by Scott
# Olson/Getty Images", "Image credit: Reuters", "(Photo: AP)". In the ISOT sample, 1,231 of 2,402
# articles end with one, often glued to the sentence before it ("…administration.Featured image via …"):
# these find 1,229 of them. A bare "Photo:" outside brackets opens a caption ("Photo: Trump appears in
# court"), not a credit.
_CREDIT_WORD = (r"(?:[Ff]eatured?[ \t]+(?:[Ii]mage|[Pp]hoto|[Pp]icture)|(?:(?:Staff|Pool|File)[ \t]+photo)|"
                r"(?:Image|Photo|Picture|Photograph)s?)")
# Case matters: prose says "a photograph by Kale" or "images by adding"; a credit's word is capitalised
# (but "featured image via" is a credit however written), and may follow the last sentence with no space
# ("2016Image via screen capture").
_CREDITS = (
    re.compile(r"\((?:Photo|Image|Picture)s?(?:[ \t]+credits?)?[ \t]*(?:by|via|:|courtesy[ \t]+of)[ \t]*"
               r"(?P<credit>[^()\n]{2,120}?)[ \t]*\)"),
    re.compile(_CREDIT_WORD + r"(?:[ \t]+credits?:?)?[ \t]*(?:[Vv]ia|[Bb]y|[Cc]ourtesy[ \t]+of)[ \t]+"
               r"(?P<credit>[^\n()]{2,120}?)[ \t]*(?:\.[ \t]*(?=\n|$)|(?=[\n()])|$)"),
    re.compile(r"(?:Image|Photo|Picture)s?[ \t]+credits?:[ \t]*(?P<credit>[^\n()]{2,120}?)[ \t]*"
               r"(?:\.[ \t]*(?=\n|$)|(?=\n|\()|$)"),
)


def _credits(text: str) -> list[re.Match]:
    """The photo credits in `text`, in order."""
    return sorted((m for pattern in _CREDITS for m in pattern.finditer(text)), key=lambda m: m.start())


# "What are the articles about?": the first question put to a new folder, which names nothing to search
# for. Each article's lede answers it, for a folder small enough to list (`OVERVIEW_ARTICLES`).
_OVERVIEW = re.compile(r"^\W*(?:so\s+)?what\s+(?:are|were|do|did)\s+(?:all\s+)?(?:the|these|those|my|your)\s+"
                       r"(?:\w+\s+)?(?:articles|stories|documents|texts|files|reports|pieces|news)\s+(?:about|say|cover)"
                       r"\W*$|^\W*summari[sz]e\s+(?:all\s+)?(?:the|these|those|my)\s+(?:\w+\s+)?(?:articles|stories|"
                       r"documents|texts|files|reports|news)\W*$", re.IGNORECASE)
OVERVIEW_ARTICLES = 10

# Sentences quoted for "how does it begin / end": enough to carry its first or last point.
EDGE_SENTENCES = 2
# Speakers listed for "who is quoted", each with their first quote: an answer, not the article again.
SPEAKERS_SHOWN = 5
# How an answer from an article's record (not its text) names what it gives.
RECORD_NAMES = {"published": "Published", "outlet": "Published by", "headline": "Headline"}


@dataclass(frozen=True)
class Found:
    """What the article says to a question about itself: the spans to quote (`[(start, end)]` of its
    text), the one that answers in a word when there is one (`short`), a value from its record
    (`record`), and, when it holds nothing to quote, `missing`: what it lacks."""
    spans: tuple[tuple[int, int], ...] = ()
    short: tuple[int, int] | None = None
    record: str = ""
    missing: str = ""
    # Who speaks in it, each beside the span of their first quote (`spans`, in the same order).
    speakers: tuple[str, ...] = ()


def asked(question: str) -> str | None:
    """What the question asks about an article itself: "image_credit", "published", "outlet", "headline",
    "opening", "ending", "summary" (quoted as the opening is), "quoted" (who speaks in it), or None (a
    question about its story, or about a place in it: `asked_at`)."""
    if _IMAGE.search(question) and _IMAGE_SOURCE.search(question) or _PHOTOGRAPHER.search(question):
        return "image_credit"
    for kind, pattern in _FACT_PATTERNS.items():
        if pattern.search(question):
            return kind
    return None


def asked_of_no_article(question: str) -> str | None:
    """What `asked` reads in a question that names no article and no topic, only "the article" ("Who is
    quoted?", "How does this story end?"): it is asked of every article read, not searched for. None when
    other words are left ("What was the headline in The News Journal that referred to the fir tree?" is
    about a story, searched for as any question)."""
    kind = asked(question)
    if not kind or analyse(question).article:  # "the ferry service article": named, see `answer`
        return None
    patterns = (_IMAGE, _IMAGE_SOURCE, _PHOTOGRAPHER) if kind == "image_credit" else (_FACT_PATTERNS[kind],)
    said = {w for pattern in patterns for m in pattern.finditer(question) for w in words(m.group())}
    rest = set(content_terms(question)) - said - set(_ARTICLE_NOUNS.split("|")) - _ARTICLE_PLURALS
    return None if rest else kind


# "What happened this week?", "What's new?", "Any news today?": the first question put to a news folder
# after "what are the articles about?", and as empty of search words. The newest articles' ledes answer it.
_LATEST = re.compile(r"^\W*(?:so\s+|and\s+)?(?:what(?:['’]s|\s+is|\s+has)?\s+(?:happened|happening|been\s+happening|"
                     r"new|the\s+latest(?:\s+news)?|going\s+on|in\s+the\s+news)|any(?:thing)?\s+new|any\s+news|"
                     r"(?:the\s+)?latest\s+news)(?P<when>\s+(?:this\s+week|today|yesterday|lately|recently|"
                     r"in\s+the\s+news))?\W*$", re.IGNORECASE)


def asks_latest(question: str) -> str | None:
    """Whether the question asks what is new: None, or the day it asks about relative to the day asked,
    "today", "yesterday", or "week" (the week before it, as news questions mean "this week")."""
    match = _LATEST.match(question.strip())
    if not match:
        return None
    when = (match["when"] or "").strip().lower()
    return when if when in ("today", "yesterday") else "week"


# "How many articles are there?", "What articles do you have?", "List the articles": asked of the
# collection itself, these named nothing to search for and were refused ("no words to search for").
_NOUNS = r"(?:articles|stories|documents|texts|files|reports|pieces)"
_CATALOGUE = re.compile(
    rf"^\W*(?:how\s+many\s+{_NOUNS}|(?:what|which)\s+{_NOUNS})\s+(?:are\s+there|do\s+(?:you|i|we)\s+have|"
    rf"(?:are|have\s+been)\s+(?:here|in\s+(?:the|this|my|your)\s+\w+|indexed|stored|loaded|ingested)|"
    rf"(?:does|do)\s+(?:the|this|my|your)\s+\w+\s+(?:hold|have|contain))\W*$|"
    rf"^\W*(?:list|show(?:\s+me)?)\s+(?:all\s+)?(?:the\s+|my\s+|your\s+)?{_NOUNS}\W*$|"
    rf"^\W*what(?:['’]s|\s+is)\s+in\s+(?:the|this|my|your)\s+(?:index|folder|collection|library)\W*$",
    re.IGNORECASE)
# "Which articles mention Sessions?", "How many stories mention Flynn?", "Does any article mention
# Kislyak?": answered by every article that holds the words, each cited where it first does.
_MENTIONING = re.compile(
    rf"^\W*(?:(?:which|what|how\s+many)\s+(?:of\s+the\s+)?(?:article|story|{_NOUNS})|(?:does|do)\s+(?:any|the)\s+"
    rf"(?:of\s+the\s+)?(?:article|story|{_NOUNS}))\s+(?:mentions?|names?|discuss(?:es)?|covers?|talks?\s+about|refers?\s+to)\s+"
    r"(?P<term>.+?)[\s?.!]*$", re.IGNORECASE)


def asks_catalogue(question: str) -> bool:
    """Whether the question asks what articles there are."""
    return bool(_CATALOGUE.match(question.strip()))


def asks_mentioning(question: str) -> str | None:
    """The words whose articles the question asks for ("Sessions" in "Which articles mention Sessions?"),
    without the quotes they may come in, or None."""
    match = _MENTIONING.match(question.strip())
    term = match["term"].strip(" \"'“”‘’") if match else ""
    term = re.sub(r"['’]s$", "", re.sub(r"^(?:the|a|an)\s+", "", term, flags=re.IGNORECASE))  # "the hippo", "Peskov's"
    return term if words(term) else None


def mentions(text: str, term: str) -> re.Match | None:
    """Where `text` first holds `term` as whole words, in any case ("sessions" in "Jeff Sessions’")."""
    pattern = r"\W+".join(re.escape(w) for w in re.findall(r"\w+", term))
    return re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE)


def asks_overview(question: str) -> bool:
    """Whether the question asks what the articles (all of them, or those chosen) are about."""
    return bool(_OVERVIEW.match(question.strip()))


def lede(title: str, text: str) -> tuple[int, int] | None:
    """An article's first sentence after its headline line, as `(start, end)` of `text`."""
    spans = _sentences(text, title)
    return spans[0] if spans else None


def asked_at(question: str) -> str | None:
    """"start" or "end" for a question asked of a place in an article ("at the start of the … article")."""
    if not re.match(_ABOUT_ARTICLE, question, re.IGNORECASE | re.DOTALL):
        return None
    return "start" if _AT_START.search(question) else "end" if _AT_END.search(question) else None


def edge(title: str, text: str, where: str) -> tuple[int, int]:
    """The characters of an article's start or end (`where`): its first or last `EDGE_SENTENCES` × 2
    sentences, about a paragraph."""
    spans = _sentences(text, title) or [(0, len(text))]
    edge_spans = spans[: 2 * EDGE_SENTENCES] if where == "start" else spans[-2 * EDGE_SENTENCES:]
    return edge_spans[0][0], edge_spans[-1][1]


def read(kind: str, title: str, text: str, metadata: dict) -> Found:
    """The answer to `kind` (from `asked`) in one article: its text, headline and record (`metadata`)."""
    if kind == "image_credit":
        credits = _credits(text)
        if not credits:
            return Found(missing="no photo credit")
        match = credits[-1]  # the article's own picture: its credit closes the article
        return Found(((match.start(), match.end("credit")),), short=match.span("credit"))
    if kind == "headline":
        body = text.lstrip()
        if title and body.startswith(title):
            start = len(text) - len(body)
            return Found(((start, start + len(title)),), short=(start, start + len(title)))
        return Found(_sentences(text, title)[:1], record=title) if title else Found(missing="no headline")
    if kind in ("published", "outlet"):
        value = _published(metadata) if kind == "published" else _outlet(metadata)
        if not value:
            return Found(missing="no publication date" if kind == "published" else "no outlet")
        return Found(_sentences(text, title)[:1], record=value)
    if kind == "quoted":  # each speaker's first quote, one a person (misspellings are one person)
        spoken = [v for v in voices(text) if v.speaker and v.kind != NARRATION]
        # Quoted in quotation marks, else (an article that only reports claims) in the article's words:
        # a capitalised word before "asked" ("Beekeepers had asked …") is not someone quoted.
        spoken = [v for v in spoken if v.kind == QUOTE] or spoken
        first: dict[str, tuple[int, int]] = {}
        for voice in spoken:
            if not any(same_name(voice.speaker.split()[-1].lower(), name.split()[-1].lower()) for name in first):
                first[voice.speaker] = (voice.start, voice.end)
        if not first:
            return Found(missing="no one quoted")
        names = list(first)[:SPEAKERS_SHOWN]
        return Found(tuple(first[n] for n in names), speakers=tuple(names))
    spans = _sentences(text, title)
    if kind == "ending":  # the story ends before the photo credit closing it, often glued to its last sentence
        closing = [m for m in _credits(text) if not text[m.end("credit"):].strip(" \t\n.)")]
        credit = closing[-1].start() if closing else len(text)
        spans = [(start, min(end, start + len(text[start:credit].rstrip()))) for start, end in spans if start < credit]
    return Found(tuple(spans[-EDGE_SENTENCES:] if kind == "ending" else spans[:EDGE_SENTENCES]))


def _sentences(text: str, title: str) -> list[tuple[int, int]]:
    """The article's sentences after its headline line (a text file's first line is its headline), less
    the page's around it (a newsletter sign-up is not how a story ends)."""
    body = len(text) - len(text.lstrip())
    if title and text[body:].startswith(title):
        body += len(title)
    return [(s.start, s.end) for s in sentence_spans(text[body:], body) if not is_page_furniture(text[s.start:s.end])]


def _published(metadata: dict) -> str:
    return str(metadata.get("published_at") or metadata.get("date") or "").strip()


def _outlet(metadata: dict) -> str:
    return str(metadata.get("source") or metadata.get("outlet") or metadata.get("publisher") or "").strip()

