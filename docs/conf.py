"""Sphinx configuration of the qingzhou_sim documentation.

Build (from the repository root, after ``python -m pip install -e ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Sphinx rather than MkDocs: the docstrings are numpydoc (napoleon reads them as they
are), the gallery is sphinx-gallery (it runs each script of ``examples/`` and keeps its
printed output and figures), and myst-nb executes the notebooks at build time with a
cache, so the notebooks in ``notebooks/`` stay committed without outputs.

Generated at build time (never committed): ``docs/notebooks/`` (copies of
``notebooks/*.ipynb``), ``docs/auto_examples/`` (the gallery), ``docs/api/generated/``
(autosummary pages), ``docs/_generated/validation_tests.md`` (from the docstrings
of ``tests/validation/``), and the validation page's figures ``docs/images/validation/``
with their captions ``docs/_generated/validation_figures.md`` (drawn by
``validation_figures.py`` from the library and the tests' references: ~12 s of CPU
with warm numba caches, ~40 s after the library's kernels changed).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS))

# Figures through pyplot, so that sphinx-gallery's matplotlib scraper sees the figures
# of examples/ (qingzhou_sim.plotting otherwise builds plain Figures in scripts).
os.environ["QINGZHOU_SIM_PYPLOT"] = "1"
# The notebook kernels pick matplotlib's inline backend only when MPLBACKEND is unset
# (CI exports Agg for the tests): with Agg they would run without showing a figure.
os.environ.pop("MPLBACKEND", None)

from validation_figures import write_validation_figures  # noqa: E402
from validation_page import write_validation_page  # noqa: E402

import qingzhou_sim  # noqa: E402

project = "qingzhou_sim"
author = "qingzhou_sim developers"
copyright = "2026, qingzhou_sim developers (MIT licence)"
release = version = qingzhou_sim.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
]
exclude_patterns = [
    "_build",
    "_generated",  # included by validation.md, not a page of its own
    "**.ipynb_checkpoints",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# -- API reference from the docstrings
autosummary_generate = True
autosummary_imported_members = True  # a subpackage documents what it re-exports
autosummary_ignore_module_all = False  # ... and only that: its __all__
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_member_order = "bysource"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_preprocess_types = False
napoleon_use_ivar = True
# the library's docstrings cross-reference numpy/astropy types that are not documented
# here (no intersphinx: the build is offline)
nitpicky = False

# -- Notebooks: executed at build time, results cached between builds
nb_execution_mode = "cache"
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 1200
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# -- Gallery of examples/
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",
    "ignore_pattern": r"(__init__|conftest)\.py$",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "plot_gallery": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "capture_repr": (),
}

html_theme = "pydata_sphinx_theme"
html_title = "qingzhou_sim"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
suppress_warnings = [
    # myst-nb: notebook outputs of mime types it does not render (widgets)
    "mystnb.unknown_mime_type",
]


def _escape_bars(app, what, name, obj, options, lines) -> None:
    """``|r|`` in a docstring means a norm, not a reStructuredText substitution:
    escape bars outside literals and roles (the library's docstrings are numpydoc for
    readers of help() first)."""
    for k, line in enumerate(lines):
        if line.lstrip().startswith("|") or "|" not in line:
            continue  # a line block or table row, or nothing to escape
        parts = line.split("`")
        lines[k] = "`".join(p.replace("|", "\\|") if i % 2 == 0 else p for i, p in enumerate(parts))


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars)


def _copy_notebooks() -> None:
    """notebooks/*.ipynb -> docs/notebooks/ (Sphinx reads sources under docs/ only)."""
    target = DOCS / "notebooks"
    target.mkdir(exist_ok=True)
    for old in target.glob("*.ipynb"):
        old.unlink()
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, target / nb.name)


_copy_notebooks()
# autosummary pages of modules that no longer exist would be orphans (warnings)
shutil.rmtree(DOCS / "api" / "generated", ignore_errors=True)
write_validation_page(ROOT / "tests" / "validation", DOCS / "_generated" / "validation_tests.md")
write_validation_figures()
