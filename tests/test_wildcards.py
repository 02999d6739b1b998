"""Wildcards in every spelling: what an Action or Resource pattern reaches is decided once (core/wildcards.py) by
IAM's matching, and the raw-statement check and the policy pack both ask it. The IAM simulator confirms each
verdict: a pattern called "every action" does allow a canary action nobody named, one that is not does not."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rules
from conftest import EKS_CONFIG, config
from policy_checks import check
from simulator import agreed

from components.core import wildcards
from components.core.model import ConfigError
from components.core.settings import parse_settings

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/irsa-dev-app"
# Actions nobody would name in a grant, one per service the patterns below are about.
CANARIES = {"s3": "s3:PutBucketPolicy", "iam": "iam:CreateUser", "sts": "sts:AssumeRole"}
EVERY_ACTION = ["*", "s3:*", "s3:?*", "s3:**", "S3:*", "s3:*?"]
# A wildcard in the service prefix matches nothing (the simulator agrees): the raw check refuses it as invalid.
NOT_EVERY_ACTION = ["s3:Get*", "s3:GetObject", "s3:Put?bject", "iam:Get*", "*:PutBucketPolicy", "?*:*"]
EVERY_RESOURCE = ["*", "arn:aws:s3:::*", "arn:aws:s3:::?*", "arn:aws:s3:::*/*", "arn:aws:*:*:*:*", "?*"]
NOT_EVERY_RESOURCE = ["arn:aws:s3:::uploads/*", "arn:aws:s3:::uploads-?", "arn:aws:dynamodb:ap-northeast-2:1:table/t"]


def _allows(statement: dict[str, Any], action: str, resource: str) -> bool:
    [decision] = agreed([{"Version": "2012-10-17", "Statement": [statement]}], [(action, resource, {})], ROLE, ACCOUNT)
    return decision


@pytest.mark.parametrize("pattern", EVERY_ACTION + NOT_EVERY_ACTION)
def test_every_action_means_what_the_simulator_allows(pattern: str) -> None:
    service = pattern.partition(":")[0].lower()
    canary = CANARIES.get(service, "s3:PutBucketPolicy")
    reach = _allows({"Effect": "Allow", "Action": pattern, "Resource": "*"}, canary, "arn:aws:s3:::victim")
    assert wildcards.covers_every_action(pattern) == reach == (pattern in EVERY_ACTION)


@pytest.mark.parametrize("pattern", EVERY_RESOURCE + NOT_EVERY_RESOURCE)
def test_every_resource_means_what_the_simulator_allows(pattern: str) -> None:
    reach = _allows({"Effect": "Allow", "Action": "s3:PutObject", "Resource": pattern}, "s3:PutObject",
                    "arn:aws:s3:::zz-someone-elses-bucket/key")  # fmt: skip
    assert wildcards.covers_every_resource(pattern) == reach == (pattern in EVERY_RESOURCE)


def _raw(statement: dict[str, Any]) -> list[str]:
    workload = {**EKS_CONFIG["irsa:workloads"][0], "statements": [{"Sid": "Mine", **statement}]}
    try:
        parse_settings(config(EKS_CONFIG, **{"irsa:workloads": [workload]}), "dev")
    except ConfigError as refused:
        return [str(p) for p in refused.problems]
    return []


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:?*", "arn:aws:s3:::?*"),
        ("s3:**", "arn:aws:s3:::uploads/*"),
        ("S3:*", "arn:aws:s3:::uploads/*"),
        ("*:DeleteObject", "arn:aws:s3:::uploads/*"),
        ("s3:PutObject", "arn:aws:s3:::?*"),
        ("s3:DeleteObject", "arn:aws:s3:::*/*"),
        ("s3:PutObject", "arn:*:*:*:*:*"),
        ("IAM:PassRole", "arn:aws:iam::123456789012:role/x"),
        ("iam:passrole", "arn:aws:iam::123456789012:role/x"),
        ("i*:PassRole", "arn:aws:iam::123456789012:role/x"),
        ("sts:AssumeRole*", "arn:aws:iam::123456789012:role/x"),
        ("iam:Ge*", "arn:aws:iam::123456789012:role/x"),  # GenerateCredentialReport is not a read
    ],
)
def test_raw_statements_reaching_a_whole_service_are_refused(action: str, resource: str) -> None:
    problems = _raw({"Effect": "Allow", "Action": [action], "Resource": resource})
    assert problems and all(p.startswith('irsa:workloads[0].statements[0] (Sid "Mine")') for p in problems)


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:Get*", "arn:aws:s3:::uploads/*"),
        ("s3:PutObject", "arn:aws:s3:::uploads/in/*"),
        ("iam:Get*", "arn:aws:iam::123456789012:role/x"),
        ("s3:GetObject", "*"),  # reads may name "*"
    ],
)
def test_named_raw_statements_are_kept(action: str, resource: str) -> None:
    assert _raw({"Effect": "Allow", "Action": [action], "Resource": resource}) == []


def _policy(action: Any, resource: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action,
                                                               "Resource": resource}]})  # fmt: skip


@pytest.mark.parametrize(("action", "resource"), [("s3:?*", "arn:aws:s3:::b/*"), ("s3:**", "arn:aws:s3:::b/*"),
                                                  ("s3:GetObject", "arn:aws:s3:::?*")])  # fmt: skip
def test_the_pack_sees_every_spelling_in_policies_and_in_a_roles_inline_policies(action: str, resource: str) -> None:
    assert check(rules.no_wildcard_permissions, "aws:iam/rolePolicy:RolePolicy", {"policy": _policy(action, resource)})
    inline = {"assumeRolePolicy": "{}", "inlinePolicies": [{"name": "own", "policy": _policy(action, resource)}]}
    found = check(rules.no_wildcard_permissions, "aws:iam/role:Role", inline)
    assert found and all(f.startswith("inline policy 'own' Statement[0]: wildcard") for f in found)


PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/AB"


def _trust(action: Any, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize("action", ["sts:AssumeRoleWith*", "sts:*", "*", "STS:assumerolewithwebidentity",
                                    ["sts:TagSession", "sts:AssumeRoleWithWeb?dentity"]])  # fmt: skip
def test_the_trust_rule_reads_the_web_identity_action_as_iam_does(action: Any) -> None:
    found = check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": _trust(action)})
    assert any("no `sub` condition" in f for f in found) and any("no `aud` condition" in f for f in found)


@pytest.mark.parametrize("subject", ["system:*", "*", "system:serviceaccount:kube-*:*", "system:serviceaccount:*:ci"])
def test_the_trust_rule_refuses_subjects_that_reach_every_or_a_system_service_account(subject: str) -> None:
    key = "oidc.eks.ap-northeast-2.amazonaws.com/id/AB"
    condition = {"StringLike": {f"{key}:sub": subject}, "StringEquals": {f"{key}:aud": "sts.amazonaws.com"}}
    trust = _trust("sts:AssumeRoleWithWebIdentity", condition)
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": trust})


@pytest.mark.parametrize(
    "document",
    [
        {"Statement": "allow everything"},
        {"Statement": [{"Effect": "Allow", "Action": 7, "Resource": "*"}]},
        {"Statement": [{"Effect": "Allow", "Principal": "someone", "Action": "sts:AssumeRoleWithWebIdentity"}]},
        {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": ["x"]}]},
        ["not", "an", "object"],
    ],
)
def test_odd_documents_fail_the_check_instead_of_crashing_it(document: Any) -> None:
    text = json.dumps(document)
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": text})
    assert check(rules.no_wildcard_permissions, "aws:iam/rolePolicy:RolePolicy", {"policy": text})
