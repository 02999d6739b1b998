"""The core's table of what forces a replacement agrees with the providers' code at the pinned versions.

upstream.py parses the Terraform AWS provider's schemas and pulumi-kubernetes' diff rules (fetched from the Go
module proxy); the table in components/core/replacement.py was written by reading the same files. Any drift —
a new version of either, a misread attribute — fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import upstream
from harness import ROOT

from components.core import replacement

PYTHON = str(ROOT / ".venv" / "bin" / "python")


@pytest.fixture(scope="module")
def derived() -> dict[str, dict[str, object]]:
    return upstream.replacing_table()


def test_every_type_replaces_on_what_its_provider_says(derived: dict[str, dict[str, object]]) -> None:
    ours = {
        token: {"inputs": sorted(entry.inputs), "defaults": dict(entry.defaults), "deleteFirst": entry.delete_first}
        for token, entry in replacement.REPLACING.items()
    }
    assert ours == derived


def test_the_kubernetes_rules_are_read_from_the_provider_the_engine_tests_run() -> None:
    built = (ROOT / "tests" / "engine" / "build" / "kubernetes" / "go.mod").read_text()
    (version,) = re.findall(r"github\.com/pulumi/pulumi-kubernetes/provider/v4 (\S+)", built)
    assert replacement.KUBERNETES.endswith(f"@{version}")


def test_the_aws_inputs_are_named_as_the_pulumi_aws_sdk_names_them() -> None:
    sys.path.insert(0, str(ROOT / "tests" / "engine" / "standins"))
    try:
        import aws as standin  # the stand-in already resolves a token to the SDK's generated input type
    finally:
        sys.path.pop(0)
    for token in upstream.AWS_FILES:
        args = standin.args_class(token)
        assert args is not None, token
        for name in replacement.REPLACING[token].inputs:
            snake = re.sub(r"([A-Z])", lambda m: f"_{m[1].lower()}", name)
            assert isinstance(getattr(args, snake, None), property), f"{token}: the SDK has no input {name}"


def test_every_resource_type_a_shipped_stack_registers_is_in_the_table() -> None:
    types: set[str] = set()
    for stack_file in sorted((ROOT / "stacks").glob("Pulumi.*.yaml")):
        stack = stack_file.name.split(".")[1]
        done = subprocess.run(
            [PYTHON, "-m", "components", "plan", "--stack", stack, "--format", "json"],
            cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
        )  # fmt: skip
        types |= {r["type"] for r in json.loads(done.stdout)["resources"]}
    custom = {t for t in types if not t.startswith(("irsa:index:", "pulumi:"))}
    assert custom - {"kubernetes:core/v1:Namespace"} and custom <= set(replacement.REPLACING)


def test_the_parser_finds_force_new_only_on_the_attribute_itself(tmp_path: Path) -> None:
    """A nested ForceNew (inside an element's schema) is not the attribute's own."""
    (tmp_path / "names").mkdir()
    (tmp_path / "names" / "attr_consts_gen.go").write_text('const (\n\tAttrName = "name"\n)\n')
    (tmp_path / "r.go").write_text(
        "func r() {\n"
        "\treturn map[string]*schema.Schema{\n"
        "\t\tnames.AttrName: {\n\t\t\tType: schema.TypeString,\n\t\t\tForceNew: true,\n\t\t},\n"
        '\t\t"inline_policy": {\n\t\t\tElem: &schema.Resource{\n\t\t\t\tForceNew: true,\n\t\t\t},\n\t\t},\n'
        '\t\t"path": {\n\t\t\tDefault: "/",\n\t\t\tForceNew:     true,\n\t\t},\n'
        "\t}\n}\n"
    )
    # `name` has neither Optional nor Required here: not an input pulumi-aws would autoname
    assert upstream.terraform_replacing(tmp_path, "r.go") == ({"name", "path"}, {"path": "/"}, False)
    (tmp_path / "r.go").write_text((tmp_path / "r.go").read_text().replace("ForceNew: true,\n\t\t},\n\t\t\"inline",
                                                                        "Optional: true,\n\t\t},\n\t\t\"inline", 1))
    assert upstream.terraform_replacing(tmp_path, "r.go") == ({"path"}, {"path": "/"}, True)
