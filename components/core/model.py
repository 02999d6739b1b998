"""The validated model (pure): problems, the one invalid-input error, frozen settings and their defaults.

Closed sets are `Literal` types, so a typo in code is a mypy error, and the tuples beside them are what
validation accepts at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal, get_args

from components.core import aws
from components.core.aws import partition_of
from components.core.names import STACK_NAME, STACK_NAME_RULE  # noqa: F401 - re-exported
from components.core.problems import ConfigError, InvalidInput, Problem  # noqa: F401 - re-exported
from components.core.service_grants import NO_SERVICE_GRANTS, ServiceGrants

Kind = Literal["eks", "aks"]
Access = Literal["read", "write", "read-write", "sync"]
Mechanism = Literal["irsa", "pod-identity", "both"]  # both: the staged move from IRSA to Pod Identity
KINDS: tuple[Kind, ...] = get_args(Kind)
ACCESS_LEVELS: tuple[Access, ...] = get_args(Access)
MECHANISMS: tuple[Mechanism, ...] = get_args(Mechanism)


def uses_association(mechanism: Mechanism) -> bool:
    """A Pod Identity association: pod-identity, or both during a migration."""
    return mechanism != "irsa"


def uses_web_identity(mechanism: Mechanism) -> bool:
    """Web identity through the cluster's OIDC provider: irsa, or both during a migration."""
    return mechanism != "pod-identity"


DEFAULT_AUDIENCE = "sts.amazonaws.com"
DEFAULT_JOB_IMAGE = "public.ecr.aws/lambda/python:3.12"
DEFAULT_TRUST_POLICY_MAX_CHARS = 2048
DEFAULT_MAX_SESSION_SECONDS = 3600
DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600


ENCRYPTED_KUBECONFIG = "[secret: encrypted in the stack file]"


@dataclass(frozen=True)
class Guardrails:
    """What an organisation requires on every role: a permissions boundary, a path, tags."""

    permissions_boundary: str | None = None
    role_path: str = "/"
    tags: tuple[tuple[str, str], ...] = ()


NO_GUARDRAILS = Guardrails()


@dataclass(frozen=True)
class S3Grant:
    """Least-privilege S3 access: objects under `prefix` in `bucket`, at one access level."""

    bucket: str
    prefix: str
    access: Access
    kms_key: str | None = None  # the bucket's customer-managed key (SSE-KMS), used only through S3


@dataclass(frozen=True)
class Workload:
    """One workload: its ServiceAccount, its role's limits, and everything the role may do."""

    name: str
    namespace: str
    service_account: str
    s3: tuple[S3Grant, ...]
    sample_job: bool = True
    create_namespace: bool = False
    max_session_duration: int = DEFAULT_MAX_SESSION_SECONDS
    token_expiration_seconds: int = DEFAULT_TOKEN_EXPIRATION_SECONDS
    job_image: str = DEFAULT_JOB_IMAGE
    extra_subjects: tuple[str, ...] = ()
    assume_roles: tuple[str, ...] = ()
    presets: tuple[str, ...] = ()
    create_service_account: bool = True
    hosted_zone_ids: tuple[str, ...] = ()
    secret_arns: tuple[str, ...] = ()
    parameter_arns: tuple[str, ...] = ()
    tag_session_roles: tuple[str, ...] = ()  # assumed roles it may also tag sessions of (asked for explicitly)
    permissions_boundary: str | None = None  # its own, or irsa:defaults'
    tags: tuple[tuple[str, str], ...] = ()  # irsa:defaults.tags with its own merged over them
    grants: ServiceGrants = NO_SERVICE_GRANTS  # each kind of `grant_kinds` beyond S3
    managed_policy_arns: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()  # raw statements, checked, as canonical JSON
    node_role_arns: tuple[str, ...] = ()  # karpenter: the node roles it may pass to EC2
    interruption_queue_arns: tuple[str, ...] = ()  # karpenter: its interruption queues
    disable_session_tags: bool = False  # Pod Identity: EKS adds no session tags, so trust cannot pin them
    mechanism: Mechanism | None = None  # its own, overriding irsa:cluster.mechanism (e.g. one workload moves first)
    clusters: tuple[str, ...] = ()  # the clusters it runs in, by name; empty: every cluster of the stack
    target_role_arn: str | None = None  # Pod Identity: the role its association chains into (role chaining)
    adopt_role: str | None = None  # an existing role (its name) imported as this workload's role
    role_name: str | None = None  # its role's own name (stack files: after an adoption, the adopted role's)
    adopt_trust: str | None = None  # the adopted role's trust as it is now (JSON), when its source recorded it
    adopt_inline_policy: str | None = None  # the adopted role's inline policy (its name) imported as irsa's
    adopt_inline_document: str | None = None  # that policy's document as it is now (JSON), when recorded
    policy_name: str | None = None  # its inline policy's own name (after an adoption, the adopted policy's)
    shared_role: str | None = None  # Pod Identity: the shared role it acts as, limited by its own session policy

    def chained(self) -> Workload:
        """The workload with its Pod Identity target role, which EKS assumes and tags with this workload's
        role, among the roles its policy lets it assume and tag."""
        target = self.target_role_arn
        if target is None:
            return self
        return replace(
            self,
            assume_roles=tuple(dict.fromkeys([*self.assume_roles, target])),
            tag_session_roles=tuple(dict.fromkeys([*self.tag_session_roles, target])),
        )

    @property
    def subjects(self) -> tuple[str, ...]:
        """Every `sub` the role trusts: its own ServiceAccount first."""
        return (f"system:serviceaccount:{self.namespace}:{self.service_account}", *self.extra_subjects)


@dataclass(frozen=True)
class CrossAccountRole:
    """A role the stack creates in another account for some of its workloads to assume."""

    name: str
    trusted_workloads: tuple[str, ...]
    s3: tuple[S3Grant, ...]
    external_id: str | None = None
    session_tags: bool = False


@dataclass(frozen=True)
class CrossAccount:
    """The other account, how to reach it, and the roles to create there."""

    account_id: str
    roles: tuple[CrossAccountRole, ...]
    profile: str | None = None
    role_arn: str | None = None
    region: str | None = None
    permissions_boundary: str | None = None  # for the roles there (a boundary lives in one account)
    role_path: str = "/"  # irsa:defaults.rolePath: the roles there are created under it too

    def role_arn_of(self, role: CrossAccountRole, partition: str) -> str:
        return aws.role_arn(partition, self.account_id, self.role_path, role.name)

    def roles_by_arn(self, partition: str) -> dict[str, CrossAccountRole]:
        """The roles it creates, by their ARN (what a workload's targetRoleArn names)."""
        return {self.role_arn_of(r, partition): r for r in self.roles}


@dataclass(frozen=True)
class Cluster:
    """Where the workloads run, and how their identities reach AWS."""

    kind: Kind
    name: str
    resource_group: str | None = None
    issuer_url: str | None = None
    audience: str = DEFAULT_AUDIENCE
    oidc_provider_arn: str | None = None
    thumbprints: tuple[str, ...] = ()
    kubeconfig: str | None = None
    mechanism: Mechanism = "irsa"
    adopt_oidc_provider: bool = False  # import the existing provider for the issuer instead of creating one


@dataclass(frozen=True)
class Settings:
    """A whole stack, validated."""

    stack: str
    region: str
    clusters: tuple[Cluster, ...]  # at least one; names unique
    workloads: tuple[Workload, ...]
    trust_policy_max_chars: int = DEFAULT_TRUST_POLICY_MAX_CHARS
    project: str = "irsa"
    warnings: tuple[str, ...] = ()
    # What the stack file says that this plan does not model (provider config, an ESC environment), each with a
    # fingerprint of its value: Pulumi or a provider applies it at deploy. Set by the stack file reader.
    unmodeled: tuple[tuple[str, str], ...] = ()
    default_tags: tuple[tuple[str, str], ...] = ()  # aws:defaultTags' tags: the provider adds them, the plan shows them
    cross_account: CrossAccount | None = None
    defaults: Guardrails = NO_GUARDRAILS
    account_id: str | None = None  # irsa:accountId, or the reused provider's account
    managed_policies_per_role: int = 10  # IAM's default quota of managed policies attached to one role
    platform: str | None = None  # the platform stack it takes its clusters from (an application stack)
    role_quota: int = 1000  # irsa:accountQuotas.roles: IAM roles the account may hold
    provider_quota: int = 100  # irsa:accountQuotas.oidcProviders: OIDC providers the account may hold

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    @property
    def cluster(self) -> Cluster:
        """The first cluster: the only one of a single-cluster stack."""
        return self.clusters[0]

    @property
    def multi_cluster(self) -> bool:
        return len(self.clusters) > 1

    @property
    def sharing(self) -> dict[str, tuple[str, ...]]:
        """Each shared role (its sharedRole name, in order of first use) and the workloads on it, in config order."""
        found: dict[str, list[str]] = {}
        for w in self.workloads:
            if w.shared_role is not None:
                found.setdefault(w.shared_role, []).append(w.name)
        return {role: tuple(names) for role, names in found.items()}

    def clusters_of(self, workload: Workload) -> tuple[Cluster, ...]:
        """The clusters a workload runs in, in the order of irsa:clusters."""
        if not workload.clusters:
            return self.clusters
        return tuple(c for c in self.clusters if c.name in workload.clusters)

    def workloads_in(self, cluster: Cluster) -> tuple[Workload, ...]:
        return tuple(w for w in self.workloads if cluster in self.clusters_of(w))

    def mechanism_of(self, workload: Workload, cluster: Cluster | None = None) -> Mechanism:
        """The workload's own mechanism, else the cluster's (the first cluster when none is named)."""
        return workload.mechanism or (cluster or self.cluster).mechanism

    def web_identity_in(self, cluster: Cluster) -> bool:
        """Whether any workload is trusted through this cluster's OIDC provider (so it needs one)."""
        return any(uses_web_identity(self.mechanism_of(w, cluster)) for w in self.workloads_in(cluster))

    def adopted_provider_arn(self, cluster: Cluster) -> str | None:
        """The ARN of the existing provider an `adoptOidcProvider` cluster imports (parse_settings made sure the
        account and the issuer are known)."""
        if not cluster.adopt_oidc_provider or cluster.issuer_url is None or self.account_id is None:
            return None
        return aws.provider_arn(self.partition, self.account_id, cluster.issuer_url)

    def provider_in(self, cluster: Cluster) -> bool:
        """Whether the stack registers (or adopts) the cluster's OIDC provider: a workload is trusted through
        it, or the stack is a platform with no workloads of its own, which owns it for its applications."""
        return self.web_identity_in(cluster) or (not self.workloads and uses_web_identity(cluster.mechanism))

    def associations_in(self, cluster: Cluster) -> bool:
        """Whether any workload gets a Pod Identity association in this cluster (so its ARN is needed)."""
        return any(uses_association(self.mechanism_of(w, cluster)) for w in self.workloads_in(cluster))

    @property
    def web_identity(self) -> bool:
        """Whether any cluster needs an OIDC provider."""
        return any(self.provider_in(c) for c in self.clusters)

    @property
    def associations(self) -> bool:
        """Whether any workload gets a Pod Identity association anywhere."""
        return any(self.associations_in(c) for c in self.clusters)


@dataclass(frozen=True)
class Chain:
    """A role the verification Job assumes next (e.g. in another account), and the grant it checks there."""

    role_arn: str
    grant: S3Grant
    external_id: str | None = None

    def env(self) -> dict[str, str]:
        """As the Job's IRSA_CHAIN_* variables (names without the prefix, lowercase)."""
        values = {"role_arn": self.role_arn, "bucket": self.grant.bucket, "prefix": self.grant.prefix}
        values["access"] = self.grant.access
        if self.external_id is not None:
            values["external_id"] = self.external_id
        return values


@dataclass(frozen=True)
class TargetRole:
    """The role a Pod Identity association chains into: pods there act as it, not as the workload's role."""

    role_arn: str
    grant: S3Grant | None = None  # a stack-created cross-account role's first S3 grant: what the Job checks


@dataclass(frozen=True)
class Placement:
    """One cluster a workload runs in: how its role is trusted there, and how its resources there are named."""

    cluster_name: str
    mechanism: Mechanism = "irsa"
    audience: str = DEFAULT_AUDIENCE
    inject_token: bool = True  # splice the token fragment into the Job's pod (no webhook does it, as on AKS)
    qualified: bool = False  # names carry the cluster's (a stack with several clusters)
    first: bool = True  # the first cluster of the stack: its names and the single-cluster names alias each other

    def name(self, prefix: str, suffix: str) -> str:
        """A resource's name in this cluster: `<prefix>-<suffix>`, with the cluster's name between when qualified."""
        return f"{prefix}-{self.cluster_name}-{suffix}" if self.qualified else f"{prefix}-{suffix}"

    def aliases(self, prefix: str, suffix: str) -> tuple[str, ...]:
        """Former names of that resource: the first cluster's qualified and single-cluster names are one
        resource, so a stack moving between one cluster and several keeps it (add clusters after it)."""
        if not self.first:
            return ()
        other = f"{prefix}-{suffix}" if self.qualified else f"{prefix}-{self.cluster_name}-{suffix}"
        return (other,)

    @property
    def web_identity(self) -> bool:
        return uses_web_identity(self.mechanism)

    @property
    def association(self) -> bool:
        return uses_association(self.mechanism)


@dataclass(frozen=True)
class IdentitySpec:
    """Everything one WorkloadIdentity needs, validated: the workload, and how and where its role is trusted."""

    workload: Workload
    region: str
    role_name: str
    policy_name: str
    audience: str = DEFAULT_AUDIENCE
    mechanism: Mechanism = "irsa"
    cluster_name: str = ""
    # Splice the token fragment into the Job's pod (no webhook does it, as on AKS); None: an EKS issuer says no,
    # decided once the computed issuer is known (`placed`).
    inject_token: bool | None = True
    chain: Chain | None = None
    role_path: str = "/"
    account_id: str | None = None  # where names resolve; None: looked up at deploy when a grant needs it
    placements: tuple[Placement, ...] = ()  # the clusters it runs in; empty: the one the fields above describe
    target: TargetRole | None = None  # Pod Identity role chaining (targetRoleArn)
    trust_policy_max_chars: int = 2048  # the account's IAM quotas the documents are measured against
    managed_policies_per_role: int = 10

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    @property
    def where(self) -> tuple[Placement, ...]:
        """Every cluster it runs in (the component API's single cluster when no placements are given)."""
        if self.placements:
            return self.placements
        # The component API's one cluster: its names never were qualified, so nothing to alias.
        return (Placement(self.cluster_name, self.mechanism, self.audience, self.inject_token is not False,
                          first=False),)  # fmt: skip

    def placed(self, index: int, issuer: str | None) -> Placement:
        """Its `index`-th cluster, the token splice decided from the cluster's issuer when it was left open."""
        where = self.where[index]
        if self.inject_token is None and issuer is not None:
            return replace(where, inject_token=not aws.EKS_ISSUER.fullmatch(issuer))
        return where


KUBECONFIG_PATH = re.compile(r"[\w.~@+=,/-]+", re.ASCII)


def is_kubeconfig_contents(value: str) -> bool:
    """Whether a kubeconfig setting holds the file's contents (credentials) rather than a path to it: anything
    but a plain path (`~/.kube/config`, `/etc/kube/aks-1`) counts as contents and is kept secret, so a one-line
    document (`--- {…}`, `!!map {…}`, JSON, a byte-order mark) never prints as a "path"."""
    return value == ENCRYPTED_KUBECONFIG or not KUBECONFIG_PATH.fullmatch(value)
