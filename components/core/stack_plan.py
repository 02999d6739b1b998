"""A stack's workload plans (pure): where each workload runs, what it chains into, and its plan."""

from __future__ import annotations

import dataclasses

from components.core import manifests, names, shared_roles
from components.core.model import Chain, Cluster, IdentitySpec, Mechanism, Placement, Settings, TargetRole, Workload
from components.core.workload_plan import WorkloadPlan, plan_workload


def chains_of(settings: Settings) -> dict[str, Chain]:
    """For each workload a cross-account role trusts: the first such role with S3 grants, for its Job to chain into."""
    cross = settings.cross_account
    chains: dict[str, Chain] = {}
    if cross is None:
        return chains
    for role in cross.roles:
        if not role.s3:
            continue
        chain = Chain(cross.role_arn_of(role, settings.partition), manifests.check_target(role.s3), role.external_id)
        for name in role.trusted_workloads:
            chains.setdefault(name, chain)
    return chains


def targets_of(settings: Settings) -> dict[str, TargetRole]:
    """For each workload with targetRoleArn: the role, and the first S3 grant when the stack creates it."""
    cross = settings.cross_account
    created = cross.roles_by_arn(settings.partition) if cross else {}
    found = {}
    for w in settings.workloads:
        if w.target_role_arn is not None:
            role = created.get(w.target_role_arn)
            grant = manifests.check_target(role.s3) if role is not None and role.s3 else None
            found[w.name] = TargetRole(w.target_role_arn, grant)
    return found


def placements_of(
    settings: Settings, workload_clusters: tuple[Cluster, ...], w_mechanism: Mechanism | None
) -> tuple[Placement, ...]:
    """Where a workload runs: one placement per cluster, names qualified by the cluster in a stack of several."""
    first = settings.clusters[0]
    return tuple(
        Placement(
            cluster_name=c.name,
            mechanism=w_mechanism or c.mechanism,
            audience=c.audience,
            inject_token=c.kind != "eks",  # EKS: the pod identity webhook injects the token
            qualified=settings.multi_cluster,
            first=c == first,
        )
        for c in workload_clusters
    )


def stack_plans(settings: Settings) -> list[WorkloadPlan]:
    """The plan of every workload of a stack, in config order."""
    return planned_stack(settings)[0]


def role_name_of(settings: Settings, w: Workload) -> str:
    """The IAM name of the role a workload acts as: adopted, given, its shared role's, else its own (each but the
    first two prefixed with the stack's name, so environments can share an account)."""
    return w.adopt_role or w.role_name or names.role_name(settings.stack, w.shared_role or w.name)


# The last stack planned: `parse_settings` plans a stack to hold it to IAM's quotas, then `build` registers the
# same plans (at 10,000 workloads, seconds each). Kept for Settings equal but for what planning never reads.
_LAST: list[tuple[Settings, list[WorkloadPlan], list[shared_roles.SharedRolePlan]]] = []


def planned_stack(settings: Settings) -> tuple[list[WorkloadPlan], list[shared_roles.SharedRolePlan]]:
    """Every workload's plan, in config order, and the roles they share (in order of first use)."""
    key = dataclasses.replace(settings, warnings=(), unmodeled=(), default_tags=())
    if _LAST and _LAST[0][0] == key:
        return list(_LAST[0][1]), list(_LAST[0][2])
    plans, shared = _planned_stack(settings)
    _LAST[:] = [(key, plans, shared)]
    return list(plans), list(shared)


def _planned_stack(settings: Settings) -> tuple[list[WorkloadPlan], list[shared_roles.SharedRolePlan]]:
    plans = _own_plans(settings)
    index = {w.name: i for i, w in enumerate(settings.workloads)}
    shared = []
    for name, members in settings.sharing.items():
        indices = [index[m] for m in members]
        role = shared_roles.share(name, names.role_name(settings.stack, name), [plans[i] for i in indices],
                                  settings.defaults.role_path)  # fmt: skip
        for i, member in zip(indices, role.members, strict=True):
            plans[i] = member
        shared.append(role)
    return plans, shared


def _own_plans(settings: Settings) -> list[WorkloadPlan]:
    chains, targets = chains_of(settings), targets_of(settings)
    plans = []
    for w in settings.workloads:
        where = placements_of(settings, settings.clusters_of(w), w.mechanism)
        spec = IdentitySpec(
            workload=w,
            region=settings.region,
            role_name=role_name_of(settings, w),
            policy_name=w.adopt_inline_policy or w.policy_name or names.policy_name(w.name),
            audience=where[0].audience,
            mechanism=where[0].mechanism,
            cluster_name=where[0].cluster_name,
            inject_token=where[0].inject_token,
            chain=chains.get(w.name),
            role_path=settings.defaults.role_path,
            account_id=settings.account_id,
            placements=where,
            target=targets.get(w.name),
            trust_policy_max_chars=settings.trust_policy_max_chars,
            managed_policies_per_role=settings.managed_policies_per_role,
        )
        plans.append(plan_workload(spec))
    return plans
