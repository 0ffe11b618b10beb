"""Modules stood in for while a library imports (`stand_ins.py`): skipped then, real afterwards."""

import json
import subprocess
import sys

import pytest

from assistant.stand_ins import standing_in


def test_a_stand_in_holds_only_during_the_import_and_an_imported_module_is_kept():
    with standing_in({"json": None, "assistant_no_such_module": None}):
        import json as during  # already imported: left as it is

        with pytest.raises(ImportError):
            import assistant_no_such_module  # noqa: F401
    assert during is json and "assistant_no_such_module" not in sys.modules


def test_chromas_unused_imports_are_skipped_and_still_work_when_used():
    """In a fresh process (this one may have imported them already): `import chromadb` through the
    client skips httpx's command line and the OTLP exporter, and both are there when asked for."""
    code = """
import sys
import assistant.chroma_client
skipped = [m for m in ("httpx._main", "grpc", "opentelemetry.exporter.otlp.proto.grpc.trace_exporter")
           if m not in sys.modules]
import chromadb.telemetry.opentelemetry as otel
exporter = otel.OTLPSpanExporter(endpoint="http://127.0.0.1:9", insecure=True)
import httpx._main
print(skipped, type(exporter).__module__, callable(httpx._main.main))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.split("\n")[0] == ("['httpx._main', 'grpc', 'opentelemetry.exporter.otlp.proto.grpc.trace_exporter']"
                                          " opentelemetry.exporter.otlp.proto.grpc.trace_exporter True")
