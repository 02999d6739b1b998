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
)
from components.core.quotas import size_report

PROJECT_KEYS = (
    "cluster", "clusters", "workloads", "trustPolicyMaxChars", "crossAccount", "defaults", "accountId",
    "managedPoliciesPerRole",
)  # fmt: skip


def cross_account_boundary(c: Collector, cross: CrossAccount, defaults: Guardrails) -> CrossAccount:
    """The boundary of the roles in the other account: its own, or the default when it can apply there."""
    if cross.permissions_boundary is not None or defaults.permissions_boundary is None:
        return cross
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


def check_workload_mechanisms(c: Collector, cluster: Cluster, workloads: tuple[Workload, ...]) -> None:
    """What each workload's mechanism (its own, else the cluster's) allows."""
    for i, w in enumerate(workloads):
        mechanism = w.mechanism or cluster.mechanism
        fields.eks_only(c, f"irsa:workloads[{i}].mechanism", w.mechanism, cluster.kind)
        if w.disable_session_tags and mechanism == "irsa":
            c.add(
                f"irsa:workloads[{i}].disableSessionTags",
                "is only used with mechanism pod-identity or both",
                "remove it (web identity has no session tags to disable)",
            )
        if w.extra_subjects and mechanism == "pod-identity":
            c.add(
                f"irsa:workloads[{i}].extraSubjects",
                "is only used with mechanism irsa (or both)",
                "Pod Identity pins one namespace/ServiceAccount per association: add a workload instead",
            )


def read_clusters(c: Collector, config: Mapping[str, Any], region: str | None) -> Cluster | None:
    """`irsa:cluster`, or `irsa:clusters` — for now a list of exactly one, read as `irsa:cluster` is, so
    moving between the two keys changes nothing in the plan."""
    listed = config.get("irsa:clusters")
    if listed is None:
        return read_cluster(c, config.get("irsa:cluster"), region)
    if config.get("irsa:cluster") is not None:
        c.add("irsa:clusters", "is given together with irsa:cluster", "one of them: irsa:cluster means a list of one")
        return None
    if not isinstance(listed, list) or not listed:
        c.add(
            "irsa:clusters", f"{show(listed)} is not a list of clusters", "a list of maps, each what irsa:cluster takes"
        )
        return None
    if len(listed) > 1:
        c.add(
            "irsa:clusters",
            f"lists {len(listed)} clusters",
            "one for now: a stack serving several clusters is not built yet; use a stack per cluster",
        )
        return None
    return read_cluster(c, listed[0], region, "irsa:clusters[0]")


def parse_settings(config: Mapping[str, Any], stack: str) -> Settings:
    """Validate a stack's config map (keys like `irsa:cluster`); raise ConfigError listing every problem."""
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

    region = fields.region(c, "aws:region", config.get("aws:region"))
    max_trust = c.integer(
        "irsa:trustPolicyMaxChars",
        config.get("irsa:trustPolicyMaxChars"),
        DEFAULT_TRUST_POLICY_MAX_CHARS,
        2048,
        8192,
        "IAM trust policy size quota",
    )
    cluster = read_clusters(c, config, region)
    defaults = read_defaults(c, config.get("irsa:defaults"), region)
    per_role = c.integer(
        "irsa:managedPoliciesPerRole",
        config.get("irsa:managedPoliciesPerRole"),
        10,
        10,
        20,
        "IAM managed policies per role quota",
    )
    account = config.get("irsa:accountId")
    if account is not None and (not isinstance(account, str) or not account.isdigit() or len(account) != 12):
        c.add("irsa:accountId", f"{show(account)} is not an AWS account ID", "12 digits, as a string (quote it)")
        account = None
    workloads = read_workloads(c, config.get("irsa:workloads"), stack, region, defaults)
    cross = read_cross_account(c, config.get("irsa:crossAccount"), region, workloads)
    if cross is not None and cross.roles:
        cross = cross_account_boundary(c, cross, defaults)
    if cluster is not None:
        check_workload_mechanisms(c, cluster, workloads)

    if c.problems or cluster is None or region is None:
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
        if w.disable_session_tags
    )
    for i, role in enumerate(cross.roles if cross is not None else ()):
        warnings += tuple(prefix_warnings(f"irsa:crossAccount.roles[{i}].s3", role.s3))
    settings = Settings(
        stack,
        region,
        cluster,
        workloads,
        max_trust,
        warnings=warnings,
        cross_account=cross,
        defaults=defaults,
        account_id=account or (cluster.oidc_provider_arn.split(":")[4] if cluster.oidc_provider_arn else None),
        managed_policies_per_role=per_role,
    )
    size_problems, size_warnings = size_report(settings)
    settings = dataclasses.replace(settings, warnings=settings.warnings + tuple(size_warnings))
    if size_problems:
        raise InvalidInput(size_problems)
    return settings
