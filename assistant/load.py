"""Many readers at once: concurrent chat sessions asking through the served HTTP API (`/chat`), each with
its own client, as separate browsers would. The load test checks what comes back; `assistant bench`
reports the latency under load."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field


# Seconds one request of a session may take before it counts as an error.
LOAD_TIMEOUT_S = 120


@dataclass
class LoadResult:
    sessions: int
    per_session: int
    # (session, turn) → (question, answer text)
    answers: dict = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def session_questions(questions: list[str], session: int, per_session: int) -> list[str]:
    """Each session starts at a different question, so different questions are in flight together."""
    return [questions[(session + turn) % len(questions)] for turn in range(per_session)]


def run_load(url: str, questions: list[str], sessions: int = 16, per_session: int = 20,
             auth: tuple[str, str] | None = None) -> LoadResult:
    result, lock = LoadResult(sessions, per_session), threading.Lock()

    def session(number: int) -> None:
        from gradio_client import Client

        try:
            # A browser waits for its answer; gradio_client gives up on a request after httpx's default 5 s,
            # which two replicas on two busy cores can exceed at the queue: latency is what gets reported.
            client = Client(url, auth=auth, verbose=False, httpx_kwargs={"timeout": LOAD_TIMEOUT_S})
        except Exception as exc:  # a session that can't connect is an error of the run, not a crash
            with lock:
                result.errors.append(f"session {number}: can't connect ({exc})")
            return
        for turn, question in enumerate(session_questions(questions, number, per_session)):
            started = time.perf_counter()
            try:
                text = client.predict(question, api_name="/chat")
            except Exception as exc:
                with lock:
                    result.errors.append(f"session {number}, question {question!r}: {exc}")
                continue
            with lock:
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                result.answers[(number, turn)] = (question, text)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        list(pool.map(session, range(sessions)))
    result.seconds = time.perf_counter() - started
    return result
