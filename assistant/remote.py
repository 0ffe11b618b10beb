"""Asking an `assistant serve` that already runs on the same index: one HTTP call instead of loading the
encoders, the store and the NER model (a cold `assistant ask` otherwise spends seconds on them).

`assistant serve` writes `serving.json` into its index folder (its URL and process id) and removes it
when it stops. `assistant ask` reads it: when that process is alive, serves without a login, and answers
on its loopback URL, the question goes to the server's `ask` API and its answer is printed as if made
here; otherwise, or with `ask --local`, the question is answered in-process as always. The server answers
with its own settings (its reader model; extractive, since `ask --llm` always answers locally).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

from assistant.settings import Settings

SERVING_FILE = "serving.json"
# A live server answers a question in well under a second; past this the CLI answers on its own.
TIMEOUT_S = 30.0


def serving_path(settings: Settings) -> Path:
    return Path(settings.index_dir) / SERVING_FILE


def record(settings: Settings, url: str, login: bool) -> None:
    """Say, in the index folder, that this process serves the index at `url` (removed by `forget`)."""
    path = serving_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed in, so a reader never sees a half-written (empty) record.
    partial = path.with_name(f".{SERVING_FILE}.{os.getpid()}")
    partial.write_text(json.dumps({"url": url, "pid": os.getpid(), "login": login}) + "\n", encoding="utf-8")
    os.replace(partial, path)


def forget(settings: Settings) -> None:
    """Remove this process's record (another process's stays)."""
    path = serving_path(settings)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def running(settings: Settings) -> str | None:
    """The URL of a live server on this index that the CLI may ask, or None."""
    try:
        served = json.loads(serving_path(settings).read_text(encoding="utf-8"))
        os.kill(int(served["pid"]), 0)  # raises when no such process
    except (OSError, ValueError, KeyError, TypeError):
        return None
    url = str(served.get("url", ""))
    return url if url.startswith("http://127.0.0.1:") and not served.get("login") else None


def ask(url: str, question: str, day: str = "", articles: list[str] = (), outlets: list[str] = ()) -> dict | None:
    """The server's answer as `Answer.to_dict()` gives it, or None when it can't be had (the caller then
    answers locally). Gradio's HTTP API: POST the inputs, then read the result's event stream."""
    endpoint = url.rstrip("/") + "/gradio_api/call/ask"
    body = json.dumps({"data": [question, day, list(articles), list(outlets)]}).encode()
    try:
        request = urllib.request.Request(endpoint, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as reply:
            event = json.load(reply)["event_id"]
        with urllib.request.urlopen(f"{endpoint}/{event}", timeout=TIMEOUT_S) as stream:
            kind = ""
            for raw in stream:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind in ("complete", "error"):
                    data = json.loads(line.split(":", 1)[1])
                    return data[0] if kind == "complete" and data and isinstance(data[0], dict) else None
    except (OSError, ValueError, KeyError, urllib.error.URLError):
        return None
    return None


def as_answer(answer: dict) -> SimpleNamespace:
    """An answer dict with attribute access, citations included: what `render` reads."""
    return SimpleNamespace(**{**answer, "citations": [SimpleNamespace(**c) for c in answer.get("citations", [])]})
