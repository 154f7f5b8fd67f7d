"""A small AST mutation check of batchproof's own code (issue 16); not part of the test run.

Plants one mutant at a time in a *copy* of the committed tree (``git archive HEAD``, so other
work in the checkout is never touched), runs the test subset that covers the mutated module, and
counts the mutant killed when that subset fails (or times out). Operators: comparison flips
(``>``/``>=``, ``==``/``!=``, ``is``/``is not``, ``in``/``not in``), ``and``/``or``, dropping a
``not``, ``+``/``-``, an integer constant plus one, an identifier-like string constant changed
(flush reasons, variants, keys), two adjacent ``if ...: return`` checks swapped (check order),
``True``/``False`` flipped, and a statement deleted (a call for its effect, an attribute, subscript
or augmented assignment: a metric not counted, state not dropped). Constants only the type
checker reads (``Literal[...]`` members, annotations, decorator options such as
``@dataclass(frozen=True)``) are not mutated.

Mutants judged *equivalent* (no test can tell them from the original: same behaviour on every
input) are listed in ``tools/mutation_equivalents.json``, keyed by module, line, operator and
description, each with the reason; the score is killed over planted minus equivalent. A listed
mutant that is killed anyway is reported (the list is stale there) and counted as killed.

Usage::

    nice -n 10 .venv/bin/python tools/mutation_check.py [--max-per-module N] [--seed S] [--budget SECONDS]
                                                        [--module PATH ...] [--line N ...] [--json OUT]

``--max-per-module 0`` plants every mutant of each module. The covering tests run in one process
(``-n 0``, no random ordering, ``-x``), so the check takes one core. Exit status 0 when every
non-equivalent mutant was killed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
EQUIVALENTS = Path(__file__).resolve().parent / "mutation_equivalents.json"

# Scoped modules and the tests that cover them (the batched scheduler, the signers, the harness).
TARGETS: dict[str, list[str]] = {
    "batchproof/batched/batch.py": ["tests/batched"],
    "batchproof/batched/sorted_nodes.py": ["tests/batched"],
    "batchproof/batched/scheduler.py": ["tests/batched", "tests/reference"],
    "batchproof/model/plugins/helpers/signers.py": ["tests/plugins", "tests/properties/test_harness_helpers.py"],
    "batchproof/properties/classify.py": [
        "tests/properties/test_harness_classify.py",
        "tests/properties/test_harness_helpers.py",
    ],
    "batchproof/properties/lockstep.py": [
        "tests/properties/test_harness_compare.py",
        "tests/properties/test_harness_classify.py",
        "tests/properties/test_harness_helpers.py",
        "tests/properties/test_harness_lockstep.py",
    ],
    "batchproof/model/profiles.py": [
        "tests/model/test_default_profile_upstream.py",
        "tests/model/test_profile_build.py",
        "tests/model/test_config.py",
        "tests/properties/test_harness_helpers.py",
    ],
}
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
FLIPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}


@dataclass(frozen=True)
class Site:
    """One place a mutant can be planted: the operator and the node's position in walk order."""

    operator: str
    index: int
    line: int
    description: str


@dataclass
class Outcome:
    """A planted mutant and whether the covering tests killed it."""

    module: str
    site: Site
    killed: bool
    seconds: float
    equivalent: str | None = None  # the recorded reason, when the mutant is listed as equivalent

    @property
    def verdict(self) -> str:
        """killed, survived or equivalent (a listed mutant that survives)."""
        if self.killed:
            return "killed"
        return "equivalent" if self.equivalent is not None else "survived"


EquivalentKey = tuple[str, int, str, str]


def load_equivalents(path: Path = EQUIVALENTS) -> dict[EquivalentKey, str]:
    """The recorded equivalent mutants: (module, line, operator, description) -> reason."""
    if not path.exists():
        return {}
    entries = json.loads(path.read_text())
    return {(e["module"], int(e["line"]), e["operator"], e["description"]): e["reason"] for e in entries}


def summary(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Per module (and ``total``): killed, survived, equivalent and the score over non-equivalent mutants."""
    table: dict[str, dict[str, float]] = {}
    for module in [*dict.fromkeys(o.module for o in outcomes), "total"]:
        mine = [o for o in outcomes if module in {"total", o.module}]
        counts: dict[str, float] = {v: sum(o.verdict == v for o in mine) for v in ("killed", "survived", "equivalent")}
        scored = counts["killed"] + counts["survived"]
        counts["score"] = round(100 * counts["killed"] / scored, 1) if scored else 100.0
        table[module] = counts
    return table


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _in_fstring(tree: ast.AST) -> set[int]:
    return {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in ast.walk(node)}


def _type_level(tree: ast.AST) -> set[int]:
    """Constants only the type checker reads: ``Literal[...]`` members, annotations, decorator options.

    ``@dataclass(frozen=True, slots=True)``: a write to a frozen field is a mypy --strict error, and
    slots change nothing code that type-checks can observe.
    """
    out: set[int] = set()
    for node in ast.walk(tree):
        roots: list[ast.AST] = []
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
            roots.append(node.slice)
        elif isinstance(node, (ast.AnnAssign, ast.arg)) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            roots.append(node.returns)
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            roots.extend(node.decorator_list)  # @dataclass(frozen=True, slots=True): mypy enforces frozen
        out |= {id(part) for root in roots for part in ast.walk(root)}
    return out


def _guarded_return(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.If) and not statement.orelse and isinstance(statement.body[-1], ast.Return)


def _deletable(node: ast.AST) -> bool:
    """Whether deleting the statement is a plausible bug.

    A call for its effect, an attribute, subscript or augmented assignment: a metric not counted,
    state not dropped, a field not set.
    """
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Call)
    if isinstance(node, ast.AugAssign):
        return True
    if isinstance(node, ast.Assign):
        return all(isinstance(t, (ast.Attribute, ast.Subscript)) for t in node.targets)
    return False


def sites(tree: ast.AST) -> list[Site]:
    """Every mutation site of the tree, in a stable order."""
    skip = _docstrings(tree) | _in_fstring(tree) | _type_level(tree)
    out: list[Site] = []
    for index, node in enumerate(ast.walk(tree)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                if type(op) in FLIPS:
                    flipped = FLIPS[type(op)].__name__
                    out.append(Site(f"compare:{position}", index, line, f"{type(op).__name__} -> {flipped}"))
        elif isinstance(node, ast.BoolOp):
            out.append(Site("boolop", index, line, "and <-> or"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append(Site("not", index, line, "drop not"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            out.append(Site("binop", index, line, "+ <-> -"))
        elif isinstance(node, ast.Constant) and id(node) not in skip:
            if isinstance(node.value, int) and not isinstance(node.value, bool):
                out.append(Site("int", index, line, f"{node.value} -> {node.value + 1}"))
            elif isinstance(node.value, str) and IDENTIFIER.match(node.value):
                out.append(Site("str", index, line, f"{node.value!r} -> {node.value + '_x'!r}"))
            elif isinstance(node.value, bool):
                out.append(Site("bool", index, line, f"{node.value} -> {not node.value}"))
        if _deletable(node):
            out.append(Site("delete", index, line, "delete the statement"))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for position in range(len(node.body) - 1):
                if _guarded_return(node.body[position]) and _guarded_return(node.body[position + 1]):
                    where = node.body[position].lineno
                    out.append(Site(f"swap:{position}", index, line, f"swap the checks at line {where}"))
    return out


def plant(tree: ast.AST, site: Site) -> ast.AST:
    """A copy of the tree with the mutant at ``site``."""
    mutant = copy.deepcopy(tree)
    node = next(n for i, n in enumerate(ast.walk(mutant)) if i == site.index)
    kind, _, arg = site.operator.partition(":")
    if kind == "compare" and isinstance(node, ast.Compare):
        node.ops[int(arg)] = FLIPS[type(node.ops[int(arg)])]()
    elif kind == "boolop" and isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "not" and isinstance(node, ast.UnaryOp):
        _replace_child(mutant, node, node.operand)
    elif kind == "binop" and isinstance(node, ast.BinOp):
        node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
    elif kind == "int" and isinstance(node, ast.Constant) and isinstance(node.value, int):
        node.value = node.value + 1
    elif kind == "str" and isinstance(node, ast.Constant) and isinstance(node.value, str):
        node.value = node.value + "_x"
    elif kind == "bool" and isinstance(node, ast.Constant) and isinstance(node.value, bool):
        node.value = not node.value
    elif kind == "delete" and isinstance(node, ast.stmt):
        _replace_child(mutant, node, ast.Pass())
    elif kind == "swap" and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        position = int(arg)
        node.body[position], node.body[position + 1] = node.body[position + 1], node.body[position]
    return ast.fix_missing_locations(mutant)


def _replace_child(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new)
                return
            if isinstance(value, list):
                for position, item in enumerate(value):
                    if item is old:
                        value[position] = new
                        return


def _copy_of_head(into: Path) -> None:
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True).stdout
    with tempfile.TemporaryFile() as handle:
        handle.write(archive)
        handle.seek(0)
        with tarfile.open(fileobj=handle) as tar:
            tar.extractall(into, filter="data")


def _run(tree_root: Path, tests: list[str], timeout: float) -> bool:
    """True when the tests pass (the mutant survives)."""
    env = {**os.environ, "PYTHONPATH": str(tree_root), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [str(PYTHON), "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider", "-p", "no:randomly"]
    command += ["-m", "not slow", *tests]
    try:
        result = subprocess.run(command, cwd=tree_root, env=env, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def main(argv: list[str] | None = None) -> int:
    """Plant sampled mutants one at a time and report the score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-per-module", type=int, default=25)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--budget", type=float, default=900.0, help="stop planting after this many seconds")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-mutant test timeout (a timeout kills)")
    parser.add_argument("--module", action="append", default=[], help="only these scoped modules")
    parser.add_argument("--line", type=int, action="append", default=[], help="only mutants on these lines")
    parser.add_argument("--operator", action="append", default=[], help="only these operator kinds (e.g. delete)")
    parser.add_argument("--json", type=Path, help="write every outcome and the per-module summary here")
    args = parser.parse_args(argv)
    modules = args.module or list(TARGETS)
    equivalents = load_equivalents()
    started = time.monotonic()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="batchproof-mutants-") as scratch:
        tree_root = Path(scratch)
        _copy_of_head(tree_root)
        for module in modules:
            tests = TARGETS[module]
            path = tree_root / module
            original = path.read_text()
            if not _run(tree_root, tests, args.timeout):
                print(f"{module}: the covering tests fail unmutated; skipped", file=sys.stderr)
                continue
            tree = ast.parse(original)
            candidates = [
                s
                for s in sites(tree)
                if (not args.line or s.line in args.line)
                and (not args.operator or s.operator.partition(":")[0] in args.operator)
            ]
            rng = random.Random(f"{args.seed}:{module}")
            wanted = args.max_per_module or len(candidates)
            picked = rng.sample(candidates, min(len(candidates), wanted))
            chosen = sorted(picked, key=lambda s: s.index)
            for site in chosen:
                if time.monotonic() - started > args.budget:
                    break
                path.write_text(ast.unparse(plant(tree, site)) + "\n")
                began = time.monotonic()
                survived = _run(tree_root, tests, args.timeout)
                path.write_text(original)
                reason = equivalents.get((module, site.line, site.operator, site.description))
                outcome = Outcome(module, site, not survived, time.monotonic() - began, reason)
                outcomes.append(outcome)
                verdict = {"killed": "killed", "survived": "SURVIVED", "equivalent": "equiv"}[outcome.verdict]
                stale = " (listed as equivalent)" if outcome.killed and reason is not None else ""
                print(
                    f"{verdict:8} {module}:{site.line} {site.operator} {site.description}{stale} "
                    f"({outcome.seconds:.1f}s)",
                    flush=True,
                )
    table = summary(outcomes)
    for module, counts in table.items():
        print(
            f"{module}: {counts['killed']:.0f} killed, {counts['survived']:.0f} survived, "
            f"{counts['equivalent']:.0f} equivalent; score {counts['score']}% of non-equivalent"
        )
    print(f"in {time.monotonic() - started:.0f}s")
    if args.json:
        rows = [{**asdict(o), "site": asdict(o.site), "verdict": o.verdict} for o in outcomes]
        args.json.write_text(json.dumps({"summary": table, "outcomes": rows}, indent=2) + "\n")
    return 0 if table["total"]["survived"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
