"""Follow-up questions, resolved against the conversation so far: "and what did the other article say?"
asks the previous question again of the articles the previous answer didn't cite; "who is he?" names
the person the previous answer quoted. Everything else is asked as it stands."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer import Answer, Assistant
from assistant.questions import analyse

_OTHER_ARTICLE = re.compile(r"\b(?:the )?other (?:article|articles|story|stories|outlet|outlets|source|sources|one|side)\b|"
                            r"\b(?:the )?(?:second|first) (?:article|story|one)\b", re.I)
_PRONOUN = re.compile(r"\b(?:he|him|his|she|her|hers)\b", re.I)


@dataclass
class Conversation:
    assistant: Assistant
    answers: list[Answer] = field(default_factory=list)

    def ask(self, question: str, within: frozenset[str] = frozenset()) -> Answer:
        """`within`: when given, the only articles to read (the chat's filter)."""
        asked, exclude = resolve(question, self.answers[-1] if self.answers else None)
        answer = self.assistant.ask(asked, exclude=exclude, within=within)
        answer.resolved_from = question if asked != question else ""
        self.answers.append(answer)
        return answer


def resolve(question: str, previous: Answer | None) -> tuple[str, frozenset[str]]:
    """(the question to ask, articles to leave out)."""
    if previous is None or previous.abstained:
        return question, frozenset()
    if _OTHER_ARTICLE.search(question):
        return previous.question, frozenset(c.doc_id for c in previous.citations)
    person = _person(previous)
    if person and _PRONOUN.search(question) and len(question.split()) <= 8:
        return _PRONOUN.sub(lambda m: _possessive(person) if m.group().lower() in ("his", "hers") else person,
                            question), frozenset()
    return question, frozenset()


def _person(answer: Answer) -> str | None:
    """The speaker the previous answer quoted or reported, else the speaker its question named."""
    speakers = [c.speaker for c in answer.citations if c.speaker]
    return speakers[0] if speakers else analyse(answer.question).speaker


def _possessive(name: str) -> str:
    return f"{name}’s"
