"""Write the list of validation tests (docs/_generated/validation_tests.md) from the
docstrings of tests/validation/test_*.py, so that the page cannot drift from the tests."""

from __future__ import annotations

import ast
from pathlib import Path


def _first_paragraph(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(text.strip().split("\n\n")[0].split())


def _first_sentence(text: str) -> str:
    head = text.split(". ")[0].rstrip(".")
    return head if len(head) <= 200 else head[:197] + "..."


def write_validation_page(folder: Path, out: Path) -> None:
    lines = []
    files = sorted(folder.glob("test_*.py"))
    lines.append(f"{len(files)} files under `tests/validation/`, ")
    lines[-1] += "each checking one model against something this project did not write.\n"
    lines.append("| file | what it checks, against what | tests |")
    lines.append("|---|---|---|")
    sections = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tests = [
            node
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        ]
        anchor = path.stem.replace("_", "-")
        doc = _first_paragraph(ast.get_docstring(tree)) or "(no module docstring)"
        lines.append(
            f"| [`{path.name}`](#{anchor}) | {_first_sentence(doc).replace('|', '/')} | {len(tests)} |"
        )
        sections.append(f"\n({anchor})=\n### `{path.name}`\n")  # under "The tests"
        sections.append(doc)
        sections.append("")
        for node in tests:
            summary = _first_paragraph(ast.get_docstring(node))
            sections.append(f"- `{node.name}`" + (f": {summary}" if summary else ""))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines + sections) + "\n", encoding="utf-8")
