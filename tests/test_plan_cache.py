"""`diff` plans the base and the working tree at once and keeps base plans per commit (each reuse proven by making
the work it skips impossible); the working tree is planned every time; the cache trusts nothing it did not write."""

from __future__ import annotations

import os
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


def test_diff_reuses_the_base_it_made_before_and_plans_the_working_tree_each_time(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = diff_run.run("dev", "HEAD", None, here)
    calls: list[Any] = []
    real = working_tree.planned

    def counted(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(working_tree, "planned", counted)
    monkeypatch.setattr(diff_run, "materialise", _impossible)
    monkeypatch.setattr(diff_run, "spawn", _impossible)
    second = diff_run.run("dev", "HEAD", None, here)
    assert [c.urn for c in first.changed] == [c.urn for c in second.changed]
    assert calls  # the working tree is planned again, from the file as it is now


def test_plan_keeps_nothing_a_later_diff_could_read(here: Path) -> None:
    assert run_cli("plan", "--stack", "dev", "--format", "json")[0] == 0
    assert not plan_cache.directory().exists() or not list(plan_cache.directory().iterdir())


def _entry(text: str = '{"resources": []}') -> tuple[str, Path]:
    entry = plan_cache.key("test")
    plan_cache.store(entry, text)
    return entry, plan_cache.directory() / f"{entry}.json"


def test_a_damaged_entry_is_a_miss(here: Path) -> None:
    entry, path = _entry()
    assert plan_cache.load(entry) == {"resources": []}
    for text in ("{not json", '{"resources": "no list"}', "[]", "\udcff"):
        path.write_text(text, errors="surrogateescape")
        assert plan_cache.load(entry) is None


def test_a_fifo_a_link_or_another_users_entry_is_a_miss_without_waiting(here: Path, tmp_path: Path) -> None:
    entry, path = _entry()
    path.unlink()
    os.mkfifo(path)  # no writer: reading it would block forever
    assert plan_cache.load(entry) is None
    path.unlink()
    target = tmp_path / "elsewhere.json"
    target.write_text('{"resources": []}')
    path.symlink_to(target)
    assert plan_cache.load(entry) is None
    path.unlink()
    path.write_text('{"resources": []}')
    os.chown(path, 4242, 4242)  # the tests run as root here; elsewhere skip what cannot be staged
    assert plan_cache.load(entry) is None


def test_a_directory_others_may_write_is_not_used(here: Path) -> None:
    entry, _ = _entry()
    plan_cache.directory().chmod(0o777)
    assert plan_cache.load(entry) is None
    plan_cache.store(plan_cache.key("other"), '{"resources": []}')
    assert not (plan_cache.directory() / f"{plan_cache.key('other')}.json").exists()


def test_a_new_directory_is_private(here: Path) -> None:
    _entry()
    assert plan_cache.directory().stat().st_mode & 0o777 == 0o700


def test_the_oldest_entries_are_evicted(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_cache, "MAX_ENTRIES", 3)
    for i in range(5):
        plan_cache.store(plan_cache.key(str(i)), '{"resources": []}')
        os.utime(plan_cache.directory() / f"{plan_cache.key(str(i))}.json", ns=(i * 10**9, i * 10**9))
    plan_cache.store(plan_cache.key("last"), '{"resources": []}')
    kept = {p.stem for p in plan_cache.directory().glob("*.json")}
    assert kept == {plan_cache.key(x) for x in ("3", "4", "last")}


def test_a_config_that_is_a_device_or_a_fifo_gives_no_key(here: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "stack.yaml"
    os.mkfifo(fifo)
    assert plan_cache.base_key("abc", "dev", str(fifo)) is None
    assert plan_cache.base_key("abc", "dev", "/dev/zero") is None


def test_the_cache_can_be_turned_off(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRSA_PLAN_CACHE", "0")
    diff_run.run("dev", "HEAD", None, here)
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


# --- whose cache: every directory from the root down is this user's (issue 32) ------------------------------------

OTHER_UID = 4242  # the tests run as root here, which can stage another user's files


def _victim_tree(tmp_path: Path) -> Path:
    """A tree of this user's with a private `plans/` folder holding files of its own."""
    victim = tmp_path / "victim"
    (victim / "plans").mkdir(parents=True, mode=0o700)
    for i in range(3):
        (victim / "plans" / f"mine-{i}.json").write_text("{}")
    return victim


def test_an_irsa_link_planted_in_a_shared_cache_root_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = _victim_tree(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o700)
    (shared / "irsa").symlink_to(victim)
    os.lchown(shared / "irsa", OTHER_UID, OTHER_UID)  # another user planted it
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    monkeypatch.setattr(plan_cache, "MAX_ENTRIES", 0)  # eviction would remove every entry it can see
    plan_cache.store(plan_cache.key("x"), '{"resources": []}')
    assert sorted(p.name for p in (victim / "plans").iterdir()) == [f"mine-{i}.json" for i in range(3)]
    err = capsys.readouterr().err.splitlines()
    assert err == [f"warning: the plan cache is not used: {shared / 'irsa'}: is a symbolic link "
                   f"(remove it: irsa creates {shared / 'irsa'} itself)"]  # fmt: skip


def test_a_link_of_this_users_own_is_not_followed_either(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = _victim_tree(tmp_path)
    (tmp_path / "cache").mkdir(mode=0o700)
    (tmp_path / "cache" / "irsa").symlink_to(victim)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(plan_cache, "MAX_ENTRIES", 0)
    plan_cache.store(plan_cache.key("x"), '{"resources": []}')
    assert len(list((victim / "plans").iterdir())) == 3


@pytest.mark.parametrize("owner_of", ["root", "irsa", "plans"])
def test_a_cache_directory_of_another_user_is_refused_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], owner_of: str
) -> None:
    root = tmp_path / "cache"
    (root / "irsa" / "plans").mkdir(parents=True, mode=0o700)
    for d in (root, root / "irsa", root / "irsa" / "plans"):
        d.chmod(0o700)
    other = {"root": root, "irsa": root / "irsa", "plans": root / "irsa" / "plans"}[owner_of]
    os.chown(other, OTHER_UID, OTHER_UID)
    monkeypatch.setenv("XDG_CACHE_HOME", str(root))
    entry = plan_cache.key("y")
    plan_cache.store(entry, '{"resources": []}')
    assert not (root / "irsa" / "plans" / f"{entry}.json").exists()
    assert plan_cache.load(entry) is None
    (line,) = capsys.readouterr().err.splitlines()  # once, however often the cache is asked
    assert line.startswith(f"warning: the plan cache is not used: {other}: is owned by uid {OTHER_UID}, not by you")


def test_a_cache_root_under_a_directory_others_may_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o777)  # not sticky: anyone may rename what it holds
    monkeypatch.setenv("XDG_CACHE_HOME", str(open_dir / "cache"))
    plan_cache.store(plan_cache.key("z"), '{"resources": []}')
    assert not (open_dir / "cache").exists()
    assert "may be written by others (mode 0777, not sticky)" in capsys.readouterr().err


def test_stack_outputs_that_are_a_device_or_a_fifo_end_in_one_line_at_once(
    here: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "outputs.json"
    os.mkfifo(fifo)  # no writer: reading it would block, and --timeout is not armed yet
    for given in ("/dev/zero", str(fifo)):
        code, out, err = run_cli("diff", "--stack", "app-orders", "--base", "HEAD",
                                 "--stack-outputs", f"organization/irsa/platform={given}")  # fmt: skip
        assert (code, out) == (2, "")
        assert err.splitlines() == [f'--stack-outputs organization/irsa/platform: "{given}" is not a regular file '
                                    "(a platform outputs file, not a device or pipe)"]  # fmt: skip
