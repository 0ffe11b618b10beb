"""Who is speaking in a sentence of an article: a direct quote and whose (`quote`), someone's claim in the
article's words ("Peskov stated that …": `reported`), or the article's own voice (`narration`).

Rules, not a model: quotation marks mark quotes; a name next to a verb of saying ("…,” Peskov said",
"Peskov claimed that:") names the speaker; where no name does, the words that close or open a sentence
with one do ("…, officials said", "The mayor said …"); "he", "she" and "the aide" refer back to the last person
named as speaking; a quote introduced by a sentence ending in a colon, or continuing the previous
paragraph's quote, keeps that speaker.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from assistant.passages import sentence_spans, unwrapped
from assistant.terms import STOPWORDS

QUOTE, REPORTED, NARRATION = "quote", "reported", "narration"

# "Added" and "posted" say something unless a count follows: "Germany added four more in the second",
# "Tesla posted 3% growth" are no one's words (the first labelled a match report "Germany's claim"); nor
# does "continued to" ("… lost in the COVID-19 pandemic and continued to defy …" was "COVID-19's claim").
# With the participle rule of `_attribution` ("…, saying"), these changed 125 of the 117,882 sentences of
# the first 1,500 development articles (`runs/exp/speakers_diff.py`): read one by one, about 110 from a
# wrong speaker to the right one or to the article's own words, the rest from one wrong speaker to another.
_COUNTED = (r"(?!\s+(?:[\d$£€]|(?:more|another|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
            r"dozens|hundreds|thousands|millions|billions|several)\b))")
_VERBS = (r"said|says|say|saying|stated|states|claimed|claims|claim|told|tells|asked|asks|"
          r"asserted|asserts|argued|argues|explained|insisted|noted|continued(?!\s+to\b)|replied|warned|wrote|writes|"
          r"suggested|acknowledged|admitted|confirmed|denied|reaffirm|reaffirmed|declared|announced|"
          r"recalled|stressed|urged|tweeted|identified|indicated|alleged|maintained|contended|quipped|"
          rf"(?:added|adds|posted){_COUNTED}")
_NAME = r"(?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'-]+"
# A verb of saying right after a name: "…, Altman said" ends a quote or a clause, not an appositive.
SAYS_NEXT = re.compile(rf"\s+(?:{_VERBS})\b")
# "The President said" refers back as "the president said" does: a title is no one's name.
_REFERENCE = (r"\b(?:[Hh]e|[Ss]he|[Tt]hey|[Tt]he (?:[\w’']+\s+){0,3}?(?:[Aa]ide|[Ss]pokesman|[Ss]pokesperson|"
              r"[Ss]pokeswoman|[Oo]fficial|[Pp]resident|[Mm]inister))\b")
_WHO = rf"(?P<who>{_REFERENCE}|{_NAME})"
_BEFORE_VERB = re.compile(rf"{_WHO},?\s+(?:[a-z]+\s+){{0,4}}?(?:{_VERBS})\b")
_AFTER_VERB = re.compile(rf"\b(?:said|says|asked|added|wrote|told|according to)\s+{_WHO}")
# "According to Weather.com meteorologist Chris Dolce, …", "According to police spokesman Tom Lee, …": a
# title, in lower case, between; not a word such as "from" or "of" ("According to data from the Centers for
# Disease Control and Prevention, …" names no one).
_FUNCTION_WORDS = "a|an|the|and|or|of|from|by|for|to|in|on|at|with|data|figures|report|reports|estimates|records"
# "According to Reuters, …", "According to The Independent, …": the name alone before the comma ("According
# to CNN Chief Law Enforcement and Intelligence Analyst John Miller" names no one this can tell).
_ACCORDING = re.compile(rf"^\W*According to\s+(?:(?:[A-Za-z][\w.’'&-]*\s+){{0,2}}?(?!(?:{_FUNCTION_WORDS})\s)[a-z][\w’'-]*\s+)?{_WHO},")
# "Senator Rand Paul, a fiscal hawk who has sometimes opposed his party’s spending plans, said …": the
# name before the appositive speaks, not the last capitalised words before the verb ("U.S. Senate").
_APPOSITIVE = re.compile(rf"{_WHO}(?:,\s+(?:a|an|the)\s+[^,.;:]{{1,120}}){{1,2}},\s+(?:[a-z]+\s+){{0,2}}?(?:{_VERBS})\b")
_APPOSITION_START = re.compile(r",\s+(?:a|an|the)\s")
# "Puerto Rico’s government has said", "Russian officials said": the name only qualifies who speaks. Narrower
# than the reader's party-or-nation adjective (which also takes "-ch", "-i"): here those endings took names
# with the verb after them as speakers ("Koch won", "Fauci takes", "Missouri led": 22 sentences of 1,400
# articles, `runs/exp/speakers_diff.py`).
_QUALIFIER = re.compile(r"[’']s$|^[A-Z][a-z]+(?:an|ic|ish|ese)$")
# "the" right before a name: an institution's ("…, the National Hurricane Center said"), kept whole.
_AFTER_THE = re.compile(r"\b[Tt]he\s+$")
# What can follow such a name without being the noun it qualifies ("Puerto Rico’s most …", "… has said").
_NOT_QUALIFIED = STOPWORDS | {"has", "have", "had", "is", "was", "were", "are", "will", "would", "also", "then",
                              "later", "previously", "recently", "reportedly", "publicly", "repeatedly", "once", "first"}
# The sentence's subject, however far its verb of saying ("He then went on to defend …, by saying that …").
_OPENING_SUBJECT = re.compile(rf"^\W*{_WHO}\b[^.!?:]*?\b(?:{_VERBS})\b")
# Who speaks when no name does, at a sentence's end: "…, the owners said.", "…, officials said on Tuesday.",
# "…,” said the director.", "…, according to the state" (or "… to the National Weather Service"). News
# attributes most claims so: they are someone's claim, not the article's own words. What may follow the
# verb is lower-case or a day ("said in a statement Wednesday"), never a name: "according to the" is no one;
# nothing follows "according to …" ("according to the CDC’s guidance" is no one either).
_UNNAMED = r"(?:(?:the|a|an|some|many|two|three|several|local|state|federal)\s+)?(?:[a-z][\w’'-]*\s+){0,2}[a-z][\w’'-]*"
# "…, the owners said": an unnamed speaker closes the sentence, so its opening name is not the speaker.
_UNNAMED_TAIL = re.compile(rf",\s+(?P<who>{_UNNAMED})\s+(?:{_VERBS})\b")
_DAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
# A quote's own comma is blanked with it (`_blanked`): "…,” said the director" keeps only the spaces.
# "…, pundits continued to pick it apart": a verb followed by "to" is no one saying anything.
_UNNAMED_END = re.compile(rf"(?:,\s*|(?<=\s\s)(?=\S))(?:(?:(?P<who>{_UNNAMED})\s+(?:{_VERBS})|(?:said|says|added|told)\s+(?P<who2>the\s+{_UNNAMED}))"
                          rf"(?!\s+to\b)(?:\s+(?:[a-z0-9][\w’'-]*|{_DAY})){{0,4}}|"
                          rf"according\s+to\s+(?P<who3>(?:the\s+|a\s+)?(?:[a-z][\w’'-]*\s+){{0,3}}[a-z][\w’'-]*|the\s+{_NAME}))\W*$")
# "…, the Seattle Times reported.", "…,” WUSA-TV reported Monday.": an outlet closing the sentence. Only
# there: "reported" elsewhere is as often a count's ("Delaware reported 886 cases", "Almost 90% reported
# …"; 600 development articles, `runs/exp/speakers_diff.py`).
_REPORTED_END = re.compile(rf"(?:,\s+|(?<=\s\s))(?:[Tt]he\s+)?(?P<who>{_NAME})\s+reported"
                           rf"(?:\s+(?:[a-z0-9][\w’'-]*|{_DAY})){{0,4}}\W*$")
# "According to a police spokesman, …": an unnamed speaker opening the sentence.
_ACCORDING_UNNAMED = re.compile(rf"^\W*According to\s+(?P<who>(?:the|a|an)\s+(?:[a-z][\w’'-]*\s+){{0,2}}[a-z][\w’'-]*),")
# "An unclassified State Department cable, seen by Reuters, said: …": the outlet only saw what speaks, a
# document, which speaks unnamed ("an unclassified State Department cable"; ISOT's articles labelled the
# cable's words Reuters's). `_SEEN_BY` ends the words before such an agent.
_SEEN_BY = re.compile(r"\b(?:seen|obtained|reviewed|viewed|received)\s+by\s+(?:[Tt]he\s+)?$")
_DOCUMENT_START = re.compile(rf"^\W*(?P<who>(?:The|A|An)\s+[^,;:“”\"]{{1,60}}?),\s+(?:seen|obtained|reviewed|viewed|"
                             rf"received)\s+by\s+[^,;:]{{1,60}},\s+(?:[a-z]+\s+){{0,2}}?(?:{_VERBS})\b")
# A verb of saying later in the sentence, after "and", that the asked one's passive verb runs on to.
_AND_SAID = re.compile(rf"[^.;:!?]*?\band\s+(?:[a-z]+ly\s+)?(?:{_VERBS})\b")
# A match that ends on a passive verb ("were announced", "is being asked").
_PASSIVE = re.compile(r"\b(?:was|were|been|being|be|is|are)\s+(?:[a-z]+ly\s+)?[a-z]+$")
# The longest such ending: ", the state health department said in a statement Wednesday." is 62 characters.
_TAIL_CHARS = 100
# …or opening it with a plain verb of saying: "The mayor said the city would pay." ("The bill adds a
# section", "The state’s count of confirmed cases" are no one speaking.)
_UNNAMED_START = re.compile(r"^\W*(?P<who>(?:The|A|An)\s+(?:[a-z][\w’'-]*\s+){0,2}[a-z][\w’'-]*)\s+"
                            r"(?:said|says|told|tells|stated|claimed|claims|argued|argues|insisted|warned|announced|"
                            r"declared|alleged|contended|maintained)\b")
# Words that close a sentence with a verb of saying but name no one ("…, it said", "…, which said"), and
# those that can't be in the name of who speaks ("The state’s count of …", "officials have said").
_NOT_IN_SPEAKER = {"it", "which", "who", "that", "this", "there", "he", "she", "they", "we", "i", "you", "one", "him",
                   "her", "them", "us", "me", "of", "and", "but", "or", "also", "has", "have", "had", "was", "were",
                   "is", "are", "will", "would", "could", "be", "been", "in", "on", "at", "for", "to", "from", "as",
                   "so", "not", "with", "within", "by", "about", "than", "into", "she’s", "he’s", "it’s", "they’ve",
                   "we’ve", "she's", "he's", "it's", "they've", "we've"}
_OPENERS = {"“": "”", "‘": "’", '"': '"'}
_OPENING = re.compile("[" + "".join(_OPENERS) + "]")
# A name that opens a sentence can be any capitalised word; these open sentences without naming anyone.
_NOT_NAMES = {"The", "This", "That", "These", "Those", "It", "Its", "A", "An", "But", "And", "So", "Well", "Yes",
              "No", "If", "In", "On", "At", "For", "When", "While", "After", "Although", "However", "Surely",
              "Given", "Whereas", "People", "Between", "Since", "Ever", "Pretty", "Wait", "Whom", "One",
              # "…, OceanGate said Thursday that …": a day is when, never who. Months that are also names
              # (April, May, June, August) stay names.
              "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Today", "Yesterday",
              "Tonight", "Tomorrow", "January", "February", "March", "July", "September", "October", "November",
              "December",
              # Pronouns and openers that take a verb of saying without naming anyone ("We asked …", "As
              # Trump said", "Some are saying"): over 1,500 ISOT articles, 1 in 30 speakers was one of these
              # (`runs/exp/speakers_survey.py`).
              "I", "We", "You", "Our", "My", "Your", "As", "Then", "What", "There", "Now", "Here", "Why", "How",
              "Where", "Who", "Some", "Many", "Most", "Others", "Several", "All", "Both", "Few", "Each", "Every",
              "Even", "Just", "Also", "Instead", "Still", "Yet", "Meanwhile", "Later", "Earlier", "Not", "Only",
              "Asked", "Speaking", "According"}


def same_name(a: str, b: str) -> bool:
    """Equal, or one letter swap apart: articles misspell names ("Peksov")."""
    return a == b or (len(a) == len(b) and sorted(a) == sorted(b) and sum(x != y for x, y in zip(a, b)) <= 2)


@dataclass(frozen=True)
class Voice:
    start: int
    end: int
    kind: str
    speaker: str | None


@functools.lru_cache(maxsize=256)
def voices(text: str) -> tuple[Voice, ...]:
    """Every sentence of `text`, in order, with who speaks in it. Kept for the last articles read: the
    next question about the same story reads the same articles (about 5 ms an article). A text wrapped at
    a fixed width is read unwrapped: its quotes and paragraphs go on past a wrapped line."""
    text = unwrapped(text)
    quoted = _quoted_mask(text)
    plain = _blanked(text, quoted)
    found, last_named, carried = [], None, None
    for span in sentence_spans(text):
        sentence = text[span.start:span.end]
        share = quoted.count(1, span.start, span.end) / max(span.end - span.start, 1)
        attributed, asked = _attribution(plain[span.start:span.end])
        who = _resolve(attributed, last_named)
        unnamed = None if who else (_title(attributed) or _unnamed(plain[span.start:span.end])
                                    or _reported_by(plain[span.start:span.end]))
        # Mostly quoted, or opening inside a quote that the attribution then closes ("We never have,” she said.")
        if share >= 0.5 or (quoted[span.start] and share >= 0.3):
            kind, speaker = QUOTE, who or unnamed or carried
        elif who or unnamed:
            kind, speaker = REPORTED, who or unnamed
        else:
            kind, speaker = NARRATION, None
        last_named = who or asked or last_named
        intro = sentence.rstrip().endswith(":") or re.search(r"\bto say\W*$", sentence)
        carried = (who or _first_name(sentence) or last_named) if intro else (speaker if kind == QUOTE else None)
        found.append(Voice(span.start, span.end, kind, speaker))
    return tuple(_name_back(text, found))


def _name_back(text: str, found: list[Voice]) -> list[Voice]:
    """A quote whose speaker is named only at its end ("… nonsense,” Peskov said.") lends that name to
    its earlier sentences in the same paragraph."""
    for i in range(len(found) - 2, -1, -1):
        this, after = found[i], found[i + 1]
        if (this.kind == QUOTE and this.speaker is None and after.kind == QUOTE and after.speaker
                and "\n" not in text[this.end:after.start]):
            found[i] = Voice(this.start, this.end, QUOTE, after.speaker)
    return found


def voice_of(text: str, start: int, end: int) -> Voice:
    """The voice of the span [start, end) of `text`."""
    return voice_in(voices(text), start, end)


def voice_in(found: tuple[Voice, ...], start: int, end: int) -> Voice:
    """The voice of the span [start, end) among an article's `voices`: that of the sentence covering most
    of it ("He asserted: ‘…’" is a quote), or narration."""
    overlap = lambda v: min(v.end, end) - max(v.start, start)
    best = max(found, key=overlap, default=None)
    if best is None or overlap(best) <= 0:
        return Voice(start, end, NARRATION, None)
    return Voice(start, end, best.kind, best.speaker)


def speaks_in(text: str, name: str) -> bool:
    """Whether `text` has `name` saying something ("Donald Trump, was saying that, ‘Yes…’")."""
    return re.search(rf"\b{re.escape(name)}\b\W+(?:\w+\W+){{0,4}}?(?:{_VERBS})\b", text, re.IGNORECASE) is not None


def _quoted_mask(text: str) -> bytearray:
    """Per character: 1 inside quotation marks. A quote left open runs to the end of its paragraph, which
    is how news copy writes a quote that spans paragraphs."""
    mask = bytearray(len(text))
    for paragraph in re.finditer(r"[^\n]+", text):
        line, base, i = paragraph.group(), paragraph.start(), 0
        while found := _OPENING.search(line, i):
            i = found.start()
            if i == 0 or not line[i - 1].isalnum():
                end = _closing(line, i + 1, _OPENERS[line[i]])
                mask[base + i:base + end] = b"\x01" * (end - i)
                i = end
            i += 1
    return mask


def _closing(line: str, i: int, close: str) -> int:
    """Index just past the mark that closes a quote opened before `i`: a mark not followed by a letter
    (so the apostrophe in "let’s" doesn't close ‘…’), or one right after a sentence's end (a scraped
    page's "… the region.”Harry Kazianis, an analyst, said"); the line's end when none does."""
    while (i := line.find(close, i)) != -1:
        if i + 1 == len(line) or not line[i + 1].isalnum() or line[i - 1] in ".!?…":
            return i + 1
        i += 1
    return len(line)


def _blanked(text: str, quoted: bytearray) -> str:
    """`text` with its quoted characters blanked out: what its own (unquoted) words say."""
    pieces, at = [], 0
    for run in re.finditer(rb"\x01+", quoted):
        pieces += [text[at:run.start()], " " * (run.end() - run.start())]
        at = run.end()
    return "".join(pieces) + text[at:]


def _attribution(plain: str) -> tuple[str | None, str | None]:
    """The speaker a verb of saying names in a sentence's own (unquoted, `_blanked`) words, and the name
    of anyone the sentence has asked or told something ("Peskov was asked about it."), whom a "he said"
    after it refers back to."""
    tail = _UNNAMED_TAIL.search(plain)
    patterns = ((_ACCORDING, _AFTER_VERB, _APPOSITIVE, _BEFORE_VERB) if tail
                else (_ACCORDING, _AFTER_VERB, _APPOSITIVE, _BEFORE_VERB, _OPENING_SUBJECT))
    asked = None
    for pattern in patterns:
        if pattern is _APPOSITIVE and not _APPOSITION_START.search(plain):  # most sentences have none: skip the scan
            continue
        for match in pattern.finditer(plain):
            # "… against the former President, the person said": the verb is the unnamed speaker's ("…, she
            # said" is a pronoun's, which refers back).
            if (pattern is _BEFORE_VERB and tail and match.end() == tail.end()
                    and not set(tail["who"].lower().split()) & _NOT_IN_SPEAKER):
                continue
            if _SEEN_BY.search(plain, 0, match.start("who")):  # who saw the document, not who says it
                continue
            # "Biden continued to pledge support for Florida, saying …": the participle's subject is the
            # sentence's, not the name before its comma.
            if pattern is _BEFORE_VERB and re.fullmatch(r",\s+[a-z]+ing", plain[match.end("who"):match.end()]):
                continue
            reference = re.fullmatch(_REFERENCE, match["who"])
            # "New measures were announced on Tuesday": a passive verb's subject is what was said, not who;
            # but "When Montalbano was asked …, he said: …" has him answer.
            if pattern is not _AFTER_VERB and pattern is not _ACCORDING and _PASSIVE.search(plain, 0, match.end()):
                if not reference and re.search(r"(?:asked|told)$", plain[:match.end()]):
                    asked = asked or _trim(match["who"])
                    # "Al-Thawadi was asked about … for the World Cup and said: …"
                    if asked and _AND_SAID.match(plain, match.end()):
                        return asked, asked
                continue
            if reference and asked and match.start() > plain.find(asked):
                return asked, asked
            # "…,” said he." names the speaker; in "Trump says he never met him" the pronoun is the subject
            # of what was said.
            if reference and pattern is _AFTER_VERB and plain[match.end():].lstrip()[:1] not in ("", ".", ",", ";", "!", "?"):
                continue
            # "…, the National Hurricane Center said": a name after "the" is an institution's, whole.
            who = match["who"] if reference else _trim(match["who"], bool(_AFTER_THE.search(plain, 0, match.start("who"))))
            if who and _QUALIFIER.search(who):  # "Puerto Rico’s government", "Republican lawmakers"
                noun = re.match(r"\s+([a-z][\w’'-]*)", plain[match.end("who"):])
                who = (f"{who} {noun[1]}" if noun and noun[1] not in _NOT_QUALIFIED and not SAYS_NEXT.match(noun[0])
                       else who)
            if who:
                return who, asked
    return None, asked


def _unnamed(plain: str) -> str | None:
    """The speaker a sentence's own words give without a name ("officials", "the owners"), if any. Never
    referred back to: "he" after "…, the owners said" is not the owners."""
    # The attribution closes the sentence: its last words are searched, not every comma.
    found = (_DOCUMENT_START.search(plain) or _UNNAMED_END.search(plain[-_TAIL_CHARS:]) or _UNNAMED_START.search(plain)
             or _ACCORDING_UNNAMED.search(plain))
    who = found and next(filter(None, (found.groupdict().get(g) for g in ("who", "who2", "who3"))), None)
    # "…,” Jamie Yocono, her granddaughter, tearfully recalled": an adverb is no one.
    # A blanked quote inside the words ("Jackson, a “known fugitive,” police said") is no one's name either.
    if not who or set(who.lower().split()) & _NOT_IN_SPEAKER or who.endswith("ly") or "  " in who:
        return None
    return who[0].lower() + who[1:]  # "the mayor's claim", wherever the sentence had it


def _reported_by(plain: str) -> str | None:
    """The outlet a sentence closes on ("…, the Seattle Times reported."), whole ("Minnesota Public Radio"),
    where no one else in it speaks ("Riskey said …, Minnesota Public Radio reported" is Riskey's). Like an
    unnamed speaker, never referred back to: a later "he said" is not the newspaper."""
    found = _REPORTED_END.search(plain[-_TAIL_CHARS:])
    return _trim(found["who"], True) if found else None


def _trim(who: str, institution: bool = False) -> str | None:
    """The last two words of a run of capitalised words ("spokesman for Putin Dmitry Peksov" → "Dmitry
    Peksov"), without a leading word that only opens the sentence; `institution`: the name may be one
    institution's, kept whole (the sentence has "the" before it, or it is the outlet that reported)."""
    parts = who.split()
    # "The New York Times", "the National Hurricane Center": a name that takes "the" is one institution's,
    # whole, never two names run together, unless it is someone's ("The Kremlin’s Dmitry Peskov").
    institution = (parts[0] == "The" or institution) and not any(re.search(r"[’']s$", word) for word in parts)
    opener = lambda word: re.sub(r"[’']s$", "", word) in _NOT_NAMES  # noqa: E731 ("That’s" is "That is")
    while parts and opener(parts[0]) and len(parts) > 1:
        parts = parts[1:]
    if not parts or opener(parts[0]):
        return None
    # "Donald J. Trump", not "J. Trump".
    initial = len(parts) >= 3 and re.fullmatch(r"[A-Z]\.", parts[-2])
    return " ".join(parts if institution else parts[-3:] if initial else parts[-2:])


def _resolve(who: str | None, last_named: str | None) -> str | None:
    """"he", "she", "the aide" → the last person named as speaking, or nobody."""
    return last_named if who and re.fullmatch(_REFERENCE, who) else who


def _title(who: str | None) -> str | None:
    """"The President" when no one was named before it: spoken by whoever holds the title, unnamed."""
    return "t" + who[1:] if who and who.startswith("The ") and re.fullmatch(_REFERENCE, who) else None


def _first_name(sentence: str) -> str | None:
    match = re.search(_NAME, sentence)
    return _trim(match.group()) if match else None
