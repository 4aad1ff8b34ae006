"""Generate a task's dataset to files: ISP CSV, JSONL, dataset card, and optional HF formats.

This is the library function behind ``invscale generate``: it streams examples from
:func:`authoring.expand.expand` through the validator into the writers, so memory stays flat
and every file is written atomically.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authoring import __version__
from authoring.errors import GenerationError, Location, OutputError
from authoring.expand import GenerationStats, estimate_space, expand
from authoring.formats import DatasetWriter, atomic_open, write_hf
from authoring.render import Renderer
from authoring.spec import TaskSpec, load_task
from authoring.validate import ValidationReport, Validator

FORMATS = ("csv", "jsonl", "hf", "parquet")
# A fixed namespace makes the canary a pure function of (task, spec hash, seed, N): the same
# dataset always carries the same canary, and different datasets different ones.
_CANARY_NAMESPACE = uuid.UUID("6f1b2c8e-0a55-4c1e-9d62-5b0f3f1c9a77")


@dataclass
class GeneratedDataset:
    """What :func:`generate_dataset` wrote.

    Attributes:
        spec: The task that was expanded.
        n: Examples written.
        seed: The seed used.
        paths: Format name to written path (``csv``, ``jsonl``, ``card``, ``hf``, ``parquet``).
        stats: Duplicates replaced and draws rejected while generating.
        report: The validation report of the written examples.
        canary: The canary GUID in the dataset card.
    """

    spec: TaskSpec
    n: int
    seed: int
    paths: dict[str, Path] = field(default_factory=dict)
    stats: GenerationStats = field(default_factory=GenerationStats)
    report: ValidationReport | None = None
    canary: str = ""

    @property
    def examples_written(self) -> int:
        """How many examples the files hold."""
        return self.stats.produced


def generate_dataset(
    task: str | Path | TaskSpec,
    n: int | None,
    seed: int | None,
    out_dir: str | Path,
    formats: Iterable[str] = ("csv", "jsonl"),
    on_progress: Callable[[int, int], None] | None = None,
) -> GeneratedDataset:
    """Expand a task and write it, validated, to ``out_dir``.

    Writes ``<name>.csv`` (the prize's exact columns), ``<name>.jsonl`` (plus ``id`` and
    ``meta``), ``README.md`` (a dataset card), and, if asked, ``hf/`` (``save_to_disk``) and
    ``<name>.parquet``. The JSONL is always written (the HF formats are built from it).

    Args:
        task: A task folder, a built-in generator's name, or a loaded spec.
        n: How many examples; the task's ``n_default`` when None.
        seed: The seed; the task's ``seed`` when None.
        out_dir: The output folder (created if missing).
        formats: Any of ``csv``, ``jsonl``, ``hf``, ``parquet``.
        on_progress: Called as ``on_progress(done, total)`` every 1,000 examples and at the end.

    Raises:
        GenerationError: the generated rows fail validation (a bug in the task: the message
            names the first bad row) or the slot space is too small.
        OutputError: ``out_dir`` cannot be written.
    """
    spec = task if isinstance(task, TaskSpec) else load_task(task)
    n = spec.n_default if n is None else n
    seed = spec.seed if seed is None else seed
    wanted = set(formats)
    unknown = wanted - set(FORMATS)
    if unknown:
        raise OutputError(
            f"unknown format(s): {', '.join(sorted(unknown))}",
            fix=f"choose from: {', '.join(FORMATS)}",
        )
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(
            "the output path is a file, not a folder",
            where=Location(out),
            fix="pass a folder with -o",
        )
    result = GeneratedDataset(spec, 0, seed)
    renderer = Renderer(spec)
    validator = Validator(spec.type)
    csv_path = out / f"{spec.name}.csv" if "csv" in wanted else None
    jsonl_path = out / f"{spec.name}.jsonl"
    space = estimate_space(spec, renderer)
    with DatasetWriter(spec.type, csv_path, jsonl_path) as writer:
        for example in expand(spec, n, seed, stats=result.stats, renderer=renderer):
            validator.add(example, writer.count + 1)
            writer.write(example)
            if on_progress is not None and writer.count % 1000 == 0:
                on_progress(writer.count, n)
        report = validator.finish()
        if report.errors:
            first = report.errors[0]
            # Raising inside the writer removes the half-done files: nothing invalid is kept.
            raise GenerationError(
                f"generated row {first.row} fails validation: {first.message} "
                f"({len(report.errors)} errors in all)",
                where=Location(spec.yaml_path),
                fix="fix the templates so every example is valid (try `invscale preview`)",
            )
    if on_progress is not None:
        on_progress(writer.count, n)
    result.n, result.report = writer.count, report
    if csv_path is not None:
        result.paths["csv"] = csv_path
    result.paths["jsonl"] = jsonl_path
    if "hf" in wanted or "parquet" in wanted:
        hf_dir = out / "hf" if "hf" in wanted else None
        parquet = out / f"{spec.name}.parquet" if "parquet" in wanted else None
        write_hf(jsonl_path, spec.type, hf_dir, parquet)
        if hf_dir is not None:
            result.paths["hf"] = hf_dir
        if parquet is not None:
            result.paths["parquet"] = parquet
    result.canary = str(uuid.uuid5(_CANARY_NAMESPACE, f"{spec.name}:{spec.spec_hash}:{seed}:{n}"))
    card = out / "README.md"
    with atomic_open(card) as handle:
        handle.write(render_card(result, space.total))
    result.paths["card"] = card
    return result


def render_card(result: GeneratedDataset, space: float) -> str:
    """The dataset card: Hugging Face front matter, hypothesis, recipe, statistics, canary."""
    spec, report = result.spec, result.report
    assert report is not None
    size = _size_category(result.n)
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(report.answer_counts.items())) or "n/a"
    chars = report.prompt_chars or (0, 0)
    space_text = "unbounded" if space == float("inf") else f"{int(space):,}"
    files = ", ".join(f"`{p.name}`" for k, p in result.paths.items() if k != "card")
    lines = [
        "---",
        f"license: {spec.license.lower()}",
        "language:",
        "- en",
        "size_categories:",
        f"- {size}",
        "task_categories:",
        "- text-classification" if spec.type.has_classes else "- text-generation",
        "tags:",
        "- inverse-scaling",
        f"- {spec.type.value}",
        f"- invscale-generator:{spec.name}",
        f"pretty_name: {spec.name}",
        "---",
        "",
        f"# {spec.name}",
        "",
        f"**Canary: do not train on this data.** canary GUID {result.canary}",
        "",
        f"An Inverse Scaling Prize dataset of {result.n:,} `{spec.type.value}` examples, generated "
        f"by invscale {__version__}.",
        "",
        "## Description",
        "",
        spec.description or "(none given)",
        "",
        "## Hypothesis",
        "",
        spec.hypothesis or "(none given)",
        "",
    ]
    if spec.mechanism:
        lines += ["## Mechanism", "", spec.mechanism, ""]
    if spec.source:
        lines += ["## Source of the idea", "", spec.source, ""]
    lines += [
        "## Recipe",
        "",
        f"- generator: `{spec.name}` (spec hash `{spec.spec_hash}`)",
        f"- seed: {result.seed}",
        f"- examples: {result.n:,}",
        f"- regenerate: `invscale generate {spec.name} -n {result.n} --seed {result.seed}`",
        f"- slot space (upper bound on unique examples): {space_text}",
        f"- duplicates replaced: {result.stats.duplicates_replaced:,}; "
        f"draws rejected: {result.stats.draws_rejected:,}",
        "",
        "## Statistics",
        "",
        f"- answer_index counts: {answers}",
        f"- prompt length: {chars[0]}–{chars[1]} characters",
        f"- validation: {len(report.errors)} errors, {len(report.warnings)} warnings",
        "",
        "## Files",
        "",
        f"{files}. The CSV has the prize's exact columns ({', '.join(spec.type.columns)}); "
        "the JSONL adds `id` and `meta` (slot values, seed, index, attempt, spec hash).",
        "",
    ]
    return "\n".join(lines)


def _size_category(n: int) -> str:
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return label
    return "1M<n<10M"


def export_lm_eval(path: str | Path, out_dir: str | Path, task_type: Any = None) -> dict[str, Path]:
    """Write an lm-evaluation-harness task (YAML + JSONL data) for an ISP dataset.

    Classification becomes ``multiple_choice`` (choices = classes, target = answer_index, the
    same log-likelihood comparison the prize made); sequence_prob becomes
    ``loglikelihood`` on the completion. The logodds types compare two prompts, which
    lm-eval's task types cannot express: they are refused with an explanation.

    Returns:
        ``{"yaml": ..., "data": ...}`` paths.
    """
    import orjson

    from authoring.formats import read_dataset
    from authoring.records import TaskType

    source = Path(path)
    kind, examples = read_dataset(source, task_type)
    if kind.is_logodds:
        raise OutputError(
            f"lm-evaluation-harness has no task type for {kind.value} (it compares two prompts)",
            where=Location(source),
            fix="score logodds datasets with `invscale check`",
        )
    out = Path(out_dir)
    name = "".join(c if c.isalnum() else "_" for c in source.stem).strip("_").lower() or "task"
    data_path = out / f"{name}.jsonl"
    with atomic_open(data_path, "wb") as handle:
        for example in examples:
            record = example.to_row(kind)
            handle.write(orjson.dumps(record) + b"\n")
    if kind is TaskType.CLASSIFICATION:
        body = [
            "output_type: multiple_choice",
            'doc_to_text: "{{prompt}}"',
            'doc_to_choice: "{{classes}}"',
            'doc_to_target: "{{answer_index}}"',
            # Classes carry their own leading space, as in the prize's files.
            'target_delimiter: ""',
            "metric_list:",
            "  - metric: acc",
            "    aggregation: mean",
            "    higher_is_better: true",
        ]
    else:
        body = [
            "output_type: loglikelihood",
            'doc_to_text: "{{prompt}}"',
            'doc_to_target: "{{completion}}"',
            'target_delimiter: ""',
            "metric_list:",
            "  - metric: perplexity",
            "    aggregation: perplexity",
            "    higher_is_better: false",
        ]
    yaml_text = "\n".join(
        [
            f"# lm-evaluation-harness task for {source.name}, written by invscale {__version__}.",
            f"# Run: lm_eval --model hf --model_args pretrained=MODEL --include_path {out} "
            f"--tasks {name}",
            f"task: {name}",
            "dataset_path: json",
            "dataset_kwargs:",
            "  data_files:",
            # datasets resolves data_files against the working directory, so the path is absolute.
            f"    test: {data_path.resolve()}",
            "test_split: test",
            *body,
            "metadata:",
            "  version: 1.0",
            "",
        ]
    )
    yaml_path = out / f"{name}.yaml"
    with atomic_open(yaml_path) as handle:
        handle.write(yaml_text)
    return {"yaml": yaml_path, "data": data_path}
