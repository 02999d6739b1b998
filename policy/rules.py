"""Policy pack rules for web-identity IAM and the workloads using it (any stack, not only irsa's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from invariants import as_document, job_problems, permission_policy_problems, pod_spec_problems, trust_policy_problems
from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
RESOURCE_TYPES = {
    "web-identity-trust-pins-sub-and-aud": ("aws:iam/role:Role",),
    "no-wildcard-permissions": ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"),
    "oidc-provider-protected": ("aws:iam/openIdConnectProvider:OpenIdConnectProvider",),
    "hardened-jobs-and-pods": ("kubernetes:batch/v1:Job", "kubernetes:core/v1:Pod", "kubernetes:apps/v1:Deployment"),
}


def _only(rule: str, validate: Callable[[ResourceValidationArgs, ReportViolation], None]) -> ResourceValidation:
    """A validation that runs only on the resource types its rule is about."""

    def run(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type in RESOURCE_TYPES[rule]:
            validate(args, report)

    return run


def _validate_trust(args: ResourceValidationArgs, report: ReportViolation) -> None:
    doc = as_document(args.props.get("assumeRolePolicy"))
    for problem in trust_policy_problems(doc) if doc is not None else []:
        report(f"trust policy {problem}", None)


def _validate_permissions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    doc = as_document(args.props.get("policy"))
    for problem in permission_policy_problems(doc) if doc is not None else []:
        report(f"permission policy {problem}", None)


def _validate_provider_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not args.opts.protect:
        report("IAM OIDC providers must be protected: deleting one breaks every role of its cluster", None)


def _validate_workload(args: ResourceValidationArgs, report: ReportViolation) -> None:
    spec: dict[str, Any] = args.props.get("spec") or {}
    if args.resource_type == "kubernetes:batch/v1:Job":
        problems = job_problems(spec)
    elif args.resource_type == "kubernetes:core/v1:Pod":
        problems = pod_spec_problems(spec)
    else:
        problems = pod_spec_problems(((spec.get("template") or {}).get("spec")) or {})
    for problem in problems:
        report(problem, None)


def _validate_annotations(args: StackValidationArgs, report: ReportViolation) -> None:
    role_arns = {r.props.get("arn") for r in args.resources if r.resource_type == "aws:iam/role:Role"}
    for r in args.resources:
        if r.resource_type != "kubernetes:core/v1:ServiceAccount":
            continue
        arn = ((r.props.get("metadata") or {}).get("annotations") or {}).get(ROLE_ANNOTATION)
        if arn is not None and arn not in role_arns:
            report(f"ServiceAccount {r.name} is annotated with role {arn}, which this stack does not define", r.urn)


trust_pins_sub_and_aud = ResourceValidationPolicy(
    name="web-identity-trust-pins-sub-and-aud",
    description="Roles trusting web identity pin `sub` (no bare `*`) and `aud`; wildcards only under StringLike.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_only("web-identity-trust-pins-sub-and-aud", _validate_trust),
)
no_wildcard_permissions = ResourceValidationPolicy(
    name="no-wildcard-permissions",
    description="Inline and managed policies name their actions and resources: no `*`.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_only("no-wildcard-permissions", _validate_permissions),
)
oidc_provider_protected = ResourceValidationPolicy(
    name="oidc-provider-protected",
    description="IAM OIDC providers are protected from deletion.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_only("oidc-provider-protected", _validate_provider_protected),
)
hardened_workloads = ResourceValidationPolicy(
    name="hardened-jobs-and-pods",
    description="Jobs are bounded and pods run non-root, read-only, without escalation or capabilities, seccomp on.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_only("hardened-jobs-and-pods", _validate_workload),
)
service_account_roles_defined = StackValidationPolicy(
    name="service-account-role-in-stack",
    description="ServiceAccounts are annotated only with IAM roles the same stack defines.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_validate_annotations,
)

POLICIES = [
    trust_pins_sub_and_aud,
    no_wildcard_permissions,
    oidc_provider_protected,
    hardened_workloads,
    service_account_roles_defined,
]
