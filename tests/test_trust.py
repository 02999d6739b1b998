"""The trust-policy evaluator against the IAM condition semantics the AWS documentation describes."""

from __future__ import annotations

import fnmatch

from hypothesis import given
from hypothesis import strategies as st

from components.core import documents, trust

P = "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/id/X"
H = "oidc.example.com/id/X"


def policy(condition: dict) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": P},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition,
            }
        ],
    }


def allowed(condition: dict, context: dict[str, str], principal: str = P) -> bool:
    return trust.evaluate(policy(condition), principal, context).allowed


def test_generated_policy_allows_exactly_its_service_account() -> None:
    doc = documents.trust_policy(P, H, ["system:serviceaccount:prod:app"], "sts.amazonaws.com")
    ok = {f"{H}:sub": "system:serviceaccount:prod:app", f"{H}:aud": "sts.amazonaws.com"}
    assert trust.evaluate(doc, P, ok).allowed
    assert not trust.evaluate(doc, P, {**ok, f"{H}:sub": "system:serviceaccount:prod:other"}).allowed
    assert not trust.evaluate(doc, P, {**ok, f"{H}:aud": "other"}).allowed


def test_several_values_for_one_key_are_ored() -> None:
    cond = {"StringEquals": {f"{H}:sub": ["system:serviceaccount:a:x", "system:serviceaccount:b:y"]}}
    assert allowed(cond, {f"{H}:sub": "system:serviceaccount:b:y"})
    assert not allowed(cond, {f"{H}:sub": "system:serviceaccount:c:z"})


def test_several_keys_are_anded() -> None:
    cond = {"StringEquals": {f"{H}:sub": "s", f"{H}:aud": "a"}}
    assert allowed(cond, {f"{H}:sub": "s", f"{H}:aud": "a"})
    assert not allowed(cond, {f"{H}:sub": "s", f"{H}:aud": "b"})


def test_several_operators_are_anded() -> None:
    cond = {"StringEquals": {f"{H}:aud": "a"}, "StringLike": {f"{H}:sub": "system:serviceaccount:ns:*"}}
    assert allowed(cond, {f"{H}:sub": "system:serviceaccount:ns:x", f"{H}:aud": "a"})
    assert not allowed(cond, {f"{H}:sub": "system:serviceaccount:ns:x", f"{H}:aud": "b"})
    assert not allowed(cond, {f"{H}:sub": "system:serviceaccount:other:x", f"{H}:aud": "a"})


def test_string_like_wildcards() -> None:
    assert trust.string_like("system:serviceaccount:ns:job-*", "system:serviceaccount:ns:job-")
    assert trust.string_like("system:serviceaccount:ns:job-*", "system:serviceaccount:ns:job-a:b")
    assert trust.string_like("team-?", "team-a")
    assert not trust.string_like("team-?", "team-ab")
    assert not trust.string_like("team-?", "team-")
    assert trust.string_like("a.b", "a.b") and not trust.string_like("a.b", "axb")  # '.' is literal


def test_string_equals_takes_wildcards_literally() -> None:
    cond = {"StringEquals": {f"{H}:sub": "system:serviceaccount:ns:*"}}
    assert not allowed(cond, {f"{H}:sub": "system:serviceaccount:ns:app"})
    assert allowed(cond, {f"{H}:sub": "system:serviceaccount:ns:*"})


def test_comparison_is_case_sensitive() -> None:
    assert not allowed(
        {"StringEquals": {f"{H}:sub": "System:ServiceAccount:ns:app"}}, {f"{H}:sub": "system:serviceaccount:ns:app"}
    )
    assert not allowed({"StringLike": {f"{H}:sub": "SYSTEM:*"}}, {f"{H}:sub": "system:serviceaccount:ns:app"})


def test_missing_key_denies_and_negated_operator_holds() -> None:
    assert not allowed({"StringEquals": {f"{H}:aud": "a"}}, {f"{H}:sub": "s"})
    assert not allowed({"StringLike": {f"{H}:aud": "*"}}, {})
    assert allowed({"StringNotEquals": {f"{H}:aud": "a"}}, {})


def test_principal_must_be_the_provider() -> None:
    assert not allowed({}, {}, principal="arn:aws:iam::123456789012:oidc-provider/other")
    assert allowed({}, {})


def test_explicit_deny_wins() -> None:
    doc = policy({"StringEquals": {f"{H}:aud": "a"}})
    doc["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"Federated": P},
            "Action": "sts:*",
            "Condition": {"StringEquals": {f"{H}:sub": "bad"}},
        }
    )
    assert trust.evaluate(doc, P, {f"{H}:aud": "a", f"{H}:sub": "good"}).allowed
    decision = trust.evaluate(doc, P, {f"{H}:aud": "a", f"{H}:sub": "bad"})
    assert not decision.allowed and decision.reason == "an explicit Deny matches"


def test_decision_names_the_failing_condition() -> None:
    decision = trust.evaluate(
        policy({"StringEquals": {f"{H}:sub": "s", f"{H}:aud": "a"}}), P, {f"{H}:sub": "s", f"{H}:aud": "b"}
    )
    assert decision.reason == f"condition not met: StringEquals {H}:aud"
    assert [(r.key, r.held) for r in decision.conditions] == [(f"{H}:sub", True), (f"{H}:aud", False)]


@given(st.text("ab*?.\n", max_size=8), st.text("ab*?.\n", max_size=8))
def test_string_like_is_the_glob_of_the_standard_library(pattern: str, value: str) -> None:
    """`*` any run (newlines too), `?` one character, everything else literal: as fnmatch's case-sensitive glob
    (an implementation not ours; its `[` sets are left out of the alphabet), the short cuts for plain and
    trailing-`*` patterns included."""
    assert trust.string_like(pattern, value) == fnmatch.fnmatchcase(value, pattern)
    assert trust.string_like(pattern + "*", value + "x") == fnmatch.fnmatchcase(value + "x", pattern + "*")
