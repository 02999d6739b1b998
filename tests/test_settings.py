"""Stack config → settings: values, defaults and exact problem messages."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import AKS_CONFIG, EKS_CONFIG, config

from components.core.model import Cluster, ConfigError, S3Grant, Settings, Workload
from components.core.settings import parse_settings


def problems(raw: dict[str, Any], stack: str = "dev") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, stack)
    return [str(p) for p in caught.value.problems]


def with_workload(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return config(base, **{"irsa:workloads": [{**base["irsa:workloads"][0], **changes}]})


def with_cluster(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return config(base, **{"irsa:cluster": {**base["irsa:cluster"], **changes}})


def test_eks_settings_with_defaults() -> None:
    assert parse_settings(EKS_CONFIG, "dev") == Settings(
        stack="dev",
        region="ap-northeast-2",
        clusters=(Cluster(kind="eks", name="dev-cluster"),),
        workloads=(
            Workload("s3-writer", "production", "s3-writer", (S3Grant("my-app-uploads", "uploads/", "read-write"),)),
        ),
    )


def test_partition_follows_region() -> None:
    assert parse_settings(config(EKS_CONFIG, **{"aws:region": "cn-north-1"}), "dev").partition == "aws-cn"
    assert parse_settings(config(EKS_CONFIG, **{"aws:region": "us-gov-west-1"}), "dev").partition == "aws-us-gov"
    assert parse_settings(EKS_CONFIG, "dev").partition == "aws"


def test_aks_needs_a_resource_group() -> None:
    raw = with_cluster(AKS_CONFIG)
    del raw["irsa:cluster"]["resourceGroup"]
    assert problems(raw) == ["irsa:cluster.resourceGroup: is required (a non-empty string)"]


def test_kind_is_checked() -> None:
    assert problems(with_cluster(EKS_CONFIG, kind="gke")) == [
        'irsa:cluster.kind: "gke" is not a supported cluster kind (eks or aks)'
    ]


def test_namespace_message_matches_the_contract() -> None:
    raw = config(
        EKS_CONFIG,
        **{
            "irsa:workloads": [
                EKS_CONFIG["irsa:workloads"][0],
                {**EKS_CONFIG["irsa:workloads"][0], "name": "b", "namespace": "Prod_NS"},
            ]
        },
    )
    assert problems(raw) == [
        'irsa:workloads[1].namespace: "Prod_NS" is not a valid Kubernetes namespace '
        "(lowercase RFC 1123 label, at most 63 characters)"
    ]


def test_every_problem_is_reported_at_once() -> None:
    raw = with_workload(
        EKS_CONFIG, serviceAccount="a:b", sampleJob="yes", s3=[{"bucket": "My_Bucket", "access": "all"}]
    )
    del raw["aws:region"]
    assert problems(raw) == [
        "aws:region: is required (a non-empty string)",
        'irsa:workloads[0].sampleJob: "yes" is not a boolean (true or false)',
        'irsa:workloads[0].serviceAccount: "a:b" is not a valid ServiceAccount name '
        "(lowercase RFC 1123 subdomain, at most 253 characters)",
        'irsa:workloads[0].s3[0].bucket: "My_Bucket" has characters or ends that S3 does not allow '
        "(an S3 bucket name: 3-63 lowercase letters, digits, '.', '-', starting and ending with a letter or digit)",
        'irsa:workloads[0].s3[0].access: "all" is not an access level (read, write, read-write or sync)',
    ]


def test_unknown_key_suggests_the_close_one() -> None:
    assert problems(with_workload(EKS_CONFIG, serviceAcount="x")) == [
        "irsa:workloads[0].serviceAcount: unknown key (did you mean 'serviceAccount'? known keys: name, namespace, "
        "serviceAccount, s3, sampleJob, createNamespace, maxSessionDuration, tokenExpirationSeconds, jobImage, "
        "extraSubjects, assumeRoles, presets, presetOptions, createServiceAccount, sessionTags, "
        "disableSessionTags, mechanism, clusters, targetRoleArn, permissionsBoundary, tags, dynamodb, sqs, sns, "
        "secrets, parameters, kms, ecr, "
        "managedPolicyArns, statements, verifyPublish, allowPrivilegedManagedPolicies, adoptRole, roleName, "
        "policyName, sharedRole)"
    ]


def test_role_name_limit_is_computed_from_the_real_name() -> None:
    name = "a" * 52
    assert problems(with_workload(EKS_CONFIG, name=name, sampleJob=False), stack="staging") == [
        f"irsa:workloads[0].name: IAM role name 'irsa-staging-{name}' would be 65 characters "
        "(IAM role names are at most 64: shorten the workload name by 1)"
    ]
    assert parse_settings(with_workload(EKS_CONFIG, name="a" * 51, sampleJob=False), "staging")


def test_job_name_limit_applies_only_with_a_job() -> None:
    name = "b" * 52
    assert problems(with_workload(EKS_CONFIG, name=name)) == [
        f"irsa:workloads[0].name: verification Job name '{name}-irsa-verify' would be 64 characters "
        "(verification Job names are at most 63: shorten the workload name by 1)"
    ]
    assert parse_settings(with_workload(EKS_CONFIG, name=name, sampleJob=False), "dev")


def test_token_expiration_at_least_600() -> None:
    assert problems(with_workload(EKS_CONFIG, tokenExpirationSeconds=300)) == [
        "irsa:workloads[0].tokenExpirationSeconds: 300 is out of range "
        "(projected token expirationSeconds: at least 600, at most one day: 600 to 86400)"
    ]


def test_duplicate_subjects_are_rejected() -> None:
    first = EKS_CONFIG["irsa:workloads"][0]
    raw = config(EKS_CONFIG, **{"irsa:workloads": [first, {**first, "name": "other"}]})
    assert problems(raw) == [
        "irsa:workloads[1].serviceAccount: production/s3-writer is already used by "
        "irsa:workloads[0] (one workload per namespace/ServiceAccount)"
    ]


def test_eks_issuer_shape_is_checked() -> None:
    url = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF/"
    assert problems(with_cluster(EKS_CONFIG, issuerUrl=url)) == [
        f'irsa:cluster.issuerUrl: "{url}" is not an EKS issuer URL '
        "(https://oidc.eks.<region>.amazonaws.com/id/<32 hex>, no trailing slash)"
    ]


def test_aks_issuer_keeps_its_trailing_slash() -> None:
    url = "https://koreacentral.oic.prod-aks.azure.com/tenant/cluster"
    assert problems(with_cluster(AKS_CONFIG, issuerUrl=url)) == [
        f'irsa:cluster.issuerUrl: "{url}" lacks the trailing slash AKS issuers have '
        "(https://<region>.oic.prod-aks.azure.com/<tenant>/<cluster>/ exactly as `az aks show` prints it)"
    ]


def test_wildcard_subjects_are_kept_and_warned_about() -> None:
    raw = with_workload(EKS_CONFIG, extraSubjects=["system:serviceaccount:batch:job-*", "system:serviceaccount:a:b"])
    settings = parse_settings(raw, "dev")
    assert settings.workloads[0].subjects == (
        "system:serviceaccount:production:s3-writer",
        "system:serviceaccount:batch:job-*",
        "system:serviceaccount:a:b",
    )
    assert settings.warnings == (
        "irsa:workloads[0].extraSubjects: 'system:serviceaccount:batch:job-*' is a wildcard: the trust policy uses "
        "StringLike and every matching ServiceAccount can assume the role",
    )


def test_literal_subjects_give_no_warning() -> None:
    raw = with_workload(EKS_CONFIG, extraSubjects=["system:serviceaccount:a:b"])
    assert parse_settings(raw, "dev").warnings == ()
