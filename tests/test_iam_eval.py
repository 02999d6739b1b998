"""The identity-policy evaluator against the rules the IAM user guide states, with its own examples
(policy evaluation logic; condition operators; single- vs multivalued context keys)."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.iam_eval import Request, condition_holds, evaluate


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_S3 = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}


def allowed(documents: list[dict[str, Any]], action: str, resource: str = "*", **context: Any) -> bool:
    return evaluate(documents, Request(action, resource, context)).allowed


def test_nothing_allowed_is_denied_and_an_explicit_deny_wins() -> None:
    assert not allowed([doc()], "s3:GetObject")
    deny = {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    assert allowed([doc(ALLOW_S3)], "s3:DeleteObject")
    assert not allowed([doc(ALLOW_S3), doc(deny)], "s3:DeleteObject")
    assert allowed([doc(ALLOW_S3), doc(deny)], "s3:GetObject")


def test_action_names_are_case_insensitive_and_take_wildcards() -> None:
    policy = [doc({"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"})]
    assert allowed(policy, "IAM:GetRole") and allowed(policy, "iam:getuser")
    assert not allowed(policy, "iam:ListRoles")


def test_not_action_allows_everything_else() -> None:
    # The guide's example: NotAction with Allow grants every action but those listed.
    policy = [doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]
    assert allowed(policy, "s3:ListAllMyBuckets") and not allowed(policy, "iam:CreateUser")


def test_resources_match_with_wildcards_case_sensitively() -> None:
    policy = [doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/home/*"})]
    assert allowed(policy, "s3:GetObject", "arn:aws:s3:::bucket/home/a/b.txt")
    assert not allowed(policy, "s3:GetObject", "arn:aws:s3:::bucket/Home/a.txt")
    assert not allowed(policy, "s3:GetObject", "arn:aws:s3:::bucket/homeless.txt")
    not_resource = [doc({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"})]
    assert allowed(not_resource, "s3:GetObject", "arn:aws:s3:::public/x")
    assert not allowed(not_resource, "s3:GetObject", "arn:aws:s3:::secret/x")


def test_keys_and_operators_are_and_values_are_or() -> None:
    condition = {"StringEquals": {"aws:PrincipalTag/team": ["a", "b"], "aws:RequestTag/env": "prod"}}
    policy = [doc({**ALLOW_S3, "Condition": condition})]
    assert allowed(policy, "s3:GetObject", **{"aws:PrincipalTag/team": "b", "aws:RequestTag/env": "prod"})
    assert not allowed(policy, "s3:GetObject", **{"aws:PrincipalTag/team": "c", "aws:RequestTag/env": "prod"})
    assert not allowed(policy, "s3:GetObject", **{"aws:PrincipalTag/team": "a"})


@pytest.mark.parametrize(
    "operator,present,expected",
    [
        ("StringEquals", False, False),  # a missing key fails a positive test
        ("StringNotEquals", False, True),  # ... and satisfies a negated one
        ("StringLike", False, False),
        ("StringNotLike", False, True),
        ("StringEqualsIfExists", False, True),  # IfExists: true when the key is absent
        ("ArnLike", False, False),
        ("ForAnyValue:StringEquals", False, False),
        ("ForAllValues:StringEquals", False, True),  # "also returns true if there are no context keys"
    ],
)
def test_missing_keys(operator: str, present: bool, expected: bool) -> None:
    assert condition_holds(operator, "k", ["v"], {"k": "v"} if present else {}) is expected


def test_null_checks_existence() -> None:
    assert condition_holds("Null", "aws:TokenIssueTime", ["true"], {})
    assert not condition_holds("Null", "aws:TokenIssueTime", ["true"], {"aws:TokenIssueTime": "x"})
    assert condition_holds("Null", "aws:TokenIssueTime", ["false"], {"aws:TokenIssueTime": "x"})
    assert not condition_holds("Null", "aws:TokenIssueTime", ["false"], {})


def test_set_operators_on_multivalued_keys() -> None:
    # The guide's example: request tag keys ["CreatedBy", "CreatedAt"] against ForAllValues:StringLike Created*.
    tags = {"aws:TagKeys": ["CreatedBy", "CreatedAt"]}
    assert condition_holds("ForAllValues:StringLike", "aws:TagKeys", ["Created*"], tags)
    mixed = {"aws:TagKeys": ["CreatedBy", "Owner"]}
    assert not condition_holds("ForAllValues:StringLike", "aws:TagKeys", ["Created*"], mixed)
    assert condition_holds("ForAnyValue:StringLike", "aws:TagKeys", ["Created*"], mixed)
    assert not condition_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["Cost"], mixed)
    # ForAllValues with Allow and an absent key is true: the guide's warning, kept
    assert condition_holds("ForAllValues:StringEquals", "aws:TagKeys", ["Cost"], {})


def test_bool_and_numeric() -> None:
    assert condition_holds("Bool", "aws:SecureTransport", ["false"], {"aws:SecureTransport": "false"})
    assert not condition_holds("Bool", "aws:SecureTransport", ["true"], {"aws:SecureTransport": "false"})
    assert condition_holds("NumericLessThanEquals", "s3:max-keys", ["10"], {"s3:max-keys": "5"})
    assert not condition_holds("NumericLessThanEquals", "s3:max-keys", ["10"], {"s3:max-keys": "11"})


def test_an_unsupported_operator_is_an_error_not_an_answer() -> None:
    with pytest.raises(ValueError):
        condition_holds("DateGreaterThan", "aws:CurrentTime", ["2020-01-01"], {"aws:CurrentTime": "x"})
