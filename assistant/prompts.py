"""Prompt and answer templates, kept as text files in `prompts/` and loaded by name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# An installed package carries them as `assistant/templates/` (see pyproject.toml); a checkout (or an
# editable install of it) reads the repository's own.
_INSTALLED = Path(__file__).resolve().parent / "templates"
PROMPTS_DIR = _INSTALLED if _INSTALLED.is_dir() else Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=None)
def load(name: str, folder: Path = PROMPTS_DIR) -> str:
    path = folder / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8").rstrip("\n")
    except FileNotFoundError:
        raise FileNotFoundError(f"prompt template {name!r} not found at {path}; reinstall or restore prompts/") from None


def render(name: str, **values: str) -> str:
    return load(name).format(**values)
