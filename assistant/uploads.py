"""Articles added from the browser: each uploaded file is copied into the index's `uploads/` folder under
its own base name (never a path the browser chose), size-checked, then ingested like any other file.

An upload never changes what is stored: a file whose name an earlier, different upload holds is kept
under a new name, and an article whose id another stored article has gets a new id. Replacing an article
is `assistant ingest` on the server, an explicit act. A file none of whose articles went in is removed."""

from __future__ import annotations

import filecmp
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from assistant.annotate import annotate
from assistant.articles import SUPPORTED, SUPPORTED_NAMES, Article, Limits, Rejected, read_paths, suffix_of
from assistant.ingest import IngestReport, ingest_items
from assistant.settings import Settings
from assistant.store import Store

_SAFE_NAME = re.compile(r"[^\w.\- ]+")


def add_uploads(files: list[Path], original_names: list[str], settings: Settings, store: Store,
                progress: bool = False) -> IngestReport:
    """`files`: where the web server saved the uploads; `original_names`: the names the browser sent."""
    with _upload_folder(settings) as folder:
        return _add(files, original_names, folder, settings, store, progress)


@contextmanager
def _upload_folder(settings: Settings) -> Iterator[Path]:
    """The embedded index keeps uploaded files in its `uploads/` folder; with a database the articles live
    there and nothing is kept on this machine, so the files go to a temporary folder, removed after."""
    if settings.database_url:
        with tempfile.TemporaryDirectory(prefix="uploads-") as folder:
            yield Path(folder)
        return
    folder = settings.index_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    yield folder


def _add(files: list[Path], original_names: list[str], folder: Path, settings: Settings, store: Store,
         progress: bool) -> IngestReport:
    report = IngestReport()
    for path, name in zip(map(Path, files), original_names):
        safe = _safe_name(name)
        if not safe or suffix_of(Path(safe)) not in SUPPORTED:
            report.rejected.append(Rejected(name, f"not an article file; upload {SUPPORTED_NAMES}"))
            continue
        if path.stat().st_size > settings.max_upload_mb * 1024 * 1024:
            report.rejected.append(Rejected(name, f"over the {settings.max_upload_mb} MB upload limit; split it or "
                                                  "use `assistant ingest` on the server"))
            continue
        target = _place(path, folder / safe)
        ids: set[str] = set()
        part = ingest_items(_own_ids(read_paths([target], Limits.of(settings)), store, report, ids), settings,
                            store=store, progress=progress)
        if not (part.added or part.unchanged):
            target.unlink()
        # An upload is a few articles: tagged now (well under a second each), its answers are as fast as any.
        annotate(settings, store, progress=False, doc_ids=ids)
        report.merge(part)
    return report


def _place(upload: Path, wanted: Path) -> Path:
    """`wanted`, or the same name numbered ("x-2.txt") when an earlier upload with other bytes holds it;
    the upload is copied there."""
    target, n = wanted, 1
    while target.exists() and not filecmp.cmp(target, upload, shallow=False):
        n += 1
        target = wanted.with_name(f"{_stem(wanted)}-{n}{wanted.name[len(_stem(wanted)):]}")
    shutil.copyfile(upload, target)
    return target


def _stem(path: Path) -> str:
    """The name before all its suffixes ("a.jsonl.gz" → "a")."""
    return path.name.split(".", 1)[0] or path.name


def _own_ids(items: Iterable[Article | Rejected], store: Store, report: IngestReport,
             ids: set[str]) -> Iterator[Article | Rejected]:
    """Each article under an id no other stored article has: a stored article with the same id and other
    content is left alone and the upload gets the first free "id-2", "id-3", …; `ids` collects them."""
    for item in items:
        if isinstance(item, Article) and store.content_hash(item.doc_id) not in (None, item.content_hash):
            original, n = item.doc_id, 2
            while store.content_hash(f"{original}-{n}") not in (None, item.content_hash):
                n += 1
            item.doc_id = f"{original}-{n}"
            report.notices.append(f"the id {original!r} belongs to another article, which is kept; this one is "
                                  f"stored as {item.doc_id!r} (to replace an article, run `assistant ingest` on the server)")
        if isinstance(item, Article):
            ids.add(item.doc_id)
        yield item


def _safe_name(name: str) -> str:
    """The base name only ("../../etc/passwd" → "passwd"), with odd characters replaced; never hidden."""
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base
