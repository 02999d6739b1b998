"""One workload's plan (pure): every name, document and manifest its resources carry.

`plan_workload(spec)` is built once from validated values. What exists — an inline policy, managed
attachments, a ServiceAccount, a Pod Identity association, a Job — is decided here from the spec,
never from rendered JSON. Values only a deployment knows (the provider's ARN, the cluster's issuer
and ARN, the role's ARN) are the arguments of the methods: the Pulumi shell calls them inside
`apply`, and offline they are `<unknown: ...>` placeholders.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from components.core import documents, manifests, names, presets, service_grants
from components.core.aws import issuer_host
from components.core.grant_kinds import registry
from components.core.model import (
    IdentitySpec,
    Placement,
)
from components.core.presets import attachments_of, has_inline_policy
from components.core.service_grants import ServiceGrants
from components.core.shape import Attachment, WorkloadShape
from components.core.unknowns import is_unknown, unknown


@dataclass(frozen=True)
class WorkloadPlan:
    """What WorkloadIdentity registers for one workload, and how each body is rendered."""

    spec: IdentitySpec
    inline_policy: dict[str, Any] | None
    attachments: tuple[Attachment, ...]
    managed_chunks: tuple[tuple[int, ...], ...] = ()  # statement indices of each customer-managed policy
    shared_role: str | None = None  # the shared role it acts as (its name): `inline_policy` is its session policy
    neighbour_checks: tuple[dict[str, Any], ...] = ()  # on a shared role: a neighbour's grant its Job must be denied
    neighbour_grants: tuple[ServiceGrants, ...] = ()  # on a shared role: neighbours' grants beyond S3, nearest first

    @property
    def uses_managed_policies(self) -> bool:
        """Whether the permissions passed the inline quota and live in customer-managed policies instead."""
        return bool(self.managed_chunks)

    def managed_document(self, account: str, index: int) -> dict[str, Any]:
        return self.managed_documents(account)[index]

    def managed_documents(self, account: str) -> list[dict[str, Any]]:
        """The customer-managed policy documents, names resolved in `account`."""
        policy = self.inline_policy_for(account) or {"Statement": []}
        return documents.parts(policy["Statement"], self.managed_chunks)

    def managed_policy_name(self, index: int) -> str:
        return f"{self.spec.role_name}-{index}"

    @property
    def shape(self) -> WorkloadShape:
        spec, w = self.spec, self.spec.workload
        return WorkloadShape(
            spec.role_name,
            spec.policy_name,
            w.max_session_duration,
            spec.mechanism,
            spec.cluster_name,
            self.inline_policy is not None and not self.managed_chunks and self.shared_role is None,
            self.attachments,
            w.create_service_account,
            w.sample_job,
            spec.role_path,
            w.permissions_boundary,
            w.tags,
            len(self.managed_chunks),
            w.disable_session_tags,
            self.spec.placements,
            self.spec.target is not None,
            adopted_role=w.adopt_role is not None,
            adopted_policy=w.adopt_inline_policy is not None,
            shared_role=self.shared_role,
        )

    @property
    def creates_service_account(self) -> bool:
        return self.spec.workload.create_service_account

    @property
    def creates_job(self) -> bool:
        return self.spec.workload.sample_job

    @property
    def role_description(self) -> str:
        w = self.spec.workload
        web = any(p.web_identity for p in self.spec.where)
        pod = any(p.association for p in self.spec.where)
        how = "Web identity and Pod Identity" if web and pod else "Web identity" if web else "Pod Identity"
        return f"{how} of {w.namespace}/{w.service_account} (managed by irsa)"

    def trust(self, provider_arn: str, issuer_url: str, cluster_arn: str) -> dict[str, Any]:
        """The trust policy of a workload in one cluster (its first): see `trust_in`."""
        return self.trust_in([(self.spec.where[0], provider_arn, issuer_url, cluster_arn)])

    def trust_in(self, clusters: list[tuple[Placement, str, str, str]]) -> dict[str, Any]:
        """The role's trust policy across its clusters, each given as (placement, OIDC provider ARN, issuer URL,
        cluster ARN): per cluster, the web identity of exactly these subjects at that issuer (its own `sub` and
        `aud`), EKS Pod Identity pinned to that cluster, or (both) each in its own statement, so pods move from
        one to the other as they restart. Identical statements appear once."""
        w = self.spec.workload
        statements: list[Any] = []
        for placement, provider_arn, issuer_url, cluster_arn in clusters:
            if placement.web_identity:
                host = issuer_host(issuer_url)
                statements += documents.trust_policy(provider_arn, host, list(w.subjects), placement.audience)[
                    "Statement"
                ]
            if placement.association:
                statements += documents.pod_identity_trust_policy(
                    account_of(cluster_arn), cluster_arn, w.namespace, w.service_account, not w.disable_session_tags
                )["Statement"]
        return documents.policy_of(statements)

    def service_account(self, role_arn: str, placement: Placement | None = None) -> dict[str, Any]:
        """The ServiceAccount in a cluster (default: its first); annotated with the role for the EKS webhook
        unless Pod Identity alone binds it there."""
        w, where = self.spec.workload, placement or self.spec.where[0]
        return manifests.service_account(
            w.service_account,
            w.namespace,
            role_arn if where.web_identity else None,
            where.audience,
            w.token_expiration_seconds,
        )

    def token_fragment(self, role_arn: str, placement: Placement | None = None) -> dict[str, Any]:
        """What a pod spec splices in to act as the role in a cluster (default: its first): env and projected
        token (web identity), or only the ServiceAccount and role hash (Pod Identity, and both: the agent
        injects credentials, and the EKS webhook prefers them once the association exists)."""
        w, where = self.spec.workload, placement or self.spec.where[0]
        if where.association:
            return manifests.pod_identity_agent_fragment(w.service_account, role_arn)
        return manifests.pod_identity_fragment(
            w.service_account, role_arn, self.spec.region, where.audience, w.token_expiration_seconds
        )

    def script_config_map(self) -> dict[str, Any]:
        w = self.spec.workload
        return manifests.script_config_map(w.name, w.namespace, manifests.verification_script())

    def job(self, role_arn: str, placement: Placement | None = None, account: str | None = None) -> dict[str, Any]:
        """The verification Job in a cluster (default: its first): the token fragment spliced in where no
        webhook injects it. `account`: where grants given by name resolve, required when the plan has none
        (`needs_account_lookup`): the caller's at deploy, a placeholder offline."""
        w, spec, where = self.spec.workload, self.spec, placement or self.spec.where[0]
        if where.association and spec.target is not None:
            # EKS chains into the target role: the pod acts as it, so the Job proves that role and its grant.
            grants = (spec.target.grant,) if spec.target.grant else ()
            return manifests.verification_job(
                w.name, w.namespace, w.service_account, grants, w.job_image, None, role_arn,
                expect_role=spec.target.role_arn,
            )  # fmt: skip
        fragment = self.token_fragment(role_arn, where) if where.inject_token and not where.association else None
        chain = spec.chain.env() if spec.chain is not None else None
        resolved = spec.account_id or account
        if resolved is None and self.needs_account_lookup:
            raise ValueError(f"{w.name}: the Job checks grants given by name; the account they resolve in is needed")
        place = service_grants.Place(spec.partition, spec.region, resolved or "")
        keys = tuple(g.kms_key for g in w.s3 if g.kms_key)
        checks = registry.verification_checks(w.grants, place, keys) + list(self.neighbour_checks)
        own = self.inline_policy_for(place.account or MEASURE_ACCOUNT) if self.neighbour_grants else None
        denied = registry.denied_neighbour_check(own, self.neighbour_grants, place) if own is not None else None
        checks += [denied] if denied is not None and denied not in checks else []
        return manifests.verification_job(
            w.name, w.namespace, w.service_account, w.s3, w.job_image, fragment, role_arn, chain, checks
        )

    @property
    def needs_account_lookup(self) -> bool:
        """Whether a grant names a resource by name and no account is configured: one lookup at deploy."""
        return self.spec.account_id is None and self.spec.workload.grants.needs_account

    def session_policy_for(self, account: str) -> str | None:
        """On a shared role: its association's session policy (its own permissions, compact), names resolved in
        `account`; else None."""
        if self.shared_role is None:
            return None
        own = self.inline_policy_for(account) or {"Version": documents.VERSION, "Statement": []}
        return json.dumps(own, separators=(",", ":"))

    def inline_policy_for(self, account: str) -> dict[str, Any] | None:
        """The inline policy with names resolved in `account` (the caller identity's, at deploy)."""
        if self.inline_policy is None:
            return None
        return permissions(self.spec, preset_scope(self.spec), account)

    def exports(self, role_arn: str) -> dict[str, Any]:
        """What a workload exports, for other stacks (StackReference) and for people."""
        w = self.spec.workload
        fragment = self.token_fragment(role_arn)
        return {
            "roleArn": role_arn,
            "roleName": self.spec.role_name,
            "namespace": w.namespace,
            "serviceAccount": w.service_account,
            "tokenFragment": fragment,
            "podIdentity": fragment,  # deprecated name of tokenFragment, kept for stacks that read it
            "verifyLogs": f"kubectl logs --namespace {w.namespace} job/{names.job_name(w.name)}"
            if w.sample_job
            else None,
            # Several clusters: each one's fragment (Pod Identity in one, web identity in another differ).
            **(
                {"tokenFragments": {p.cluster_name: self.token_fragment(role_arn, p) for p in self.spec.placements}}
                if len(self.spec.placements) > 1
                else {}
            ),
            **({"clusters": [p.cluster_name for p in self.spec.placements]} if self.spec.placements else {}),
        }


def account_of(arn: str) -> str:
    """The account field of an ARN, or a placeholder when the ARN is one itself (offline plans)."""
    parts = arn.split(":")
    if is_unknown(arn) or len(parts) < 6 or parts[0] != "arn":
        return unknown("account of the EKS cluster")
    return parts[4]


INLINE_MAX = 10240  # all inline policies of a role, whitespace not counted
MANAGED_MAX = 6144  # one customer-managed policy
MEASURE_ACCOUNT = "123456789012"  # sizes are measured with a real account's length


def split_for_managed_policies(statements: list[dict[str, Any]]) -> list[list[int]]:
    """Statement indices packed in order into customer-managed policies of at most MANAGED_MAX characters
    each; a statement that alone passes the limit is its own (too large) policy, which validation reports."""
    chunks: list[list[int]] = []
    for i in range(len(statements)):
        candidate = [*chunks[-1], i] if chunks else [i]
        document = {"Version": documents.VERSION, "Statement": [statements[j] for j in candidate]}
        if chunks and documents.compact_size(document) <= MANAGED_MAX:
            chunks[-1] = candidate
        else:
            chunks.append([i])
    return chunks


def plan_workload(spec: IdentitySpec) -> WorkloadPlan:
    """Everything one workload's resources carry, from its validated spec."""
    w = spec.workload
    scope = preset_scope(spec)
    attachments = attachments_of(w.presets, spec.partition) + tuple(
        Attachment(f"managed{i}", arn) for i, arn in enumerate(w.managed_policy_arns)
    )
    policy = permissions(spec, scope, spec.account_id or unknown("account"))
    if not has_any_statement(spec):
        return WorkloadPlan(spec, None, attachments)
    if w.shared_role is not None:  # its permissions are a session policy; the shared role splits the union
        return WorkloadPlan(spec, policy, attachments)
    measured = policy if spec.account_id else permissions(spec, scope, MEASURE_ACCOUNT)
    if documents.compact_size(measured) <= INLINE_MAX:
        return WorkloadPlan(spec, policy, attachments)
    # Past the inline quota: the same statements, in customer-managed policies (deterministic chunks).
    chunks = tuple(tuple(c) for c in split_for_managed_policies(measured["Statement"]))
    return WorkloadPlan(spec, policy, attachments, chunks)


def preset_scope(spec: IdentitySpec) -> presets.PresetOptions:
    w = spec.workload
    return presets.PresetOptions(
        spec.cluster_name,
        spec.partition,
        w.hosted_zone_ids,
        w.secret_arns,
        w.parameter_arns,
        w.node_role_arns,
        w.interruption_queue_arns,
        spec.region,
    )


def permissions(spec: IdentitySpec, scope: presets.PresetOptions, account: str) -> dict[str, Any]:
    """The role's whole inline policy, names resolved in `account`: S3, assumable roles and presets first
    (as before these grants existed), then S3 keys, the other services and the checked raw statements."""
    w = spec.workload
    document = documents.inline_policy(w.s3, spec.partition, w.assume_roles, w.presets, scope, w.tag_session_roles)
    document["Statement"] += [
        service_grants.s3_key_statement(i, g.kms_key, g.bucket, g.access, spec.partition, spec.region)
        for i, g in enumerate(w.s3)
        if g.kms_key
    ]
    document["Statement"] += registry.statements(
        w.grants, service_grants.Place(spec.partition, spec.region, account)
    )
    document["Statement"] += [json.loads(s) for s in w.statements]
    return document


def has_any_statement(spec: IdentitySpec) -> bool:
    w = spec.workload
    return has_inline_policy(len(w.s3), len(w.assume_roles), w.presets) or bool(w.grants) or bool(w.statements)
