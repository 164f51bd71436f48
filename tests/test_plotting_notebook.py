"""What a notebook user sees: figures managed by pyplot in IPython (so a cell shows
them), and a progress bar that does not warn about missing widgets."""

import warnings

import tqdm as tqdm_module

from qingzhou_sim import _progress


def test_progress_bar_is_plain_tqdm_without_ipywidgets(monkeypatch):
    monkeypatch.setattr(_progress, "find_spec", lambda name: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a TqdmWarning (IProgress not found) would fail
        bar = _progress.tqdm(total=2, disable=True)
    assert type(bar) is tqdm_module.std.tqdm
    bar.close()


def test_progress_bar_is_auto_with_ipywidgets(monkeypatch):
    import tqdm.auto

    monkeypatch.setattr(_progress, "find_spec", lambda name: object())
    bar = _progress.tqdm(total=2, disable=True)
    assert isinstance(bar, tqdm.auto.tqdm)
    bar.close()
