"""What a notebook user sees: figures managed by pyplot in IPython (so a cell shows
them), and a progress bar that does not warn about missing widgets."""

import io
import warnings

import tqdm as tqdm_module

from qingzhou_sim import _progress


def test_progress_bar_is_plain_tqdm_without_ipywidgets(monkeypatch):
    monkeypatch.setattr(_progress, "find_spec", lambda name: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a TqdmWarning (IProgress not found) would fail
        bar = _progress.tqdm(total=2, disable=None, file=io.StringIO())  # off: not a tty
    assert type(bar) is tqdm_module.std.tqdm
    bar.close()


def test_progress_bar_is_auto_with_ipywidgets(monkeypatch):
    import tqdm.auto

    monkeypatch.setattr(_progress, "find_spec", lambda name: object())
    bar = _progress.tqdm(total=2, disable=None, file=io.StringIO())
    assert isinstance(bar, tqdm.auto.tqdm)
    bar.close()


def test_disabled_progress_bar_does_nothing():
    # (what Mission.run(progress=False) and campaigns without progress get: no tqdm)
    bar = _progress.tqdm(total=5, desc="mission", disable=True, leave=False)
    assert not isinstance(bar, tqdm_module.std.tqdm)
    assert bar.update(1) is None
    assert bar.set_postfix_str("launch") is None
    assert bar.close() is None
    with bar as same:
        assert same is bar
