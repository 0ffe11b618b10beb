"""Sentence-aware splitting with exact character spans: every sentence and passage is `text[start:end]`."""

from __future__ import annotations

import hashlib
import re
import statistics
from dataclasses import dataclass
from typing import Callable, Sequence

from assistant.articles import Article

# A sentence ends at . ! ? … (plus any closing quotes/brackets) before whitespace, or at a line break; or,
# where a scraped page lost the space, at a quotation's closing mark right before a capital ("… in the
# region.”Harry Kazianis, an analyst …": 34 places in the development corpus, 14 in the ISOT sample),
# leaving a next quotation's opening mark to its own sentence.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|[.!?…]+[\"”’](?=[\"“‘]?[A-Z])|\n\s*")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "sen", "rep", "gov", "lt", "col", "capt",
    "sgt", "rev", "vs", "etc", "inc", "ltd", "co", "corp", "no", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "d.c",
}
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
# Phrases aimed at a model rather than at a reader: an order opening a sentence ("Ignore your previous
# instructions and …"), "you are now an assistant", "system prompt". A sentence holding one is never quoted
# as an answer, and a passage holding one is withheld from the LLM. An order only where a sentence opens:
# news reports such words in the middle of one ("a school board has voted to ignore state guidelines"): 12
# of the development corpus's 491,017 sentences matched the looser pattern before, none match this one.
_INSTRUCTIONS = re.compile(
    r"(?:^|[.!?:]\s+|\n)\W*(?:please\s+|now\s+)?(ignore|disregard|forget|override)\b[^.!?\n]{0,60}"
    r"\b(instructions?|prompts?|rules|guidelines|everything above|previous|prior)\b"
    r"|\b(system prompt|you are (now )?(an? )?(ai|assistant|language model|chatbot|llm))\b|\bnew instructions\s*:",
    re.IGNORECASE)
# The page around the story, not the story: a newsletter sign-up, "Read more", "Related: <another story's
# headline>", "Click here to …", an app to download; and a link to another story as scraped pages run it
# into the text, a label glued to that story's headline ("More:Trump says …", "WANNA BET?Everything you
# need to know …", "NATE DAVIS:For Ravens' Jackson, …", "►Spillover:Supreme Court's …"; a title-case label
# alone is left alone: "Washington:Librarians …" opens a real item of a states roundup). 3,018 of the
# development corpus's 471,528 sentences match; samples of 75 and 60 of them held no false match. Before, "what's the latest on the
# Israel-Hamas war?" was answered with "Israel-Hamas War newsletter: Sign up to get the latest news …".
_FURNITURE = re.compile(
    r"\b(?:sign up|subscribe)\b[^.!?]{0,80}\b(?:newsletters?|inbox)\b|\bnewsletters?\s*:"
    r"|\bdelivered (?:straight |directly )?to your inbox\b"
    r"|^\W*(?:click here|read more|read next|related:|follow us|download (?:the|our)\b[^.!?]{0,40}\bapp)\b"
    r"|^\W*(?:more|also|see also|previously|related|opinion|fact check|watch|listen|(?-i:[A-Z][A-Z0-9'’ -]{1,30}[A-Z])"
    r"|\s*[►▶][^:.!?\n]{1,50})[:?](?-i:(?=[A-Z“\"‘']))",
    re.IGNORECASE)
# Sentences shorter than this carry too little to be an answer on their own ("Wait.").
MIN_SENTENCE_WORDS = 4
# A paragraph this short, followed by a quote, introduces it ("Peskov also had this to say").
INTRO_WORDS = 20


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    doc_id: str
    start: int
    end: int
    text: str

    @property
    def passage_id(self) -> str:
        return f"{self.doc_id}#{self.start}-{self.end}"


def doc_id_of(passage_id: str) -> str:
    """The article a passage id belongs to (ids are `doc_id#start-end`; doc ids may hold '#')."""
    return passage_id.rsplit("#", 1)[0]


def sentence_spans(text: str, offset: int = 0, wrapped: bool | None = None) -> list[Span]:
    """Spans of the sentences of `text` (whitespace trimmed), shifted by `offset`; a line wrapped at a
    fixed width (`unwrapped`: `wrapped` says whether the article `text` is part of is) goes on."""
    spans, start, flat = [], 0, unwrapped(text, wrapped)
    for match in _END.finditer(flat):
        if match.group().strip() and _continues(flat, match.start(), match.end()):
            continue
        end = match.end() if match.group().strip() else match.start()
        spans.extend(_trimmed(text, start, end, offset))
        start = match.end()
    spans.extend(_trimmed(text, start, len(text), offset))
    return spans


# A text wrapped at a fixed width (newswire like Reuters-21578, e-mail, a PDF saved as text) breaks
# its lines inside sentences: "… plans to devote to land reform an estimated 24\nbillion pesos". Were each
# break a sentence's end, answers would quote line fragments and read "24" for the sum. Such a text is
# told by its single line breaks (a paragraph starts on an indented or blank line): at least
# `WRAPPED_BREAKS` of them, most after a line that ends no sentence, its lines as long as a page's at
# the median (`WRAPPED_LINE_CHARS`: Reuters wraps at about 65, e-mail at 72; a list of short headlines
# isn't wrapped). In the corpora at hand that is 15,801 of the 19,043 Reuters
# articles (the rest have fewer than three breaks), none of the 6,339 development articles (one paragraph a
# line, or blank lines between) and none of ISOT's 2,402.
WRAPPED_BREAKS = 3
WRAPPED_LINE_CHARS = (40, 100)
_SINGLE_BREAK = re.compile(r"(?<=[^\n])\n(?=[^\s•*–-])")  # the next line not indented, blank or a bullet
_ENDS_SENTENCE = re.compile(r"[.!?…:;\"'”’)\]]\s*$")


def is_wrapped(text: str) -> bool:
    """Whether `text` (a whole article: a passage's two or three lines can't tell) is wrapped at a fixed
    width: at least `WRAPPED_BREAKS` single line breaks, most after a line that ends no sentence, its
    lines `WRAPPED_LINE_CHARS` long at the median."""
    breaks = [m.start() for m in _SINGLE_BREAK.finditer(text)]
    if len(breaks) < WRAPPED_BREAKS:
        return False
    lines = [text[text.rfind("\n", 0, at) + 1: at] for at in breaks]
    shortest, longest = WRAPPED_LINE_CHARS
    return (2 * sum(not _ENDS_SENTENCE.search(line) for line in lines) >= len(breaks)
            and shortest <= statistics.median(map(len, lines)) <= longest)


def unwrapped(text: str, wrapped: bool | None = None) -> str:
    """`text` with the line breaks of fixed-width wrapping made spaces (so every offset stays): in a
    wrapped text, each single line break after a line that ends no sentence; otherwise `text` itself.
    `wrapped`: whether the article `text` is part of is wrapped (`is_wrapped`); None: `text` is the
    article. "… could sell its holdings in\nBurlington for 95 mln dlrs." was two sentences in a passage
    with two line breaks, too few to tell, and the question asking for that sum was answered from another."""
    if not (is_wrapped(text) if wrapped is None else wrapped):
        return text
    breaks = [m.start() for m in _SINGLE_BREAK.finditer(text)]
    open_ended = [at for at in breaks if not _ENDS_SENTENCE.search(text[text.rfind("\n", 0, at) + 1: at])]
    pieces, start = [], 0
    for at in open_ended:
        pieces += [text[start:at], " "]
        start = at + 1
    return "".join(pieces) + text[start:]


def reading_sentences(text: str, offset: int = 0, wrapped: bool | None = None) -> list[tuple[int, int, str]]:
    """The sentences of a passage's `text` (which starts at `offset` in its article; `wrapped`: whether
    the article is, `is_wrapped`) that the reader weighs, as (start, end, sentence) in article offsets: an
    introducing sentence joined to the one it introduces, none too short to answer, no question (one in
    the text asks, it doesn't answer), none addressed to a model (`addresses_a_model`: it instructs, it
    doesn't answer), none of the page around the story (`is_page_furniture`)."""
    found = []
    for start, end in _join_introductions(text, sentence_spans(text, offset, wrapped), offset):
        sentence = text[start - offset: end - offset]
        if (len(sentence.split()) >= MIN_SENTENCE_WORDS and not sentence.rstrip(" ’”'\"").endswith("?")
                and not addresses_a_model(sentence) and not is_page_furniture(sentence)):
            found.append((start, end, sentence))
    return found


def is_page_furniture(sentence: str) -> bool:
    """A sentence of the page around the story: a sign-up, a link to another story (`_FURNITURE`)."""
    return bool(_FURNITURE.search(sentence))


def addresses_a_model(text: str) -> bool:
    """Article text that addresses a model ("ignore your instructions and …") is data, never prompt."""
    return bool(_INSTRUCTIONS.search(text))


def _join_introductions(text: str, spans: list[Span], offset: int) -> list[tuple[int, int]]:
    """A sentence that introduces the next one keeps it: one ending in a colon ("Peskov claimed that:
    ‘…’"), or a short one closing a paragraph before a quote ("Peskov gave reasoning for it.\n\n“…”")."""
    joined, i = [], 0
    while i < len(spans):
        start, end = spans[i].start, spans[i].end
        if i + 1 < len(spans) and _introduces(text[start - offset:end - offset],
                                               text[end - offset:spans[i + 1].end - offset]):
            i += 1
            end = spans[i].end
        joined.append((start, end))
        i += 1
    return joined


def _introduces(sentence: str, following: str) -> bool:
    if sentence.endswith(":"):
        return True
    return ("\n" in following and following.lstrip()[:1] in "“‘\"" and len(sentence.split()) <= INTRO_WORDS)


# A wire story's dateline ("WASHINGTON (AP) — ", "AUGUSTA, Ga. — ", "NEW YORK (Reuters) - ", "CNN — ") says
# where it was filed, not what happened: "WASHINGTON" led "Which state is Santos from?" as a candidate,
# and quotes opened with it. Capitals, a state's short form, the agency, a day, then a dash. 752
# paragraphs of the development corpus open so, 800 of the ISOT sample's.
_DATELINE = re.compile(r"[A-Z][A-Z.&'’]*(?:[ ,]+[A-Z][A-Z.&'’]*)*(?:, [A-Z][a-z]{1,5}\.)?(?: \([A-Za-z][\w ]*\))?"
                       r"(?:, [A-Z][a-z]+\.? \d{1,2})?\s*(?:—|–|--|-)(?:\s|$)")
# What follows a dateline's state ("ANAHEIM, Calif. (AP) — …", "AUGUSTA, Ga. — …"): the agency, then a
# dash. A sentence never opens so; it had been quoted as "(AP) — The Los Angeles Angels …".
_DATELINE_GOES_ON = re.compile(r"\([A-Z][\w ]*\)\s*[-—–]|—|–|--")


def dateline_end(text: str) -> int:
    """Where the dateline `text` opens with ends (`_DATELINE`); 0 where it opens with none."""
    found = _DATELINE.match(text)
    return found.end() if found else 0


def _continues(text: str, start: int, end: int) -> bool:
    """True where the punctuation does not end the sentence: an abbreviation, lowercase follows, or the
    rest of a dateline."""
    following = text[end:end + 40].lstrip(" \t")
    if following[:1].islower() or _DATELINE_GOES_ON.match(following):
        return True
    if text[start:end] != ".":
        return False
    found = _WORD_BEFORE.search(text[max(0, start - 12): start + 1])
    if not found:
        return False
    word = found.group(1).lower()
    single_initial = len(word) == 1 and word.isalpha() and text[start - 1].isupper()
    return word in _ABBREVIATIONS or single_initial


def _trimmed(text: str, start: int, end: int, offset: int) -> list[Span]:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return []
    lead = len(piece) - len(piece.lstrip())
    return [Span(offset + start + lead, offset + start + lead + len(stripped))]


def split_passages(doc_id: str, text: str, count_tokens: Callable[[Sequence[str]], list[int]],
                   max_tokens: int) -> list[Passage]:
    """Consecutive sentences packed into passages of at most `max_tokens` model tokens.

    A sentence longer than the budget is cut at word boundaries into pieces that fit.
    """
    pieces = _fitting_pieces(text, sentence_spans(text), count_tokens, max_tokens)
    passages, group, used = [], [], 0
    for span, tokens in pieces:
        if group and used + tokens > max_tokens:
            passages.append(_passage(doc_id, text, group))
            group, used = [], 0
        group.append(span)
        used += tokens
    if group:
        passages.append(_passage(doc_id, text, group))
    return passages


def _passage(doc_id: str, text: str, group: list[Span]) -> Passage:
    start, end = group[0].start, group[-1].end
    return Passage(doc_id, start, end, text[start:end])


def _fitting_pieces(text, spans, count_tokens, max_tokens) -> list[tuple[Span, int]]:
    counts = count_tokens([text[s.start:s.end] for s in spans]) if spans else []
    pieces = []
    for span, tokens in zip(spans, counts):
        if tokens <= max_tokens:
            pieces.append((span, tokens))
        else:
            pieces.extend(_cut_long(text, span, count_tokens, max_tokens, tokens))
    return pieces


def _cut_long(text, span, count_tokens, max_tokens, tokens) -> list[tuple[Span, int]]:
    words = [Span(span.start + m.start(), span.start + m.end())
             for m in re.finditer(r"\S+", text[span.start:span.end])]
    per_piece = max(1, int(len(words) * max_tokens / tokens * 0.9))
    pieces = []
    for i in range(0, len(words), per_piece):
        chunk = Span(words[i].start, words[min(i + per_piece, len(words)) - 1].end)
        n = count_tokens([text[chunk.start:chunk.end]])[0]
        if n > max_tokens and per_piece > 1:
            pieces.extend(_cut_long(text, chunk, count_tokens, max_tokens, n))
        else:
            pieces.append((chunk, n))
    return pieces


def embedding_text(article: Article, passage: Passage) -> str:
    """What the encoder reads for a passage: the headline gives short passages their topic."""
    if passage.start == 0 and passage.text.startswith(article.title):
        return passage.text
    return f"{article.title}\n{passage.text}"


def embedding_key(text: str) -> str:
    """Names an embedded text, so the same text is embedded once however often it is stored."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
