"""A stack's config map → Settings (pure): every block, then the rules across blocks."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from typing import Any

from components.core.aws import is_wildcard, partition_of
from components.core.config import fields
from components.core.config.cluster import read_cluster
from components.core.config.collector import Collector, key_text, show
from components.core.config.cross_account import read_cross_account
from components.core.config.grants import prefix_warnings
from components.core.config.guardrails import read_defaults
from components.core.config.workloads import read_workloads
from components.core.display import GROUPED_PAST, some_of
from components.core.model import (
    DEFAULT_TRUST_POLICY_MAX_CHARS,
    STACK_NAME,
    STACK_NAME_RULE,
    Cluster,
    CrossAccount,
    Guardrails,
    InvalidInput,
    Settings,
    Workload,
    uses_association,
)
from components.core.privileged import privileged
from components.core.unknowns import is_unknown, unknown, waits_for


def account_of(provider_arn: str | None) -> str | None:
    """The account of an OIDC provider ARN (None for none, or for a placeholder: nothing is derived from one)."""
    return provider_arn.split(":")[4] if provider_arn is not None and not is_unknown(provider_arn) else None


PROJECT_KEYS = (
    "cluster", "clusters", "workloads", "trustPolicyMaxChars", "crossAccount", "defaults", "accountId",
    "managedPoliciesPerRole", "platform", "accountQuotas", "workloadFiles",
)  # fmt: skip


def cross_account_boundary(c: Collector, cross: CrossAccount, defaults: Guardrails) -> CrossAccount:
    """The boundary of the roles in the other account: its own, or the default when it can apply there."""
    if cross.permissions_boundary is not None or defaults.permissions_boundary is None:
        return cross
    if is_unknown(defaults.permissions_boundary):  # a platform's, not known offline: whether it applies there neither
        there = unknown(f"{waits_for(defaults.permissions_boundary)}, if it is a policy of account "
                        f"{cross.account_id} or AWS's (else irsa:crossAccount.permissionsBoundary is required)")
        return dataclasses.replace(cross, permissions_boundary=there)
    account = defaults.permissions_boundary.split(":")[4]
    if account in ("aws", cross.account_id):
        return dataclasses.replace(cross, permissions_boundary=defaults.permissions_boundary)
    c.add(
        "irsa:crossAccount.permissionsBoundary",
        f"is required: irsa:defaults.permissionsBoundary is a policy of account {account}, and the roles there "
        f"live in {cross.account_id}",
        "a permissions boundary policy ARN in the other account",
    )
    return cross


CLUSTER_SCOPED_PRESETS = ("aws-load-balancer-controller", "cluster-autoscaler", "karpenter")  # pin one cluster's name
MAX_CLUSTERS = 20


def check_workload_clusters(c: Collector, clusters: tuple[Cluster, ...], workloads: tuple[Workload, ...]) -> None:
    """Per workload and each cluster it runs in: that cluster exists, and its mechanism there is allowed."""
    names = [k.name for k in clusters]
    for i, w in enumerate(workloads):
        for j, name in enumerate(w.clusters):
            if name not in names:
                close = difflib.get_close_matches(name, names, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                c.add(f"irsa:workloads[{i}].clusters[{j}]", f"{show(name)} is not a cluster of this stack",
                      f"{hint}one of {', '.join(names)}")  # fmt: skip
        runs_in = [k for k in clusters if not w.clusters or k.name in w.clusters]
        scoped = [p for p in w.presets if p in CLUSTER_SCOPED_PRESETS]
        if len(runs_in) > 1 and scoped:
            c.add(
                f"irsa:workloads[{i}].presets",
                f"{', '.join(scoped)} pins one cluster's name, and the workload runs in "
                f"{', '.join(k.name for k in runs_in)}",
                "an add-on controller per cluster: one workload per cluster, each with clusters: [<name>]",
            )
        mechanisms = {w.mechanism or k.mechanism for k in runs_in}
        if any(k.kind == "aks" for k in runs_in):
            fields.eks_only(c, f"irsa:workloads[{i}].mechanism", w.mechanism, "aks")
        if w.disable_session_tags and w.shared_role is None and not any(uses_association(m) for m in mechanisms):
            c.add(
                f"irsa:workloads[{i}].disableSessionTags",
                "is only used with mechanism pod-identity or both",
                "remove it (web identity has no session tags to disable)",
            )
        if w.extra_subjects and mechanisms == {"pod-identity"}:
            c.add(
                f"irsa:workloads[{i}].extraSubjects",
                "is only used with mechanism irsa (or both)",
                "Pod Identity pins one namespace/ServiceAccount per association: add a workload instead",
            )


def check_target_roles(
    c: Collector,
    clusters: tuple[Cluster, ...],
    workloads: tuple[Workload, ...],
    cross: CrossAccount | None,
    region: str | None,
) -> None:
    """targetRoleArn needs a Pod Identity association; a target the stack creates must trust the workload
    the way EKS calls it (tags, and its own external ID)."""
    created = cross.roles_by_arn(partition_of(region)) if cross and region else {}
    for i, w in enumerate(workloads):
        if w.target_role_arn is None:
            continue
        path = f"irsa:workloads[{i}].targetRoleArn"
        runs_in = [k for k in clusters if not w.clusters or k.name in w.clusters]
        if not any(uses_association(w.mechanism or k.mechanism) for k in runs_in):
            c.add(path, "is only used with mechanism pod-identity or both",
                  "EKS Pod Identity chains into it; with web identity, list the role in assumeRoles")  # fmt: skip
        role = created.get(w.target_role_arn)
        if role is None:
            misplaced = _created_elsewhere(w.target_role_arn, created)
            if misplaced is not None:
                c.add(path, f"names {misplaced.split(':role', 1)[1].rsplit('/', 1)[1]!r} without the path the stack "
                      f"creates it under, so no role has that ARN", f"the role's ARN: {misplaced}")  # fmt: skip
            continue
        where = f"irsa:crossAccount.roles[{cross.roles.index(role)}]" if cross else "irsa:crossAccount"
        if w.name not in role.trusted_workloads:
            c.add(path, f"{where} ({role.name}) does not trust workload {w.name!r}",
                  f"add {w.name} to its trustedWorkloads")  # fmt: skip
        if role.external_id is not None:
            c.add(path, f"{where} ({role.name}) requires an external ID of its own",
                  "remove its externalId: EKS passes its own when it chains")  # fmt: skip
        if not role.session_tags and not w.disable_session_tags:
            c.add(path, f"{where} ({role.name}) does not allow sts:TagSession, and EKS tags the chained session",
                  "sessionTags: true on that role (or disableSessionTags on the workload)")  # fmt: skip


def _created_elsewhere(arn: str, created: Mapping[str, Any]) -> str | None:
    """The ARN of a role the stack creates with the same account and name as `arn` but another path."""
    account, name = arn.split(":")[4], arn.rsplit("/", 1)[-1]
    return next((a for a in created if a.split(":")[4] == account and a.rsplit("/", 1)[-1] == name), None)


def read_clusters(
    c: Collector, config: Mapping[str, Any], region: str | None, from_platform: bool = False
) -> tuple[Cluster, ...]:
    """`irsa:cluster` (one), or `irsa:clusters` (a list; one item reads as `irsa:cluster` does, so moving
    between the two keys changes nothing in the plan)."""
    listed = config.get("irsa:clusters")
    if listed is None:
        one = read_cluster(c, config.get("irsa:cluster"), region, from_platform=from_platform)
        return (one,) if one is not None else ()
    if config.get("irsa:cluster") is not None:
        c.add("irsa:clusters", "is given together with irsa:cluster", "one of them: irsa:cluster means a list of one")
        return ()
    allowed = f"a list of 1 to {MAX_CLUSTERS} maps, each what irsa:cluster takes, names unique"
    if not isinstance(listed, list) or not listed:
        c.add("irsa:clusters", f"{show(listed)} is not a list of clusters", allowed)
        return ()
    if len(listed) > MAX_CLUSTERS:
        c.add("irsa:clusters", f"lists {len(listed)} clusters", allowed)
        return ()
    found: list[Cluster] = []
    for i, raw in enumerate(listed):
        cluster = read_cluster(c, raw, region, f"irsa:clusters[{i}]", from_platform)
        if cluster is None:
            continue
        for key, attr in (("name", "name"), ("issuerUrl", "issuer_url"), ("oidcProviderArn", "oidc_provider_arn")):
            value = getattr(cluster, attr)
            earlier = [j for j, k in enumerate(found) if value is not None and getattr(k, attr) == value]
            if earlier:
                c.add(f"irsa:clusters[{i}].{key}", f"{show(value)} is already irsa:clusters' {earlier[0]}",
                      "one entry per cluster: names, issuers and OIDC providers unique")  # fmt: skip
        found.append(cluster)
    accounts = {a for k in found if (a := account_of(k.oidc_provider_arn)) is not None}
    if len(accounts) > 1:
        c.add("irsa:clusters", f"reuses OIDC providers of accounts {', '.join(sorted(accounts))}",
              "providers in one account: a role trusts only OIDC providers of its own account")  # fmt: skip
    return tuple(found)


def read_settings(config: Mapping[str, Any], stack: str, platform: str | None = None) -> Settings:
    """Read and validate a stack's config map (keys like `irsa:cluster`); raise ConfigError listing every problem.
    `platform`: the platform stack its clusters and defaults came from (core/platform.py). What IAM's size quotas
    make of the result needs the plan: `components.core.settings.parse_settings` checks that too."""
    from_platform = platform is not None
    c = Collector()
    if not isinstance(stack, str) or not STACK_NAME.fullmatch(stack):
        c.add("stack", f"{show(stack)} is not a valid stack name", STACK_NAME_RULE)
        stack = "stack"
    for key in config:
        if isinstance(key, str) and key.startswith("irsa:") and key[5:] not in PROJECT_KEYS:
            known = tuple(f"irsa:{k}" for k in PROJECT_KEYS)
            close = difflib.get_close_matches(key[:100], known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            c.add(key_text(key), "unknown key", f"{hint}known keys: {', '.join(known)}")

    if "irsa:workloadFiles" in config:  # plan, diff and the program read the files first (cli/workload_files.py)
        c.add("irsa:workloadFiles", "was not read", "a stack's workload files are read by plan and the program")
    if "irsa:platform" in config:  # plan, diff and the program replace it with the platform's clusters first
        c.add("irsa:platform", "was not resolved", "an application stack is read through components.core.platform")
    region = fields.region(c, "aws:region", config.get("aws:region"))
    max_trust = c.integer(
        "irsa:trustPolicyMaxChars",
        config.get("irsa:trustPolicyMaxChars"),
        DEFAULT_TRUST_POLICY_MAX_CHARS,
        2048,
        8192,
        "IAM trust policy size quota",
    )
    clusters = read_clusters(c, config, region, from_platform)
    defaults = read_defaults(c, config.get("irsa:defaults"), region, from_platform)
    per_role = c.integer(
        "irsa:managedPoliciesPerRole",
        config.get("irsa:managedPoliciesPerRole"),
        10,
        10,
        20,
        "IAM managed policies per role quota",
    )
    role_quota, provider_quota = _account_quotas(c, config.get("irsa:accountQuotas"))
    account = config.get("irsa:accountId")
    if account is not None and (not isinstance(account, str) or not account.isdigit() or len(account) != 12):
        c.add("irsa:accountId", f"{show(account)} is not an AWS account ID", "12 digits, as a string (quote it)")
        account = None
    for i, cluster in enumerate(clusters):
        where = "irsa:cluster" if config.get("irsa:clusters") is None else f"irsa:clusters[{i}]"
        if cluster.adopt_oidc_provider and (cluster.issuer_url is None or account is None):
            c.add(f"{where}.adoptOidcProvider", "needs the existing provider's ARN before anything is deployed",
                  f"set irsa:accountId and {where}.issuerUrl (the ARN is arn:<partition>:iam::<account>:oidc-provider/"
                  "<issuer host/path>)")  # fmt: skip
    workloads = read_workloads(c, config.get("irsa:workloads"), stack, region, defaults)
    cross = read_cross_account(c, config.get("irsa:crossAccount"), region, workloads)
    if cross is not None:
        cross = dataclasses.replace(cross, role_path=defaults.role_path)
    if cross is not None and cross.roles:
        cross = cross_account_boundary(c, cross, defaults)
    if clusters:
        check_workload_clusters(c, clusters, workloads)
        check_target_roles(c, clusters, workloads, cross, region)

    if c.problems or not clusters or region is None:
        raise InvalidInput(c.problems)
    if cross is not None:
        # Workloads a cross-account role trusts may assume it: their policies name it.
        extra_arns = {
            w.name: [cross.role_arn_of(r, partition_of(region)) for r in cross.roles if w.name in r.trusted_workloads]
            for w in workloads
        }
        tagged = {
            w.name: [
                cross.role_arn_of(r, partition_of(region))
                for r in cross.roles
                if w.name in r.trusted_workloads and r.session_tags
            ]
            for w in workloads
        }
        workloads = tuple(
            dataclasses.replace(
                w,
                assume_roles=tuple(dict.fromkeys([*w.assume_roles, *extra_arns[w.name]])),
                tag_session_roles=tuple(dict.fromkeys([*w.tag_session_roles, *tagged[w.name]])),
            )
            for w in workloads
        )
    workloads = tuple(w.chained() for w in workloads)
    warnings = tuple(
        f"irsa:workloads[{i}].extraSubjects: {sub!r} is a wildcard: the trust policy uses StringLike and "
        "every matching ServiceAccount can assume the role"
        for i, w in enumerate(workloads)
        for sub in w.extra_subjects
        if is_wildcard(sub)
    )
    warnings += tuple(
        line for i, w in enumerate(workloads) for line in prefix_warnings(f"irsa:workloads[{i}].s3", w.s3)
    )
    warnings += tuple(
        f"irsa:workloads[{i}].disableSessionTags: EKS adds no session tags, so the trust pins only the account: "
        "anyone there who may create a Pod Identity association and pass this role can bind it to any "
        "ServiceAccount in any cluster, and policies matching on kubernetes-* or eks-cluster-* tags stop working"
        for i, w in enumerate(workloads)
        if w.disable_session_tags and w.shared_role is None
    )
    first_of: dict[str, int] = {}
    for i, w in enumerate(workloads):
        if w.shared_role is not None:
            first_of.setdefault(w.shared_role, i)
    unpinned = [(f"shared role {role}'s trust pins", "the role", i) for role, i in first_of.items()]
    if len(unpinned) > GROUPED_PAST:  # a fleet: said once, not once per role
        unpinned = [(f"the trust of each of {len(first_of)} shared roles ({some_of(list(first_of))}) pins",
                     "one of them", unpinned[0][2])]  # fmt: skip
    warnings += tuple(
        f"irsa:workloads[{i}].sharedRole: a session policy requires EKS's session tags off, so {whose} only the "
        f"account: anyone there who may create a Pod Identity association and pass {which} can bind it to any "
        "ServiceAccount, with no session policy: the union of its workloads' permissions"
        for whose, which, i in unpinned
    )
    warnings += tuple(
        f"irsa:workloads[{i}].managedPolicyArns: {arn} is privileged (it allows {why}); attached because the "
        "workload sets allowPrivilegedManagedPolicies"
        for i, w in enumerate(workloads)
        for arn in w.managed_policy_arns
        if (why := privileged(arn)) is not None
    )
    for i, role in enumerate(cross.roles if cross is not None else ()):
        warnings += tuple(prefix_warnings(f"irsa:crossAccount.roles[{i}].s3", role.s3))
    settings = Settings(
        stack,
        region,
        clusters,
        workloads,
        max_trust,
        warnings=warnings,
        cross_account=cross,
        defaults=defaults,
        account_id=account
        or next((a for k in clusters if (a := account_of(k.oidc_provider_arn)) is not None), None),
        managed_policies_per_role=per_role,
        role_quota=role_quota,
        provider_quota=provider_quota,
        platform=platform,
    )
    return settings


def _account_quotas(c: Collector, raw: Any) -> tuple[int, int]:
    """irsa:accountQuotas: the account's IAM quotas on roles and OIDC providers (IAM's defaults when unset)."""
    if raw is None or not c.is_map("irsa:accountQuotas", raw, "a map with roles, oidcProviders"):
        return 1000, 100
    c.unknown_keys("irsa:accountQuotas", raw, ("roles", "oidcProviders"))
    roles = c.integer("irsa:accountQuotas.roles", raw.get("roles"), 1000, 1, 5000, "the account's IAM roles quota")
    providers = c.integer("irsa:accountQuotas.oidcProviders", raw.get("oidcProviders"), 100, 1, 700,
                          "the account's OIDC providers quota")  # fmt: skip
    return roles, providers
