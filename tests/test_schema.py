"""The component package schema other languages use, as Pulumi's analyzer infers it: checked in and compared,
so a change that breaks TypeScript, Go or YAML users fails CI. Regenerate with
`python -m components.package > provider/schema.json` when a change is intended."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components import package
from components.core.config.arguments import SHAPE_ARGS, snake_case
from components.core.config.grants import GRANT_KEYS
from components.core.grant_kinds.generate import enums
from components.core.grant_kinds.registry import KINDS
from components.core.model import ACCESS_LEVELS, MECHANISMS
from components.core.presets import PRESETS

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
        assert typ.get("description"), token
        for name, prop in typ.get("properties", {}).items():
            assert prop.get("description"), f"{token}.{name}"
        for member in typ.get("enum", []):
            assert member.get("description"), f"{token}.{member['name']}"


def test_contract_of_workload_identity(schema: dict[str, Any]) -> None:
    resource = schema["resources"]["irsa:index:WorkloadIdentity"]
    assert resource["requiredInputs"] == ["namespace", "serviceAccount"]  # region: the provider's by default
    assert resource["inputProperties"]["s3"]["items"]["$ref"] == "#/types/irsa:index:S3Grant"
    assert {"roleArn", "roleName", "namespace", "serviceAccount", "tokenFragment", "podIdentity"} <= set(
        resource["properties"]
    )
    assert resource["inputProperties"]["oidcProviderArn"]["type"] == "string"


def test_contract_of_shared_role(schema: dict[str, Any]) -> None:
    """A map of workloads, each with exactly WorkloadIdentity's arguments (names, types, plainness, docs): the one
    reader of both components reads them."""
    resource = schema["resources"]["irsa:index:SharedRole"]
    inputs = resource["inputProperties"]
    assert set(inputs) == {"workloads", "roleName", "accountId"}
    assert inputs["workloads"]["plain"] and inputs["workloads"]["type"] == "object"
    assert inputs["workloads"]["additionalProperties"]["$ref"] == "#/types/irsa:index:SharedWorkload"
    member = schema["types"]["irsa:index:SharedWorkload"]
    identity = schema["resources"]["irsa:index:WorkloadIdentity"]
    assert member["properties"] == identity["inputProperties"]
    assert member["required"] == identity["requiredInputs"]
    assert set(resource["properties"]) == {"role", "roleArn", "roleName", "inlinePolicy", "managedPolicies",
                                           "policyAttachments", "workloadNames"}  # fmt: skip


def test_plugin_runs_python_with_the_projects_requirements() -> None:
    plugin = yaml.safe_load((PROVIDER / "PulumiPlugin.yaml").read_text())
    assert plugin["runtime"]["name"] == "python"
    assert (PROVIDER / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()


def test_schema_carries_the_package_version(schema: dict[str, Any]) -> None:
    from components.version import VERSION

    assert schema["version"] == VERSION


def test_type_names_carry_no_args_suffix(schema: dict[str, Any]) -> None:
    """SDK generators add `Args` to input types: a schema type named `…Args` becomes `…ArgsArgs`."""
    assert [t for t in schema["types"] if t.endswith("Args")] == []


@pytest.mark.parametrize(
    ("token", "allowed"),
    [
        ("S3Access", ACCESS_LEVELS),
        *((f.enum, tuple(v for v, _ in f.levels)) for f in enums()),
        ("Mechanism", MECHANISMS),
        ("Preset", tuple(PRESETS)),
    ],
)
def test_enums_are_exactly_what_the_core_accepts(schema: dict[str, Any], token: str, allowed: tuple[str, ...]) -> None:
    members = schema["types"][f"irsa:index:{token}"]["enum"]
    assert [m["value"] for m in members] == list(allowed)
    # PascalCase names: what each language's generator turns into S3Access.ReadWrite / S3AccessReadWrite / READ_WRITE
    assert all(re.fullmatch(r"(?:[A-Z][a-z0-9]*)+", m["name"]) for m in members), members


def test_closed_sets_are_enums_and_grants_are_typed(schema: dict[str, Any]) -> None:
    inputs = schema["resources"]["irsa:index:WorkloadIdentity"]["inputProperties"]
    assert inputs["mechanism"]["$ref"] == "#/types/irsa:index:Mechanism"
    assert inputs["presets"]["items"]["$ref"] == "#/types/irsa:index:Preset"
    grants = {"s3": "S3Grant", **{kind.key: kind.type_name for kind in KINDS}}
    for key, token in grants.items():
        assert inputs[key]["items"]["$ref"] == f"#/types/irsa:index:{token}", key
    fields = {"s3": GRANT_KEYS, **{kind.key: kind.field_names for kind in KINDS}}
    for key, token in grants.items():
        # Exactly the fields the stack file's reader knows: the schema's camelCase is the stack file's spelling.
        assert set(schema["types"][f"irsa:index:{token}"]["properties"]) == set(fields[key]), token
    assert "verifyPublish" in inputs


def test_only_what_decides_the_resources_is_plain(schema: dict[str, Any]) -> None:
    """An argument that decides which resources exist or their names must be plain; every other one is an
    Input (a program passes another resource's output). Lists are plain (their length decides), items not."""
    inputs = schema["resources"]["irsa:index:WorkloadIdentity"]["inputProperties"]
    plain = {snake_case(k) for k, v in inputs.items() if v.get("plain") and v.get("type") != "array"}
    # Checks configured before anything is registered, and a deprecated name, stay plain too.
    checks = {"trust_policy_max_chars", "managed_policies_per_role", "inject_pod_identity", "chain", "preset_options"}
    assert plain == (set(SHAPE_ARGS) - {"presets", "managed_policy_arns"}) | checks
    assert {"permissions_boundary", "target_role_arn", "tags", "audience", "job_image"}.isdisjoint(plain)
    for key in ("assume_roles", "extra_subjects"):
        assert not inputs[_snake_to_camel(key)]["items"].get("plain"), key


def _snake_to_camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p.title() for p in rest)


def test_generated_sdks_are_not_published_under_pulumis_names(schema: dict[str, Any]) -> None:
    assert schema["namespace"] and schema["namespace"] != "pulumi"
    language = schema["language"]
    names = [
        language["nodejs"]["packageName"],
        language["python"]["packageName"],
        language["go"]["importBasePath"],
        language["csharp"]["rootNamespace"],
        language["java"]["basePackage"],
    ]
    assert all("pulumi/" not in n and not n.startswith(("pulumi_", "Pulumi", "com.pulumi")) for n in names), names


def test_the_provider_serves_this_schema() -> None:
    assert json.loads(package.provider().schema or "") == json.loads((PROVIDER / "schema.json").read_text())


def _examples(schema: dict[str, Any], component: str) -> dict[str, str]:
    description = schema["resources"][f"irsa:index:{component}"]["description"]
    return dict(re.findall(r"```(\w+)\n(.*?)```", description, re.S))


@pytest.mark.parametrize("component", [c.__name__ for c in package.COMPONENTS])
def test_each_component_example_is_given_in_every_language(schema: dict[str, Any], component: str) -> None:
    assert set(_examples(schema, component)) == {"typescript", "python", "go", "csharp", "java", "yaml"}


# Names of other packages' resources the examples use beside irsa's (the AWS provider of another account), and a
# tag key that reads like an argument name to the per-language patterns.
FOREIGN = {"region", "assumeRoles", "roleArn", "providers", "aws", "owner"}


@pytest.mark.parametrize("component", [c.__name__ for c in package.COMPONENTS])
def test_the_examples_use_only_names_the_schema_has(schema: dict[str, Any], component: str) -> None:
    """Each language's argument names, SDK package and enum members in the examples exist in the schema as that
    language's generator names them (checked by name: the SDKs are not generated here)."""
    examples = _examples(schema, component)
    resources, types = schema["resources"], schema["types"]
    names = {camel for token in resources for camel in resources[token]["inputProperties"]}
    names |= set(types["irsa:index:S3Grant"]["properties"]) | FOREIGN
    pascal = {n[0].upper() + n[1:] for n in names}
    members = {m["name"] for m in types["irsa:index:S3Access"]["enum"]}
    language = schema["language"]

    used_ts = set(re.findall(r"(\w+): ", examples["typescript"])) - {"const"}
    assert used_ts <= names, used_ts - names
    assert f'from "{language["nodejs"]["packageName"]}"' in examples["typescript"]
    assert set(re.findall(r"S3Access\.(\w+)", examples["typescript"])) <= members

    used_py = set(re.findall(r"(\w+)=", examples["python"])) - {"opts"}
    assert used_py <= {snake_case(n) for n in names}, used_py
    assert f"import {language['python']['packageName']} as irsa" in examples["python"]
    assert set(re.findall(r"S3Access\.(\w+)", examples["python"])) <= {snake_case(m).upper() for m in members}

    used_go = set(re.findall(r"\b([A-Z]\w*):", examples["go"]))
    assert used_go <= pascal, used_go - pascal
    assert f'"{language["go"]["importBasePath"]}"' in examples["go"]
    assert set(re.findall(r"irsa\.S3Access(\w+)", examples["go"])) <= members

    used_cs = set(re.findall(r"\b([A-Z]\w*) = ", examples["csharp"]))
    assert used_cs <= pascal, used_cs - pascal
    assert f"using {language['csharp']['rootNamespace']}.Irsa;" in examples["csharp"]
    assert set(re.findall(r"S3Access\.(\w+)", examples["csharp"])) <= members

    builders = {"builder", "build", "run", "export", "arn", "roleArn", "jobName", "of"}
    used_java = set(re.findall(r"\.(\w+)\(", examples["java"])) - builders
    assert used_java <= names, used_java - names
    assert f"import {language['java']['basePackage']}.irsa.{component};" in examples["java"]
    assert set(re.findall(r"S3Access\.(\w+)", examples["java"])) <= members

    program = yaml.safe_load(examples["yaml"])
    mine = {n: r for n, r in program["resources"].items() if r["type"].startswith("irsa:")}
    assert any(r["type"] == f"irsa:{component}" for r in mine.values())
    for resource in mine.values():
        token = resource["type"].replace("irsa:", "irsa:index:")
        assert set(resource["properties"]) <= set(resources[token]["inputProperties"]), resource
        for grant in resource["properties"].get("s3", resource["properties"].get("grants", [])):
            assert set(grant) <= set(types["irsa:index:S3Grant"]["properties"])
            assert grant["access"] in {m["value"] for m in types["irsa:index:S3Access"]["enum"]}
    for output in program.get("outputs", {}).values():
        name, _, prop = output.strip("${}").partition(".")
        if name in mine:
            token = mine[name]["type"].replace("irsa:", "irsa:index:")
            assert prop in resources[token]["properties"], output
