"""The default encoder (the packaged model exported to ONNX, on ONNX Runtime) against sentence-transformers
itself, a question asked without torch ever being imported, and the opt-in static fast mode."""

import json
import subprocess
import sys

import numpy as np

from assistant import embedder
from conftest import ROOT, SEED_IDS, SEEDS, run_cli

LONG = " ".join(["The council met again to discuss the harbour budget and the new ferry."] * 40)  # > 256 pieces


def test_onnx_vectors_match_sentence_transformers():
    texts = ["Who interviewed Peskov on CNN?", "Kislyak", LONG, (SEEDS / "000_5fd4c794f016a340.txt").read_text()[:900],
             "Ünïcode — “quoted” text, 4.2 million crowns."]
    ours = embedder.embed(texts)
    reference = embedder.sentence_transformer().encode(texts, normalize_embeddings=True)
    assert ours.shape == (len(texts), embedder.DIMENSIONS)
    assert np.abs(ours - reference).max() < 1e-5
    assert embedder.count_tokens([LONG])[0] > 256  # counting never truncates


def test_a_question_is_answered_without_importing_torch_or_llama_index(seed_index):
    # Each took seconds of a cold `assistant ask` (torch through sentence-transformers, LlamaIndex's core
    # through its retriever base class); answering needs neither.
    probe = ("import sys; from assistant.cli import main; code = main(['ask', 'Who interviewed Peskov on CNN?', "
             f"'--local', '--index', {str(seed_index)!r}]); "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'llama_index'})); sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "Zakaria" in result.stdout and result.stdout.strip().endswith("[]")


def test_an_unknown_encoder_is_one_clear_line(seed_index):
    result = run_cli("status", "--index", str(seed_index), check=False, prefix=("env", "ASSISTANT_ENCODER=gpu9000"))
    assert result.returncode == 2 and result.stderr.strip() == (
        "error: ASSISTANT_ENCODER='gpu9000' is not an encoder; use one of onnx, torch, static")
    result = run_cli("status", "--index", str(seed_index), check=False, prefix=("env", "ASSISTANT_TOP_K=ten"))
    assert result.returncode == 2 and result.stderr.strip() == (
        "error: ASSISTANT_TOP_K='ten' is not a whole number; set it to one, or unset it for the default")


def test_the_static_fast_mode_answers_from_its_own_index_and_no_index_mixes_encoders(tmp_path, seed_index):
    static, index = ("env", "ASSISTANT_ENCODER=static"), str(tmp_path / "static")
    run_cli("ingest", str(SEEDS), "--index", index, prefix=static)
    info = json.loads(run_cli("status", "--index", index, "--json", prefix=static).stdout)
    assert info["articles"] == 2 and info["vectors"] == info["passages"] > 0 and "static" in info["embedding_model"]
    answer = json.loads(run_cli("ask", "Who interviewed Peskov on CNN?", "--index", index, "--json", prefix=static).stdout)
    assert "Zakaria" in answer["answer"] and {c["doc_id"] for c in answer["citations"]} <= set(SEED_IDS)
    for c in answer["citations"]:
        assert (SEEDS / f"{c['doc_id']}.txt").read_text(encoding="utf-8")[c["start"]:c["end"]] == c["quote"]
    # Each index refuses the other encoder's questions in one line that says which encoder to set.
    for folder, encoder, wanted in ((index, "onnx", "static"), (str(seed_index), "static", "onnx")):
        refused = run_cli("ask", "Who interviewed Peskov on CNN?", "--index", folder, check=False,
                          prefix=("env", f"ASSISTANT_ENCODER={encoder}"))
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
        assert refused.stderr.startswith(f"error: the index at {folder}") and f"ASSISTANT_ENCODER={wanted}" in refused.stderr
    assert json.loads(run_cli("status", "--index", index, "--json", prefix=static).stdout)["vectors"] == info["vectors"]


def test_the_export_is_named_by_the_weights_content_and_replaces_older_exports(tmp_path):
    # Every new virtual environment reinstalls the model package with a new modification time; naming the
    # export by it left one more 90 MB file in the cache per install (a full disk stopped CI).
    import base64
    import hashlib
    from pathlib import Path

    weights = Path(embedder.model_path()) / "model.safetensors"
    digest = base64.urlsafe_b64encode(hashlib.sha256(weights.read_bytes()).digest()).decode()
    stamp = embedder._weights_stamp(embedder.model_path())
    assert digest.startswith(stamp) and len(stamp) >= 16

    # Other weights' export and table, and these weights' earlier export, go; the rest stays.
    names = ["all-minilm-l6-v2-old-eager.onnx", "all-minilm-l6-v2-old-static256.npy", f"all-minilm-l6-v2-{stamp}.onnx",
             f"all-minilm-l6-v2-{stamp}-{embedder.EXPORT}.onnx", f"all-minilm-l6-v2-{stamp}-static256.npy",
             "all-minilm-l6-v2-old.123.partial", "notes.txt"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    embedder._drop_other_exports(tmp_path / f"all-minilm-l6-v2-{stamp}-{embedder.EXPORT}.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[3:])


def test_a_progress_bar_keeps_going_when_gradio_patches_tqdm_under_it():
    """The static table's distillation runs on a thread while `serve` builds the web app, whose progress
    tracking patches tqdm: the bar started before the patch must not die."""
    from gradio.helpers import patch_tqdm

    seen = []
    for i in embedder._progress_bar(range(3), desc="test", disable=False):
        if i == 0:
            patch_tqdm()
        seen.append(i)
    assert seen == [0, 1, 2]
