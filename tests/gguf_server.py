"""A llama.cpp OpenAI-compatible server for the LLM tests, from the prebuilt `xllamacpp` wheel (no source
build): `python tests/gguf_server.py MODEL.gguf PORT` serves on 127.0.0.1:PORT until stopped. The model's
own chat template is used (`use_jinja`)."""

import sys
import time

import xllamacpp


def main(model: str, port: int) -> None:
    params = xllamacpp.CommonParams()
    params.model.path = model
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = 4096
    params.cpuparams.n_threads = 2
    params.use_jinja = True
    server = xllamacpp.Server(params)  # serves on its own threads while this process lives
    while server:
        time.sleep(3600)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
