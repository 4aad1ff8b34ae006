"""Import every command module so that each registers its command on the app."""

from authoring.cli import data_cmd, task_cmd  # noqa: F401

try:  # written in parallel; registered when present
    from authoring.cli import check_cmd  # noqa: F401
except ImportError:  # pragma: no cover
    pass
