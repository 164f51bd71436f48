"""The progress bar: tqdm's notebook widget where ipywidgets is installed, its text bar
everywhere else (``tqdm.auto`` without ipywidgets warns ``IProgress not found`` in every
notebook cell that shows a bar), and a bar that does nothing, without importing tqdm
(~30 ms of a warm ``qingzhou-sim run``), where the caller disables it."""

from __future__ import annotations

from importlib.util import find_spec

__all__ = ["tqdm"]


class _NoBar:
    """A disabled bar: every method (``update``, ``set_postfix_str``, ``close``, ...)
    does nothing and returns None, as tqdm's own bar does with ``disable=True``."""

    def __getattr__(self, name: str):
        return _nothing

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


def _nothing(*args, **kwargs) -> None:
    return None


def tqdm(*args, **kwargs):
    """A ``tqdm`` bar: ``tqdm.auto`` when ipywidgets is importable, plain ``tqdm`` else;
    with ``disable=True``, a bar that does nothing (tqdm not imported)."""
    if kwargs.get("disable") is True:
        return _NoBar()
    if find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm as bar
    else:
        from tqdm import tqdm as bar
    return bar(*args, **kwargs)
