"""The optional LLM that writes fluent answers: any OpenAI-compatible chat server (Ollama's /v1, llama.cpp's
server, vLLM, LM Studio, OpenAI) through LlamaIndex's `OpenAILike`.

Installed as an extra (`pip install -e .[llm]`). Every failure (unreachable, slow, an error status, an
empty reply) becomes one `LLMError` line; the caller then shows the extractive answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from assistant import prompts
from assistant.settings import Settings, SettingsError

# A choice is a number; a model that goes on is cut off here.
CHOICE_TOKENS = 4
# The first tokens whose probabilities `first_token_mass` reads: the most OpenAI's API gives.
TOP_TOKENS = 20
# The least probability taken for a token or candidate the likeliest first tokens leave out: "yes" or
# "no" (`answers_odds`, whose log-odds then stay within ±9), a candidate none of them begins and one the
# reader's rounded probability puts at 0 (`written._choose`). Not tuned.
MASS_FLOOR = 1e-4
# A reply's first token says nothing of which candidate it begins when it is one of these.
_UNINFORMATIVE = frozenset({"the", "a", "an", '"', "'", "“", "‘"})
_NUMBER_WORDS = {w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine ten eleven "
                                                  "twelve".split())}


class LLMError(RuntimeError):
    """The LLM server failed or replied with nothing usable, said in one line."""


def api_key(settings: Settings) -> str:
    """The key from ASSISTANT_LLM_API_KEY or the file ASSISTANT_LLM_API_KEY_FILE names (never a flag, so
    it stays out of shell history and process lists); servers without keys get a placeholder."""
    if settings.llm_api_key:
        return settings.llm_api_key
    if settings.llm_api_key_file:
        try:
            return Path(settings.llm_api_key_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(f"can't read the LLM key file {settings.llm_api_key_file} ({exc.strerror}); "
                                "check ASSISTANT_LLM_API_KEY_FILE") from None
    return "no-key"


@lru_cache(maxsize=4)
def client(settings: Settings, top_logprobs: int = 0):
    """One client (and its connection pool) per configuration, not one per question; with `top_logprobs`,
    its replies carry each token's likeliest alternatives and their log-probabilities."""
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError:
        raise SettingsError("LLM mode needs the llm extra: pip install -e '.[llm]'") from None
    return OpenAILike(model=settings.llm_model, api_base=settings.llm_url.rstrip("/"), api_key=api_key(settings),
                      is_chat_model=True, context_window=settings.llm_context, max_tokens=settings.llm_max_tokens,
                      temperature=0.0, timeout=settings.llm_timeout, max_retries=0,
                      additional_kwargs={"seed": 0}, logprobs=bool(top_logprobs) or None, top_logprobs=top_logprobs)


def messages(question: str, passages: list[dict], candidates: list[str] = ()):
    """The system rules, then the numbered passages, each fenced so its text can't pose as the prompt, and
    the reading stage's best candidates (`candidates`, when the question asks for a thing)."""
    from llama_index.core.llms import ChatMessage

    guesses = prompts.render("llm_candidates", names="; ".join(_fence(c) for c in candidates)) if candidates else ""
    return [ChatMessage(role="system", content=prompts.load("llm_system")),
            ChatMessage(role="user", content=prompts.render("llm_user", passages=_fenced(passages), candidates=guesses,
                                                            question=question))]


def choose(settings: Settings, question: str, passages: list[dict], options: list[str]) -> int | None:
    """Which of `options` (the reading stage's best candidates, most probable first) answers the question,
    by the LLM's reply: its index, or None when the reply names none of them."""
    from llama_index.core.llms import ChatMessage

    listed = "\n".join(f"{i}. {_fence(o)}" for i, o in enumerate(options, 1))
    chat = [ChatMessage(role="system", content=prompts.load("llm_choose_system")),
            ChatMessage(role="user", content=prompts.render("llm_choose_user", passages=_fenced(passages),
                                                            question=question, options=listed))]
    try:
        reply = client(settings.replace(llm_max_tokens=CHOICE_TOKENS)).chat(chat).message.content or ""
    except Exception as exc:  # as in `stream`
        raise LLMError(f"the LLM at {settings.llm_url} failed ({_one_line(exc)})") from exc
    return choice_in(reply, len(options))


def first_token_mass(settings: Settings, question: str, passages: list[dict], options: list[str]) -> list[float] | None:
    """For each of `options`, the probability that the LLM, asked for the answer alone, begins its reply
    the way the option begins: the summed probability of its `TOP_TOKENS` likeliest first tokens that
    begin the option ("V" and "Volks" for Volkswagen; case aside, without a leading "the", a number word
    also as digits). One token of reply: it costs what reading the passages costs. None when the server
    gives no token probabilities."""
    from llama_index.core.llms import ChatMessage

    chat = [ChatMessage(role="system", content=prompts.load("llm_score_system")),
            ChatMessage(role="user", content=prompts.render("llm_score_user", passages=_fenced(passages),
                                                            question=question))]
    first = _first_tokens(settings, chat)
    if first is None:
        return None
    return [sum(p for token, p in first if token and token not in _UNINFORMATIVE and any(f.startswith(token) for f in forms))
            for forms in map(_spellings, options)]


def answers_odds(settings: Settings, question: str, sentence: str) -> float | None:
    """How strongly the LLM reads `sentence` as answering `question`: the log-odds of "yes" against "no"
    among its likeliest first tokens (each at least `MASS_FLOOR`). One token of reply, whose odds are all
    that is read: a passage that tells the model what to reply can move the verdict, never add words to
    an answer. The prompt is one plain user message (`prompts/llm_check.txt`): with the sentence fenced in
    tags under a system prompt, the 1.5B model told asked from withheld questions worse (AUC 0.793 → 0.734
    on 200 development answers, `docs/reading-log.md`). None when the server gives no token probabilities."""
    from llama_index.core.llms import ChatMessage

    first = _first_tokens(settings, [ChatMessage(role="user", content=prompts.render("llm_check", text=sentence,
                                                                                    question=question))])
    if first is None:
        return None
    mass = {word: sum(p for token, p in first if token == word) for word in ("yes", "no")}
    return math.log(max(mass["yes"], MASS_FLOOR) / max(mass["no"], MASS_FLOOR))


def _first_tokens(settings: Settings, chat: list) -> list[tuple[str, float]] | None:
    """The `TOP_TOKENS` likeliest first tokens of the reply to `chat` (stripped, lower case) with their
    probabilities, from a one-token reply; None when the server gives no token probabilities."""
    try:
        reply = client(settings.replace(llm_max_tokens=1), TOP_TOKENS).chat(chat)
    except Exception as exc:  # as in `stream`
        raise LLMError(f"the LLM at {settings.llm_url} failed ({_one_line(exc)})") from exc
    if not reply.logprobs or not reply.logprobs[0]:
        return None
    return [(t.token.strip().lower(), math.exp(t.logprob)) for t in reply.logprobs[0]]


def _spellings(option: str) -> set[str]:
    """How a reply may begin an option: as written, without a leading article, a number word as digits."""
    text = option.strip().lower()
    first, _, rest = text.partition(" ")
    return {text} | ({rest} if first in ("the", "a", "an") and rest else set()) | (
        {" ".join(filter(None, [_NUMBER_WORDS[first], rest]))} if first in _NUMBER_WORDS else set())


def choice_in(reply: str, count: int) -> int | None:
    """The option (0-based) a reply's first number names ("2", "Option 2."), None for none of `count`."""
    number = re.search(r"\d+", reply)
    return int(number.group()) - 1 if number and 1 <= int(number.group()) <= count else None


def _fenced(passages: list[dict]) -> str:
    return "\n\n".join(prompts.render("llm_passage", n=str(i), title=_fence(p["title"]), text=_fence(p["text"]))
                       for i, p in enumerate(passages, 1))


def stream(settings: Settings, question: str, passages: list[dict], candidates: list[str] = ()) -> Iterator[str]:
    """The reply's text as it arrives, piece by piece."""
    llm = client(settings)
    got_any = False
    try:
        for chunk in llm.stream_chat(messages(question, passages, candidates)):
            if chunk.delta:
                got_any = True
                yield chunk.delta
    except Exception as exc:  # openai, httpx and the server raise many types; all mean the same here
        raise LLMError(f"the LLM at {settings.llm_url} failed ({_one_line(exc)})") from exc
    if not got_any:
        raise LLMError(f"the LLM at {settings.llm_url} sent an empty reply")


def _fence(text: str) -> str:
    return re.sub(r"</?\s*passage", "passage", text, flags=re.IGNORECASE)


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]
