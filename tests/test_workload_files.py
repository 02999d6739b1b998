"""Workloads in files beside the stack file (`irsa:workloadFiles`): read by `plan` and the stack program alike,
bounded, inside the stack file's directory; problems name the file and its own index."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.cli import workload_files
from components.cli.plan import run_plan
from components.cli.stackfile import parse_yaml, settings_of
from components.core.config import engine_config
from components.core.model import ConfigError

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "stacks" / "Pulumi.shared-roles.yaml"


def _split(tmp_path: Path, names: list[str] | None = None) -> tuple[Path, dict[str, Any]]:
    """The shipped shared-roles stack with its workloads in two files under teams/; the stack file's path."""
    config = yaml.safe_load(SHIPPED.read_text())["config"]
    workloads = config.pop("irsa:workloads")
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "media.yaml").write_text(yaml.safe_dump({"workloads": workloads[:3]}))
    (tmp_path / "teams" / "finance.yaml").write_text(yaml.safe_dump({"workloads": workloads[3:]}))
    config["irsa:workloadFiles"] = names or ["teams/media.yaml", "teams/finance.yaml"]
    path = tmp_path / "Pulumi.shared-roles.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path, config


def _problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        settings_of(path, "stacks/Pulumi.shared-roles.yaml", "shared-roles", count=False)
    return [str(p) for p in raised.value.problems]


def test_a_stack_split_into_files_plans_as_the_stack_written_inline(tmp_path: Path) -> None:
    path, _ = _split(tmp_path)
    split = run_plan(settings_of(path, "stacks/Pulumi.shared-roles.yaml", "shared-roles", count=False)).to_dict()
    inline = run_plan(settings_of(SHIPPED, "stacks/Pulumi.shared-roles.yaml", "shared-roles", count=False)).to_dict()
    assert split["resources"] == inline["resources"] and split["summary"] == inline["summary"]


def test_the_config_the_engine_hands_over_stays_small(tmp_path: Path) -> None:
    _, config = _split(tmp_path)
    assert engine_config.config_variable_bytes(config) < 1000


def test_problems_and_warnings_name_the_file_and_its_own_index(tmp_path: Path) -> None:
    path, _ = _split(tmp_path)
    settings = settings_of(path, "stacks/Pulumi.shared-roles.yaml", "shared-roles", count=False)
    assert any(w.startswith("stacks/teams/finance.yaml: workloads[0].sharedRole:") for w in settings.warnings)
    finance = tmp_path / "teams" / "finance.yaml"
    document = yaml.safe_load(finance.read_text())
    document["workloads"][1]["dynamodb"][0]["access"] = "everything"
    finance.write_text(yaml.safe_dump(document))
    found = _problems(path)
    assert any(p.startswith("stacks/teams/finance.yaml: workloads[1].dynamodb[0].access:") for p in found), found


def test_a_workload_named_twice_across_files_is_named_in_both(tmp_path: Path) -> None:
    path, _ = _split(tmp_path)
    finance = tmp_path / "teams" / "finance.yaml"
    document = yaml.safe_load(finance.read_text())
    document["workloads"][0]["name"] = "resizer"
    finance.write_text(yaml.safe_dump(document))
    found = _problems(path)
    assert any(p.startswith("stacks/teams/finance.yaml: workloads[0].name:") and "media.yaml: workloads[0]" in p
               for p in found), found  # fmt: skip


@pytest.mark.parametrize(
    ("item", "wrong"),
    [
        ("/etc/passwd.yaml", "is not a workload file's path"),
        ("../outside.yaml", "is not a workload file's path"),
        ("teams/media.yml", "is not a workload file's path"),
        ("teams/./media.yaml", "is not a workload file's path"),
        ("teams/link.yaml", "leads out of the stack file's directory"),
        ("teams/media.yaml", "is named twice"),
    ],
)
def test_a_path_out_of_the_stack_directory_is_refused(tmp_path: Path, item: str, wrong: str) -> None:
    path, config = _split(tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text(yaml.safe_dump({"workloads": []}))
    os.symlink(outside, tmp_path / "teams" / "link.yaml")
    config["irsa:workloadFiles"] = ["teams/media.yaml", item]
    path.write_text(yaml.safe_dump({"config": config}))
    found = _problems(path)
    assert any(p.startswith("irsa:workloadFiles[1]:") and wrong in p for p in found), found


def test_an_unreadable_or_wrong_file_is_one_line_each(tmp_path: Path) -> None:
    path, _ = _split(tmp_path)
    (tmp_path / "teams" / "media.yaml").write_text("workloads: [unclosed\n")
    (tmp_path / "teams" / "finance.yaml").write_text(yaml.safe_dump({"workload": []}))
    found = _problems(path)
    assert [p.split(":")[0] for p in found] == ["stacks/teams/media.yaml", "stacks/teams/finance.yaml"], found
    assert "is not a workload file" in found[1]


def test_a_file_past_one_mebibyte_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path, _ = _split(tmp_path)
    (tmp_path / "teams" / "media.yaml").write_bytes(b"#" * (1024 * 1024 + 1))
    [line] = [p for p in _problems(path) if "media.yaml" in p]
    assert "1048577 bytes" in line and "at most 1048576" in line


def test_an_alias_bomb_in_a_workload_file_is_refused(tmp_path: Path) -> None:
    path, _ = _split(tmp_path)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    (tmp_path / "teams" / "media.yaml").write_text(bomb)
    assert any(p.startswith("stacks/teams/media.yaml") for p in _problems(path))


def test_the_stack_program_reads_them_from_its_project_as_plan_does(tmp_path: Path, monkeypatch: Any) -> None:
    from components.program import settings_from

    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: irsa\nruntime: python\nstackConfigDir: stacks\n")
    path, config = _split(project / "stacks")
    monkeypatch.chdir(project)  # the engine runs the program in its project's directory
    delivered = engine_config.delivered(copy.deepcopy(config))
    from_program = settings_from(delivered, "shared-roles")
    from_plan = settings_of(path, "stacks/Pulumi.shared-roles.yaml", "shared-roles", count=False)
    assert from_program.workloads == from_plan.workloads
    assert from_program.warnings == from_plan.warnings


def test_the_readers_key_is_refused_when_nobody_read_it() -> None:
    from components.core.settings import parse_settings

    config = yaml.safe_load(SHIPPED.read_text())["config"]
    with pytest.raises(ConfigError) as raised:
        parse_settings({**config, workload_files.KEY: ["teams/a.yaml"]}, "shared-roles")
    assert any(p.path == workload_files.KEY and "was not read" in p.wrong for p in raised.value.problems)


def test_the_project_file_names_the_stack_directory(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: irsa\nruntime: python\nstackConfigDir: stacks\n")
    assert workload_files.stack_config_dir(tmp_path, parse_yaml) == tmp_path / "stacks"
    (tmp_path / "Pulumi.yaml").write_text("name: irsa\nruntime: python\n")
    assert workload_files.stack_config_dir(tmp_path, parse_yaml) == tmp_path
