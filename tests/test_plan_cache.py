"""`diff` plans the base and the working tree at once, keeps base plans per commit, and reuses the working
tree's plan that `plan` just made. Each reuse is proven by making the work it skips impossible."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from components.cli import diff_run, plan_cache, working_tree


def _impossible(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("this work should have been skipped")


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """This checkout as the working tree, with a cache of its own."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return ROOT


def test_diff_reuses_the_plan_just_made_and_the_base_it_made_before(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli("plan", "--stack", "dev", "--format", "json")
    assert code == 0
    monkeypatch.setattr(working_tree, "planned", _impossible)
    first = diff_run.run("dev", "HEAD", None, here)
    monkeypatch.setattr(diff_run, "materialise", _impossible)
    monkeypatch.setattr(diff_run, "spawn", _impossible)
    second = diff_run.run("dev", "HEAD", None, here)
    assert [c.urn for c in first.changed] == [c.urn for c in second.changed]
    assert json.loads(out)["resources"]  # what was kept is the plan `plan` printed


def test_a_changed_stack_file_is_planned_again(here: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = tmp_path / "s.yaml"
    stack.write_text((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    assert run_cli("plan", "--stack", "s", "--config", str(stack), "--format", "json")[0] == 0
    assert plan_cache.load(working_tree.head_entry("s", str(stack))) is not None
    stack.write_text(stack.read_text().replace("uploads/", "incoming/"))
    assert plan_cache.load(working_tree.head_entry("s", str(stack))) is None
    calls: list[tuple[Any, ...]] = []
    real = working_tree.planned

    def counted(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(working_tree, "planned", counted)
    plan = working_tree.head_plan("s", str(stack))
    assert calls and "incoming/" in json.dumps(plan)


def test_a_damaged_or_foreign_entry_is_a_miss(here: Path) -> None:
    entry = plan_cache.key("test")
    for text in ("{not json", '{"resources": "no list"}', "[]"):
        plan_cache.directory().mkdir(parents=True, exist_ok=True)
        (plan_cache.directory() / f"{entry}.json").write_text(text)
        assert plan_cache.load(entry) is None
    plan_cache.store(entry, '{"resources": []}')
    assert plan_cache.load(entry) == {"resources": []}


def test_the_cache_can_be_turned_off(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRSA_PLAN_CACHE", "0")
    assert run_cli("plan", "--stack", "dev", "--format", "json")[0] == 0
    assert not plan_cache.directory().exists()


def test_the_base_is_started_before_the_working_tree_is_planned(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diff_run, "same_code", lambda root, tree: False)  # a base whose code differs
    events = []
    for module, name in (
        (diff_run, "spawn"),
        (diff_run, "launch"),
        (working_tree, "head_plan"),
        (diff_run, "finish_plan"),
    ):
        real = getattr(module, name)

        def traced(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            events.append(f"{_name} begins")
            result = _real(*args, **kwargs)
            events.append(f"{_name} ends")
            return result

        monkeypatch.setattr(module, name, traced)
    diff_run.run("dev", "HEAD", None, here)
    assert events == [
        "spawn begins",
        "spawn ends",  # the base's interpreter warms up from here on, while its tree is unpacked ...
        "launch begins",
        "launch ends",  # ... and plans it from here on ...
        "head_plan begins",  # ... while this process plans the working tree
        "head_plan ends",
        "finish_plan begins",
        "finish_plan ends",
    ]


def test_the_base_gets_bytecode_only_for_identical_modules(tmp_path: Path) -> None:
    from components.cli.git_tree import reuse_bytecode

    root, tree = tmp_path / "work", tmp_path / "base"
    for where in (root, tree):
        (where / "components").mkdir(parents=True)
    (root / "components" / "same.py").write_text("X = 1\n")
    (root / "components" / "changed.py").write_text("X = 2\n")
    (tree / "components" / "same.py").write_text("X = 1\n")
    (tree / "components" / "changed.py").write_text("X = 3\n")
    import py_compile

    for name in ("same", "changed"):
        py_compile.compile(str(root / "components" / f"{name}.py"))
    assert reuse_bytecode(root, tree) == 1
    cached = list((tree / "components" / "__pycache__").iterdir())
    assert [p.name.split(".")[0] for p in cached] == ["same"]
    assert (tree / "components" / "same.py").stat().st_mtime_ns == (root / "components" / "same.py").stat().st_mtime_ns


def test_a_base_with_this_code_is_planned_here_as_its_own_process_would(here: Path, tmp_path: Path) -> None:
    from components.cli.git_tree import git_root, materialise, resolve

    tree = tmp_path / "base"
    tree.mkdir()
    materialise(here, resolve(git_root(here), "HEAD"), tree)
    stack_file = tree / "stacks" / "Pulumi.payments.yaml"
    planned_here = working_tree.plan_of_file("payments", stack_file, "stacks/Pulumi.payments.yaml")
    assert planned_here["resources"] and planned_here == diff_run.plan_at(tree, "payments", None)


def test_a_base_with_this_code_needs_no_second_process(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diff_run, "same_code", lambda root, tree: True)
    monkeypatch.setattr(diff_run, "spawn", _impossible)
    assert diff_run.run("payments", "HEAD", None, here).base == "HEAD"


def test_same_code_is_what_git_says_of_components(repo: Path) -> None:
    from components.cli.git_tree import resolve, same_code

    commit = resolve(repo, "HEAD")
    assert same_code(repo, commit)
    (repo / "stacks" / "Pulumi.dev.yaml").write_text("config: {}\n")  # a stack edit is not a code edit
    assert same_code(repo, commit)
    module = repo / "components" / "core" / "names.py"
    module.write_text(module.read_text() + "\n# changed\n")
    assert not same_code(repo, commit)


def test_diff_refuses_a_stack_name_that_is_a_path(here: Path) -> None:
    from components.core.problems import InvalidInput

    with pytest.raises(InvalidInput, match=r"--stack: '\.\./x' is not a stack name"):
        diff_run.run("../x", "HEAD", None, here)


def test_a_variable_the_kubernetes_sdk_reads_changes_the_key(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = plan_cache.key("x")
    monkeypatch.setenv("PULUMI_K8S_DELETE_UNREACHABLE", "true")
    assert plan_cache.key("x") != before
