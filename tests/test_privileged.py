"""Privileged AWS managed policies: the list is derived from AWS's own documents (as moto carries them), the IAM
simulator confirms each listed policy allows what it is listed for, and both doors refuse them unless the
workload means it; the policy pack reports them."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import rules
from conftest import EKS_CONFIG, by_type, config, plan_of
from moto.iam.aws_managed_policies import aws_managed_policies_data
from policy_checks import check
from simulator import Request, decide

from components.core import iam_eval
from components.core.model import ConfigError
from components.core.privileged import (
    ACCOUNT,
    EVERY_SERVICE_PROBES,
    PRIVILEGE_PROBES,
    PRIVILEGED_MANAGED_POLICIES,
)
from components.core.settings import parse_settings

AWS_POLICIES: dict[str, Any] = json.loads(aws_managed_policies_data)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/irsa-dev-app"


def _passed_to(document: dict[str, Any]) -> list[str]:
    """The services a document's `iam:PassedToService` conditions name (AWSLambda_FullAccess: lambda.amazonaws.com)."""
    found: set[str] = set()
    statements = document.get("Statement", [])
    for s in statements if isinstance(statements, list) else [statements]:
        for tests in (s.get("Condition") or {}).values():
            for key, values in tests.items():
                if key.lower() == "iam:passedtoservice":
                    found |= set(values if isinstance(values, list) else [values])
    return sorted(found)


def _contexts(action: str, document: dict[str, Any]) -> list[dict[str, str]]:
    """The request contexts a probe asks with: none, and for PassRole each service the document passes roles to —
    a conditioned PassRole on any role is still passing any role."""
    passed = [{"iam:PassedToService": v} for v in _passed_to(document)] if action == "iam:PassRole" else []
    return [{}, *passed]


def _derive(document: dict[str, Any]) -> tuple[str, ...] | None:
    allowed = [a for a, r in PRIVILEGE_PROBES
               if any(iam_eval.evaluate([document], iam_eval.Request(a, r, c)).allowed
                      for c in _contexts(a, document))]  # fmt: skip
    if all(iam_eval.evaluate([document], iam_eval.Request(a, r, {})).allowed for a, r in EVERY_SERVICE_PROBES):
        allowed.append("every service")
    return tuple(allowed) or None


def test_the_list_is_what_aws_own_documents_say() -> None:
    derived = {
        f"{p['Path']}{name}": why for name, p in AWS_POLICIES.items() if (why := _derive(p["Document"])) is not None
    }
    assert derived == PRIVILEGED_MANAGED_POLICIES


def test_the_simulator_agrees_each_listed_policy_allows_what_it_is_listed_for() -> None:
    by_path = {f"{p['Path']}{name}": p["Document"] for name, p in AWS_POLICIES.items()}
    probes = dict(PRIVILEGE_PROBES)
    batches = []
    listed = sorted(PRIVILEGED_MANAGED_POLICIES.items())
    if not os.environ.get("IRSA_SIMULATE_EVERY_PRIVILEGED"):  # make test: every 5th (the simulator takes ~150 ms
        # per policy); `make fuzz` (in CI) judges every one. The audit's three examples always.
        audit = ("/AWSLambda_FullAccess", "/AmazonECS_FullAccess", "/AmazonSageMakerFullAccess")
        listed = [item for i, item in enumerate(listed) if i % 5 == 0 or item[0] in audit]
    for path, why in listed:  # one batch per policy: loaded once
        document = by_path[path]
        requests = [Request(ROLE, a, probes[a], ACCOUNT, c)
                    for a in why if a in probes for c in _contexts(a, document)]  # fmt: skip
        if "every service" in why:
            requests += [Request(ROLE, a, r, ACCOUNT) for a, r in EVERY_SERVICE_PROBES]
        batches.append((path, document, requests))
    for (path, _, requests), decisions in zip(batches, _identity_only(batches), strict=True):
        allowed = {r.action for r, d in zip(requests, decisions, strict=True) if d == "Allowed"}
        needed = {r.action for r in requests if r.action in probes} | (
            {a for a, _ in EVERY_SERVICE_PROBES} if "every service" in PRIVILEGED_MANAGED_POLICIES[path] else set())
        assert needed and allowed == needed, (path, sorted(needed - allowed))  # some context of each is allowed
    conditioned = {path for path, _, requests in batches if any(r.context for r in requests)}
    assert {"/AWSLambda_FullAccess", "/AmazonECS_FullAccess", "/AmazonSageMakerFullAccess"} <= conditioned
    harmless = ["/AmazonS3ReadOnlyAccess", "/CloudWatchAgentServerPolicy", "/service-role/AmazonEBSCSIDriverPolicy"]
    quiet = [(p, by_path[p], [Request(ROLE, a, r, ACCOUNT) for a, r in PRIVILEGE_PROBES]) for p in harmless]
    for (path, _, _), decisions in zip(quiet, _identity_only(quiet), strict=True):
        assert "Allowed" not in decisions, path


def _identity_only(batches: list[tuple[str, dict[str, Any], list[Request]]]) -> list[list[str]]:
    """Each batch's requests judged against its policy as the caller's identity policy (no resource policy)."""
    return [decide([(None, requests)], identity=[document])[0] for _, document, requests in batches]


ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _workload(**extra: Any) -> dict[str, Any]:
    return config(EKS_CONFIG, **{"irsa:workloads": [{**EKS_CONFIG["irsa:workloads"][0], **extra}]})


PRIVILEGED = [
    ADMIN,
    "arn:aws:iam::aws:policy/IAMFullAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws-cn:iam::aws:policy/job-function/SystemAdministrator",
    # iam:PassRole on any role under an iam:PassedToService condition: passing any role to that service
    "arn:aws:iam::aws:policy/AWSLambda_FullAccess",
    "arn:aws:iam::aws:policy/AmazonECS_FullAccess",
    "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
]


@pytest.mark.parametrize("arn", PRIVILEGED)
def test_a_privileged_policy_is_refused_by_name(arn: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_settings(_workload(managedPolicyArns=[arn]), "dev")
    [problem] = refused.value.problems
    assert problem.path == "irsa:workloads[0].managedPolicyArns[0]" and "is privileged: it allows" in str(problem)


def test_a_workload_that_means_it_gets_it_with_a_warning() -> None:
    raw = _workload(managedPolicyArns=[ADMIN], allowPrivilegedManagedPolicies=True)
    settings = parse_settings(raw, "dev")
    assert any("AdministratorAccess is privileged" in w for w in settings.warnings)
    [attachment] = by_type(plan_of(raw), "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment["inputs"]["policyArn"] == ADMIN


def test_the_component_door_refuses_it_the_same_way() -> None:
    from components.core.config.arguments import identity_spec

    args = {"namespace": "apps", "service_account": "app", "role_name": "r", "issuer_url":
            "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
            "region": "ap-northeast-2", "managed_policy_arns": [ADMIN],
            "oidc_provider_arn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/AB",
            "s3": [{"bucket": "my-bucket", "access": "read"}]}  # fmt: skip
    with pytest.raises(Exception, match="managed_policy_arns\\[0\\]: .* is privileged"):
        identity_spec("app", args)
    identity_spec("app", {**args, "allow_privileged_managed_policies": True})


def test_the_pack_reports_an_attached_privileged_policy() -> None:
    found = check(rules.privileged_managed_policies, "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                  {"role": "r", "policyArn": ADMIN})  # fmt: skip
    assert found and found[0].startswith(f"attaches the privileged AWS managed policy {ADMIN}")
    assert check(rules.privileged_managed_policies, "aws:iam/role:Role", {"managedPolicyArns": [ADMIN]})
    harmless = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    assert not check(rules.privileged_managed_policies, "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                     {"role": "r", "policyArn": harmless})  # fmt: skip
