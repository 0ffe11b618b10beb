"""With the network switched off entirely (a fresh network namespace: no interface but loopback),
ingest and ask still work: nothing is downloaded at run time."""

import json
import shutil
import subprocess

import pytest

from conftest import CLINTON_ADVISORS, SEEDS, run_cli


def _no_network_prefix() -> tuple[str, ...]:
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"]).returncode == 0:
        return ("unshare", "-rn")
    pytest.fail("this machine can't create a network namespace (unshare -rn); the offline test needs one")


def test_ingest_and_ask_with_the_network_off(tmp_path):
    prefix = _no_network_prefix()
    index = str(tmp_path / "index")
    env_free = ("env", "-u", "HF_HUB_OFFLINE", "-u", "TRANSFORMERS_OFFLINE")  # our code must set them itself
    run_cli("ingest", str(SEEDS), "--index", index, prefix=prefix + env_free)
    answer = json.loads(run_cli("ask", CLINTON_ADVISORS, "--index", index, "--json", prefix=prefix + env_free).stdout)
    assert answer["citations"] and not answer["abstained"]
