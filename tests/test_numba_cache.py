"""The numba disk cache's folder name covers every module with compiled code.

numba keys a cached kernel on its own file only; a kernel that links a compiled
function from another file would keep a stale copy of it after that file is edited.
``qingzhou_sim._user_cache_dir`` names the cache folder by a hash of the modules listed
in ``_CALLEE_SOURCES``: a module with compiled code missing from that list is a bug.
"""

import os
import re
from pathlib import Path

import qingzhou_sim

PACKAGE = Path(qingzhou_sim.__file__).parent
SOURCES = {str(p.relative_to(PACKAGE)): p.read_text() for p in PACKAGE.rglob("*.py")}
# names the package binds to a numba decorator (``_kernel = njit(cache=True, ...)``)
ALIASES = {
    m.group(1)
    for text in SOURCES.values()
    for m in re.finditer(r"^(\w+) = (?:numba\.)?njit\b", text, re.MULTILINE)
}
DECORATOR = re.compile(
    r"^\s*@(?:numba\.)?(?:njit|" + "|".join(sorted(ALIASES)) + r")\b", re.MULTILINE
)


def test_cache_hash_covers_every_module_with_compiled_code():
    listed = {os.path.join(*parts) for parts in qingzhou_sim._CALLEE_SOURCES}
    compiled = {name for name, text in SOURCES.items() if DECORATOR.search(text)}
    assert compiled, "found no module with compiled code: the detection is broken"
    assert compiled <= listed, f"modules with compiled code missing: {sorted(compiled - listed)}"
    assert listed <= compiled, f"listed modules without compiled code: {sorted(listed - compiled)}"


def test_editing_a_listed_module_changes_the_cache_folder(tmp_path, monkeypatch):
    first = qingzhou_sim._user_cache_dir()
    copy = tmp_path / "qingzhou_sim"
    for parts in qingzhou_sim._CALLEE_SOURCES:
        target = copy.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(PACKAGE.joinpath(*parts).read_bytes())
    monkeypatch.setattr(qingzhou_sim, "__file__", str(copy / "__init__.py"))
    assert qingzhou_sim._user_cache_dir() == first
    last = copy.joinpath(*qingzhou_sim._CALLEE_SOURCES[-1])
    last.write_text(last.read_text() + "\n# edited\n")
    assert qingzhou_sim._user_cache_dir() != first
