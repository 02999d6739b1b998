"""The components hand out the resources themselves, typed as the SDKs type them, beside the strings — and the
schema says so with references into the aws and kubernetes packages, as pulumi-eks does."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_aws import eks, iam
from pulumi_kubernetes.batch import v1 as batch_v1
from pulumi_kubernetes.core import v1 as core_v1
from test_component_arguments import PROVIDER_ARN, run_program, with_args

from components import ClusterOidcProvider, WorkloadIdentity
from components.package import schema

CLUSTER_ARN = "arn:aws:eks:eu-west-1:123456789012:cluster/c"


def test_a_workload_identity_hands_out_its_resources() -> None:
    def make(seen: dict[str, Any]) -> Any:
        identity = WorkloadIdentity("app", with_args(managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"]))
        seen["identity"] = identity
        return pulumi.Output.all(identity.role.arn, identity.role_arn).apply(lambda v: seen.update(arns=v))

    records, seen, error = run_program(make)
    assert error is None, error
    identity = seen["identity"]
    assert isinstance(identity.role, iam.Role) and seen["arns"][0] == seen["arns"][1]
    assert isinstance(identity.inline_policy, iam.RolePolicy) and identity.managed_policies == []
    [attachment] = identity.policy_attachments
    assert isinstance(attachment, iam.RolePolicyAttachment)
    [account] = identity.service_accounts
    assert isinstance(account, core_v1.ServiceAccount) and identity.associations == []
    [job] = identity.verification_jobs
    assert isinstance(job, batch_v1.Job)
    registered = {r["name"] for r in records}
    for resource in (identity.role, identity.inline_policy, attachment, account, job):
        assert resource._name in registered  # the very objects registered, not copies


def test_pod_identity_hands_out_its_association() -> None:
    def make(seen: dict[str, Any]) -> Any:
        seen["identity"] = WorkloadIdentity(
            "app", with_args(mechanism="pod-identity", cluster_name="c", cluster_arn=CLUSTER_ARN,
                             oidc_provider_arn=None, issuer_url=None),
        )  # fmt: skip
        return seen["identity"].role_arn

    _, seen, error = run_program(make)
    assert error is None, error
    [association] = seen["identity"].associations
    assert isinstance(association, eks.PodIdentityAssociation)


def test_a_cluster_oidc_provider_hands_out_the_provider_it_created() -> None:
    def make(seen: dict[str, Any]) -> Any:
        seen["created"] = ClusterOidcProvider("made", {"issuer_url": "https://issuer.example.com/x"})
        seen["reused"] = ClusterOidcProvider("kept", {"issuer_url": "https://issuer.example.com/y",
                                                      "existing_provider_arn": PROVIDER_ARN})  # fmt: skip
        return seen["created"].arn

    _, seen, error = run_program(make)
    assert error is None, error
    assert isinstance(seen["created"].provider, iam.OpenIdConnectProvider) and seen["reused"].provider is None


def test_the_schema_references_the_aws_and_kubernetes_types() -> None:
    found = schema()
    outputs = found["resources"]["irsa:index:WorkloadIdentity"]["properties"]
    assert outputs["role"]["$ref"].endswith("#/resources/aws:iam%2Frole:Role")
    assert outputs["serviceAccounts"]["items"]["$ref"].endswith("#/resources/kubernetes:core%2Fv1:ServiceAccount")
    assert outputs["associations"]["items"]["$ref"].endswith(
        "#/resources/aws:eks%2FpodIdentityAssociation:PodIdentityAssociation"
    )
    provider = found["resources"]["irsa:index:ClusterOidcProvider"]["properties"]["provider"]
    assert provider["$ref"].endswith("#/resources/aws:iam%2FopenIdConnectProvider:OpenIdConnectProvider")
    assert {d["name"] for d in found["dependencies"]} >= {"aws", "kubernetes"}
