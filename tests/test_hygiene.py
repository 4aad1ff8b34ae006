"""`import authoring` and `invscale --help` stay light: no torch, transformers, datasets."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "datasets", "textual")

PROBE = """
import sys
{body}
heavy = [m for m in {heavy!r} if m in sys.modules]
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "body",
    [
        "import authoring",
        "import authoring.spec, authoring.expand, authoring.validate, authoring.formats",
        "import authoring.dataset, authoring.scaffold, authoring.cli.commands",
        "import authoring.check",
        (
            "from authoring.cli import app, main\n"
            "sys.argv = ['invscale', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass"
        ),
    ],
)
def test_no_heavy_imports(body):
    code = PROBE.format(body=body, heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    marker = [line for line in result.stdout.splitlines() if line.startswith("HEAVY:")]
    assert marker == ["HEAVY:"], f"imported: {marker}"
