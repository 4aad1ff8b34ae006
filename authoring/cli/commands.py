"""Import every command module so that each registers its command on the app."""

from authoring.cli import check_cmd, data_cmd, studio_cmd, task_cmd  # noqa: F401
