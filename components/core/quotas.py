"""Sizes of rendered documents against IAM's quotas (pure)."""

from __future__ import annotations

from typing import Any

from components.core import documents, shared_roles
from components.core.aws import issuer_host
from components.core.display import GROUPED_PAST, some_of
from components.core.model import Cluster, Placement, Problem, Settings
from components.core.stack_plan import planned_stack
from components.core.workload_plan import INLINE_MAX, MANAGED_MAX, MEASURE_ACCOUNT, WorkloadPlan

# The longest Azure region names have 18 characters (germanywestcentral, australiasoutheast); 20 leaves room.
LONGEST_AZURE_REGION = 20


def measured_issuer_host(settings: Settings, cluster: Cluster | None = None) -> str:
    """The issuer host/path, or one of the same length as a lookup would give (EKS: exact; AKS: typical)."""
    cluster = cluster or settings.cluster
    if cluster.issuer_url is not None:
        return issuer_host(cluster.issuer_url)
    if cluster.kind == "eks":
        suffix = ".com.cn" if settings.partition == "aws-cn" else ".com"
        return f"oidc.eks.{settings.region}.amazonaws{suffix}/id/{'0' * 32}"
    # The Azure region is not in the config: measure with the longest one, so an offline pass holds at deploy.
    return f"{'x' * LONGEST_AZURE_REGION}.oic.prod-aks.azure.com/{'0' * 36}/{'0' * 36}/"


def measured_trust(settings: Settings, plan: WorkloadPlan, placements: tuple[Placement, ...]) -> int:
    """The size of a workload's trust policy in these of its clusters, with values as long as a deploy's."""
    by_name = {c.name: c for c in settings.clusters}
    bound = []
    for p in placements:
        cluster = by_name[p.cluster_name]
        host = measured_issuer_host(settings, cluster)
        arn = cluster.oidc_provider_arn or f"arn:{settings.partition}:iam::{MEASURE_ACCOUNT}:oidc-provider/{host}"
        cluster_arn = f"arn:{settings.partition}:eks:{settings.region}:{MEASURE_ACCOUNT}:cluster/{cluster.name}"
        bound.append((p, arn, f"https://{host}", cluster_arn))
    return documents.compact_size(plan.trust_in(bound))


def trust_over(path: str, size: int, most: int, clusters: int = 1, advice: str = "", quota_key: str = "") -> Problem:
    """A trust policy past IAM's quota, said the same way at both doors."""
    advice = advice or f"split the workload, use Pod Identity, or raise {quota_key} if AWS raised your account's quota"
    return Problem(
        path,
        f"trust policy is {size} characters" + (f" across {clusters} clusters" if clusters > 1 else ""),
        f"IAM trust policies are at most {most} characters: {advice}",
    )


def trust_problem(settings: Settings, i: int, plan: WorkloadPlan) -> Problem | None:
    """The workload's trust policy past the quota, and what to do: which clusters to split off, or Pod Identity."""
    where, most = plan.spec.where, settings.trust_policy_max_chars
    size = measured_trust(settings, plan, where)
    if size <= most:
        return None
    advice = ""
    if len(where) > 1:
        kept = 1
        while kept < len(where) and measured_trust(settings, plan, where[: kept + 1]) <= most:
            kept += 1
        rest = ", ".join(p.cluster_name for p in where[kept:])
        advice = (
            f"split off clusters {rest} (a second workload with clusters: [...] and its own role), use Pod Identity "
            "on the EKS ones, or raise irsa:trustPolicyMaxChars if AWS raised your account's quota"
        )
    return trust_over(f"irsa:workloads[{i}]", size, most, len(where), advice, "irsa:trustPolicyMaxChars")


def permission_problems(path: str, plan: WorkloadPlan, per_role: int, quota_key: str) -> list[Problem]:
    """Customer-managed parts past their size, and attachments past the per-role quota (both doors)."""
    problems = []
    for index, document in enumerate(plan.managed_documents(MEASURE_ACCOUNT)):
        size = documents.compact_size(document)
        if size > MANAGED_MAX:
            problems.append(
                Problem(
                    path,
                    f"managed policy {index} would be {size} characters: one statement alone passes the limit",
                    f"a customer-managed policy is at most {MANAGED_MAX} characters: split that statement",
                )
            )
    attached = len(plan.attachments) + len(plan.managed_chunks)
    if attached > per_role:
        problems.append(
            Problem(
                path,
                f"needs {attached} managed policy attachments ({len(plan.managed_chunks)} carry permissions past "
                "the inline quota)",
                f"at most {per_role} per role ({quota_key}, if AWS raised your quota): split the workload",
            )
        )
    return problems


def identity_problems(path: str, plan: WorkloadPlan, trust: dict[str, Any] | None) -> list[Problem]:
    """A component's documents against the quotas its arguments give (`trust`: rendered, when it is known)."""
    spec = plan.spec
    problems = permission_problems(path, plan, spec.managed_policies_per_role, f"{path}.managed_policies_per_role")
    size = documents.compact_size(trust) if trust is not None else 0
    if size > spec.trust_policy_max_chars:
        quota = f"{path}.trust_policy_max_chars"
        problems.insert(0, trust_over(path, size, spec.trust_policy_max_chars, quota_key=quota))
    return problems


def policy_size_problems(settings: Settings) -> list[Problem]:
    """Rendered documents measured against IAM's size quotas (whitespace not counted)."""
    return size_report(settings)[0]


def size_report(settings: Settings) -> tuple[list[Problem], list[str]]:
    """Problems with IAM's size quotas, and what the plan does past the inline quota (warnings)."""
    problems = []
    plans, shared = planned_stack(settings)
    for i in range(len(settings.workloads)):
        trust = trust_problem(settings, i, plans[i]) if plans[i].shared_role is None else None
        if trust is not None:
            problems.append(trust)
        problems += permission_problems(
            f"irsa:workloads[{i}]", plans[i], settings.managed_policies_per_role, "irsa:managedPoliciesPerRole"
        )
    warnings = [
        f"irsa:workloads[{i}]: permissions are {documents.compact_size(p.inline_policy_for(MEASURE_ACCOUNT) or {})} "
        f"characters, past the {INLINE_MAX} of inline policies: {len(p.managed_chunks)} customer-managed policies "
        "carry them"
        for i, p in enumerate(plans)
        if p.uses_managed_policies
    ]
    index = {w.name: i for i, w in enumerate(settings.workloads)}
    problems += shared_role_problems(settings, plans, shared, index)
    over = [r for r in shared if r.uses_managed_policies]
    if len(over) > GROUPED_PAST:  # a fleet: said once, not once per role
        warnings.append(f"irsa:workloads[{index[over[0].member_names[0]]}].sharedRole: the permissions of "
                        f"{len(over)} shared roles ({some_of([r.role_name for r in over])}) pass the {INLINE_MAX} of "
                        f"inline policies: {sum(len(r.managed_chunks) for r in over)} customer-managed policies "
                        "carry them")  # fmt: skip
    else:
        warnings += [
            f"irsa:workloads[{index[r.member_names[0]]}].sharedRole: role "
            f"{r.role_name}'s permissions pass the {INLINE_MAX} of inline policies: {len(r.managed_chunks)} "
            "customer-managed policies carry them"
            for r in over
        ]
    return problems, warnings


def shared_role_problems(
    settings: Settings, plans: list[WorkloadPlan], shared: list[shared_roles.SharedRolePlan], index: dict[str, int]
) -> list[Problem]:
    """Each shared role's refusals (shared_roles.problems), and its IAM name: within 64 characters, no workload's;
    `index`: each workload's position in irsa:workloads."""
    own = {p.spec.role_name.lower(): p.spec.workload.name for p in plans if p.shared_role is None}
    found = []
    for role in shared:
        first = f"irsa:workloads[{index[role.member_names[0]]}].sharedRole"
        if len(role.role_name) > 64:
            found.append(Problem(first, f"role name {role.role_name!r} is {len(role.role_name)} characters",
                                 "IAM role names are at most 64: a shorter sharedRole"))  # fmt: skip
        if role.role_name.lower() in own:
            found.append(Problem(first, f"role name {role.role_name!r} is workload {own[role.role_name.lower()]}'s "
                                 "own role's", "a sharedRole no workload of the stack is named"))  # fmt: skip
        found += shared_roles.problems(role, lambda name: f"irsa:workloads[{index[name]}]")
        if len(role.managed_chunks) > settings.managed_policies_per_role:
            found.append(Problem(first, f"role {role.role_name} needs {len(role.managed_chunks)} customer-managed "
                                 "policies for the union of its workloads' permissions", f"at most "
                                 f"{settings.managed_policies_per_role} per role (irsa:managedPoliciesPerRole): "
                                 "fewer workloads per shared role"))  # fmt: skip
    return found
