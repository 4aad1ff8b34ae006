"""invscale: author, generate and scaling-check Inverse Scaling Prize datasets.

The importable package is ``authoring``; the command is ``invscale``. This module stays light:
torch, transformers, datasets and textual are imported only inside the functions that need them.
"""

__version__ = "0.1.0"
