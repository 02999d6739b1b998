"""Policy pack rules for web-identity IAM and the workloads using it (any stack, not only irsa's)."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from invariants import (
    as_document,
    job_problems,
    permission_policy_problems,
    pod_spec_problems,
    trust_policy_problems,
    untagged_pod_identity_problems,
)
from privileged import privileged
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from resource_types import ATTACHMENT, OIDC_PROVIDER, PERMISSION_TYPES, ROLE

ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"


def plain(value: Any) -> Any:
    """Properties as plain dicts and lists: the pack hands rules read-only proxies (Mapping and Sequence, not dict
    and list), which raise UnknownValueError on a value not known yet, here as anywhere."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(v) for v in value]
    return value


Validate = Callable[[ResourceValidationArgs, dict[str, Any], ReportViolation], None]


def _resource_rule(
    name: str,
    description: str,
    types: tuple[str, ...],
    validate: Validate,
    level: EnforcementLevel = EnforcementLevel.MANDATORY,
    config_schema: PolicyConfigSchema | None = None,
) -> ResourceValidationPolicy:
    """A rule (mandatory unless said) whose validation runs only on the resource types it is about."""

    def run(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type in types:
            try:
                validate(args, plain(args.props), report)
            except (AttributeError, TypeError, KeyError, ValueError, IndexError) as error:
                # A shape the rule did not expect fails the rule, never the pack (unknown values still propagate).
                report(f"its properties have a shape this rule cannot check ({type(error).__name__})", None)

    return ResourceValidationPolicy(
        name=name, description=description, enforcement_level=level, validate=run, config_schema=config_schema
    )


def _validate_trust(args: ResourceValidationArgs, props: dict[str, Any], report: ReportViolation) -> None:
    text = props.get("assumeRolePolicy")
    doc = as_document(text)
    if doc is None:
        report("trust policy is not a JSON policy document", None)
        return
    for problem in trust_policy_problems(doc):
        report(f"trust policy {problem}", None)


def _validate_permissions(args: ResourceValidationArgs, props: dict[str, Any], report: ReportViolation) -> None:
    if args.resource_type == ROLE:  # a role's own inline policies, beside RolePolicy resources
        inline = props.get("inlinePolicies") or []
        documents = [(f"inline policy {p.get('name')!r}", p.get("policy")) for p in inline if isinstance(p, dict)]
    else:
        documents = [("permission policy", props.get("policy"))]
    for label, text in documents:
        doc = as_document(text)
        problems = permission_policy_problems(doc) if doc is not None else ["is not a JSON policy document"]
        for problem in problems:
            report(f"{label} {problem}", None)


def _validate_provider_protected(args: ResourceValidationArgs, props: dict[str, Any], report: ReportViolation) -> None:
    if not args.opts.protect:
        report("IAM OIDC providers must be protected: deleting one breaks every role of its cluster", None)


def _validate_workload(args: ResourceValidationArgs, props: dict[str, Any], report: ReportViolation) -> None:
    spec: Any = props.get("spec") or {}
    if args.resource_type == "kubernetes:batch/v1:Job":
        problems = job_problems(spec)
    elif args.resource_type == "kubernetes:core/v1:Pod":
        problems = pod_spec_problems(spec)
    elif not isinstance(spec, dict) or not isinstance(spec.get("template") or {}, dict):
        problems = ["the spec or its template is not a map"]
    else:
        problems = pod_spec_problems(((spec.get("template") or {}).get("spec")) or {})
    for problem in problems:
        report(problem, None)


def _validate_boundary(args: ResourceValidationArgs, props: dict[str, Any], report: ReportViolation) -> None:
    boundary = props.get("permissionsBoundary")
    pattern = str(args.get_config().get("boundaryArnPattern") or "")
    if not boundary:
        report("the role has no permissions boundary (set irsa:defaults.permissionsBoundary)", None)
    elif pattern and not fnmatch.fnmatchcase(str(boundary), pattern):
        report(f"the role's permissions boundary {boundary} does not match {pattern}", None)


def _validate_privileged(args: ResourceValidationArgs, props: dict[str, Any], report: ReportViolation) -> None:
    role = args.resource_type == ROLE
    arns = (props.get("managedPolicyArns") or []) if role else [props.get("policyArn")]
    for arn in arns:
        why = privileged(str(arn)) if arn else None
        if why is not None:
            report(f"attaches the privileged AWS managed policy {arn}: it allows {why}", None)


def _validate_untagged_pod_identity(
    args: ResourceValidationArgs, props: dict[str, Any], report: ReportViolation
) -> None:
    doc = as_document(props.get("assumeRolePolicy"))
    for problem in untagged_pod_identity_problems(doc) if doc is not None else []:
        report(problem, None)


def _validate_annotations(args: StackValidationArgs, report: ReportViolation) -> None:
    role_arns = {plain(r.props).get("arn") for r in args.resources if r.resource_type == ROLE}
    for r in args.resources:
        if r.resource_type != "kubernetes:core/v1:ServiceAccount":
            continue
        arn = ((plain(r.props).get("metadata") or {}).get("annotations") or {}).get(ROLE_ANNOTATION)
        if arn is not None and arn not in role_arns:
            report(f"ServiceAccount {r.name} is annotated with role {arn}, which this stack does not define", r.urn)


trust_pins_sub_and_aud = _resource_rule(
    "web-identity-trust-pins-sub-and-aud",
    "Roles trusting web identity pin `sub` (no bare `*`) and `aud`; wildcards only under StringLike.",
    (ROLE,),
    _validate_trust,
)
no_wildcard_permissions = _resource_rule(
    "no-wildcard-permissions",
    "Inline and managed policies (a role's own inlinePolicies too) reach named actions and resources: no `*`, "
    "`s3:?*` or `arn:aws:s3:::*` in any spelling.",
    (*PERMISSION_TYPES, ROLE),
    _validate_permissions,
)
oidc_provider_protected = _resource_rule(
    "oidc-provider-protected",
    "IAM OIDC providers are protected from deletion.",
    (OIDC_PROVIDER,),
    _validate_provider_protected,
)
hardened_workloads = _resource_rule(
    "hardened-jobs-and-pods",
    "Jobs are bounded and pods run non-root, read-only, without escalation or capabilities, seccomp on.",
    ("kubernetes:batch/v1:Job", "kubernetes:core/v1:Pod", "kubernetes:apps/v1:Deployment"),
    _validate_workload,
)
# Advisory unless the pack is configured so: {"role-has-permissions-boundary": {"enforcementLevel": "mandatory",
# "boundaryArnPattern": "arn:aws:iam::*:policy/org/workload-boundary"}} (pulumi preview --policy-pack-config).
role_has_permissions_boundary = _resource_rule(
    "role-has-permissions-boundary",
    "Every IAM role carries a permissions boundary, matching boundaryArnPattern when one is configured.",
    (ROLE,),
    _validate_boundary,
    EnforcementLevel.ADVISORY,
    PolicyConfigSchema(
        properties={"boundaryArnPattern": {"type": "string", "description": "fnmatch pattern the boundary ARN matches"}}
    ),
)
# Advisory: a workload that set disableSessionTags chose it, and the plan warned; mandatory if configured so.
untagged_pod_identity = _resource_rule(
    "pod-identity-session-tags",
    "Pod Identity trusts pin the namespace and ServiceAccount session tags (or say they cannot).",
    (ROLE,),
    _validate_untagged_pod_identity,
    EnforcementLevel.ADVISORY,
)
# Advisory: a workload may mean it (irsa's allowPrivilegedManagedPolicies); mandatory if configured so.
privileged_managed_policies = _resource_rule(
    "no-privileged-managed-policies",
    "No role attaches an AWS managed policy that writes IAM, passes or assumes any role, changes accounts, or "
    "changes everything (the derived list in privileged.py).",
    (ATTACHMENT, ROLE),
    _validate_privileged,
    EnforcementLevel.ADVISORY,
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
    role_has_permissions_boundary,
    untagged_pod_identity,
    privileged_managed_policies,
    service_account_roles_defined,
]
