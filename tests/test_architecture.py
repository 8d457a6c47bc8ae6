"""Imports run downhill: each part of `app/` imports only parts declared below it, so there is no cycle and a
domain never reaches up into what is built on it (the README's Layout section states the same order).

The graph is read from the source (`ast`), every import counted wherever it sits (module level, inside a
function, under `TYPE_CHECKING`): a part of `app/` is a top-level package (`app/registry/`) or module
(`app/config.py`). It is read once for the module's checks: parsing every module of `app/` is what they cost.
"""

import ast
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"

# From the bottom up. A part may import the parts of lower layers only: not its own layer's other parts (peers
# stay independent), never a higher layer.
LAYERS: list[set[str]] = [
    # The shared kernel: no domain.
    {"asgi"},  # the base of the pure ASGI middlewares
    {"labels"},  # the French label of every code (pages, dashboards, e-mails, messages)
    {"errors"},
    {"observability"},  # logs and metrics
    {"collector"},  # the garbage collector paused around work making many objects (batches, XLSX exports)
    {"config"},
    {"database"},
    {"locks"},  # cross-process locks (advisory locks, file lock): designation, the scheduler and the CLI take them
    {"ratelimit"},  # request counters shared by every worker, in the database
    {"responses"},
    {"types"},  # bounded input types (text, ids, dates) shared by every schema
    {"dependencies"},
    # The domains, in the order the brief gives.
    {"geo"},  # reference geography: communes, départements, tribunals
    {"auth"},  # request-time authentication: who is calling, what they may see
    {"oidc"},  # OpenID Connect relying party (ProConnect): the protocol only, no account nor session
    {"registry"},  # professionals, sites, establishments, measures, load counters
    {"matching"},  # the ranking engine, its index and the registry version stamp
    {"audit"},  # match requests and designation events
    {"notifications"},  # the outbox: imports no domain, used by designation
    {"designation"},  # reservations, acceptance, expiry
    {"vendors"},  # vendors' OAuth2 clients and tokens, their rate limit and call log (the scheduler purges the log)
    {"targets"},  # the regional schéma's targets and what the register counts for them (the dashboards compare)
    # What is built on the domains: the professionals' software routes, dashboards, token issuance (it checks a
    # scope against the registry), the scheduled jobs (expiry, outbox delivery, audit purge).
    {"professionals", "dashboards", "tokens", "scheduler", "finess"},  # finess: the FINESS extracts import
    {"editors"},  # e-MJPM's vendor API: its routes over the professionals' batch engine, for the vendors
    {"transfer", "accounts", "planning"},  # transfer plans (export through the dashboards' tables); accounts
    # (check scopes with token issuance, invite through the outbox); planning (simulations of the offer, in memory,
    # over the matching engine, within the dashboards' perimeter)
    {"web"},  # the pages: they render the dashboards' declared tables and the transfer plans
    {"docs"},  # /docs and /redoc from the installed package, under the pages' security headers
    {"models"},  # every table, for Alembic (the transfer plans' included)
    {"migrations"},  # the Alembic environment and revisions
    {"system"},  # health, readiness (the migrations' head) and metrics
    {"demo"},  # synthetic data: may import every domain
    {"main"},  # the application factory
    {"cli"},
]


def _layer_of(layers: list[set[str]]) -> dict[str, int]:
    return {part: level for level, parts in enumerate(layers) for part in parts}


def _statements(node: ast.AST) -> Iterator[ast.AST]:
    """Every statement under `node`, however nested (function and class bodies, branches, handlers, cases). An import
    is a statement and no expression holds a statement, so expressions, most of the tree, are not walked."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
            yield child
            yield from _statements(child)


def _imported_parts(path: Path, app: Path) -> set[str]:
    """The parts of `app` a module imports (`app.x...` absolute, or relative inside a package)."""
    module = path.relative_to(app.parent).with_suffix("").parts  # ("app", "registry", "service")
    package = module[:-1]  # ("app", "registry"): where a relative import starts
    found: set[str] = set()
    for node in _statements(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            target = [*base, *(node.module.split(".") if node.module else [])]
            # `from app import models` names parts; `from app.geo import x` names modules of one part.
            names = (
                [".".join([*target, alias.name]) for alias in node.names] if target == ["app"] else [".".join(target)]
            )
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "app" and len(parts) > 1:
                found.add(parts[1])
    return found


def import_graph(app: Path = APP) -> dict[str, dict[str, set[str]]]:
    """part -> imported part -> the files (relative to the repository) whose imports draw that arrow."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in sorted(app.rglob("*.py")):
        relative = path.relative_to(app)
        if relative == Path("__init__.py"):
            continue
        part = relative.parts[0].removesuffix(".py")
        arrows = graph.setdefault(part, {})
        for target in _imported_parts(path, app) - {part}:
            arrows.setdefault(target, set()).add(str(path.relative_to(app.parent)))
    return graph


def undeclared(graph: Mapping[str, Mapping[str, Iterable[str]]], layers: list[set[str]]) -> set[str]:
    declared = _layer_of(layers)
    return {p for part, arrows in graph.items() for p in (part, *arrows) if p not in declared}


def arrows_not_downhill(graph: Mapping[str, Mapping[str, Iterable[str]]], layers: list[set[str]]) -> list[str]:
    level = _layer_of(layers)
    return [
        f"{part} (layer {level[part]}) imports {target} (layer {level[target]}) in {', '.join(sorted(files))}"
        for part, arrows in sorted(graph.items())
        for target, files in sorted(arrows.items())
        if part in level and target in level and level[target] >= level[part]
    ]


def cycles(graph: Mapping[str, Mapping[str, Iterable[str]]]) -> list[list[str]]:
    """Each strongly connected group of more than one part (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


# --- the checks ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, set[str]]]:
    return import_graph()


def test_every_part_of_app_has_a_declared_layer(graph):
    assert {"geo", "auth", "registry", "matching", "designation", "demo", "cli"} <= set(graph)
    assert not undeclared(graph, LAYERS), "declare these parts of app/ in LAYERS (and the README's Layout)"
    assert len(_layer_of(LAYERS)) == sum(len(parts) for parts in LAYERS), "a part is declared twice"


def test_imports_run_downhill(graph):
    assert arrows_not_downhill(graph, LAYERS) == []


def test_no_import_cycle(graph):
    assert cycles(graph) == []


def test_the_checks_catch_what_they_look_for(tmp_path):
    """The three checks above, on a small made-up `app` with an arrow back up and a cycle."""
    (tmp_path / "app" / "low").mkdir(parents=True)
    (tmp_path / "app" / "high").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "low" / "__init__.py").write_text("")
    (tmp_path / "app" / "low" / "service.py").write_text("def f():\n    from app.high import service\n")
    (tmp_path / "app" / "high" / "__init__.py").write_text("")
    (tmp_path / "app" / "high" / "service.py").write_text("from app.low.service import f\nfrom . import other\n")
    (tmp_path / "app" / "high" / "other.py").write_text("from app import config, low\n")
    (tmp_path / "app" / "config.py").write_text("import os\n")
    graph = import_graph(tmp_path / "app")
    assert {part: set(arrows) for part, arrows in graph.items()} == {
        "low": {"high"},
        "high": {"low", "config"},
        "config": set(),
    }
    layers = [{"config"}, {"low"}, {"high"}]
    assert arrows_not_downhill(graph, layers) == ["low (layer 1) imports high (layer 2) in app/low/service.py"]
    assert cycles(graph) == [["high", "low"]]
    assert undeclared(graph, [{"low"}, {"high"}]) == {"config"}
    assert arrows_not_downhill(graph, [{"config"}, {"low", "high"}]) == [
        "high (layer 1) imports low (layer 1) in app/high/other.py, app/high/service.py",
        "low (layer 1) imports high (layer 1) in app/low/service.py",
    ]
