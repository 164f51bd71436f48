"""The progress bar: tqdm's notebook widget where ipywidgets is installed, its text bar
everywhere else (``tqdm.auto`` without ipywidgets warns ``IProgress not found`` in every
notebook cell that shows a bar)."""

from __future__ import annotations

from importlib.util import find_spec

__all__ = ["tqdm"]


def tqdm(*args, **kwargs):
    """A ``tqdm`` bar: ``tqdm.auto`` when ipywidgets is importable, plain ``tqdm`` else."""
    if find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm as bar
    else:
        from tqdm import tqdm as bar
    return bar(*args, **kwargs)
