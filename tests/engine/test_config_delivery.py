"""What the real CLI hands a program as config equals what `plan` computes it would (go_yaml + engine_config).

A probe program records PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS as the language host set them; the stack
file holds the scalars YAML 1.1 and 1.2 read differently, nested maps and lists, and a secret.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from harness import ROOT, Project

from components.cli import go_yaml
from components.core.config import engine_config

STACK = """\
config:
  probe:quoted: "123456789012"
  probe:number: 4096
  probe:boolean: true
  probe:yes: yes
  probe:on: on
  probe:octal: 0755
  probe:underscores: 1_000
  probe:exponent: 1e3
  probe:whole: 1.0
  probe:fraction: 1.5
  probe:empty:
  probe:date: 2026-12-02
  probe:text: "multi\\nline <&>"
  probe:unicode: "région"
  probe:map: {b: [1, "2", 3.0, null, no], a: {nested: 0x1F}, secret: {secure: CIPHERTEXT}}
  probe:list: [kind, 2, true]
"""

PROGRAM = """\
import json, os, pathlib
pathlib.Path(os.environ["PROBE_OUT"]).write_text(json.dumps({
    "config": json.loads(os.environ.get("PULUMI_CONFIG", "{}")),
    "secretKeys": json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS", "[]")),
}))
"""


def test_the_cli_delivers_config_as_plan_encodes_it(project: Project, tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    venv = yaml.safe_load((project.root / "Pulumi.yaml").read_text())["runtime"]["options"]["virtualenv"]
    (probe / "Pulumi.yaml").write_text(
        yaml.safe_dump({"name": "probe", "runtime": {"name": "python", "options": {"virtualenv": venv}}})
    )
    (probe / "__main__.py").write_text(PROGRAM)
    out = tmp_path / "delivered.json"
    runner = Project(probe, {**project.env, "PROBE_OUT": str(out)}, project.render_dir, project.received)
    runner.init("dev")
    # `config set` rewrites the whole stack file (4096 becomes "4096"): encrypt first, then write the file.
    runner.pulumi("config", "set", "--secret", "probe:secret", "s3cr3t value", "--stack", "dev")
    encrypted = yaml.safe_load((probe / "Pulumi.dev.yaml").read_text())
    ciphertext = encrypted["config"]["probe:secret"]["secure"]
    stack = STACK.replace("CIPHERTEXT", ciphertext) + f"encryptionsalt: {encrypted['encryptionsalt']}\n"
    (probe / "Pulumi.dev.yaml").write_text(stack)
    runner.pulumi("preview", "--stack", "dev")
    assert (probe / "Pulumi.dev.yaml").read_text() == stack  # read as written
    delivered = json.loads(out.read_text())

    written = go_yaml.load((probe / "Pulumi.dev.yaml").read_text())["config"]
    values, secret_keys = engine_config.encode(written)
    assert delivered["secretKeys"] == secret_keys == ["probe:map"]
    # A secret arrives decrypted; offline it stays encrypted, as the readers expect.
    delivered_map = json.loads(delivered["config"].pop("probe:map"))
    planned_map = json.loads(values.pop("probe:map"))
    assert delivered_map.pop("secret") == "s3cr3t value"
    assert set(planned_map.pop("secret")) == {"secure"}
    assert delivered_map == planned_map
    assert delivered["config"] == values
    assert engine_config.decode(delivered["config"]) == engine_config.decode(values)


def _probe(project: Project, tmp_path: Path, name: str, project_name: str = "probe") -> tuple[Project, Path, Path]:
    probe = tmp_path / name
    probe.mkdir()
    venv = yaml.safe_load((project.root / "Pulumi.yaml").read_text())["runtime"]["options"]["virtualenv"]
    (probe / "Pulumi.yaml").write_text(
        yaml.safe_dump({"name": project_name, "runtime": {"name": "python", "options": {"virtualenv": venv}}})
    )
    (probe / "__main__.py").write_text(RAW_PROGRAM)
    out = tmp_path / f"{name}.txt"
    runner = Project(probe, {**project.env, "PROBE_OUT": str(out)}, project.render_dir, project.received)
    runner.init("dev")
    return runner, probe, out


RAW_PROGRAM = """\
import os, pathlib
pathlib.Path(os.environ["PROBE_OUT"]).write_bytes(os.environb[b"PULUMI_CONFIG"])
"""


def test_plan_counts_the_config_variable_to_the_byte(project: Project, tmp_path: Path) -> None:
    """The string the program starts with is the one `plan` measures (Go's JSON: sorted keys, `<>&` escaped)."""
    runner, probe, out = _probe(project, tmp_path, "exact")
    stack = STACK.replace(", secret: {secure: CIPHERTEXT}", "")
    (probe / "Pulumi.dev.yaml").write_text(stack)
    runner.pulumi("preview", "--stack", "dev")
    written = go_yaml.load(stack)["config"]
    assert out.read_bytes() == engine_config.go_json(engine_config.encode(written)[0]).encode()
    assert engine_config.config_variable_bytes(written) == len(b"PULUMI_CONFIG=") + len(out.read_bytes()) + 1


def test_past_the_environment_string_limit_the_program_cannot_start_and_plan_says_so(
    project: Project, tmp_path: Path
) -> None:
    """At 710 generated workloads the config string fits Linux's 131,072 bytes and the program starts; at 720 it
    does not, and the CLI fails as `plan` predicts (pulumi/pulumi#8680)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import stack

    for n, starts in ((710, True), (720, False)):
        config = stack(n)["config"]
        fits = engine_config.config_variable_problem(config) is None
        assert fits == starts, n
        runner, probe, out = _probe(project, tmp_path, f"n{n}", f"probe{n}")
        (probe / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}, sort_keys=False))
        done = runner.pulumi("preview", "--stack", "dev", check=False)
        assert (done.code == 0) == starts, (n, done.stdout[-2000:], done.stderr[-2000:])
        if starts:
            assert len(out.read_bytes()) + len(b"PULUMI_CONFIG=") + 1 == engine_config.config_variable_bytes(config)
        else:
            assert "argument list too long" in done.stdout + done.stderr
            plan = subprocess.run([sys.executable, "-m", "components", "plan", "--stack", "dev", "--config",
                                   str(probe / "Pulumi.dev.yaml")], cwd=ROOT, capture_output=True, text=True,
                                  timeout=300, check=False)  # fmt: skip
            assert plan.returncode == 2 and "PULUMI_CONFIG" in plan.stderr and "131,072" in plan.stderr


def test_workloads_in_files_beside_the_stack_file_pass_the_wall(project: Project) -> None:
    """1,000 generated workloads inline would pass the 131,072 bytes; named as two workload files they reach the
    program (it reads them beside the stack file, as `plan` does) and the real preview creates what `plan` plans."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import stack

    from components.cli.plan import run_plan
    from components.cli.stackfile import settings_of

    config = stack(1000)["config"]
    config["irsa:cluster"]["name"] = "media-cluster"  # a cluster the stand-ins answer for
    assert engine_config.config_variable_problem(config) is not None  # inline: the program could not start
    workloads = config.pop("irsa:workloads")
    folder = project.root / "stacks" / "fleet"
    folder.mkdir()
    for k in range(2):
        part = {"workloads": workloads[500 * k : 500 * (k + 1)]}
        (folder / f"part-{k}.yaml").write_text(yaml.safe_dump(part, sort_keys=False))
    config["irsa:workloadFiles"] = ["fleet/part-0.yaml", "fleet/part-1.yaml"]
    project.init("fleet")
    project.set_stack_config("fleet", config)
    steps = project.pulumi("preview", "--stack", "fleet", "--json", timeout=1800).json()["steps"]
    created = {s["urn"] for s in steps if s["op"] == "create" and not s["urn"].split("::")[2].startswith("pulumi:")}
    planned = run_plan(settings_of(project.stack_file("fleet"), "stacks/Pulumi.fleet.yaml", "fleet")).to_dict()
    assert created == {r["urn"] for r in planned["resources"] if not r["type"].startswith("pulumi:")}
    # a WorkloadIdentity, role, inline policy and ServiceAccount each; the cluster's ClusterOidcProvider and provider
    assert len(created) == 4 * 1000 + 2
