"""Benchmark: the batched backend vs the prize's naive loop (batch 1, one forward per class).

Dataset: 300 two-class classification examples with ~95-token prompts. Both paths run the same
model once and their losses are compared, so the speed-up is for identical numbers.

    python benchmarks/bench_check.py                      # CPU, a small random GPT-NeoX
    python benchmarks/bench_check.py --device cuda --config pythia-410m
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time

# Real GPT-NeoX shapes (from the Pythia configs), random weights: no hub access needed.
PYTHIA_VOCAB = 50304
CONFIGS = {
    "tiny": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                 intermediate_size=1024),
    "pythia-70m": dict(hidden_size=512, num_hidden_layers=6, num_attention_heads=8,
                       intermediate_size=2048),
    "pythia-160m": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                        intermediate_size=3072),
    "pythia-410m": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                        intermediate_size=4096),
    "pythia-1.4b": dict(hidden_size=2048, num_hidden_layers=24, num_attention_heads=16,
                        intermediate_size=8192),
}


def make_tokenizer(folder: str):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    rng = random.Random(0)
    words = [f"w{i}" for i in range(3000)]
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.train_from_iterator([" ".join(rng.sample(words, 50)) for _ in range(400)],
                            trainers.WordLevelTrainer(special_tokens=["<unk>", "<pad>"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>")
    fast.save_pretrained(folder)
    return fast, words


def main() -> None:
    import torch
    from transformers import AutoModelForCausalLM, GPTNeoXConfig

    from authoring.check import ScorerInfo, TransformersScorer, metrics_from, requests_for
    from authoring.records import Example, TaskType

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--config", default="tiny", choices=sorted(CONFIGS))
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--dtype", default=None)
    args = parser.parse_args()
    dtype = getattr(torch, args.dtype or ("bfloat16" if args.device.startswith("cuda")
                                          else "float32"))
    torch.manual_seed(0)
    tokenizer, words = make_tokenizer(tempfile.mkdtemp())
    # Pythia's real vocabulary size: the output layer's cost is part of what is measured (the
    # word-level test tokenizer only uses the first few thousand ids).
    config = GPTNeoXConfig(vocab_size=max(PYTHIA_VOCAB, len(tokenizer)),
                           max_position_embeddings=2048, **CONFIGS[args.config])
    model = AutoModelForCausalLM.from_config(config).to(args.device, dtype).eval()
    rng = random.Random(1)
    examples = [
        Example(" ".join(rng.choices(words, k=rng.randint(85, 105))),
                (" " + rng.choice(words), " " + rng.choice(words)), rng.randint(0, 1))
        for _ in range(args.n)
    ]

    def naive() -> list[float]:
        # The prize's loop: one example at a time, one full forward (all logits) per class.
        losses = []
        with torch.inference_mode():
            for ex in examples:
                n_prompt = len(tokenizer(ex.prompt)["input_ids"])
                c = []
                for cls in ex.classes:
                    ids = tokenizer(ex.prompt + cls, return_tensors="pt")["input_ids"]
                    logits = model(ids.to(args.device)).logits[0].float()
                    lp = torch.log_softmax(logits[n_prompt - 1 : -1], -1)
                    c.append(float(lp.gather(-1, ids[0, n_prompt:, None].to(args.device)).sum()))
                losses.append(float(torch.logsumexp(torch.tensor(c), 0) - c[ex.answer_index]))
        return losses

    def batched() -> list[float]:
        scorer = TransformersScorer(model, tokenizer, ScorerInfo(
            "bench", "bench", None, str(dtype), args.device, 2048))
        requests = [requests_for(ex, TaskType.CLASSIFICATION)[0] for ex in examples]
        results = scorer.score(requests)
        return [float(metrics_from(ex, TaskType.CLASSIFICATION, [r])["loss"])
                for ex, r in zip(examples, results, strict=True)]

    def timed(fn):
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        start = time.perf_counter()
        out = fn()
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        return out, time.perf_counter() - start

    # Warm both paths up (allocator, kernels, thread pools) before timing either.
    head, examples[:] = examples[:], examples[:4]
    naive()
    batched()
    examples[:] = head
    fast, t_fast = timed(batched)
    slow, t_slow = timed(naive)
    worst = max(abs(a - b) for a, b in zip(fast, slow, strict=True))
    params = sum(p.numel() for p in model.parameters())
    print(f"model: random GPT-NeoX '{args.config}' ({params / 1e6:.1f}M params), "
          f"{args.device}, {dtype}; {args.n} examples, 2 classes, ~95-token prompts; "
          f"torch threads {torch.get_num_threads()}")
    print(f"naive (batch 1, one forward per class): {args.n / t_slow:8.1f} examples/s")
    print(f"batched (prefix shared, scored logits only): {args.n / t_fast:8.1f} examples/s")
    print(f"speed-up: {t_slow / t_fast:.1f}x   (max |loss difference| {worst:.2e})")


if __name__ == "__main__":
    main()
