"""Past one machine, and the bench: a real `chroma run` server on loopback, and `assistant bench` end to end."""

import json

import pytest

from conftest import CLINTON_ADVISORS, SEED_IDS, chroma_run, free_port, run_cli


@pytest.fixture
def chroma_server(tmp_path):
    with chroma_run(tmp_path / "chroma-server", free_port()) as url:
        yield url


def test_every_command_uses_the_chroma_server_when_told(tmp_path, chroma_server):
    index = tmp_path / "index"
    env_prefix = ("env", f"ASSISTANT_CHROMA_URL={chroma_server}")
    run_cli("ingest", "seeds", "--index", str(index), prefix=env_prefix)
    assert not (index / "chroma").exists()  # the vectors went to the server, not to the embedded store
    status = json.loads(run_cli("status", "--json", "--index", str(index), prefix=env_prefix).stdout)
    assert status["store"] == chroma_server and status["articles"] == 2
    assert status["passages"] == status["vectors"] > 0
    answer = json.loads(run_cli("ask", CLINTON_ADVISORS, "--json", "--index", str(index), prefix=env_prefix).stdout)
    assert {c["doc_id"] for c in answer["citations"]} == set(SEED_IDS)


def test_server_down_is_one_clear_line(tmp_path):
    result = run_cli("status", "--index", str(tmp_path / "index"), check=False,
                     prefix=("env", f"ASSISTANT_CHROMA_URL=http://127.0.0.1:{free_port()}"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: can't open the Chroma store at http://127.0.0.1:")


def test_bench_measures_ingest_against_the_bare_encoder(tmp_path):
    result = json.loads(run_cli("bench", "--json", "--no-recipe", "--asks", "3", "--corpus", "seeds",
                                "--sessions", "3", "--per-session", "2").stdout)
    assert result["articles"] == 2
    assert result["encoder"]["passages"] == result["ingest"]["passages"] > 0
    assert result["ingest"]["reingest_embedded"] == 0  # unchanged articles are not embedded again
    assert 0 < result["ingest"]["ratio_to_encoder"]
    assert result["latency"]["questions"] == 2 and result["latency"]["answer_p50_ms"] > 0
    assert result["cold_ask_s"] > 0 and result["peak_rss_mb"]["this_process"] > 0
    assert 0 < result["peak_rss_mb"]["cold_ask"] < result["peak_rss_mb"]["this_process"]
    load = result["load"]
    assert (load["sessions"], load["per_session"], load["errors"]) == (3, 2, 0)
    assert load["answer_p95_ms"] >= load["answer_p50_ms"] > 0 and load["p95_ratio_to_single_user"] > 0


def test_bench_scale_measures_each_step_and_a_rerun_resumes(tmp_path):
    out = tmp_path / "scale"
    rows = json.loads(run_cli("bench", "--scale", "1,2", "--corpus", "seeds", "--asks", "2", "--out", str(out),
                              "--json").stdout)
    assert [r["articles"] for r in rows] == [1, 2]
    assert 0 < rows[0]["passages"] < rows[1]["passages"] == rows[1]["vectors"]
    assert all(r["disk_mb"] > 0 and r["rss_mb"] > 0 and r["answer_p95_ms"] >= r["answer_p50_ms"] > 0 for r in rows)
    assert (out / "scale.png").stat().st_size > 0
    again = json.loads(run_cli("bench", "--scale", "1,2", "--corpus", "seeds", "--out", str(out), "--json").stdout)
    assert again == rows  # both steps were measured already: nothing is ingested or timed again
