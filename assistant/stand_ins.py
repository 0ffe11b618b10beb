"""Stand-ins for modules a library imports but answering never uses, placed only while that library is
imported: a cold `assistant ask` pays for every import (about 2 s in all on the development index, where
the target is 2 s), and these cost it tenths of a second for nothing."""

from __future__ import annotations

import contextlib
import sys


@contextlib.contextmanager
def standing_in(modules: dict[str, object]):
    """While the block imports: each of `modules` (name → stand-in; None makes importing it fail, which
    libraries treat as "not installed") in place of the real module. Afterwards they are removed, so that
    a later import gets the real one; a module already imported is left as it is."""
    placed = {name: stand_in for name, stand_in in modules.items() if name not in sys.modules}
    sys.modules.update(placed)
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if name in sys.modules and sys.modules[name] is stand_in:
                del sys.modules[name]
