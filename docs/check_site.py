"""Check a built site: every notebook page shows its figures, every example appears
in the gallery with an image, and the validation page shows every figure of
``validation_figures.FIGURES``.

    python docs/check_site.py docs/_build/html

Exit status 1 with the pages at fault. A notebook page must hold at least as many
images as its notebook has code cells that make a figure (a cell calling ``plot_`` or
``plt.``); an example page at least one image; the validation page an image of each
validation figure, present in the site and not empty.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _figure_cells(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return sum(bool(re.search(r"\bplot_\w+\(|\bplt\.subplots\(", src)) for src in code)


def _images(page: Path) -> int:
    return len(re.findall(r"<img\b[^>]*src=\"[^\"]+\.(?:png|svg)\"", page.read_text("utf-8")))


def _validation_figures(site: Path) -> list[str]:
    from validation_figures import FIGURES  # docs/, the directory of this script

    page = site / "validation.html"
    if not page.exists():
        return [f"{page}: missing"]
    sources = re.findall(r"<img\b[^>]*src=\"([^\"]+\.png)\"", page.read_text("utf-8"))
    problems = []
    for name in FIGURES:
        src = next((s for s in sources if s.rsplit("/", 1)[-1] == f"{name}.png"), None)
        if src is None:
            problems.append(f"{page}: no validation figure {name}.png")
        elif not (site / src).is_file() or (site / src).stat().st_size < 10_000:
            problems.append(f"{page}: validation figure {src} missing or empty in the site")
    return problems


def main(site: Path) -> int:
    problems = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = site / "notebooks" / f"{nb.stem}.html"
        wanted = _figure_cells(nb)
        if not page.exists():
            problems.append(f"{page}: missing")
        elif _images(page) < wanted:
            problems.append(f"{page}: {_images(page)} images, {wanted} figure cells")
    for example in sorted((ROOT / "examples").glob("*.py")):
        page = site / "auto_examples" / f"{example.stem}.html"
        if not page.exists():
            problems.append(f"{page}: missing")
        elif _images(page) < 1:
            problems.append(f"{page}: no image")
    problems += _validation_figures(site)
    for line in problems:
        print(line)
    print(f"site check: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "_build" / "html"))
