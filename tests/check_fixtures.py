"""Shared fixtures for the quick-check tests: a tiny trained tokenizer and tiny random models.

Import the fixtures into a test module (``from tests.check_fixtures import *``-style explicit
imports); ``tests/conftest.py`` belongs to the foundation. Nothing here touches the network.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

CORPUS_WORDS = (
    "the capital of france is paris . what is the answer ? yes no maybe true false "
    "berlin rome madrid lisbon vienna athens oslo dublin cairo tokyo canada brazil "
    "question : answer : a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 "
    "supercalifragilistic antidisestablishment the quick brown fox jumps over the lazy dog"
).split()


def _train_tokenizer(folder: Path, *, bos: bool) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    rng = random.Random(0)
    corpus = [" ".join(rng.choice(CORPUS_WORDS) for _ in range(12)) for _ in range(400)]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    special = ["<pad>", "<s>", "</s>"]
    trainer = trainers.BpeTrainer(
        vocab_size=500, special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(corpus, trainer)
    if bos:
        # Llama-style: every encoding starts with <s>.
        tok.post_processor = processors.TemplateProcessing(
            single="<s> $A", special_tokens=[("<s>", tok.token_to_id("<s>"))]
        )
    else:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    fast.model_max_length = 256
    fast.save_pretrained(folder)
    return folder


def make_tiny_model(arch: str, vocab_size: int, seed: int = 0):
    """A tiny random causal LM of architecture ``"gpt_neox"`` or ``"llama"`` (fp32, eval)."""
    import torch
    from transformers import AutoModelForCausalLM, GPTNeoXConfig, LlamaConfig

    common = dict(
        vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=256,
    )
    if arch == "gpt_neox":
        config = GPTNeoXConfig(**common, rotary_pct=0.5, use_parallel_residual=True)
    else:
        config = LlamaConfig(**common, num_key_value_heads=2, tie_word_embeddings=True)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config)
    # Random init at std 0.02 gives near-uniform outputs; scale up so log-probs vary a lot and a
    # leak or an off-by-one changes them far beyond the tolerance.
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.mul_(8.0)
    return model.eval()


@pytest.fixture(scope="session")
def tiny_tokenizer_dirs(tmp_path_factory) -> dict[str, Path]:
    """Two trained tokenizers saved with ``save_pretrained``: ``"nobos"`` and ``"bos"``."""
    root = tmp_path_factory.mktemp("tok")
    return {
        "nobos": _train_tokenizer(root / "nobos", bos=False),
        "bos": _train_tokenizer(root / "bos", bos=True),
    }


@pytest.fixture(scope="session")
def tiny_models(tiny_tokenizer_dirs) -> dict[str, tuple[object, object]]:
    """``{"gpt_neox": (model, tokenizer), "llama": (model, tokenizer)}``; llama uses BOS."""
    from transformers import AutoTokenizer

    out = {}
    for arch, flavour in (("gpt_neox", "nobos"), ("llama", "bos")):
        tok = AutoTokenizer.from_pretrained(tiny_tokenizer_dirs[flavour])
        out[arch] = (make_tiny_model(arch, len(tok)), tok)
    return out


@pytest.fixture(scope="session")
def reference_models(tiny_models) -> dict[str, object]:
    """float64 copies of :func:`tiny_models`, for the reference."""
    import copy

    return {arch: copy.deepcopy(m).double().eval() for arch, (m, _) in tiny_models.items()}


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_models) -> Path:
    """The llama tiny model and its tokenizer saved as a local folder (loadable by name)."""
    folder = tmp_path_factory.mktemp("tiny-llama")
    model, tok = tiny_models["llama"]
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


# -- the slow, plain reference -----------------------------------------------------------------


def reference_lp(model, tokenizer, prompt: str, continuation: str) -> float:
    """lp(s | p) the obvious way: one sequence, full logits, no batching or cache.

    Pass a float64 model (see :func:`reference_models`).
    """
    import torch

    full = tokenizer(prompt + continuation)["input_ids"]
    n = len(full) - len(tokenizer(prompt)["input_ids"])
    if continuation and n < 1:  # the class merged into the prompt's last token: score that one
        n = 1
    if len(full) == n:  # empty context: condition on BOS (else EOS), as the backend does
        start = tokenizer.bos_token_id
        full = [start if start is not None else tokenizer.eos_token_id, *full]
    with torch.no_grad():
        logits = model(torch.tensor([full])).logits[0].double()
    logprobs = torch.log_softmax(logits, dim=-1)
    total = 0.0
    for pos in range(len(full) - n, len(full)):
        total += float(logprobs[pos - 1, full[pos]])
    return total


def reference_metrics(model, tokenizer, example, task_type) -> dict[str, float]:
    """The prize's metrics, written out independently of ``authoring.check.metrics``."""
    from authoring.records import TaskType

    if task_type is TaskType.SEQUENCE_PROB:
        return {"loss": -reference_lp(model, tokenizer, example.prompt, example.completion)}
    c = [reference_lp(model, tokenizer, example.prompt, s) for s in example.classes]
    lse = math.log(sum(math.exp(v) for v in c))
    if task_type is TaskType.CLASSIFICATION:
        best = c.index(max(c))
        return {
            "loss": lse - c[example.answer_index],
            "correct": float(best == example.answer_index),
            "total_logprob": lse,
        }
    o = [reference_lp(model, tokenizer, example.other_prompt, s) for s in example.classes]
    diff = (c[0] - c[1]) - (o[0] - o[1])
    if example.answer_index == 1:
        diff = -diff
    out = {
        "logodds_difference": diff,
        "correct": float(o.index(max(o)) == example.answer_index),
        "total_logprob": math.log(math.exp(lse) + sum(math.exp(v) for v in o)),
    }
    if task_type is TaskType.ABSOLUTE_LOGODDS:
        out["absolute_logodds"] = abs(diff)
    return out
