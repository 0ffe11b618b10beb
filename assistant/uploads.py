"""Articles added from the browser: each uploaded file is copied into the index's `uploads/` folder under
its own base name (never a path the browser chose), size-checked, then ingested like any other file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from assistant.articles import SUPPORTED, Rejected, suffix_of
from assistant.ingest import IngestReport, ingest
from assistant.settings import Settings
from assistant.store import Store

_SAFE_NAME = re.compile(r"[^\w.\- ]+")


def add_uploads(files: list[Path], original_names: list[str], settings: Settings, store: Store,
                progress: bool = False) -> IngestReport:
    """`files`: where the web server saved the uploads; `original_names`: the names the browser sent."""
    folder = settings.index_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    accepted, rejected = [], []
    for path, name in zip(map(Path, files), original_names):
        safe = _safe_name(name)
        if not safe or suffix_of(Path(safe)) not in SUPPORTED:
            rejected.append(Rejected(name, "not an article file; upload .txt .md .html .json .jsonl .csv (.gz)"))
        elif path.stat().st_size > settings.max_upload_mb * 1024 * 1024:
            rejected.append(Rejected(name, f"over the {settings.max_upload_mb} MB upload limit; split it or use "
                                           "`assistant ingest` on the server"))
        else:
            target = folder / safe
            shutil.copyfile(path, target)
            accepted.append(target)
    report = ingest(accepted, settings, store=store, progress=progress) if accepted else IngestReport()
    report.rejected[:0] = rejected
    return report


def _safe_name(name: str) -> str:
    """The base name only ("../../etc/passwd" → "passwd"), with odd characters replaced; never hidden."""
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base
