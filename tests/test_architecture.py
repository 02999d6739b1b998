"""The house rules, checked on the code as Python sees it: the core loads no Pulumi, no module imports
itself round a cycle, and no module grows past what one reader holds in mind."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "components"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """Every components.* module `name` imports, at any depth of its code, outside `if TYPE_CHECKING:`; an
    import of a package's submodule also runs (and so depends on) that package's __init__."""
    tree = ast.parse(MODULES[name].read_text())
    skipped = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        for n in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            targets = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            while target:  # the module and every package above it
                found.add(target)
                target = target.rpartition(".")[0]
    return found - {name, "components"} if name != "components" else found - {name}


def test_the_pure_core_imports_no_pulumi() -> None:
    core = [m for m in MODULES if m.startswith("components.core")]
    code = (
        f"import sys\nfor m in {core!r}: __import__(m)\nprint(sorted(m for m in sys.modules if m.startswith('pulumi')))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert len(core) >= 15


def test_the_package_and_the_command_line_start_without_the_cloud_sdks() -> None:
    code = (
        "import sys, components, components.cli.main\nprint(sorted(m for m in sys.modules if m.startswith('pulumi')))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def test_components_still_load_from_the_package() -> None:
    import components

    assert components.WorkloadIdentity.__name__ == "WorkloadIdentity"
    with pytest.raises(AttributeError):
        components.NoSuchThing  # noqa: B018


def test_no_import_cycles() -> None:
    graph = {name: imports_of(name) for name in MODULES}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        assert name not in visiting, f"import cycle: {' → '.join([*visiting[visiting.index(name) :], name])}"
        visiting.append(name)
        for target in sorted(graph[name]):
            visit(target)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert graph["components.core.config.parse"] >= {"components.core.config.cluster", "components.core.model"}


def _reached(start: str) -> set[str]:
    seen: set[str] = set()
    waiting = [start]
    while waiting:
        name = waiting.pop()
        if name not in seen and name in MODULES:
            seen.add(name)
            waiting += sorted(imports_of(name))
    return seen


def test_the_config_reader_does_not_depend_on_the_planner() -> None:
    """config/ reads and validates; what a plan makes of the result (size quotas) is core/settings.py's."""
    planner = {"components.core.workload_plan", "components.core.stack_plan"}
    readers = [name for name in MODULES if name.startswith("components.core.config")]
    assert len(readers) > 5
    assert {name: sorted(_reached(name) & planner) for name in readers if _reached(name) & planner} == {}


def test_the_core_imports_only_the_core() -> None:
    for name in MODULES:
        if name.startswith("components.core"):
            outside = {m for m in imports_of(name) if not m.startswith("components.core")}
            assert outside <= {"components"}, f"{name} imports {outside}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_readable(name: str) -> None:
    assert len(MODULES[name].read_text().splitlines()) <= MAX_LINES


LOADED = """\
import contextlib, importlib.util, io, sys
from components.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main.main(["plan", "--stack", sys.argv[1]])
lazy = importlib.util._LazyModule  # registered by an SDK's package, never executed
print("\\n".join(sorted(m for m, mod in sys.modules.items() if not isinstance(mod, lazy))))
"""


@pytest.mark.parametrize(
    "stack,absent",
    [
        ("dev", ("pulumi_azure_native", "pulumi_kubernetes.apps.v1", "pulumi_kubernetes.networking.v1",
                 "components.cross_account_role")),
        ("staging", ("pulumi_kubernetes.apps.v1", "components.cross_account_role")),
        ("cross-account", ("pulumi_azure_native", "pulumi_kubernetes.apps.v1")),
    ],
)  # fmt: skip
def test_a_plan_imports_only_what_its_stack_uses(stack: str, absent: tuple[str, ...]) -> None:
    """Start-up: no Azure for EKS stacks, no cross-account code unless configured, and of the Kubernetes SDK
    only the modules of the classes it registers (core/v1, batch/v1)."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED, stack],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "IRSA_PLAN_CACHE": "0"},
    )
    loaded = done.stdout.split()
    assert done.returncode == 0 and "components.program" in loaded, done.stderr
    assert [m for m in loaded if m.startswith(absent)] == []
