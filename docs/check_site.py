"""Check a built site: every notebook page shows its figures and every example appears
in the gallery with an image.

    python docs/check_site.py docs/_build/html

Exit status 1 with the pages at fault. A notebook page must hold at least as many
images as its notebook has code cells that make a figure (a cell calling ``plot_`` or
``plt.``); an example page at least one image.
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
    for line in problems:
        print(line)
    print(f"site check: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "_build" / "html"))
