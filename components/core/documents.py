"""IAM policy documents (pure): trust policies and least-privilege S3 permissions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from components.core import presets
from components.core.model import S3Grant
from components.core.presets import PresetOptions

VERSION = "2012-10-17"

# The tagging calls are what `aws s3 cp`/`sync` make between S3 locations for objects of 8 MiB and more (a
# multipart copy): GetObjectTagging on the source, tags set on the destination — AWS CLI v2,
# awscli/customizations/s3/subscribers.py (SetTagsSubscriber), multipart_threshold 8 MiB in transferconfig.py.
READ_ACTIONS = ("s3:GetObject", "s3:GetObjectTagging")
WRITE_ACTIONS = ("s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload")
DELETE_ACTIONS = ("s3:DeleteObject",)


def as_list(value: Any) -> list[Any]:
    """An IAM field that holds one value or a list of them (Action, Resource, a principal, a condition's values)."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def statements_of(document: Any) -> list[dict[str, Any]]:
    """A policy document's statements (one, or a list of them), anything that is not a statement left out."""
    found = as_list(document.get("Statement")) if isinstance(document, Mapping) else []
    return [dict(s) for s in found if isinstance(s, Mapping)]


def subject(namespace: str, service_account: str) -> str:
    """The `sub` claim Kubernetes puts in a ServiceAccount's tokens."""
    return f"system:serviceaccount:{namespace}:{service_account}"


def trust_policy(provider_arn: str, issuer_host: str, subjects: list[str], audience: str) -> dict[str, Any]:
    """Trust policy letting exactly these ServiceAccounts assume the role with web identity.

    `sub` and `aud` are always pinned; `sub` uses StringLike only when a subject has a wildcard.
    """
    sub: str | list[str] = subjects[0] if len(subjects) == 1 else list(subjects)
    key_sub, key_aud = f"{issuer_host}:sub", f"{issuer_host}:aud"
    condition: dict[str, dict[str, Any]]
    if any("*" in s or "?" in s for s in subjects):
        condition = {"StringEquals": {key_aud: audience}, "StringLike": {key_sub: sub}}
    else:
        condition = {"StringEquals": {key_sub: sub, key_aud: audience}}
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition,
            }
        ],
    }


POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
UNTAGGED_POD_IDENTITY_SID = "PodIdentityWithoutSessionTags"  # the policy pack's advisory rule looks for it


def pod_identity_trust_policy(
    account_id: str, cluster_arn: str, namespace: str, service_account: str, session_tags: bool = True
) -> dict[str, Any]:
    """Trust for EKS Pod Identity: the EKS service, guarded by the source account, and session tags that
    pin the cluster and the namespace/ServiceAccount (as the EKS user guide documents). Without session
    tags (an association with disableSessionTags) only the source account remains to check."""
    pins = {
        "aws:RequestTag/eks-cluster-arn": cluster_arn,
        "aws:RequestTag/kubernetes-namespace": namespace,
        "aws:RequestTag/kubernetes-service-account": service_account,
    }
    return {
        "Version": VERSION,
        "Statement": [
            {
                **({} if session_tags else {"Sid": UNTAGGED_POD_IDENTITY_SID}),
                "Effect": "Allow",
                "Principal": {"Service": POD_IDENTITY_SERVICE},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id, **(pins if session_tags else {})}},
            }
        ],
    }


def role_trust_policy(
    trusted_role_arns: list[str], external_id: str | None = None, session_tags: bool = False
) -> dict[str, Any]:
    """Trust for a cross-account role: exactly these roles (never an account root), optionally an external ID;
    sts:TagSession only when asked for (tags a caller sets would otherwise reach the other account's ABAC)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": trusted_role_arns[0] if len(trusted_role_arns) == 1 else list(trusted_role_arns)},
        "Action": ["sts:AssumeRole", "sts:TagSession"] if session_tags else "sts:AssumeRole",
    }
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return {"Version": VERSION, "Statement": [statement]}


def assume_roles_statements(role_arns: Iterable[str], tag_session_arns: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Permission to assume exactly these roles, and to tag sessions only of those that ask for it."""
    statements = [{"Sid": "AssumeRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(role_arns)}]
    tagged = list(tag_session_arns)
    if tagged:
        statements.append({"Sid": "TagSessions", "Effect": "Allow", "Action": "sts:TagSession", "Resource": tagged})
    return statements


def permission_policy(
    grants: Iterable[S3Grant], partition: str, assume_roles: Iterable[str] = (), tag_session: Iterable[str] = ()
) -> dict[str, Any]:
    """A workload's inline policy: its S3 grants, and the roles it may assume (and tag sessions of)."""
    document = s3_policy(grants, partition)
    roles = list(assume_roles)
    if roles:
        document["Statement"] += assume_roles_statements(roles, tag_session)
    return document


def inline_policy(
    grants: Iterable[S3Grant],
    partition: str,
    assume_roles: Iterable[str] = (),
    preset_names: Iterable[str] = (),
    preset_scope: PresetOptions | None = None,
    tag_session: Iterable[str] = (),
) -> dict[str, Any]:
    """A workload's whole inline policy: S3 grants, assumable roles, and its add-on presets' statements."""
    document = permission_policy(grants, partition, assume_roles, tag_session)
    names = tuple(preset_names)
    if names:
        document["Statement"] += presets.statements(names, preset_scope or PresetOptions("", partition))
    return document


def object_actions(access: str) -> list[str]:
    """S3 object actions an access level grants."""
    if access == "read":
        return list(READ_ACTIONS)
    if access in ("write", "sync"):  # sync also lists (below), as `aws s3 sync` compares before it writes
        return list(WRITE_ACTIONS)
    return [*READ_ACTIONS, *WRITE_ACTIONS, *DELETE_ACTIONS]


def s3_policy(grants: Iterable[S3Grant], partition: str) -> dict[str, Any]:
    """Smallest permission policy for S3 grants: object actions under the prefix, listing limited to it."""
    statements: list[dict[str, Any]] = []
    for i, g in enumerate(grants):
        bucket_arn = f"arn:{partition}:s3:::{g.bucket}"
        statements.append(
            {
                "Sid": f"Objects{i}",
                "Effect": "Allow",
                "Action": object_actions(g.access),
                "Resource": f"{bucket_arn}/{g.prefix}*",
            }
        )
        if g.access != "write":
            listing: dict[str, Any] = {
                "Sid": f"List{i}",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": bucket_arn,
            }
            if g.prefix:
                listing["Condition"] = {"StringLike": {"s3:prefix": [f"{g.prefix}*"]}}
            statements.append(listing)
    return {"Version": VERSION, "Statement": statements}


def policy_of(statements: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A policy document of these statements, each identical one once, in order."""
    unique = list({json.dumps(st, sort_keys=True): st for st in statements}.values())
    return {"Version": VERSION, "Statement": unique}


def parts(statements: list[dict[str, Any]], chunks: Iterable[Iterable[int]]) -> list[dict[str, Any]]:
    """Policy documents of the statements at each chunk's indices (permissions split past the inline quota)."""
    return [{"Version": VERSION, "Statement": [statements[i] for i in chunk]} for chunk in chunks]


def to_json(document: dict[str, Any]) -> str:
    """Canonical JSON of a policy document, as sent to IAM."""
    return json.dumps(document, indent=2)


def compact_size(document: dict[str, Any]) -> int:
    """Size as IAM counts it: characters without whitespace outside strings."""
    return len(json.dumps(document, separators=(",", ":")))
