"""The OpenAI-compatible backend against a real HTTP server on loopback serving a real model."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from authoring.check import RemoteScorer, requests_for, score_examples
from authoring.errors import CheckError
from authoring.records import TaskType
from tests import check_fixtures as fx
from tests.test_check_parity import CLASSIFICATION, LOGODDS, SEQUENCE, fast_metrics

tiny_tokenizer_dirs = fx.tiny_tokenizer_dirs
tiny_models = fx.tiny_models


def make_handler(model, tokenizer):
    """A vLLM-style /v1/completions: echo=true returns every prompt token's logprob."""
    import torch

    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep pytest output clean
            pass

        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != "/v1/completions" or not body.get("echo"):
                self.send_error(400, "only echo completions are served")
                return
            prompts = body["prompt"] if isinstance(body["prompt"], list) else [body["prompt"]]
            choices = []
            for index, prompt in enumerate(prompts):
                enc = tokenizer(prompt, return_offsets_mapping=True)
                ids = enc["input_ids"]
                with lock, torch.no_grad():
                    logits = model(torch.tensor([ids])).logits[0].double()
                logprobs = torch.log_softmax(logits, dim=-1)
                values = [None] + [float(logprobs[t - 1, ids[t]]) for t in range(1, len(ids))]
                offsets = [start for start, _ in enc["offset_mapping"]]
                tokens = tokenizer.convert_ids_to_tokens(ids)
                for _ in range(body.get("max_tokens", 16)):  # greedy "generation" of 1 token
                    nxt = int(logprobs[-1].argmax())
                    values.append(float(logprobs[-1, nxt]))
                    offsets.append(len(prompt))
                    tokens.append(tokenizer.convert_ids_to_tokens(nxt))
                choices.append(
                    {
                        "index": index,
                        "text": prompt,
                        "logprobs": {
                            "tokens": tokens,
                            "token_logprobs": values,
                            "text_offset": offsets,
                            "top_logprobs": None,
                        },
                    }
                )
            data = json.dumps({"object": "text_completion", "choices": choices}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture(scope="module", params=["gpt_neox", "llama"])
def served(request, tiny_models):
    model, tokenizer = tiny_models[request.param]
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(model, tokenizer))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", model, tokenizer
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize(
    ("task_type", "examples"),
    [
        (TaskType.CLASSIFICATION, CLASSIFICATION),
        (TaskType.SEQUENCE_PROB, SEQUENCE[:2]),
        (TaskType.LOGODDS, LOGODDS),
    ],
    ids=["classification", "sequence_prob", "logodds"],
)
def test_remote_matches_local(served, task_type, examples):
    url, model, tokenizer = served
    scorer = RemoteScorer(url, "tiny", params=1000, prompts_per_request=3, timeout=30)
    remote = score_examples(scorer, examples, task_type)
    local = fast_metrics(model, tokenizer, examples, task_type)
    assert remote and len(remote) == len(local)
    for r, q in zip(remote, local, strict=True):
        assert r.keys() == q.keys()
        for name in r:
            if name != "skipped":
                assert r[name] == pytest.approx(q[name], abs=1e-4)
    assert scorer.batch_size == 3


def test_unreachable_server_is_a_clear_error():
    scorer = RemoteScorer("http://127.0.0.1:9/v1", "m", timeout=2)
    with pytest.raises(CheckError, match="cannot reach"):
        scorer.score(requests_for(CLASSIFICATION[0], TaskType.CLASSIFICATION))
