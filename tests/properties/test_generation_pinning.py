"""Under the ``ci`` profile generation must not depend on which modules are loaded (issue 16).

Hypothesis mixes literal constants of loaded local modules into generation; the ``ci`` profile
switches that off, so a derandomised test draws the same examples alone, per directory and in
the full run.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchproof.properties.determinism import local_constants_pinned, pin_local_constants, unpin_local_constants


def _examples() -> list[int]:
    seen: list[int] = []

    @settings(derandomize=True, max_examples=300, database=None)
    @given(st.integers(777_000_000, 778_000_000))  # a range only the planted constants fall in
    def record(value: int) -> None:
        seen.append(value)

    record()
    return seen


def _load_module_with_constant(tmp_path: Path, value: int) -> None:
    """A local module (not a test file) whose source holds one unusual integer literal."""
    source = tmp_path / f"constmod_{value}.py"
    source.write_text(f"MAGIC = {value}\n")
    module = types.ModuleType(source.stem)
    module.__file__ = str(source)
    exec(compile(source.read_text(), str(source), "exec"), module.__dict__)
    sys.modules[source.stem] = module


def test_the_ci_profile_pins_the_constant_pool(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--batchproof-profile") != "ci":
        pytest.skip("the pin belongs to the ci profile")
    assert local_constants_pinned()


def test_pinned_generation_ignores_modules_loaded_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    magic = 777_123_457
    monkeypatch.chdir(tmp_path)  # Hypothesis counts files under the working directory as local
    pin_local_constants()
    try:
        before = _examples()
        _load_module_with_constant(tmp_path, magic)
        after = _examples()
        assert before == after
        assert magic not in after
    finally:
        sys.modules.pop(f"constmod_{magic}", None)


def test_unpinned_generation_would_draw_a_loaded_module_constant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control: without the pin the same loaded constant reaches generation, so the pin matters."""
    magic = 777_123_459
    monkeypatch.chdir(tmp_path)
    unpin_local_constants()
    try:
        _load_module_with_constant(tmp_path, magic)
        assert magic in _examples()
    finally:
        sys.modules.pop(f"constmod_{magic}", None)
        pin_local_constants()
