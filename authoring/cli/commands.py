"""Import every command module so that each registers its command on the app."""

from authoring.cli import (  # noqa: F401
    check_cmd,
    data_cmd,
    task_cmd,
)
