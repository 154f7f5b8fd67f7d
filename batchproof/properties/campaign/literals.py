"""The constants a Python plugin compares with: the string and integer literals of its module.

A plugin that tests ``pod.runtime_class_name == "gvisor"`` or ``priority >= 1_000_000_000`` is
only exercised when generation draws those values; the literals of its source are the pool.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from typing import Any

MAX_STRING = 63


@dataclass(frozen=True, slots=True)
class Literals:
    """Short whitespace-free strings and integers found in the plugin's module."""

    strings: tuple[str, ...] = ()
    numbers: tuple[int, ...] = ()

    def to_json(self) -> dict[str, list[Any]]:
        """Plain data for reports."""
        return {"strings": list(self.strings), "numbers": list(self.numbers)}


def literals_of(plugin: Any) -> Literals:
    """The literals of ``plugin``'s class, then the module-level constants beside it.

    A class's own literals come first (a module may hold several plugins); module constants
    (``MODEL = "gpu.example.com/model"``) follow, as classes usually name their keys that way.
    Nothing is found when the source is unavailable (built-in, generated or compiled code).
    """
    cls = type(plugin)
    try:
        tree = ast.parse(inspect.getsource(inspect.getmodule(cls) or cls))
    except (OSError, TypeError, SyntaxError):
        return Literals()
    strings: dict[str, None] = {}
    numbers: dict[int, None] = {}
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls.__name__]
    constants = [n for n in tree.body if isinstance(n, ast.Assign | ast.AnnAssign)]
    for root in (*classes, *constants):
        for node in ast.walk(root):
            if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
                continue
            if isinstance(node.value, str) and 0 < len(node.value) <= MAX_STRING:
                if not any(ch.isspace() for ch in node.value):
                    strings[node.value] = None
            elif isinstance(node.value, int):
                numbers[node.value] = None
    return Literals(tuple(strings), tuple(sorted(numbers)))
