"""The shape of the package, read from its imports: `python -m bench.structure [FOLDER …]`.

Prints, for each checkout folder given (default: this one), the figures a newcomer meets first:
modules at the top of locator/, packages, the longest file, the longest chain of imports between
modules (import depth) and the import cycles. Give an old checkout beside this one to compare,
e.g. `git worktree add /tmp/old <commit> && python -m bench.structure /tmp/old .`.
tests/unit/test_architecture.py holds the rules these figures are checked against.
"""

import argparse
import ast
import os
from dataclasses import dataclass
from functools import cache

PACKAGE = "locator"


@dataclass(frozen=True)
class Module:
    """One module of the package: its dotted name, file, length and what it imports."""

    name: str
    path: str
    lines: int
    imports: frozenset[str]  # dotted names of the package's own modules it imports, anywhere in it
    external: frozenset[str]  # top-level names of other distributions (flask, sqlite3, …)


def read_package(root: str) -> dict[str, Module]:
    """Every module under root/locator, with its imports resolved to modules of the package."""
    top = os.path.join(root, PACKAGE)
    paths = {}
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")) and d != "translations")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                dotted = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
                paths[dotted.removesuffix(".__init__")] = path
    return {name: _read_module(name, path, set(paths)) for name, path in paths.items()}


def _read_module(name: str, path: str, known: set[str]) -> Module:
    """One module's length and imports (function-level imports count: they are edges too)."""
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    is_package = path.endswith("__init__.py")
    own, external = set(), set()
    for node in ast.walk(ast.parse(source, path)):
        for target in _targets(node, name, is_package):
            if target.split(".")[0] == PACKAGE:
                resolved = _known_prefix(target, known)
                if resolved and resolved != name:
                    own.add(resolved)
            else:
                external.add(target.split(".")[0])
    return Module(name, path, source.count("\n"), frozenset(own), frozenset(external))


def _targets(node: ast.AST, name: str, is_package: bool) -> list[str]:
    """The dotted names an import statement reaches (`from a import b` may reach module a.b)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parts = name.split(".")[:len(name.split(".")) - node.level + (1 if is_package else 0)]
        base = ".".join(parts + ([base] if base else []))
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def _known_prefix(dotted: str, known: set[str]) -> str | None:
    """The longest module of the package that `dotted` names or lies inside."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def cycles(modules: dict[str, Module]) -> list[list[str]]:
    """Groups of modules that import each other in a circle (strongly connected, Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for other in sorted(_edges(modules, name)):
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in on_stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            group = []
            while not group or group[-1] != name:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                found.append(sorted(group))

    for name in sorted(modules):
        if name not in index:
            visit(name)
    return found


def _edges(modules: dict[str, Module], name: str) -> set[str]:
    """The modules `name` imports, without the package __init__ files it passes through."""
    return {m for m in modules[name].imports if m in modules and m != PACKAGE}


def import_depth(modules: dict[str, Module]) -> tuple[int, list[str]]:
    """The longest chain of imports (in modules) and the chain itself; cycles are cut."""
    @cache
    def longest(name: str, seen: frozenset[str]) -> tuple[str, ...]:
        best: tuple[str, ...] = ()
        for other in sorted(_edges(modules, name) - seen):
            chain = longest(other, seen | {other})
            if len(chain) > len(best):
                best = chain
        return (name, *best)

    chain = max((longest(name, frozenset({name})) for name in sorted(modules)), key=len)
    return len(chain), list(chain)


def by_area(modules: dict[str, Module]) -> dict[str, Module]:
    """The same graph one level up: each package or top-level module of locator/ as one node."""
    def area(name: str) -> str:
        return ".".join(name.split(".")[:2])

    merged: dict[str, set[str]] = {}
    lines: dict[str, int] = {}
    for name, module in modules.items():
        if name == PACKAGE:
            continue
        key = area(name)
        merged.setdefault(key, set()).update(area(m) for m in module.imports if m != PACKAGE)
        lines[key] = lines.get(key, 0) + module.lines
    return {key: Module(key, os.path.join(PACKAGE, key), lines[key],
                        frozenset(targets - {key}), frozenset())
            for key, targets in merged.items()}


def top_level_modules(modules: dict[str, Module]) -> list[str]:
    """Modules directly in locator/ (its __init__ counts as one)."""
    return sorted(name for name, m in modules.items()
                  if os.path.dirname(m.path).endswith(os.sep + PACKAGE))


def packages(modules: dict[str, Module]) -> list[str]:
    """The sub-packages of locator/."""
    return sorted(name for name, m in modules.items()
                  if name != PACKAGE and m.path.endswith("__init__.py"))


def summary(root: str) -> dict[str, str]:
    """The figures for one checkout, as printable strings."""
    modules = read_package(root)
    longest = max(modules.values(), key=lambda m: m.lines)
    depth, chain = import_depth(modules)
    found = cycles(modules)
    areas = by_area(modules)
    layers, layer_chain = import_depth(areas)
    return {
        "modules (all)": str(len(modules)),
        "top-level modules": str(len(top_level_modules(modules))),
        "packages": str(len(packages(modules))),
        "longest file": f"{os.path.relpath(longest.path, root)} ({longest.lines} lines)",
        "import depth": f"{depth} ({' → '.join(n.removeprefix('locator.') for n in chain)})",
        "import cycles": "; ".join(" ↔ ".join(c) for c in found) or "none",
        "areas (packages and top-level modules)": str(len(areas)),
        "area layers": f"{layers} ({' → '.join(n.removeprefix('locator.') for n in layer_chain)})",
        "area cycles": "; ".join(" ↔ ".join(c) for c in cycles(areas)) or "none",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=["."], help="checkouts to measure")
    args = parser.parse_args()
    for folder in args.folders:
        print(f"\n## {os.path.abspath(folder)}\n")
        print("| figure | value |\n|---|---|")
        for figure, value in summary(folder).items():
            print(f"| {figure} | {value} |")


if __name__ == "__main__":
    main()
