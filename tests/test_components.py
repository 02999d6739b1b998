"""The Pulumi shell on the mock engine (preview=False, so every apply runs): wiring, not documents."""

from __future__ import annotations

import json
from typing import Any

import kubernetes_validate
import pulumi
import pytest
from conftest import AKS_CONFIG, EKS_CONFIG, by_type, config, plan_of

from components.cli import render
from components.cli.plan import PlanMocks, install_mocks
from components.core.settings import parse_settings
from components.grant_args import S3Access
from components.targets import IssuerNotEnabledError, aks_issuer

ISSUER = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
AKS_ISSUER = "https://koreacentral.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/11111111-2222-3333-4444-555555555555/"
PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/" + ISSUER.removeprefix("https://")


def _one(plan: dict[str, Any], type_: str, name: str | None = None) -> dict[str, Any]:
    found = [r for r in by_type(plan, type_) if name is None or r["name"] == name]
    assert len(found) == 1, f"expected one {type_} {name or ''}, found {len(found)}"
    return found[0]


def test_eks_resource_set_and_parenting() -> None:
    plan = plan_of(EKS_CONFIG)
    types = sorted(r["type"] for r in plan["resources"])
    assert types == sorted(
        [
            "pulumi:pulumi:Stack",
            "pulumi:providers:kubernetes",
            "irsa:index:ClusterOidcProvider",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
            "irsa:index:WorkloadIdentity",
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "kubernetes:core/v1:ServiceAccount",
            "irsa:index:VerificationJob",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:batch/v1:Job",
        ]
    )
    urn = {r["type"]: r["urn"] for r in plan["resources"]}
    assert _one(plan, "aws:iam/role:Role")["parent"] == urn["irsa:index:WorkloadIdentity"]
    assert _one(plan, "aws:iam/rolePolicy:RolePolicy")["parent"] == urn["irsa:index:WorkloadIdentity"]
    assert _one(plan, "kubernetes:core/v1:ServiceAccount")["parent"] == urn["irsa:index:WorkloadIdentity"]
    assert _one(plan, "irsa:index:VerificationJob")["parent"] == urn["irsa:index:WorkloadIdentity"]
    assert _one(plan, "kubernetes:batch/v1:Job")["parent"] == urn["irsa:index:VerificationJob"]
    provider = _one(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider["parent"] == urn["irsa:index:ClusterOidcProvider"]
    assert provider["protect"] is True


def test_one_audience_feeds_provider_trust_token_and_annotation() -> None:
    raw = config(
        AKS_CONFIG,
        **{
            "irsa:cluster": {
                **AKS_CONFIG["irsa:cluster"],
                "audience": "api://AzureADTokenExchange-aws",
                "issuerUrl": AKS_ISSUER,
            }
        },
    )
    plan = plan_of(raw)
    audience = "api://AzureADTokenExchange-aws"
    host = AKS_ISSUER.removeprefix("https://")
    provider = _one(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider["inputs"]["clientIdLists"] == [audience]
    assert provider["inputs"]["url"] == AKS_ISSUER
    trust = json.loads(_one(plan, "aws:iam/role:Role")["inputs"]["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"]["StringEquals"] == {
        f"{host}:sub": "system:serviceaccount:apps:uploader",
        f"{host}:aud": audience,
    }
    sa = _one(plan, "kubernetes:core/v1:ServiceAccount")["inputs"]
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/audience"] == audience
    pod = _one(plan, "kubernetes:batch/v1:Job")["inputs"]["spec"]["template"]["spec"]
    token = pod["volumes"][-1]["projected"]["sources"][0]["serviceAccountToken"]
    assert token == {"audience": audience, "expirationSeconds": 3600, "path": "token"}


def test_aks_job_pod_carries_env_and_projected_token() -> None:
    plan = plan_of(AKS_CONFIG)
    role = _one(plan, "aws:iam/role:Role")
    pod = _one(plan, "kubernetes:batch/v1:Job")["inputs"]["spec"]["template"]["spec"]
    env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
    assert env["AWS_ROLE_ARN"] == plan["outputs"]["workloads"]["uploader"]["roleArn"]
    assert env["AWS_ROLE_ARN"].startswith("<unknown") and role["inputs"]["name"] in env["AWS_ROLE_ARN"]
    assert env["AWS_WEB_IDENTITY_TOKEN_FILE"] == "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "ap-northeast-2"
    assert env["AWS_STS_REGIONAL_ENDPOINTS"] == "regional"
    mount = {
        "name": "aws-iam-token",
        "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount",
        "readOnly": True,
    }
    assert mount in pod["containers"][0]["volumeMounts"]
    assert pod["automountServiceAccountToken"] is False


def test_eks_job_relies_on_the_webhook() -> None:
    pod = _one(plan_of(EKS_CONFIG), "kubernetes:batch/v1:Job")["inputs"]["spec"]["template"]["spec"]
    names = {e["name"] for e in pod["containers"][0]["env"]}
    assert "AWS_ROLE_ARN" not in names
    assert all("projected" not in v for v in pod["volumes"])


def test_service_account_annotation_is_the_role_arn() -> None:
    raw = config(
        EKS_CONFIG,
        **{"irsa:cluster": {"kind": "eks", "name": "c", "issuerUrl": ISSUER, "oidcProviderArn": PROVIDER_ARN}},
    )
    plan = plan_of(raw, stack="prod")
    sa = _one(plan, "kubernetes:core/v1:ServiceAccount")["inputs"]["metadata"]["annotations"]
    assert sa == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/irsa-prod-s3-writer",
        "eks.amazonaws.com/sts-regional-endpoints": "true",
        "eks.amazonaws.com/token-expiration": "3600",
    }


def test_the_webhook_token_lives_as_long_as_the_stack_says() -> None:
    # the webhook (amazon-eks-pod-identity-webhook pkg/cache/cache.go) parses the annotation as a base-10
    # integer and raises anything under 600 to 600; without it the token lives a day
    raw = config(
        EKS_CONFIG, **{"irsa:workloads": [{**EKS_CONFIG["irsa:workloads"][0], "tokenExpirationSeconds": 7200}]}
    )
    sa = _one(plan_of(raw), "kubernetes:core/v1:ServiceAccount")["inputs"]["metadata"]["annotations"]
    assert (
        sa["eks.amazonaws.com/token-expiration"] == "7200" and int(sa["eks.amazonaws.com/token-expiration"], 10) >= 600
    )


def test_existing_provider_is_reused_not_created() -> None:
    raw = config(
        EKS_CONFIG,
        **{"irsa:cluster": {"kind": "eks", "name": "c", "issuerUrl": ISSUER, "oidcProviderArn": PROVIDER_ARN}},
    )
    plan = plan_of(raw)
    assert by_type(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    trust = json.loads(_one(plan, "aws:iam/role:Role")["inputs"]["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Federated": PROVIDER_ARN}
    assert plan["outputs"]["oidcProviderArn"] == PROVIDER_ARN


@pytest.mark.parametrize(
    "base,expected",
    [
        (EKS_CONFIG, ["aws:eks/getCluster:getCluster"]),
        (
            AKS_CONFIG,
            [
                "azure-native:containerservice:getManagedCluster",
                "azure-native:containerservice:listManagedClusterUserCredentials",
            ],
        ),
    ],
)
def test_lookups_once_per_stack_not_per_workload(base: dict[str, Any], expected: list[str]) -> None:
    template = base["irsa:workloads"][0]
    workloads = [{**template, "name": f"w{i}", "serviceAccount": f"sa{i}"} for i in range(5)]
    plan = plan_of(config(base, **{"irsa:workloads": workloads}))
    assert sorted(lk["token"] for lk in plan["lookups"]) == sorted(expected)
    assert len(by_type(plan, "aws:iam/role:Role")) == 5


def test_no_lookup_when_issuer_and_kubeconfig_are_given() -> None:
    raw = config(
        EKS_CONFIG,
        **{"irsa:cluster": {"kind": "eks", "name": "c", "issuerUrl": ISSUER, "kubeconfig": "~/.kube/config"}},
    )
    plan = plan_of(raw)
    assert plan["lookups"] == []
    assert _one(plan, "pulumi:providers:kubernetes")["inputs"]["kubeconfig"] == "~/.kube/config"


def test_eks_provider_uses_exec_kubeconfig_without_stored_credentials() -> None:
    kubeconfig = json.loads(_one(plan_of(EKS_CONFIG), "pulumi:providers:kubernetes")["inputs"]["kubeconfig"])
    assert kubeconfig["users"][0]["user"]["exec"]["args"][:4] == ["eks", "get-token", "--cluster-name", "dev-cluster"]


def test_aks_kubeconfig_is_secret() -> None:
    assert _one(plan_of(AKS_CONFIG), "pulumi:providers:kubernetes")["inputs"]["kubeconfig"] == "[secret]"


def test_created_namespace_comes_before_its_objects() -> None:
    workloads = [{**EKS_CONFIG["irsa:workloads"][0], "createNamespace": True}]
    plan = plan_of(config(EKS_CONFIG, **{"irsa:workloads": workloads}))
    ns = _one(plan, "kubernetes:core/v1:Namespace")
    for type_ in ("kubernetes:core/v1:ServiceAccount", "kubernetes:core/v1:ConfigMap", "kubernetes:batch/v1:Job"):
        assert ns["urn"] in _one(plan, type_)["dependsOn"], type_


def test_job_waits_for_policy_and_service_account() -> None:
    plan = plan_of(EKS_CONFIG)
    deps = _one(plan, "kubernetes:batch/v1:Job")["dependsOn"]
    assert _one(plan, "aws:iam/rolePolicy:RolePolicy")["urn"] in deps
    assert _one(plan, "kubernetes:core/v1:ServiceAccount")["urn"] in deps


def test_sample_job_false_creates_no_job() -> None:
    workloads = [{**EKS_CONFIG["irsa:workloads"][0], "sampleJob": False}]
    plan = plan_of(config(EKS_CONFIG, **{"irsa:workloads": workloads}))
    assert by_type(plan, "kubernetes:batch/v1:Job") == []
    assert plan["outputs"]["workloads"]["s3-writer"]["verifyLogs"] is None


def test_every_planned_object_of_every_shipped_stack_passes_strict_validation(shipped_plans: dict) -> None:
    count = 0
    for plan in shipped_plans.values():
        for obj in render.manifests(plan):
            kubernetes_validate.validate(obj, "1.32.0", strict=True)
            count += 1
    assert count >= 10


def test_projected_tokens_expire_between_ten_minutes_and_a_day(shipped_plans: dict) -> None:
    seen = 0
    for plan in shipped_plans.values():
        for obj in render.manifests(plan):
            for volume in obj.get("spec", {}).get("template", {}).get("spec", {}).get("volumes", []):
                for source in volume.get("projected", {}).get("sources", []):
                    assert 600 <= source["serviceAccountToken"]["expirationSeconds"] <= 86400
                    seen += 1
    assert seen >= 1


def test_aks_issuer_not_enabled_names_the_fix() -> None:
    cluster = parse_settings(AKS_CONFIG, "dev").cluster
    with pytest.raises(
        IssuerNotEnabledError, match="az aks update --resource-group rg-1 --name aks-1 --enable-oidc-issuer"
    ):
        aks_issuer(None, cluster)


class _NoIssuerMocks(PlanMocks):
    def _answer(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        if token == "azure-native:containerservice:getManagedCluster":
            return {"name": "aks-1", "oidcIssuerProfile": {"enabled": False}}
        return super()._answer(token, args)


def test_aks_cluster_without_issuer_fails_the_program_with_the_fix() -> None:
    from components.program import build

    settings = parse_settings(AKS_CONFIG, "dev")
    install_mocks(_NoIssuerMocks(settings), "irsa", "dev")

    @pulumi.runtime.test
    def program() -> Any:
        return pulumi.Output.from_input(build(settings))

    with pytest.raises(Exception, match="--enable-oidc-issuer"):
        program()


def test_components_compose_in_another_program() -> None:
    """Another team's program: its own provider ARN and issuer, our WorkloadIdentity, no stack config."""
    from components import WorkloadIdentity

    settings = parse_settings(EKS_CONFIG, "dev")
    monitor = install_mocks(PlanMocks(settings), "other", "team")
    seen: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> Any:
        identity = WorkloadIdentity(
            "billing",
            {
                "oidc_provider_arn": PROVIDER_ARN,
                "issuer_url": ISSUER,
                "namespace": "billing",
                "service_account": "billing",
                "region": "eu-west-1",
                "sample_job": False,
                "s3": [{"bucket": "invoices", "prefix": "2026/", "access": S3Access.READ}],
            },
        )
        return pulumi.Output.all(identity.role_name, identity.pod_identity).apply(
            lambda v: seen.update(role=v[0], fragment=v[1])
        )

    program()
    assert seen["role"] == "irsa-billing"
    assert seen["fragment"]["serviceAccountName"] == "billing"
    types = sorted(r["type"] for r in monitor.records)
    assert types == [
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "irsa:index:WorkloadIdentity",
        "kubernetes:core/v1:ServiceAccount",
        "pulumi:pulumi:Stack",
    ]
