"""The programs in examples/ that teams copy, planned on the mock engine: a Python program that composes
WorkloadIdentity with its own Deployment on the platform's AKS cluster (splicing the token fragment), and a
Pulumi YAML program that uses the component package (checked against the schema, then planned through the
components with its properties as the package's provider would hand them over)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from components.cli.plan import PlanMocks, install_mocks
from components.cli.stackfile import load_settings
from components.core import platform
from components.core.config.arguments import snake_case
from components.package import schema

# The SDK's Output.from_input tests a value's truth that answers NotImplemented (inside pulumi, on the example's
# Deployment template); harmless here, and not ours to change.
pytestmark = pytest.mark.filterwarnings("ignore:NotImplemented should not be used:DeprecationWarning")
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
REFERENCE = "organization/irsa/platform"


class PlatformMocks(PlanMocks):
    """The plan's mocks, with a StackReference to the platform answering its `irsaPlatform` output."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            contract = platform.platform_outputs(load_settings("platform"), REFERENCE)
            return args.name, {"name": args.name, "outputs": {platform.OUTPUT: contract}, "secretOutputNames": []}
        return super().new_resource(args)


def _planned(run: Any) -> list[dict[str, Any]]:
    monitor = install_mocks(PlatformMocks(load_settings("app-orders")), "team", "prod")

    @pulumi.runtime.test
    def program() -> Any:
        return run()

    program()
    return monitor.records


def _one(records: list[dict[str, Any]], type_: str) -> dict[str, Any]:
    [found] = [r for r in records if r["type"] == type_]
    return found


def test_the_python_example_splices_the_fragment_into_its_deployment() -> None:
    records = _planned(lambda: runpy.run_path(str(EXAMPLES / "python-team" / "__main__.py")))
    aks = platform.platform_outputs(load_settings("platform"), REFERENCE)["clusters"]["shared-aks"]
    role = _one(records, "aws:iam/role:Role")
    assert aks["oidcProviderArn"] in role["inputs"]["assumeRolePolicy"]
    assert role["inputs"]["path"] == "/apps/" and role["inputs"]["tags"] == {"owner": "platform-team"}
    pod = _one(records, "kubernetes:apps/v1:Deployment")["inputs"]["spec"]["template"]
    [container] = pod["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["AWS_ROLE_ARN"].endswith(":role/apps/irsa-reports") and "AWS_WEB_IDENTITY_TOKEN_FILE" in env
    [volume] = pod["spec"]["volumes"]
    [source] = volume["projected"]["sources"]
    assert source["serviceAccountToken"]["audience"] == aks["audience"]
    assert pod["spec"]["serviceAccountName"] == "reports"
    assert _one(records, "kubernetes:core/v1:ServiceAccount")["inputs"]["metadata"]["name"] == "reports"


def _check_against_schema(value: Any, prop: dict[str, Any], types: dict[str, Any], path: str) -> None:
    """A YAML property value against its schema property: object fields, array items and enum values."""
    ref = prop.get("$ref", "")
    if isinstance(value, str) and value.startswith("${"):
        return  # an interpolation: a computed value
    if ref.startswith("#/types/"):
        typ = types[ref.removeprefix("#/types/")]
        if "enum" in typ:
            assert value in [m["value"] for m in typ["enum"]], (path, value)
            return
        assert set(value) <= set(typ["properties"]), (path, set(value) - set(typ["properties"]))
        assert set(typ.get("required", [])) <= set(value), path
        for key, item in value.items():
            _check_against_schema(item, typ["properties"][key], types, f"{path}.{key}")
    elif prop.get("type") == "array":
        for i, item in enumerate(value):
            _check_against_schema(item, prop["items"], types, f"{path}[{i}]")


def test_the_yaml_example_matches_the_schema_and_plans() -> None:
    program = yaml.safe_load((EXAMPLES / "yaml-team" / "Pulumi.yaml").read_text())
    package = schema()
    components = {k: v for k, v in program["resources"].items() if v["type"].startswith("irsa:")}
    assert components
    for name, resource in components.items():
        spec = package["resources"][resource["type"].replace("irsa:", "irsa:index:")]
        properties = resource["properties"]
        assert set(properties) <= set(spec["inputProperties"]), set(properties) - set(spec["inputProperties"])
        assert set(spec.get("requiredInputs", [])) <= set(properties), name
        for key, value in properties.items():
            _check_against_schema(value, spec["inputProperties"][key], package["types"], f"{name}.{key}")
    for output in program["outputs"].values():
        resource, _, prop = output.strip("${}").partition(".")
        token = components[resource]["type"].replace("irsa:", "irsa:index:")
        assert prop in package["resources"][token]["properties"], output

    def run() -> Any:
        from components import WorkloadIdentity

        reference = pulumi.StackReference(REFERENCE)
        (name, resource), = components.items()
        args = {snake_case(k): v for k, v in resource["properties"].items()}
        args["platform"] = reference.get_output(platform.OUTPUT)  # ${platform.outputs["irsaPlatform"]}
        return WorkloadIdentity(name, args).role_arn  # type: ignore[arg-type]

    records = _planned(run)
    eks = platform.platform_outputs(load_settings("platform"), REFERENCE)["clusters"]["shared-eks"]
    role = _one(records, "aws:iam/role:Role")
    assert eks["oidcProviderArn"] in role["inputs"]["assumeRolePolicy"]
    policy = json.loads(_one(records, "aws:iam/rolePolicy:RolePolicy")["inputs"]["policy"])
    assert any("dynamodb:PutItem" in s["Action"] for s in policy["Statement"])
