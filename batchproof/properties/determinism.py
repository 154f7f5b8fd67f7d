"""Pin what Hypothesis generation draws from, so a test's examples do not depend on the selection.

Hypothesis 6.131+ mixes literal constants found in the source of every *loaded local module* into
generation (``hypothesis.internal.conjecture.providers._get_local_constants``). The pool grows as
modules are imported, so under a derandomised profile the examples a test sees depend on which
other tests (and so which modules) were loaded before it: a test could fail alone and pass in the
full run. :func:`pin_local_constants` replaces that pool with a fixed, empty one (Hypothesis's own
global constants stay), which makes every test's examples a function of the test alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_ORIGINAL: dict[str, Callable[[], Any]] = {}


def pin_local_constants() -> bool:
    """Stop mixing constants of loaded modules into generation; False if Hypothesis never does."""
    try:
        from hypothesis.internal.conjecture import providers  # noqa: PLC0415 (optional internals)
        from hypothesis.internal.constants_ast import Constants  # noqa: PLC0415
    except ImportError:  # pragma: no cover - Hypothesis before source-constant mixing
        return False
    current = getattr(providers, "_get_local_constants", None)
    if current is None:  # pragma: no cover - internals renamed
        return False
    _ORIGINAL.setdefault("get", current)
    empty = Constants()
    providers._get_local_constants = lambda: empty  # no public switch exists
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if cache is not None:
        cache.cache.clear()
    return True


def unpin_local_constants() -> None:
    """Restore Hypothesis's own constant pool (profiles other than ``ci``)."""
    original = _ORIGINAL.get("get")
    if original is None:
        return
    from hypothesis.internal.conjecture import providers  # noqa: PLC0415

    providers._get_local_constants = original
    providers.CONSTANTS_CACHE.cache.clear()


def local_constants_pinned() -> bool:
    """Whether generation currently ignores the constants of loaded modules."""
    try:
        from hypothesis.internal.conjecture import providers  # noqa: PLC0415
    except ImportError:  # pragma: no cover
        return True
    getter = getattr(providers, "_get_local_constants", None)
    if getter is None:  # pragma: no cover
        return True
    pool = getter()
    return not any(pool.set_for_type(kind) for kind in ("integer", "float", "string", "bytes"))
