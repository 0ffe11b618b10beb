"""The default encoder (the packaged model exported to ONNX, on ONNX Runtime) against sentence-transformers
itself, and a question asked without torch ever being imported."""

import subprocess
import sys

import numpy as np

from assistant import embedder
from conftest import ROOT, SEEDS, run_cli

LONG = " ".join(["The council met again to discuss the harbour budget and the new ferry."] * 40)  # > 256 pieces


def test_onnx_vectors_match_sentence_transformers():
    texts = ["Who interviewed Peskov on CNN?", "Kislyak", LONG, (SEEDS / "000_5fd4c794f016a340.txt").read_text()[:900],
             "Ünïcode — “quoted” text, 4.2 million crowns."]
    ours = embedder.embed(texts)
    reference = embedder.sentence_transformer().encode(texts, normalize_embeddings=True)
    assert ours.shape == (len(texts), embedder.DIMENSIONS)
    assert np.abs(ours - reference).max() < 1e-5
    assert embedder.count_tokens([LONG])[0] > 256  # counting never truncates


def test_a_question_is_answered_without_importing_torch(seed_index):
    probe = ("import sys; from assistant.cli import main; code = main(['ask', 'Who interviewed Peskov on CNN?', "
             f"'--index', {str(seed_index)!r}]); print('TORCH' if 'torch' in sys.modules else 'NO TORCH'); sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "Zakaria" in result.stdout and result.stdout.strip().endswith("NO TORCH")


def test_an_unknown_encoder_is_one_clear_line(seed_index):
    result = run_cli("status", "--index", str(seed_index), check=False, prefix=("env", "ASSISTANT_ENCODER=gpu9000"))
    assert result.returncode == 2 and result.stderr.strip() == (
        "error: ASSISTANT_ENCODER='gpu9000' is not an encoder; use one of onnx, torch")
