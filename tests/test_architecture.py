"""The tree's promises, checked by reading every module's imports (nothing is executed).

- Only the Discord layer (`bot.discord_app`) and `cogs` import `discord`: the pipeline, storage
  and the rest run in the CLI, in worker processes and in tests without it.
- The packages inside `bot/` form layers: no import cycle between two packages, so each can be
  read, tested and replaced from the bottom up.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.helpers.paths import REPO

DISCORD_PACKAGES = ("discord", "aiohttp.web")
MAY_IMPORT_DISCORD = ("bot.discord_app", "cogs")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for top in ("bot", "cogs", "config"):
        for path in sorted((REPO / top).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> list[str]:
    """Every module name `module` imports, including lazy imports inside functions."""
    names: list[str] = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.append(base)
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_only_the_discord_layer_and_cogs_import_discord() -> None:
    offenders = [
        f"{module} imports {name}"
        for module, path in _modules().items()
        if not _within(module, MAY_IMPORT_DISCORD)
        for name in _imports(module, path)
        if _within(name, ("discord",))
    ]
    assert offenders == []


def _package_of(module: str) -> str:
    """`bot.quotes.finder` → `bot.quotes`; `bot`'s own modules (`bot.models`, …) → `bot`,
    the shared kernel every layer may use and which must use none of them."""
    if module == "bot.__main__":  # `python -m bot` is the CLI's entry point
        return "bot.cli"
    parts = module.split(".")
    if parts[0] == "bot" and len(parts) > 1 and _is_package(".".join(parts[:2])):
        return ".".join(parts[:2])
    return parts[0]


def _is_package(module: str) -> bool:
    return (REPO / Path(*module.split(".")) / "__init__.py").is_file()


def _package_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        source = _package_of(module)
        for name in _imports(module, path):
            target = next(
                (_package_of(m) for m in (name, name.rpartition(".")[0]) if m in modules), None
            )
            if target is not None and target != source:
                graph[source].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_packages_import_each_other_without_cycles() -> None:
    assert _cycle(_package_graph()) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_reader_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    import discord\nfrom .sibling import x\n")
    assert sorted(_imports("bot.pkg.mod", source)) == [
        "bot.pkg.sibling",
        "bot.pkg.sibling.x",
        "discord",
    ]


def test_every_package_in_bot_is_seen() -> None:
    packages = {_package_of(m) for m in _modules()}
    assert {"bot", "bot.network", "bot.storage", "bot.discord_app", "bot.text", "cogs"} <= packages
