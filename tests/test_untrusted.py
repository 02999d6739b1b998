"""Untrusted bytes at every door: each is read by `components.cli.untrusted` (bounded, regular files only, JSON
nesting bounded), and whatever is wrong is one line naming the flag or path, exit 2, never a traceback."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli

from components.cli.untrusted import MAX_DEPTH

STACKS = ROOT / "stacks"
PLATFORM = "organization/irsa/platform"


def _one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _deep(levels: int) -> str:
    return '{"irsaPlatform": ' + "[" * levels + "]" * levels + "}"


@pytest.mark.parametrize("verb", ["plan", "diff", "doctor"])
def test_deeply_nested_stack_outputs_are_one_line_at_every_verb(
    verb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    given = tmp_path / "outputs.json"
    given.write_text(_deep(200_000))  # json.loads alone would raise RecursionError
    token = tmp_path / "token"
    token.write_text("x.y.z")
    extra = {"plan": [], "diff": ["--base", "HEAD"], "doctor": ["--workload", "orders", "--token", str(token)]}[verb]
    code, out, err = run_cli(verb, "--stack", "app-orders", *extra, "--stack-outputs", f"{PLATFORM}={given}")
    assert (code, out) == (2, "")
    allowed = f"the output of `pulumi stack output --json --stack <platform>`, JSON nested at most {MAX_DEPTH} levels"
    assert _one_line(err) == f"--stack-outputs {PLATFORM}: nests 200001 levels deep ({allowed})"


def test_deeply_nested_adopt_source_is_one_line(tmp_path: Path) -> None:
    given = tmp_path / "state.json"
    given.write_text('{"values": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, out, err = run_cli("adopt", "--terraform", str(given), "--cluster", "c", "--region", "eu-west-1")
    assert (code, out) == (2, "")
    assert _one_line(err).startswith("--terraform: nests 100001 levels deep (the tool's JSON output, JSON nested")


def test_platform_stacks_that_name_each_other_are_one_line(tmp_path: Path) -> None:
    def stack(name: str, platform: str) -> None:
        document = yaml.safe_load((STACKS / "Pulumi.app-orders.yaml").read_text())
        document["config"]["irsa:platform"] = {"stack": f"organization/irsa/{platform}"}
        (tmp_path / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(document))

    stack("a", "b")
    stack("b", "a")
    code, out, err = run_cli("plan", "--stack", "a", "--config", str(tmp_path / "Pulumi.a.yaml"))
    assert (code, out) == (2, "")
    assert _one_line(err) == ('irsa:platform.stack: stacks name each other as their platform: "a" → "b" → "a" '
                              "(a platform stack that names no application stack as its own platform)")  # fmt: skip


@pytest.mark.parametrize(
    ("value", "path", "tag"),
    [
        ("!!binary aGVsbG8=", "irsa:workloads[0].s3[0].prefix", "!!binary"),
        ("!!set {uploads/: null}", "irsa:workloads[0].s3[0].prefix", "!!set"),
        ("!!omap [{a: 1}]", "irsa:workloads[0].s3[0].prefix[0]", "!!omap or !!pairs"),
    ],
)
def test_yaml_values_config_cannot_hold_are_refused_at_their_path(
    value: str, path: str, tag: str, tmp_path: Path
) -> None:
    text = (STACKS / "Pulumi.dev.yaml").read_text().replace("prefix: uploads/", f"prefix: {value}")
    given = tmp_path / "Pulumi.dev.yaml"
    given.write_text(text)
    code, out, err = run_cli("plan", "--stack", "dev", "--config", str(given))
    assert (code, out) == (2, "")
    assert _one_line(err) == f"{path}: is a YAML {tag} value (a string, number, boolean, null, list or map)"


# Every place irsa opens or reads a file, and why it need not go through the one reader. A new one fails here
# until it uses `components.cli.untrusted` or is added with its reason.
READS_ELSEWHERE = {
    ("components/aws_resources.py", "plugin_version", "read_text"): "pulumi-aws's package metadata",
    ("components/cli/go_yaml.py", "load", "yaml.load"): "parses text the reader returned, never a stream",
    ("components/package.py", "schema", "read_text"): "this package's examples, shipped with it",
    ("components/core/grant_kinds/generate.py", "main", "read_text"): "this repository's README, which it rewrites",
    ("components/core/manifests.py", "verification_script", "read_text"): "this package's script, shipped with it",
    ("components/cli/git_tree.py", "materialise", "open"): "writes git's archive to a fresh private directory",
    ("components/cli/git_tree.py", "materialise", "tarfile.open"): "reads that archive back: git wrote it, bounded",
    ("components/cli/diff_run.py", "spawn", "open"): "creates the base's output files in a fresh private directory",
    ("components/cli/plan_cache.py", "store", "os.open"): "creates a cache entry (O_EXCL, O_NOFOLLOW, 0600)",
    ("components/cli/plan_cache.py", "store", "os.fdopen"): "writes that entry",
}
READERS = {"open", "read_text", "read_bytes", "fdopen", "read", "load", "loads_file"}


def _reads(path: Path) -> set[tuple[str, str, str]]:
    tree = ast.parse(path.read_text())
    found = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for call in ast.walk(function):
            if not isinstance(call, ast.Call):
                continue
            target = call.func
            if isinstance(target, ast.Name) and target.id == "open":
                name = "open"
            elif isinstance(target, ast.Attribute) and target.attr in READERS:
                owner = target.value
                modules = {"os", "json", "yaml", "tarfile"}
                module = owner.id if isinstance(owner, ast.Name) and owner.id in modules else ""
                if target.attr in {"read", "load"} and not module:
                    continue  # a handle's .read() or an object's .load(): the open above it is what is counted
                name = f"{module}.{target.attr}" if module else target.attr
            else:
                continue
            found.add((path.relative_to(ROOT).as_posix(), function.name, name))
    return found


def test_every_file_irsa_reads_goes_through_the_one_reader_or_says_why_not() -> None:
    sources = [*sorted((ROOT / "components").rglob("*.py")), *sorted((ROOT / "policy").rglob("*.py"))]
    kernels = {"components/cli/untrusted.py", "components/cli/owned.py"}
    found = set().union(*(_reads(p) for p in sources if p.relative_to(ROOT).as_posix() not in kernels))
    assert found == set(READS_ELSEWHERE)
