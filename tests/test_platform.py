"""Platform and application stacks, offline: the platform exports its clusters and defaults as `irsaPlatform`,
an application stack takes them from it (its stack file beside it, or a file of its outputs), never from a
hand-copied value, and a missing or incompatible output is an error naming both stacks."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import by_type

from components.cli.main import main
from components.cli.plan import run_plan
from components.cli.stackfile import STACKS_DIR, load_settings, settings_of
from components.core import platform
from components.core.model import InvalidInput
from components.core.unknowns import is_unknown

PLATFORM = "organization/irsa/platform"
EKS_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/C0FFEE0123456789ABCDEF0123456789"
EKS_ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/C0FFEE0123456789ABCDEF0123456789"


def _outputs() -> dict[str, Any]:
    return platform.platform_outputs(load_settings("platform"), PLATFORM)


def _plan(stack: str) -> dict[str, Any]:
    return run_plan(load_settings(stack)).to_dict()


def _trusts(plan: dict[str, Any]) -> list[str]:
    return [r["inputs"]["assumeRolePolicy"] for r in by_type(plan, "aws:iam/role:Role")]


def test_the_platform_exports_its_clusters_and_defaults_under_a_versioned_contract() -> None:
    outputs = _outputs()
    assert outputs["version"] == platform.CONTRACT
    eks = outputs["clusters"]["shared-eks"]
    assert (eks["oidcProviderArn"], eks["issuerUrl"], eks["kind"]) == (EKS_ARN, EKS_ISSUER, "eks")
    assert outputs["defaults"]["permissionsBoundary"] == "arn:aws:iam::123456789012:policy/org/workload-boundary"
    plan = _plan("platform")
    # No workloads: the platform still owns an OIDC provider per web-identity cluster, and exports the contract.
    urls = sorted(r["inputs"]["url"] for r in by_type(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider"))
    assert urls == sorted(c["issuerUrl"] for c in outputs["clusters"].values())
    assert plan["outputs"]["irsaPlatform"]["version"] == platform.CONTRACT
    assert set(plan["outputs"]["irsaPlatform"]["clusters"]) == {"shared-eks", "shared-aks"}


def test_an_application_stack_trusts_the_platforms_provider_and_takes_its_defaults() -> None:
    plan = _plan("app-orders")
    [trust] = _trusts(plan)
    assert EKS_ARN in trust and "oidc.eks.eu-west-1.amazonaws.com/id/C0FFEE0123456789ABCDEF0123456789:sub" in trust
    # The provider is the platform's: the application stack creates none.
    assert by_type(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    [role] = by_type(plan, "aws:iam/role:Role")
    assert role["inputs"]["permissionsBoundary"].endswith(":policy/org/workload-boundary")
    assert role["inputs"]["path"] == "/apps/"
    assert role["inputs"]["tags"] == {"owner": "platform-team", "team": "orders"}
    # Only the cluster its workloads use: no lookup of, or provider for, the platform's AKS cluster.
    assert not [r for r in plan["resources"] if "shared-aks" in r["name"]]


def test_an_aks_application_stack_gets_the_aks_issuer() -> None:
    plan = _plan("app-reports")
    [trust] = _trusts(plan)
    issuer = _outputs()["clusters"]["shared-aks"]["issuerUrl"]
    assert issuer.removeprefix("https://") + ":sub" in trust


def _app_config(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "irsa:platform": {"stack": PLATFORM},
        "irsa:workloads": [{"name": "orders", "namespace": "orders", "serviceAccount": "orders",
                            "clusters": ["shared-eks"], "s3": [{"bucket": "orders-b", "access": "read"}]}],
    }  # fmt: skip
    config.update(changes)
    return config


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        ({}, "the platform exports no irsaPlatform"),
        ({"irsaPlatform": {"version": 2, "clusters": {}}}, "irsaPlatform is contract version 2"),
        ({"irsaPlatform": {"version": 1, "clusters": {}}}, "irsaPlatform.clusters names no cluster"),
        ("not a map", "the platform's outputs are not a map"),
    ],
)
def test_a_missing_or_incompatible_output_names_both_stacks(outputs: Any, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        platform.with_platform(_app_config(), "app-orders", PLATFORM, outputs)
    [problem] = caught.value.problems
    assert problem.path == "irsa:platform.stack"
    assert f"application stack app-orders, platform stack {PLATFORM}: {expected}" in str(problem)


def test_a_cluster_the_platform_does_not_have_is_named_with_both_stacks() -> None:
    outputs = {"irsaPlatform": _outputs()}
    del outputs["irsaPlatform"]["clusters"]["shared-eks"]
    with pytest.raises(InvalidInput) as caught:
        platform.with_platform(_app_config(), "app-orders", PLATFORM, outputs)
    [problem] = caught.value.problems
    assert str(problem) == (
        "irsa:workloads[0].clusters[0]: \"shared-eks\" is not a cluster of the platform (application stack "
        f"app-orders, platform stack {PLATFORM}) (its clusters: shared-aks)"
    )


@pytest.mark.parametrize("key", platform.OWNED)
def test_an_application_stack_may_not_redefine_what_the_platform_owns(key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        platform.reference_of(_app_config(**{key: {}}))
    assert [p.path for p in caught.value.problems] == [key]


def test_pulumi_eks_outputs_plug_in() -> None:
    config = _app_config(**{"irsa:platform": {"stack": "acme/eks/prod", "pulumiEks": {"clusterName": "shared-eks"}}})
    outputs = {"oidcProviderArn": EKS_ARN, "oidcProviderUrl": EKS_ISSUER.removeprefix("https://")}
    found = platform.with_platform({**config, "aws:region": "eu-west-1"}, "app", "acme/eks/prod", outputs)
    assert found["irsa:cluster"] == {"kind": "eks", "name": "shared-eks", "mechanism": "irsa",
                                     "oidcProviderArn": EKS_ARN, "issuerUrl": EKS_ISSUER}  # fmt: skip


def _copy_stacks(tmp_path: Path) -> Path:
    for name in ("platform", "app-orders"):
        shutil.copy(STACKS_DIR / f"Pulumi.{name}.yaml", tmp_path / f"Pulumi.{name}.yaml")
    return tmp_path


def test_a_change_to_the_platform_file_reaches_the_application_stack(tmp_path: Path) -> None:
    stacks = _copy_stacks(tmp_path)
    before = run_plan(settings_of(stacks / "Pulumi.app-orders.yaml", "app-orders", "app-orders")).to_dict()
    text = (stacks / "Pulumi.platform.yaml").read_text().replace("rolePath: /apps/", "rolePath: /teams/")
    (stacks / "Pulumi.platform.yaml").write_text(text)
    after = run_plan(settings_of(stacks / "Pulumi.app-orders.yaml", "app-orders", "app-orders")).to_dict()
    [old], [new] = by_type(before, "aws:iam/role:Role"), by_type(after, "aws:iam/role:Role")
    assert (old["inputs"]["path"], new["inputs"]["path"]) == ("/apps/", "/teams/")


def test_stack_outputs_given_as_a_file_win_over_the_stack_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {"irsaPlatform": copy.deepcopy(_outputs())}
    issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789"
    other = f"arn:aws:iam::123456789012:oidc-provider/{issuer.removeprefix('https://')}"
    outputs["irsaPlatform"]["clusters"]["shared-eks"].update(oidcProviderArn=other, issuerUrl=issuer)
    given = tmp_path / "platform.json"
    given.write_text(json.dumps(outputs))  # what `pulumi stack output --json` prints
    code = main(["plan", "--stack", "app-orders", "--format", "json", "--stack-outputs", f"{PLATFORM}={given}"])
    assert code == 0
    plan = json.loads(capsys.readouterr().out)
    [trust] = _trusts(plan)
    assert other in trust and EKS_ARN not in trust


def test_without_the_platforms_file_outputs_or_pins_the_error_names_every_way(tmp_path: Path) -> None:
    document = yaml.safe_load((STACKS_DIR / "Pulumi.app-orders.yaml").read_text())
    document["config"]["irsa:platform"] = {"stack": "acme/other-repo/platform"}
    (tmp_path / "Pulumi.app-orders.yaml").write_text(yaml.safe_dump(document))
    with pytest.raises(InvalidInput) as caught:
        settings_of(tmp_path / "Pulumi.app-orders.yaml", "app-orders", "app-orders")
    [problem] = caught.value.problems
    assert problem.path == "irsa:platform.stack"
    for way in ("acme/other-repo/platform", "--stack-outputs", "Pulumi.platform.yaml", "irsa:platform.clusters"):
        assert way in str(problem)


def test_a_platform_output_only_a_deployment_knows_is_a_placeholder_naming_the_platform() -> None:
    settings = load_settings("platform")
    import dataclasses

    looked_up = dataclasses.replace(settings, clusters=tuple(dataclasses.replace(c, issuer_url=None)
                                                               for c in settings.clusters))  # fmt: skip
    outputs = platform.platform_outputs(looked_up, PLATFORM)
    eks = outputs["clusters"]["shared-eks"]
    assert is_unknown(eks["issuerUrl"]) and PLATFORM in eks["issuerUrl"]
    assert is_unknown(eks["oidcProviderArn"]) and PLATFORM in eks["oidcProviderArn"]
    found = platform.with_platform(_app_config(), "app-orders", PLATFORM, {"irsaPlatform": outputs})
    from components.core.settings import parse_settings

    app = parse_settings(found, "app-orders", PLATFORM)
    plan = run_plan(app).to_dict()
    [trust] = _trusts(plan)
    assert PLATFORM in trust  # the placeholder names the platform stack and its output


def test_the_component_takes_the_platforms_cluster_and_defaults() -> None:
    """WorkloadIdentity's `platform` argument: what a StackReference's get_output("irsaPlatform") gives."""
    import pulumi
    from test_component_arguments import run_program

    from components import S3Access, WorkloadIdentity

    contract = _outputs()

    def make(seen: dict[str, Any]) -> Any:
        identity = WorkloadIdentity("orders", {
            "platform": pulumi.Output.from_input(contract), "cluster_name": "shared-eks", "region": "eu-west-1",
            "namespace": "orders", "service_account": "orders-api", "tags": {"team": "orders"},
            "s3": [{"bucket": "orders-invoices", "prefix": "invoices/", "access": S3Access.WRITE}],
        })  # fmt: skip
        return identity.role_arn

    records, _, error = run_program(make)
    assert error is None, error
    [role] = [r for r in records if r["type"] == "aws:iam/role:Role"]
    assert EKS_ARN in role["inputs"]["assumeRolePolicy"]
    assert role["inputs"]["permissionsBoundary"] == contract["defaults"]["permissionsBoundary"]
    assert role["inputs"]["tags"] == {"owner": "platform-team", "team": "orders"}


def test_the_component_names_a_cluster_the_platform_lacks() -> None:
    import pulumi
    from test_component_arguments import run_program

    from components import WorkloadIdentity

    def make(seen: dict[str, Any]) -> Any:
        return WorkloadIdentity("orders", {
            "platform": pulumi.Output.from_input(_outputs()), "cluster_name": "gone", "region": "eu-west-1",
            "namespace": "orders", "service_account": "orders-api",
        }).role_arn  # fmt: skip

    _, _, error = run_program(make)
    assert error is not None
    assert 'WorkloadIdentity("orders").platform: has no cluster "gone" (its clusters: shared-eks, shared-aks)' in str(
        error
    )


def test_a_file_of_deployed_outputs_may_not_hold_placeholders(tmp_path: Path) -> None:
    """Only a plan of the platform's own stack file may have placeholders; a deployed stack's outputs never do."""
    import dataclasses

    settings = load_settings("platform")
    looked_up = dataclasses.replace(settings, clusters=tuple(dataclasses.replace(c, issuer_url=None)
                                                               for c in settings.clusters))  # fmt: skip
    given = tmp_path / "platform.json"
    given.write_text(json.dumps({"irsaPlatform": platform.platform_outputs(looked_up, PLATFORM)}))
    assert main(["plan", "--stack", "app-orders", "--stack-outputs", f"{PLATFORM}={given}"]) == 2
