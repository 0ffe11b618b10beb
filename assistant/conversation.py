"""Follow-up questions, resolved against the conversation so far: "and what did the other article say?"
asks the previous question again of the articles the previous answer didn't cite; "who is he?" names
the person the previous answer quoted; "tell me more" quotes the next sentences for the previous
question; "what about Trump's team?" asks what someone said about something again, of another topic,
and "what about Sessions?" which articles mention him after "which articles mention Flynn?"; "when was
this article published?" asks it of the one article the previous answer cited. Everything else is
asked as it stands."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.answer import Answer, Assistant
from assistant.article_facts import ARTICLE_WORDS, asks_mentioning
from assistant.questions import analyse
from assistant.written import stream_answer

_OTHER_ARTICLE = re.compile(r"\b(?:the )?other (?:article|articles|story|stories|outlet|outlets|source|sources|one|side)\b|"
                            r"\b(?:the )?(?:second|first) (?:article|story|one)\b", re.I)
_PRONOUN = re.compile(r"\b(?:he|him|his|she|her|hers)\b", re.I)
# "What about Trump's team?" after "What did Peskov claim about Clinton's advisors?": the same question of
# another topic.
_WHAT_ABOUT = re.compile(r"^\W*(?:and\s+|but\s+)?(?:what|how)\s+about\s+(?P<topic>.+?)[\s?.!]*$", re.I)
# "Tell me more", "what else?": the previous question again, its quoted sentences passed over.
_MORE = re.compile(r"^\W*(?:(?:and\s+|so\s+)?(?:(?:can|could)\s+you\s+)?(?:tell|give|show)\s+me\s+more(?:\s+about\s+(?:it|this|that))?|"
                   r"more(?:\s+(?:details?|please|on\s+(?:it|this|that)))?|go\s+on|continue|(?:please\s+)?elaborate|"
                   r"(?:and\s+)?what\s+else(?:\s+(?:do|did)\s+(?:they|the\s+articles?)\s+say)?|anything\s+else)\W*$", re.I)
# "this article", "the story": an article named by no word of its own, so the one just cited.
_THIS_ARTICLE = re.compile(rf"\b(?:this|that|the)\s+{ARTICLE_WORDS}\b", re.I)


@dataclass
class Conversation:
    assistant: Assistant
    answers: list[Answer] = field(default_factory=list)

    def ask(self, question: str, within: frozenset[str] = frozenset(), written: bool = False) -> Answer:
        """`within`: when given, the only articles to read (the chat's filter); `written`: an LLM writes
        the answer (see `written`)."""
        return list(self.stream(question, within, written))[-1]

    def stream(self, question: str, within: frozenset[str] = frozenset(),
               written: bool = False) -> Iterator[str | Answer]:
        """The LLM's reply as it arrives (when `written`), then the `Answer`."""
        previous = self.answers[-1] if self.answers else None
        asked, exclude = resolve(question, previous)
        within = within or cited_article(question, previous)
        if previous and _MORE.match(question):  # quoted sentences, whichever mode wrote the answer before
            asked, quoted = previous.question, self._quoted(previous.question)
            pieces = [self.assistant.ask(asked, within=within, skip=quoted)]
        else:
            pieces = (stream_answer(self.assistant, asked, exclude=exclude, within=within) if written
                      else [self.assistant.ask(asked, exclude=exclude, within=within)])
        for piece in pieces:
            if isinstance(piece, Answer):
                piece.resolved_from = question if asked != question else ""
                self.answers.append(piece)
            yield piece


    def _quoted(self, question: str) -> frozenset[tuple[str, int, int]]:
        """The spans cited so far in answers to `question`."""
        return frozenset((c.doc_id, c.start, c.end) for a in self.answers if a.question == question for c in a.citations)


def resolve(question: str, previous: Answer | None) -> tuple[str, frozenset[str]]:
    """(the question to ask, articles to leave out)."""
    if previous is None:
        return question, frozenset()
    # "Which articles mention Obama?" → "None …": "what about Sessions?" still asks which mention him.
    mentioning = asks_mentioning(previous.question)
    about, topic = _WHAT_ABOUT.match(question), mentioning or analyse(previous.question).topic
    if previous.abstained and not mentioning:
        return question, frozenset()
    if _OTHER_ARTICLE.search(question):
        return previous.question, frozenset(c.doc_id for c in previous.citations)
    if about and topic and (at := previous.question.rfind(topic)) >= 0:
        return previous.question[:at] + about["topic"] + previous.question[at + len(topic):], frozenset()
    person = _person(previous)
    if person and _PRONOUN.search(question) and len(question.split()) <= 8:
        return _PRONOUN.sub(lambda m: _possessive(person) if m.group().lower() in ("his", "hers") else person,
                            question), frozenset()
    return question, frozenset()


def cited_article(question: str, previous: Answer | None) -> frozenset[str]:
    """The one article the previous answer cited, when the question asks about "this article" without
    naming one (none otherwise: then every article is read)."""
    if previous is None or not _THIS_ARTICLE.search(question) or analyse(question).article:
        return frozenset()
    cited = frozenset(c.doc_id for c in previous.citations)
    return cited if len(cited) == 1 else frozenset()


def _person(answer: Answer) -> str | None:
    """The speaker the previous answer quoted or reported, else the speaker its question named."""
    speakers = [c.speaker for c in answer.citations if c.speaker]
    return speakers[0] if speakers else analyse(answer.question).speaker


def _possessive(name: str) -> str:
    return f"{name}’s"
