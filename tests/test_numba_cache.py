"""The numba disk cache's folder name covers every module with compiled code.

numba keys a cached kernel on its own file only; a kernel that links a compiled
function from another file would keep a stale copy of it after that file is edited.
``qingzhou_sim._user_cache_dir`` names the cache folder by a hash of the modules listed
in ``_CALLEE_SOURCES``: a module with compiled code missing from that list is a bug.
"""

import os
import re
import time
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


def _folders(base, names_and_ages):
    now = time.time()
    for name, age_days in names_and_ages:
        (base / name).mkdir()
        os.utime(base / name, (now - age_days * 86400, now - age_days * 86400))


def test_old_cache_folders_are_pruned_newest_kept(tmp_path, monkeypatch):
    from numba.core import config

    from qingzhou_sim import _jit

    current = tmp_path / "aaaaaaaaaaaa"
    monkeypatch.setattr(qingzhou_sim, "_user_cache_dir", lambda: str(current))
    monkeypatch.setattr(config, "CACHE_DIR", str(current))
    _folders(
        tmp_path,
        [("aaaaaaaaaaaa", 30), ("000000000001", 1), ("000000000002", 2), ("000000000003", 3)],
    )
    (tmp_path / "notes").mkdir()  # not a cache folder of ours: never touched
    removed = _jit.prune_cache_folders(keep=2)
    assert [os.path.basename(p) for p in removed] == ["000000000003"]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["000000000001", "000000000002", "aaaaaaaaaaaa", "notes"]


def test_a_user_cache_folder_is_never_pruned(tmp_path, monkeypatch):
    from numba.core import config

    from qingzhou_sim import _jit

    monkeypatch.setattr(qingzhou_sim, "_user_cache_dir", lambda: str(tmp_path / "aaaaaaaaaaaa"))
    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path / "mine"))  # NUMBA_CACHE_DIR
    _folders(tmp_path, [("aaaaaaaaaaaa", 0), ("000000000001", 1), ("000000000002", 2)])
    assert _jit.prune_cache_folders(keep=0) == []
    assert len(list(tmp_path.iterdir())) == 3
