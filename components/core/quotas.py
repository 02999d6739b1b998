"""Sizes of rendered documents against IAM's quotas (pure)."""

from __future__ import annotations

from components.core import documents
from components.core.aws import issuer_host
from components.core.model import Problem, Settings
from components.core.workload_plan import INLINE_MAX, MANAGED_MAX, MEASURE_ACCOUNT, stack_plans

# The longest Azure region names have 18 characters (germanywestcentral, australiasoutheast); 20 leaves room.
LONGEST_AZURE_REGION = 20


def measured_issuer_host(settings: Settings) -> str:
    """The issuer host/path, or one of the same length as a lookup would give (EKS: exact; AKS: typical)."""
    if settings.cluster.issuer_url is not None:
        return issuer_host(settings.cluster.issuer_url)
    if settings.cluster.kind == "eks":
        suffix = ".com.cn" if settings.partition == "aws-cn" else ".com"
        return f"oidc.eks.{settings.region}.amazonaws{suffix}/id/{'0' * 32}"
    # The Azure region is not in the config: measure with the longest one, so an offline pass holds at deploy.
    return f"{'x' * LONGEST_AZURE_REGION}.oic.prod-aks.azure.com/{'0' * 36}/{'0' * 36}/"


def policy_size_problems(settings: Settings) -> list[Problem]:
    """Rendered documents measured against IAM's size quotas (whitespace not counted)."""
    return size_report(settings)[0]


def size_report(settings: Settings) -> tuple[list[Problem], list[str]]:
    """Problems with IAM's size quotas, and what the plan does past the inline quota (warnings)."""
    problems = []
    plans = stack_plans(settings)
    for i, w in enumerate(settings.workloads):
        host = measured_issuer_host(settings)
        arn = settings.cluster.oidc_provider_arn or f"arn:{settings.partition}:iam::123456789012:oidc-provider/{host}"
        trust = documents.compact_size(documents.trust_policy(arn, host, list(w.subjects), settings.cluster.audience))
        if trust > settings.trust_policy_max_chars:
            problems.append(
                Problem(
                    f"irsa:workloads[{i}]",
                    f"trust policy is {trust} characters",
                    f"IAM trust policies are at most {settings.trust_policy_max_chars} characters: "
                    "split the workload, use Pod Identity, or raise irsa:trustPolicyMaxChars "
                    "if AWS raised your account's quota",
                )
            )
        plan = plans[i]
        for index, document in enumerate(plan.managed_documents(MEASURE_ACCOUNT)):
            size = documents.compact_size(document)
            if size > MANAGED_MAX:
                problems.append(
                    Problem(
                        f"irsa:workloads[{i}]",
                        f"managed policy {index} would be {size} characters: one statement alone passes the limit",
                        f"a customer-managed policy is at most {MANAGED_MAX} characters: split that statement",
                    )
                )
        attached = len(plan.attachments) + len(plan.managed_chunks)
        if attached > settings.managed_policies_per_role:
            problems.append(
                Problem(
                    f"irsa:workloads[{i}]",
                    f"needs {attached} managed policy attachments ({len(plan.managed_chunks)} carry permissions past "
                    "the inline quota)",
                    f"at most {settings.managed_policies_per_role} per role (irsa:managedPoliciesPerRole, if AWS "
                    "raised your quota): split the workload",
                )
            )
    warnings = [
        f"irsa:workloads[{i}]: permissions are {documents.compact_size(p.inline_policy_for(MEASURE_ACCOUNT) or {})} "
        f"characters, past the {INLINE_MAX} of inline policies: {len(p.managed_chunks)} customer-managed policies "
        "carry them"
        for i, p in enumerate(plans)
        if p.uses_managed_policies
    ]
    return problems, warnings
