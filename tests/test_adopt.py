"""Adopting what exists (issue 26, item 1): an existing OIDC provider or role is imported rather than created —
the plan shows `= import` with the ID, the summary says what the next `up` changes — at both doors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import EKS_CONFIG, config, plan_of
from test_component_arguments import run_program

from components.cli import render
from components.cli.diff import compare
from components.core.model import InvalidInput

ISSUER = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{ISSUER.removeprefix('https://')}"


def _adopting(**workload: Any) -> dict[str, Any]:
    [w] = EKS_CONFIG["irsa:workloads"]
    return config(
        EKS_CONFIG,
        **{
            "irsa:accountId": "123456789012",
            "irsa:cluster": {"kind": "eks", "name": "dev-cluster", "issuerUrl": ISSUER, "adoptOidcProvider": True},
            "irsa:workloads": [{**w, **workload}],
        },
    )


def test_the_provider_and_the_role_are_imported_not_created() -> None:
    plan = plan_of(_adopting(adoptRole="legacy-s3-writer"))
    urns = {r["type"]: r["urn"] for r in plan["resources"]}
    assert plan["imports"] == {
        urns["aws:iam/openIdConnectProvider:OpenIdConnectProvider"]: PROVIDER,
        urns["aws:iam/role:Role"]: "legacy-s3-writer",
    }
    [role] = [r for r in plan["resources"] if r["type"] == "aws:iam/role:Role"]
    assert role["inputs"]["name"] == "legacy-s3-writer"  # the name (and ARN) pods use stays
    text = render.to_text(plan)
    assert f"[import {PROVIDER}]" in text and "[import legacy-s3-writer]" in text
    assert "= 2 to import" in text and f"+ {len(plan['resources']) - 2} to create" in text
    assert "adopts existing role legacy-s3-writer: the first `pulumi up` imports it unchanged" in text


def test_a_stack_without_adoption_imports_nothing() -> None:
    assert "imports" not in plan_of(EKS_CONFIG)


def test_diff_shows_an_adoption_as_an_import() -> None:
    base: dict[str, Any] = {"resources": [], "outputs": {}, "summary": []}
    result = compare(base, plan_of(_adopting(adoptRole="legacy-s3-writer")), "dev", "main")
    assert sorted(result.imports.values()) == sorted([PROVIDER, "legacy-s3-writer"])
    from components.cli import diff_render

    text = diff_render.FORMATS["text"](result)
    assert "= aws:iam/role:Role s3-writer-role (import legacy-s3-writer)" in text
    assert "| 📥 import `legacy-s3-writer` |" in diff_render.FORMATS["markdown"](result)
    added = json.loads(diff_render.FORMATS["json"](result))["added"]
    assert {a.get("import") for a in added} >= {PROVIDER, "legacy-s3-writer"}


@pytest.mark.parametrize(
    ("cluster", "expected"),
    [
        ({"issuerUrl": ISSUER}, "needs the existing provider's ARN before anything is deployed"),
        ({"oidcProviderArn": PROVIDER, "issuerUrl": ISSUER, "accountId": True}, "is given with oidcProviderArn"),
    ],
)
def test_adopting_a_provider_needs_its_arn_and_excludes_reuse(cluster: dict[str, Any], expected: str) -> None:
    raw = {"kind": "eks", "name": "dev-cluster", "adoptOidcProvider": True, **cluster}
    account = raw.pop("accountId", None)
    stack = config(EKS_CONFIG, **{"irsa:cluster": raw, **({"irsa:accountId": "123456789012"} if account else {})})
    with pytest.raises(InvalidInput) as caught:
        plan_of(stack)
    assert any(p.path == "irsa:cluster.adoptOidcProvider" and expected in str(p) for p in caught.value.problems)


def test_two_workloads_cannot_adopt_one_role() -> None:
    [w] = EKS_CONFIG["irsa:workloads"]
    other = {**w, "name": "other", "serviceAccount": "other", "adoptRole": "legacy"}
    with pytest.raises(InvalidInput) as caught:
        plan_of(config(EKS_CONFIG, **{"irsa:workloads": [{**w, "adoptRole": "legacy"}, other]}))
    assert [p.path for p in caught.value.problems] == ["irsa:workloads[1].adoptRole"]


def test_the_component_door_adopts_too() -> None:
    from test_component_arguments import with_args

    from components import ClusterOidcProvider, WorkloadIdentity

    def make(seen: dict[str, Any]) -> Any:
        ClusterOidcProvider("c", {"issuer_url": ISSUER, "adopt_provider_arn": PROVIDER})
        return WorkloadIdentity("app", with_args(adopt_role="legacy-app")).role_arn

    records, _, error = run_program(make)
    assert error is None, error
    [role] = [r for r in records if r["type"] == "aws:iam/role:Role"]
    assert role["inputs"]["name"] == "legacy-app"


def test_after_the_import_role_name_keeps_the_name_without_importing() -> None:
    [w] = EKS_CONFIG["irsa:workloads"]
    plan = plan_of(config(EKS_CONFIG, **{"irsa:workloads": [{**w, "roleName": "legacy-s3-writer"}]}))
    [role] = [r for r in plan["resources"] if r["type"] == "aws:iam/role:Role"]
    assert role["inputs"]["name"] == "legacy-s3-writer" and "imports" not in plan
    with pytest.raises(InvalidInput) as caught:
        plan_of(config(EKS_CONFIG, **{"irsa:workloads": [{**w, "roleName": "a", "adoptRole": "a"}]}))
    assert [p.path for p in caught.value.problems] == ["irsa:workloads[0].roleName"]


def test_the_roles_inline_policy_is_adopted_as_irsas() -> None:
    plan = plan_of(_adopting(adoptRole={"name": "legacy-s3-writer", "inlinePolicy": "legacy-policy"}))
    [policy] = [r for r in plan["resources"] if r["type"] == "aws:iam/rolePolicy:RolePolicy"]
    assert policy["inputs"]["name"] == "legacy-policy"
    assert plan["imports"][policy["urn"]] == "legacy-s3-writer:legacy-policy"
    [w] = EKS_CONFIG["irsa:workloads"]
    after = plan_of(config(EKS_CONFIG, **{"irsa:workloads": [{**w, "roleName": "legacy-s3-writer",
                                                                "policyName": "legacy-policy"}]}))  # fmt: skip
    [kept] = [r for r in after["resources"] if r["type"] == "aws:iam/rolePolicy:RolePolicy"]
    assert kept["inputs"]["name"] == "legacy-policy" and "imports" not in after


def test_the_plan_says_what_the_adopted_inline_policy_loses_and_gains() -> None:
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    plan = plan_of(_adopting(adoptRole={"name": "legacy", "inlinePolicy": {"name": "legacy-s3", "document": wide}}))
    [row] = plan["summary"]
    assert "- Allow s3:* on *" in row["adoptPolicyChanges"]
    assert "+ Allow s3:PutObject on arn:aws:s3:::my-app-uploads/uploads/*" in row["adoptPolicyChanges"]
    assert "inline policy then: - Allow s3:* on *" in render.to_text(plan)


def test_an_adopted_provider_still_lets_the_plan_say_what_the_trust_gains() -> None:
    """The adopted provider's ARN is known offline (account and issuer), so the trust comparison can be made."""
    host = ISSUER.removeprefix("https://")
    loose = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": PROVIDER},
        "Condition": {"StringEquals": {f"{host}:sub": "system:serviceaccount:production:s3-writer"}}}]}  # fmt: skip
    [row] = plan_of(_adopting(adoptRole={"name": "legacy", "trust": loose}))["summary"]
    assert row["adoptChanges"] == [f"+ StringEquals {host}:aud = sts.amazonaws.com"]
