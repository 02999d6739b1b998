"""Guardrails organisations require: a permissions boundary, a role path and tags on every role the
stack creates, tags on every taggable resource, and a policy-pack rule that checks the boundary."""

from __future__ import annotations

from typing import Any

import pytest
import rules
from conftest import CROSS_CONFIG, EKS_CONFIG, by_type, config, plan_of
from policy_checks import check, resource_options
from pulumi_policy import EnforcementLevel, ResourceValidationArgs
from pulumi_policy.proxy import unknown_checking_proxy

from components import WorkloadIdentity
from components.core.model import ConfigError
from components.core.settings import parse_settings
from components.invalid_arguments import InvalidArguments

BOUNDARY = "arn:aws:iam::123456789012:policy/org/workload-boundary"
DEFAULTS = {"permissionsBoundary": BOUNDARY, "rolePath": "/workloads/", "tags": {"cost-center": "4410", "team": "core"}}


def with_defaults(base: dict[str, Any], **workload_changes: Any) -> dict[str, Any]:
    raw = config(base, **{"irsa:defaults": DEFAULTS})
    raw["irsa:workloads"][0].update(workload_changes)
    return raw


def test_every_role_carries_boundary_path_and_merged_tags() -> None:
    raw = with_defaults(CROSS_CONFIG, tags={"tier": "critical", "team": "payments"})
    raw["irsa:crossAccount"] = {**raw["irsa:crossAccount"], "permissionsBoundary": "arn:aws:iam::210987654321:policy/b"}
    plan = plan_of(raw)
    roles = by_type(plan, "aws:iam/role:Role")
    assert len(roles) == 2  # the workload's, and the one in the other account
    workload = next(r for r in roles if "WorkloadIdentity" in r["urn"])
    other = next(r for r in roles if "CrossAccountRole" in r["urn"])
    assert workload["inputs"]["permissionsBoundary"] == BOUNDARY and workload["inputs"]["path"] == "/workloads/"
    assert workload["inputs"]["tags"] == {"cost-center": "4410", "team": "payments", "tier": "critical"}
    assert other["inputs"]["path"] == "/workloads/" and other["inputs"]["tags"] == {
        "cost-center": "4410",
        "team": "core",
    }
    [provider] = by_type(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider["inputs"]["tags"] == {"cost-center": "4410", "team": "core"}


def test_a_workload_boundary_overrides_the_default() -> None:
    own = "arn:aws:iam::123456789012:policy/special"
    [role] = by_type(plan_of(with_defaults(EKS_CONFIG, permissionsBoundary=own)), "aws:iam/role:Role")
    assert role["inputs"]["permissionsBoundary"] == own


def test_pod_identity_associations_are_tagged() -> None:
    raw = with_defaults(
        config(EKS_CONFIG, **{"irsa:cluster": {"kind": "eks", "name": "c", "mechanism": "pod-identity"}})
    )
    [association] = by_type(plan_of(raw), "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association["inputs"]["tags"] == {"cost-center": "4410", "team": "core"}


def test_without_defaults_nothing_changes() -> None:
    [role] = by_type(plan_of(EKS_CONFIG), "aws:iam/role:Role")
    assert not {"path", "permissionsBoundary", "tags"} & set(role["inputs"])


def test_a_boundary_in_another_account_needs_its_own_boundary_there() -> None:
    # BOUNDARY is a policy of 123456789012; the cross-account roles live in 210987654321.
    with pytest.raises(ConfigError) as caught:
        parse_settings(with_defaults(CROSS_CONFIG), "dev")
    assert [p.path for p in caught.value.problems] == ["irsa:crossAccount.permissionsBoundary"]
    raw = with_defaults(CROSS_CONFIG)
    raw["irsa:crossAccount"] = {**raw["irsa:crossAccount"], "permissionsBoundary": "arn:aws:iam::210987654321:policy/b"}
    assert parse_settings(raw, "dev").cross_account.permissions_boundary == "arn:aws:iam::210987654321:policy/b"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "defaults,expected",
    [
        (
            {"permissionsBoundary": "arn:aws:iam::123456789012:role/x"},
            'irsa:defaults.permissionsBoundary: "arn:aws:iam::123456789012:role/x" is not a managed policy ARN',
        ),
        (
            {"permissionsBoundary": "arn:aws-cn:iam::123456789012:policy/x"},
            "irsa:defaults.permissionsBoundary: partition 'aws-cn' does not match region",
        ),
        ({"rolePath": "workloads"}, 'irsa:defaults.rolePath: "workloads" is not an IAM path'),
        ({"rolePath": "/workloads"}, 'irsa:defaults.rolePath: "/workloads" is not an IAM path'),
        ({"tags": {"aws:team": "x"}}, 'irsa:defaults.tags.aws:team: "aws:team" is not a tag key'),
        ({"tags": {"cost": 4410}}, "irsa:defaults.tags.cost: 4410 is not a tag value"),
        ({"tags": {f"k{i}": "v" for i in range(51)}}, "irsa:defaults.tags: has 51 tags"),
        ({"boundary": BOUNDARY}, "irsa:defaults.boundary: unknown key"),
    ],
)
def test_bad_guardrails_are_named(defaults: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(EKS_CONFIG, **{"irsa:defaults": defaults}), "dev")
    assert any(str(p).startswith(expected) for p in caught.value.problems), [str(p) for p in caught.value.problems]


def test_merged_tags_stay_within_iam_limits() -> None:
    raw = config(EKS_CONFIG, **{"irsa:defaults": {"tags": {f"d{i}": "v" for i in range(30)}}})
    raw["irsa:workloads"][0]["tags"] = {f"w{i}": "v" for i in range(30)}
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, "dev")
    assert str(caught.value.problems[0]).startswith("irsa:workloads[0].tags: gives a role 60 tags")


def test_components_take_and_check_guardrails() -> None:
    host = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
    args = {
        "oidc_provider_arn": f"arn:aws:iam::123456789012:oidc-provider/{host}",
        "issuer_url": f"https://{host}",
        "namespace": "a",
        "service_account": "a",
        "region": "eu-west-1",
        "permissions_boundary": "not-an-arn",
        "role_path": "x",
    }
    with pytest.raises(InvalidArguments) as caught:
        WorkloadIdentity("app", args)  # type: ignore[arg-type]
    assert [p.path for p in caught.value.problems] == [
        'WorkloadIdentity("app").permissions_boundary',
        'WorkloadIdentity("app").role_path',
    ]


def boundary_violations(props: dict[str, Any], pattern: str | None = None) -> list[str]:
    violations: list[str] = []
    config_ = {"boundaryArnPattern": pattern} if pattern else {}
    args = ResourceValidationArgs(
        "aws:iam/role:Role", unknown_checking_proxy(props), "urn:pulumi:dev::p::aws:iam/role:Role::r", "r",
        resource_options(), None, config_,
    )  # fmt: skip

    def report(message: str, urn: str | None = None) -> None:
        violations.append(message)

    rules.role_has_permissions_boundary.validate(args, report)
    return violations


def test_policy_pack_reports_roles_without_a_boundary() -> None:
    assert rules.role_has_permissions_boundary.enforcement_level == EnforcementLevel.ADVISORY
    assert boundary_violations({}) == ["the role has no permissions boundary (set irsa:defaults.permissionsBoundary)"]
    assert boundary_violations({"permissionsBoundary": BOUNDARY}) == []
    assert boundary_violations({"permissionsBoundary": BOUNDARY}, "arn:aws:iam::*:policy/org/*") == []
    mine, org = "arn:aws:iam::123456789012:policy/mine", "arn:aws:iam::*:policy/org/*"
    assert boundary_violations({"permissionsBoundary": mine}, org) == [
        f"the role's permissions boundary {mine} does not match {org}"
    ]
    assert check(rules.role_has_permissions_boundary, "aws:s3/bucket:Bucket", {}) == []
