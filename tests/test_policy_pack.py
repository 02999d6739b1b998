"""Policy pack rules, called directly (constructing the PolicyPack would start a server): both ways."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rules
from policy_checks import check, resource_options
from pulumi_policy import (
    PolicyResource,
    StackValidationArgs,
)
from pulumi_policy.proxy import unknown_checking_proxy

from components.core import documents, manifests
from components.core.model import S3Grant

HOST = "oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{HOST}"
ROLE_ARN = "arn:aws:iam::123456789012:role/irsa-dev-app"


def _trust(condition: dict[str, Any]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": PROVIDER},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": condition,
                }
            ],
        }
    )


GOOD_TRUST = json.dumps(documents.trust_policy(PROVIDER, HOST, ["system:serviceaccount:a:b"], "sts.amazonaws.com"))


def test_trust_rule_passes_the_generated_policy() -> None:
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": GOOD_TRUST}) == []


@pytest.mark.parametrize(
    "condition,expected",
    [
        (
            {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}},
            "trust policy Statement[0]: no `sub` condition: "
            "any ServiceAccount of any cluster on this issuer can assume it",
        ),
        (
            {"StringEquals": {f"{HOST}:sub": "system:serviceaccount:a:b"}},
            "trust policy Statement[0]: no `aud` condition: tokens minted for any audience are accepted",
        ),
        (
            {"StringEquals": {f"{HOST}:aud": "x"}, "StringLike": {f"{HOST}:sub": "*"}},
            f"trust policy Statement[0]: {HOST}:sub = '*' trusts every ServiceAccount",
        ),
        (
            {"StringEquals": {f"{HOST}:aud": "x", f"{HOST}:sub": "system:serviceaccount:a:*"}},
            f"trust policy Statement[0]: {HOST}:sub = 'system:serviceaccount:a:*' under StringEquals is literal and "
            "matches nothing; use StringLike for wildcards",
        ),
    ],
)
def test_trust_rule_reports_each_violation(condition: dict[str, Any], expected: str) -> None:
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": _trust(condition)}) == [
        expected
    ]


def test_trust_rule_ignores_other_types_and_other_principals() -> None:
    service_trust = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    )
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": service_trust}) == []
    assert check(rules.trust_pins_sub_and_aud, "aws:s3/bucket:Bucket", {"assumeRolePolicy": _trust({})}) == []


def test_permission_rule_both_ways() -> None:
    good = json.dumps(documents.s3_policy([S3Grant("b", "p/", "read-write")], "aws"))
    assert check(rules.no_wildcard_permissions, "aws:iam/rolePolicy:RolePolicy", {"policy": good}) == []
    bad = json.dumps({"Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]})
    assert check(rules.no_wildcard_permissions, "aws:iam/rolePolicy:RolePolicy", {"policy": bad}) == [
        "permission policy Statement[0]: wildcard action 's3:*'",
        "permission policy Statement[0]: wildcard resource '*'",
    ]


def test_provider_rule_both_ways() -> None:
    type_ = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    assert check(rules.oidc_provider_protected, type_, {"url": "https://x"}, protect=True) == []
    assert check(rules.oidc_provider_protected, type_, {"url": "https://x"}, protect=False) == [
        "IAM OIDC providers must be protected: deleting one breaks every role of its cluster"
    ]


def test_job_rule_both_ways() -> None:
    job = manifests.verification_job("app", "ns", "app", (S3Grant("b", "", "read"),), "img", None, ROLE_ARN)
    assert check(rules.hardened_workloads, "kubernetes:batch/v1:Job", job) == []
    loose = {"spec": {"template": {"spec": {"restartPolicy": "Always", "containers": [{"name": "c", "image": "i"}]}}}}
    assert check(rules.hardened_workloads, "kubernetes:batch/v1:Job", loose) == [
        "restartPolicy is not Never or OnFailure",
        "backoffLimit is not set",
        "ttlSecondsAfterFinished is not set",
        "activeDeadlineSeconds is not set",
        "container c: runAsNonRoot is not true",
        "container c: allowPrivilegeEscalation is not false",
        "container c: readOnlyRootFilesystem is not true",
        "container c: capabilities do not drop ALL",
        "container c: seccomp profile is not RuntimeDefault",
    ]


def test_deployment_with_a_day_long_token_limit() -> None:
    pod = manifests.verification_job(
        "a",
        "n",
        "a",
        (S3Grant("b", "", "read"),),
        "i",
        manifests.pod_identity_fragment("a", ROLE_ARN, "us-east-1", "sts.amazonaws.com", 172800),
        ROLE_ARN,
    )["spec"]["template"]
    assert check(rules.hardened_workloads, "kubernetes:apps/v1:Deployment", {"spec": {"template": pod}}) == [
        "volume aws-iam-token: token expirationSeconds 172800 is outside 600-86400"
    ]


def test_odd_shapes_are_violations_of_the_rule_that_met_them_never_a_crash() -> None:
    fragment = manifests.pod_identity_fragment("a", ROLE_ARN, "us-east-1", "sts.amazonaws.com", 3600)
    pod = manifests.verification_job("a", "n", "a", (S3Grant("b", "", "read"),), "i", fragment, ROLE_ARN)["spec"][
        "template"
    ]
    as_string = {**pod, "spec": {**pod["spec"], "containers": ["nginx"]}}
    assert check(rules.hardened_workloads, "kubernetes:apps/v1:Deployment", {"spec": {"template": as_string}}) == [
        "containers[0] is str, not a map"
    ]
    volumes = json.loads(json.dumps(pod["spec"]["volumes"]).replace("3600", '"3600"'))
    text_seconds = {**pod, "spec": {**pod["spec"], "volumes": volumes}}
    assert check(rules.hardened_workloads, "kubernetes:apps/v1:Deployment", {"spec": {"template": text_seconds}}) == [
        "volume aws-iam-token: token expirationSeconds '3600' is not a whole number"
    ]
    # The engine hands a policy its numbers as floats: a whole one is a whole number, a fraction is not.
    floats = json.loads(json.dumps(pod), parse_int=float)
    assert check(rules.hardened_workloads, "kubernetes:apps/v1:Deployment", {"spec": {"template": floats}}) == []
    fraction = json.loads(json.dumps(pod["spec"]["volumes"]).replace("3600", "3600.5"))
    halves = {**pod, "spec": {**pod["spec"], "volumes": fraction}}
    assert check(rules.hardened_workloads, "kubernetes:apps/v1:Deployment", {"spec": {"template": halves}}) == [
        "volume aws-iam-token: token expirationSeconds 3600.5 is not a whole number"
    ]
    kinds = ("kubernetes:batch/v1:Job", "kubernetes:core/v1:Pod", "kubernetes:apps/v1:Deployment")
    for spec, types in (("a string", kinds), (["a", "list"], kinds), ({"template": "x"}, (kinds[0], kinds[2])),
                        ({"template": {"spec": 7}}, (kinds[0], kinds[2]))):  # fmt: skip
        for type_ in types:
            assert check(rules.hardened_workloads, type_, {"spec": spec}), (type_, spec)
    for rule, type_, props in (
        (rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": "[" * 5000}),
        (rules.no_wildcard_permissions, "aws:iam/role:Role", {"inlinePolicies": [{"name": 1, "policy": {"a": 1}}]}),
        (rules.privileged_managed_policies, "aws:iam/role:Role", {"managedPolicyArns": 7}),
    ):
        assert check(rule, type_, props), rule.name  # reported, not raised


def _resource(type_: str, name: str, props: dict[str, Any]) -> PolicyResource:
    return PolicyResource(
        type_, unknown_checking_proxy(props), f"urn:pulumi:dev::p::{type_}::{name}", name, resource_options(), None,
        None, [], {},
    )  # fmt: skip


def test_service_account_rule_both_ways() -> None:
    role = _resource("aws:iam/role:Role", "r", {"arn": ROLE_ARN})
    sa_ok = _resource("kubernetes:core/v1:ServiceAccount", "ok", manifests.service_account("ok", "n", ROLE_ARN))
    other = "arn:aws:iam::999999999999:role/admin"
    sa_bad = _resource("kubernetes:core/v1:ServiceAccount", "bad", manifests.service_account("bad", "n", other))
    violations: list[tuple[str, Any]] = []

    def report(message: str, urn: str | None = None) -> None:
        violations.append((message, urn))

    rules.service_account_roles_defined.validate(StackValidationArgs([role, sa_ok, sa_bad]), report)
    assert violations == [
        (f"ServiceAccount bad is annotated with role {other}, which this stack does not define", sa_bad.urn)
    ]


def test_shipped_stacks_pass_every_resource_rule(shipped_plans: dict) -> None:
    checked = 0
    for plan in shipped_plans.values():
        for r in plan["resources"]:
            for policy in (
                rules.trust_pins_sub_and_aud,
                rules.no_wildcard_permissions,
                rules.oidc_provider_protected,
                rules.hardened_workloads,
            ):
                assert check(policy, r["type"], r["inputs"], protect=r["protect"]) == [], (policy.name, r["urn"])
                checked += 1
    assert checked > 40
