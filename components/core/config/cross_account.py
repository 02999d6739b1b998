"""irsa:crossAccount (pure): the other account, how to reach it, and the roles to create there."""

from __future__ import annotations

import re
from typing import Any

from components.core.aws import EXTERNAL_ID, ROLE_NAME
from components.core.config import fields
from components.core.config.collector import Collector, show
from components.core.config.grants import read_grants, read_role_arns
from components.core.config.guardrails import read_boundary
from components.core.model import CrossAccount, CrossAccountRole, Workload

CROSS_ACCOUNT_KEYS = ("accountId", "profile", "roleArn", "region", "roles", "permissionsBoundary")
CROSS_ROLE_KEYS = ("name", "trustedWorkloads", "externalId", "s3", "sessionTags")


def read_cross_account(
    c: Collector, raw: Any, region: str | None, workloads: tuple[Workload, ...]
) -> CrossAccount | None:
    path = "irsa:crossAccount"
    if raw is None:
        return None
    if not c.is_map(path, raw, "a map with accountId, profile or roleArn, and roles"):
        return None
    c.unknown_keys(path, raw, CROSS_ACCOUNT_KEYS)
    account = raw.get("accountId")
    if isinstance(account, int) and not isinstance(account, bool):
        c.add(f"{path}.accountId", f"{account} is a number", "a 12-digit string: quote it, leading zeros matter")
        account = None
    elif not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
        wrong = "is required" if account is None else f"{show(account)} is not an AWS account ID"
        c.add(f"{path}.accountId", wrong, "12 digits, as a string")
        account = None
    profile = c.string(f"{path}.profile", raw.get("profile"), required=False)
    role_arn = c.string(f"{path}.roleArn", raw.get("roleArn"), required=False)
    if role_arn is not None and not read_role_arns(c, f"{path}.roleArn", [role_arn], region):
        role_arn = None
    if profile is None and role_arn is None and "profile" not in raw and "roleArn" not in raw:
        c.add(
            path,
            "names no credentials for the other account",
            "profile (an AWS profile) or roleArn (a role to assume there)",
        )
    target_region = fields.region(c, f"{path}.region", raw.get("region"), required=False)
    roles_raw = c.items(
        f"{path}.roles", raw.get("roles"), "a non-empty list of {name, trustedWorkloads, externalId, s3}"
    )
    if roles_raw is None:
        return None
    known = {w.name for w in workloads}
    roles = []
    seen: set[str] = set()
    for i, r in enumerate(roles_raw):
        p = f"{path}.roles[{i}]"
        if not c.is_map(p, r, "a map with name, trustedWorkloads, externalId and s3"):
            continue
        c.unknown_keys(p, r, CROSS_ROLE_KEYS)
        name = c.string(f"{p}.name", r.get("name"))
        if name is not None and not ROLE_NAME.fullmatch(name):
            c.add(f"{p}.name", f"{show(name)} is not an IAM role name", "1-64 of letters, digits and +=,.@_-")
            name = None
        elif name is not None and name.lower() in seen:
            c.add(f"{p}.name", f"{show(name)} is already used", "role names unique case-insensitively")
        elif name is not None:
            seen.add(name.lower())
        trusted = r.get("trustedWorkloads")
        if not isinstance(trusted, list) or not trusted or not all(isinstance(t, str) for t in trusted):
            c.add(
                f"{p}.trustedWorkloads",
                f"{show(trusted)} is not a non-empty list of workload names",
                "names from irsa:workloads: their roles, never the whole account, are trusted",
            )
            trusted = []
        for t in trusted:
            if known and t not in known:
                c.add(
                    f"{p}.trustedWorkloads",
                    f"{show(t)} is not a workload of this stack",
                    f"one of: {', '.join(sorted(known))}",
                )
        external = r.get("externalId")
        if external is not None and (not isinstance(external, str) or not EXTERNAL_ID.fullmatch(external)):
            c.add(
                f"{p}.externalId", f"{show(external)} is not an external ID", "2-1224 of letters, digits and +=,.@:/-"
            )
            external = None
        grants = read_grants(c, f"{p}.s3", r.get("s3"))
        session_tags = c.boolean(f"{p}.sessionTags", r.get("sessionTags"), False)
        if name is not None and trusted:
            roles.append(CrossAccountRole(name, tuple(trusted), grants, external, session_tags))
    if account is None:
        return None
    boundary = read_boundary(c, f"{path}.permissionsBoundary", raw.get("permissionsBoundary"), region)
    if boundary is not None and boundary.split(":")[4] not in ("aws", account):
        c.add(
            f"{path}.permissionsBoundary", f"{show(boundary)} is a policy of another account", f"a policy of {account}"
        )
    return CrossAccount(account, tuple(roles), profile, role_arn, target_region, boundary)
