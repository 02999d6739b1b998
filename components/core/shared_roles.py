"""Roles shared by several Pod Identity workloads (pure): the role holds the union of their permissions, and each
workload's association carries its own permissions as a session policy, so a pod gets the intersection: exactly
its own grants.

EKS facts (EKS API reference, CreatePodIdentityAssociation, since 2026-03-24): `policy` is at most 2,048
characters and requires `disableSessionTags`; the credentials are the role's permissions intersected with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from components.core import documents, iam_eval
from components.core.model import Problem, S3Grant
from components.core.service_grants import check
from components.core.workload_plan import (
    INLINE_MAX,
    MANAGED_MAX,
    MEASURE_ACCOUNT,
    WorkloadPlan,
    account_of,
    split_for_managed_policies,
)

SESSION_POLICY_MAX = 2048  # EKS: an association's session policy, characters
# The session tags EKS adds (EKS user guide, "Pod Identity session tags"): none exist once they are disabled.
EKS_SESSION_TAGS = (
    "eks-cluster-arn", "eks-cluster-name", "kubernetes-namespace", "kubernetes-service-account",
    "kubernetes-pod-name", "kubernetes-pod-uid",
)  # fmt: skip


@dataclass(frozen=True)
class SharedRolePlan:
    """One shared role: its name, the workloads on it (their plans, in config order), and its permissions."""

    name: str  # how the workloads name it (sharedRole, or the component's name)
    role_name: str
    members: tuple[WorkloadPlan, ...]
    role_path: str = "/"
    managed_chunks: tuple[tuple[int, ...], ...] = ()  # past the inline quota: statement indices per managed policy

    @property
    def member_names(self) -> tuple[str, ...]:
        return tuple(m.spec.workload.name for m in self.members)

    @property
    def max_session_duration(self) -> int:
        return max(m.spec.workload.max_session_duration for m in self.members)

    @property
    def permissions_boundary(self) -> str | None:
        return self.members[0].spec.workload.permissions_boundary

    @property
    def tags(self) -> tuple[tuple[str, str], ...]:
        return self.members[0].spec.workload.tags

    @property
    def description(self) -> str:
        return f"Pod Identity role shared by {', '.join(self.member_names)} (managed by irsa)"[:1000]

    @property
    def uses_managed_policies(self) -> bool:
        return bool(self.managed_chunks)

    def policy_for(self, account: str) -> dict[str, Any]:
        """The union of the members' permissions, names resolved in `account`: each statement once, Sids unique."""
        return union([m.inline_policy_for(account) for m in self.members])

    def managed_documents(self, account: str) -> list[dict[str, Any]]:
        return documents.parts(self.policy_for(account)["Statement"], self.managed_chunks)

    def managed_document(self, account: str, index: int) -> dict[str, Any]:
        return self.managed_documents(account)[index]

    def managed_policy_name(self, index: int) -> str:
        return f"{self.role_name}-{index}"

    def cluster_names(self) -> tuple[str, ...]:
        """Every cluster a member runs in, each once, in order of appearance."""
        return tuple(dict.fromkeys(p.cluster_name for m in self.members for p in m.spec.where))

    def trust(self, cluster_arns: Sequence[str]) -> dict[str, Any]:
        """Pod Identity's trust without session tags, for each cluster's account (the association binds the
        ServiceAccount: with tags disabled, the trust cannot pin it)."""
        statements = [
            st
            for arn in cluster_arns
            for st in documents.pod_identity_trust_policy(account_of(arn), arn, "", "", False)["Statement"]
        ]
        return documents.policy_of(statements)


def union(policies: Sequence[dict[str, Any] | None]) -> dict[str, Any]:
    """Statements of these policies, each once (Sid aside), a repeated Sid suffixed with its policy's index."""
    seen: set[str] = set()
    sids: set[str] = set()
    statements = []
    for index, policy in enumerate(policies):
        for statement in (policy or {}).get("Statement", []):
            key = _canonical(statement)
            if key in seen:
                continue
            seen.add(key)
            sid = statement.get("Sid")
            if sid is not None and sid in sids:
                statement = {**statement, "Sid": f"{sid}W{index}"}
            sids.add(statement.get("Sid") or "")
            statements.append(statement)
    return {"Version": documents.VERSION, "Statement": statements}


def share(name: str, role_name: str, members: Sequence[WorkloadPlan], role_path: str = "/") -> SharedRolePlan:
    """The shared role of these members: its permissions split past the inline quota as a workload's are, and
    each member's plan told the role's name and the check that a neighbour's grant is denied it."""
    measured = union([m.inline_policy_for(MEASURE_ACCOUNT) for m in members])
    chunks: tuple[tuple[int, ...], ...] = ()
    if documents.compact_size(measured) > INLINE_MAX:
        chunks = tuple(tuple(c) for c in split_for_managed_policies(measured["Statement"]))
    told = []
    for i, m in enumerate(members):
        neighbours = [*members[i + 1 :], *members[:i]]  # nearest first
        told.append(replace(m, shared_role=role_name, neighbour_checks=neighbour_checks(m, neighbours),
                            neighbour_grants=tuple(n.spec.workload.grants for n in neighbours
                                                   if n.spec.workload.grants)))  # fmt: skip
    return SharedRolePlan(name, role_name, tuple(told), role_path, chunks)


def _s3_probe(grant: S3Grant, partition: str) -> tuple[iam_eval.Request, dict[str, Any]]:
    """The request a neighbour's S3 grant allows, and the Job's call making it (a read lists, a write puts)."""
    if grant.access == "read":
        request = iam_eval.Request("s3:ListBucket", f"arn:{partition}:s3:::{grant.bucket}", {"s3:prefix": grant.prefix})
        return request, check("s3", "list_objects_v2", {"Bucket": grant.bucket, "Prefix": grant.prefix,
                                                        "MaxKeys": 1}, "denied")  # fmt: skip
    key = f"{grant.prefix}irsa-neighbour-check"
    request = iam_eval.Request("s3:PutObject", f"arn:{partition}:s3:::{grant.bucket}/{key}")
    return request, check("s3", "put_object", {"Bucket": grant.bucket, "Key": key, "Body": ""}, "denied")


def neighbour_checks(member: WorkloadPlan, neighbours: Sequence[WorkloadPlan]) -> tuple[dict[str, Any], ...]:
    """One Job check a member must be denied: the first S3 grant of its neighbours (nearest first) that its own
    session policy does not allow; none when no neighbour has one."""
    own = member.inline_policy_for(MEASURE_ACCOUNT) or {"Statement": []}
    for neighbour in neighbours:
        for grant in neighbour.spec.workload.s3:
            request, check = _s3_probe(grant, member.spec.partition)
            if not iam_eval.evaluate([own], request).allowed:
                return (check,)
    return ()


def _tag_keys(statement: dict[str, Any]) -> list[str]:
    """The EKS session tags a statement reads (`aws:PrincipalTag/<tag>` in a condition or a policy variable)."""
    text = json.dumps(statement).lower()
    return [t for t in EKS_SESSION_TAGS if f"aws:principaltag/{t}" in text]


def _canonical(statement: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in statement.items() if k != "Sid"}, sort_keys=True)


def problems(shared: SharedRolePlan, path_of: Callable[[str], str]) -> list[Problem]:
    """What a shared role refuses, per member: web identity, a session policy past EKS's size, session tags a grant
    reads, managed policies (a session policy cannot carry them), a grant the role does not allow; and members that
    disagree on the role's boundary or tags."""
    found: list[Problem] = []
    within = {_canonical(s) for s in shared.policy_for(MEASURE_ACCOUNT)["Statement"]}
    for member in shared.members:
        w, path = member.spec.workload, path_of(member.spec.workload.name)
        web = [p.cluster_name for p in member.spec.where if p.mechanism != "pod-identity"]
        if web:
            found.append(Problem(f"{path}.sharedRole", f"shares role {shared.name} but uses web identity in "
                                 f"{', '.join(web)}: web identity has no association to carry a session policy",
                                 "mechanism pod-identity in every cluster it runs in, or its own role"))  # fmt: skip
        if member.attachments:
            found.append(Problem(f"{path}.sharedRole", "shares a role but attaches managed policies "
                                 f"({', '.join(a.policy_arn for a in member.attachments)}): a session policy "
                                 "cannot carry them", "its own role, or grants instead of managed policies"))
        own = member.inline_policy_for(MEASURE_ACCOUNT) or {"Version": documents.VERSION, "Statement": []}
        if not own["Statement"]:
            found.append(Problem(f"{path}.sharedRole", "shares a role but grants nothing: its session policy would "
                                 "be empty", "at least one grant, or no sharedRole"))  # fmt: skip
        size = documents.compact_size(own)
        if size > SESSION_POLICY_MAX:
            found.append(Problem(f"{path}.sharedRole", f"its session policy would be {size:,} characters, "
                                 f"{size - SESSION_POLICY_MAX:,} over EKS's {SESSION_POLICY_MAX:,}",
                                 f"split its {len(own['Statement'])} statements over two workloads (two "
                                 "ServiceAccounts), or give it its own role"))  # fmt: skip
        for statement in own["Statement"]:
            if tags := _tag_keys(statement):
                found.append(Problem(f"{path}.sharedRole", f"a grant reads the session tag(s) "
                                     f"{', '.join(tags)}, which a session policy disables",
                                     "a condition without EKS's session tags, or its own role"))  # fmt: skip
            if _canonical(statement) not in within:
                found.append(Problem(f"{path}.sharedRole", f"grant {statement.get('Sid') or statement} is not "
                                     f"within role {shared.role_name}", "a grant of the role"))  # fmt: skip
        if (w.permissions_boundary, w.tags) != (shared.permissions_boundary, shared.tags):
            found.append(Problem(f"{path}.sharedRole", f"sets the role's boundary or tags other than "
                                 f"{shared.member_names[0]}, which shares role {shared.name}",
                                 "the same permissionsBoundary and tags on every workload of a shared role"))
    for index, document in enumerate(shared.managed_documents(MEASURE_ACCOUNT)):
        if documents.compact_size(document) > MANAGED_MAX:
            found.append(Problem(path_of(shared.members[0].spec.workload.name), f"shared role {shared.name}'s "
                                 f"managed policy {index} has one statement past {MANAGED_MAX} characters",
                                 "split that statement"))  # fmt: skip
    return found
