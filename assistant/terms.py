"""Content words of a question or sentence: what keyword search matches and answer scoring overlaps."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_POSSESSIVE = ("'s", "’s")

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
said say says tell told according did does whose week this year new one like get got make made
claim claims claimed claiming state stated assert asserted mention mentioned suggest suggested
name named call called kind type show speak spoke try tried describe described explain explained keep give
gave really feel felt far work besides quote quoted article articles regard regarding certain think mean
happen happened reason whats many much
""".split())


# Spellings of one word that the word pattern splits or misses: "U.S." is the question's "US", and
# "Aug. 14" the article's "August 14". Without them a reason said no passage mentions “US” of passages
# saying "U.S." (development questions rtqa-20230929_10, rtqa-20230714_14). `words` runs over every
# passage read, many times a question: a text is rewritten only where `_SPELLED` finds one.
_INITIALS = re.compile(r"\b(?:[A-Za-z]\.){2,}(?![^\W_])")
_MONTHS = {"Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "Jun": "June", "Jul": "July",
           "Aug": "August", "Sep": "September", "Sept": "September", "Oct": "October", "Nov": "November",
           "Dec": "December"}
_MONTH = re.compile(rf"\b({'|'.join(_MONTHS)})(?:\.|(?=\s+\d))")
_SPELLED = re.compile(rf"[A-Za-z]\.[A-Za-z]\.|\b(?:{'|'.join(_MONTHS)})[.\s]")


def words(text: str) -> list[str]:
    """Lower-cased words, possessives folded ("Clinton’s" → "clinton"), initials joined ("U.S." → "us")
    and months written out ("Aug. 14" → "august 14")."""
    if _SPELLED.search(text):
        text = _MONTH.sub(lambda m: _MONTHS[m[1]], _INITIALS.sub(lambda m: m[0].replace(".", ""), text))
    found = [w.lower() for w in _WORD.findall(text)]
    return [(w[:-2] if w.endswith(_POSSESSIVE) else w).replace("’", "'") for w in found]


def stem(word: str) -> str:
    """Crude but symmetric: 'advisors'/'advising' and 'meetings'/'meeting' meet on their first five letters."""
    return word[:5]


def content_terms(text: str) -> list[str]:
    """Words that carry meaning, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


def close_spelling(a: str, b: str) -> bool:
    """Whether two words are one name spelled two ways ("Peskov"/"Peksov", "Zakaria"/"Zarakia",
    "Putin"/"Puttin"): the same first letter, and at most one edit (two from seven letters on) where an
    edit is a letter added, dropped, changed or swapped with its neighbour. Short words and numbers never
    are: "Hall"/"Hill", "2016"/"2020" are other things."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or a[0] != b[0] or abs(len(a) - len(b)) > 1 or a.isdigit() or b.isdigit():
        return False
    allowed = 2 if min(len(a), len(b)) >= 7 else 1
    # Optimal string alignment distance, stopped as soon as it can't stay within `allowed`.
    before, row = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1]))
            if before is not None and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > allowed:
            return False
        before, row = row, current
    return row[-1] <= allowed
