"""The component package schema other languages use, as Pulumi's analyzer infers it: checked in and compared,
so a change that breaks TypeScript, Go or YAML users fails CI. Regenerate with
`python -m components.package > provider/schema.json` when a change is intended."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from components import package

ROOT = Path(__file__).resolve().parent.parent
PROVIDER = ROOT / "provider"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return package.schema()


def test_inferred_schema_equals_the_checked_in_one(schema: dict[str, Any]) -> None:
    assert json.loads(json.dumps(schema)) == json.loads((PROVIDER / "schema.json").read_text())


def test_every_component_is_in_the_schema(schema: dict[str, Any]) -> None:
    assert set(schema["resources"]) == {f"irsa:index:{c.__name__}" for c in package.COMPONENTS}
    assert all(r["isComponent"] for r in schema["resources"].values())


def test_every_input_and_output_is_described(schema: dict[str, Any]) -> None:
    for token, resource in schema["resources"].items():
        assert resource.get("description"), token
        for kind in ("inputProperties", "properties"):
            for name, prop in resource.get(kind, {}).items():
                assert prop.get("description"), f"{token} {kind}.{name}"
    for token, typ in schema["types"].items():
        for name, prop in typ["properties"].items():
            assert prop.get("description"), f"{token}.{name}"


def test_contract_of_workload_identity(schema: dict[str, Any]) -> None:
    resource = schema["resources"]["irsa:index:WorkloadIdentity"]
    assert resource["requiredInputs"] == ["namespace", "region", "serviceAccount"]
    assert resource["inputProperties"]["s3"]["items"]["$ref"] == "#/types/irsa:index:S3GrantArgs"
    assert {"roleArn", "roleName", "namespace", "serviceAccount", "tokenFragment", "podIdentity"} <= set(
        resource["properties"]
    )
    assert resource["inputProperties"]["oidcProviderArn"]["type"] == "string"


def test_plugin_runs_python_with_the_projects_requirements() -> None:
    plugin = yaml.safe_load((PROVIDER / "PulumiPlugin.yaml").read_text())
    assert plugin["runtime"]["name"] == "python"
    assert (PROVIDER / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()


def test_schema_carries_the_package_version(schema: dict[str, Any]) -> None:
    from components.version import VERSION

    assert schema["version"] == VERSION
