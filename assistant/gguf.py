"""An embedded llama.cpp server for a GGUF file: `--llm PATH.gguf` (or ASSISTANT_LLM_GGUF) needs no other
server. llama.cpp's own OpenAI-compatible server (the prebuilt `xllamacpp` wheel, in the `llm` extra) runs
inside this process on a free loopback port, with the model's own chat template; the rest of LLM mode
talks to it over HTTP like to any other server. It stops when the process ends."""

from __future__ import annotations

import os
import socket
import time
from functools import lru_cache
from pathlib import Path

from assistant.settings import Settings, SettingsError


def is_gguf(target: str) -> bool:
    return target.lower().endswith(".gguf") and not target.lower().startswith(("http://", "https://"))


def with_embedded_server(settings: Settings) -> Settings:
    """`settings` with `llm_url` pointing at an embedded server when it (or `llm_gguf`) names a GGUF file."""
    target = settings.llm_gguf or (settings.llm_url if is_gguf(settings.llm_url) else "")
    if not target:
        return settings
    return settings.replace(llm_url=_start(str(Path(target).expanduser().resolve()), settings.llm_context,
                                           settings.llm_threads or os.cpu_count() or 2))


@lru_cache(maxsize=2)
def _start(path: str, context: int, threads: int) -> str:
    """One server per model file and process; its /v1 URL once it answers."""
    if not Path(path).is_file():
        raise SettingsError(f"no GGUF model at {path}; give --llm the path of a .gguf file or a server's URL")
    try:
        import xllamacpp
    except ImportError:
        raise SettingsError("running a GGUF file needs the llm extra: pip install -e '.[llm]'") from None
    params = xllamacpp.CommonParams()
    params.model.path = path
    params.hostnames = ["127.0.0.1"]
    params.port = _free_port()
    params.n_ctx = context
    params.cpuparams.n_threads = threads
    params.use_jinja = True  # the chat template inside the file
    params.verbosity = 1  # errors only: llama.cpp's load and timing lines would bury the answer
    try:
        _SERVERS.append(xllamacpp.Server(params))
    except Exception as exc:  # xllamacpp raises plain exceptions for unreadable or unsupported files
        raise SettingsError(f"can't load the GGUF model {path} ({' '.join(str(exc).split())[:160]}); "
                            "is it a llama.cpp model file?") from exc
    url = f"http://127.0.0.1:{params.port}/v1"
    _wait_until_listening(params.port)
    return url


# Kept alive for the process's lifetime: the server runs on its own threads while its object lives.
_SERVERS: list = []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_listening(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SettingsError(f"the embedded LLM server did not open port {port} within {timeout:.0f} s")
