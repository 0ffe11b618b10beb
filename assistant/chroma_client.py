"""The Chroma client: a server's (`ASSISTANT_CHROMA_URL`) or the embedded store under the index folder.
Imports nothing heavier than chromadb, so that a cold `assistant ask` can start loading the vectors before
it imports the rest (LlamaIndex takes 1-1.5 s)."""

from __future__ import annotations

import threading
import types
from urllib.parse import urlparse

from assistant.stand_ins import standing_in


def _mark_override(method=None, **checks):
    """`overrides.override` without its checks: the mark its `EnforceOverrides` classes look for, nothing
    else. chromadb decorates about 160 methods with it, and each one's base-class and signature check
    (bytecode disassembly, typing comparisons) runs as the class is defined: 0.5 s of `import chromadb`'s
    1.1 s here, in every cold `assistant ask`. They check chromadb's own class definitions, which its
    release already passed; an unchecked mark changes nothing a caller sees."""
    if method is None:
        return _mark_override
    method.__override__ = True
    return method


def _otlp_span_exporter(*args, **kwargs):
    """Chroma's OpenTelemetry span exporter, imported when Chroma makes one: only with an OTel endpoint
    configured (`chroma_otel_collection_endpoint`)."""
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(*args, **kwargs)


try:  # chromadb's own dependency, not ours: a chromadb without it imports as it is
    import overrides

    overrides.override = overrides.overrides = _mark_override
except ImportError:
    pass
# Two imports of chromadb's that no answer uses, 0.13 s of every cold ask here: httpx's command line
# (click, rich; httpx falls back to a stub `main` when it can't import it) and the OTLP exporter with
# grpc and protobuf (the stand-in imports it when one is made).
with standing_in({"httpx._main": None, "opentelemetry.exporter.otlp.proto.grpc.trace_exporter":
                  types.SimpleNamespace(OTLPSpanExporter=_otlp_span_exporter)}):
    import chromadb  # noqa: E402  (after the stand-ins above)
from chromadb.config import Settings as ChromaSettings  # noqa: E402

from assistant.settings import Settings  # noqa: E402

# Clients opened by `load_ahead`, by store path, until `open_client` hands them on: the store then owns
# (and closes) the one client, so that closing it still releases what Chroma loaded (a reopened store must
# see another process's writes, see `store.py`).
_ahead: dict[str, object] = {}
_ahead_lock = threading.Lock()


def open_client(settings: Settings):
    """A client of the settings' store (the one `load_ahead` opened, if any); raises what chromadb raises."""
    # One settings object for every client of a path: Chroma refuses a second client of the same store
    # with other settings in one process.
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https",
                                   settings=chroma_settings)
    path = str(settings.index_dir / "chroma")
    with _ahead_lock:
        opened = _ahead.pop(path, None)
    return opened or chromadb.PersistentClient(path=path, settings=chroma_settings)


def load_ahead(settings: Settings) -> None:
    """Start loading an existing embedded index's vector graph on a background thread. Chroma loads it on
    the first query (0.7 s at 224k passages) in Rust, which runs beside Python's own work: started before
    the imports, it is ready when the first question needs it (clients of one path share what is loaded).
    Does nothing for a Chroma server or a folder without a store, and never creates one."""
    path = settings.index_dir / "chroma"
    if settings.chroma_url or not path.is_dir():
        return
    try:
        client = open_client(settings)
    except Exception:  # only a head start: opening the store for real reports whatever is wrong
        return
    with _ahead_lock:
        _ahead[str(path)] = client
    threading.Thread(target=_first_query, args=(client, settings.collection), daemon=True).start()


def _first_query(client, collection_name: str) -> None:
    try:
        first_query(client.get_collection(collection_name))
    except Exception:  # only a head start, as above
        pass


def first_query(collection) -> None:
    """One nearest-neighbour query with a stored vector, which loads the vector graph (and fails, in one of
    chromadb's many error types, where its files can't be read); nothing for an empty collection."""
    stored = collection.get(limit=1, include=["embeddings"])["embeddings"]
    if stored is not None and len(stored):
        collection.query(query_embeddings=[stored[0]], n_results=1, include=[])


def forget_clients() -> None:
    """Drop every embedded client this process opened: Chroma keeps one per path, and once its files were
    unreadable it stays broken even after they are replaced (`repair`)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    with _ahead_lock:
        _ahead.clear()
    SharedSystemClient.clear_system_cache()
