"""generate -> validate -> read back: what is read equals what was generated, in every format."""

from __future__ import annotations

import pytest

from authoring.dataset import generate_dataset
from authoring.errors import OutputError
from authoring.expand import expand
from authoring.formats import read_dataset
from authoring.spec import load_task
from authoring.validate import validate_file


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_generate_validate_read_back(tmp_path, suffix):
    spec = load_task("belief-biased-qa")
    result = generate_dataset(spec, 300, 11, tmp_path)
    path = result.paths[suffix]
    report = validate_file(path)
    assert report.ok(strict=True), [p.one_line() for p in report.problems]
    assert report.answer_counts == {0: 150, 1: 150}
    kind, examples = read_dataset(path)
    assert kind is spec.type
    assert [e.key() for e in examples] == [e.key() for e in expand(spec, 300, 11)]
    assert [e.answer_index for e in examples] == [e.answer_index for e in expand(spec, 300, 11)]


def test_jsonl_meta_holds_slots_and_provenance(tmp_path):
    result = generate_dataset("belief-biased-qa", 300, 0, tmp_path)
    _, examples = read_dataset(result.paths["jsonl"])
    meta = examples[7].meta
    assert meta["index"] == 7 and meta["seed"] == 0
    assert meta["spec_hash"] == result.spec.spec_hash
    assert meta["slots"]["fact"]["capital"] in examples[7].classes[examples[7].answer_index]


def test_card_has_front_matter_canary_and_recipe(tmp_path):
    result = generate_dataset("belief-biased-qa", 300, 3, tmp_path)
    card = result.paths["card"].read_text()
    assert card.startswith("---\nlicense: cc-by-4.0\n")
    assert result.canary in card and len(result.canary) == 36
    assert "seed: 3" in card and result.spec.spec_hash in card
    assert "answer_index counts: 0: 150, 1: 150" in card
    assert result.spec.hypothesis.split()[0] in card
    # The same recipe gives the same canary; another seed another one.
    again = generate_dataset("belief-biased-qa", 300, 3, tmp_path / "again")
    other = generate_dataset("belief-biased-qa", 300, 4, tmp_path / "other")
    assert again.canary == result.canary != other.canary


def test_output_path_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        generate_dataset("belief-biased-qa", 300, 0, target)
    assert target.read_text() == "x"
