"""irsa:workloads (pure): each workload, its names and subjects, and clashes between workloads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.core import names
from components.core.aws import ROLE_ARN, is_wildcard
from components.core.config import fields
from components.core.config.collector import Collector, show
from components.core.config.grants import read_grants, read_presets, read_role_arns
from components.core.config.guardrails import merged_tags, read_boundary, read_tags
from components.core.config.service_config import GRANT_KEYS as SERVICE_GRANT_KEYS
from components.core.config.service_config import read_managed_policies, read_statements
from components.core.grant_kinds import registry
from components.core.kube import SUBJECT, WORKLOAD_NAME
from components.core.model import NO_GUARDRAILS, Guardrails, Workload
from components.core.trust import string_like

WORKLOAD_KEYS = (
    "name",
    "namespace",
    "serviceAccount",
    "s3",
    "sampleJob",
    "createNamespace",
    "maxSessionDuration",
    "tokenExpirationSeconds",
    "jobImage",
    "extraSubjects",
    "assumeRoles",
    "presets",
    "presetOptions",
    "createServiceAccount",
    "sessionTags",
    "disableSessionTags",
    "mechanism",
    "clusters",
    "targetRoleArn",
    "permissionsBoundary",
    "tags",
    *SERVICE_GRANT_KEYS,
    "verifyPublish",
    "allowPrivilegedManagedPolicies",
    "adoptRole",
    "roleName",
    "policyName",
    "sharedRole",
)


@dataclass(frozen=True)
class ComponentDoor:
    """How WorkloadIdentity's arguments reach `read_workload`: the component's name, and how its preset
    options are spelled (the key, and each option's name) so their messages name what the program wrote."""

    name: str
    preset_options: tuple[str, Mapping[str, str]]


def read_workloads(
    c: Collector, raw: Any, stack: str, region: str | None, defaults: Guardrails = NO_GUARDRAILS
) -> tuple[Workload, ...]:
    path = "irsa:workloads"
    raw = c.items(path, raw, "a non-empty list of workloads", required=False)  # none: a platform stack
    if raw is None:
        return ()
    result: list[Workload] = []
    seen_names: dict[str, int] = {}
    seen_role_names: dict[str, int] = {}
    seen_subjects: dict[tuple[str, str], int] = {}
    for i, item in enumerate(raw):
        w = read_workload(c, f"{path}[{i}]", item, stack, region, defaults)
        if w is not None:
            result.append(w)
        if not isinstance(item, Mapping):
            continue
        # Clashes are checked on the raw values too, so an invalid workload still reports its duplicate.
        name, ns, sa = item.get("name"), item.get("namespace"), item.get("serviceAccount")
        if isinstance(name, str):
            if name in seen_names:
                c.add(
                    f"{path}[{i}].name",
                    f"{show(name)} is already used by {path}[{seen_names[name]}]",
                    "unique workload names",
                )
            else:
                seen_names[name] = i
                adopted = adopted_name(item.get("adoptRole")) or item.get("roleName")
                shown = adopted if isinstance(adopted, str) else names.role_name(stack, name)
                role = shown.lower()
                if role in seen_role_names:
                    c.add(
                        f"{path}[{i}].{_naming_key(item)}",
                        f"IAM role name {shown!r} clashes with {path}[{seen_role_names[role]}]",
                        "IAM role names unique case-insensitively",
                    )
                seen_role_names.setdefault(role, i)
        if isinstance(ns, str) and isinstance(sa, str):
            if (ns, sa) in seen_subjects:
                c.add(
                    f"{path}[{i}].serviceAccount",
                    f"{ns}/{sa} is already used by {path}[{seen_subjects[(ns, sa)]}]",
                    "one workload per namespace/ServiceAccount",
                )
            else:
                seen_subjects[(ns, sa)] = i
    return tuple(result)


def read_adopt_role(c: Collector, path: str, raw: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """adoptRole: the existing role's name, or {name, trust, inlinePolicy}: its trust as it is now (what `adopt`
    records, so the plan can say what the adoption's second `up` changes in it) and its inline policy to import
    as the workload's."""
    if not isinstance(raw, Mapping):
        return fields.iam_name(c, path, raw, "role", 64), None, None, None
    c.unknown_keys(path, raw, ("name", "trust", "inlinePolicy"))
    inline, document = _read_inline(c, f"{path}.inlinePolicy", raw.get("inlinePolicy"))
    name = fields.iam_name(c, f"{path}.name", raw.get("name"), "role", 64)
    if name is None and raw.get("name") is None:
        c.add(f"{path}.name", "is required", "the existing role's name")
    trust = raw.get("trust")
    if trust is not None and not (isinstance(trust, Mapping) and isinstance(trust.get("Statement"), (list, Mapping))):
        c.add(f"{path}.trust", f"{show(trust)} is not an IAM policy document", "the role's trust as IAM returns it")
        trust = None
    return name, json.dumps(trust, sort_keys=True) if trust is not None else None, inline, document


def _read_inline(c: Collector, path: str, raw: Any) -> tuple[str | None, str | None]:
    """adoptRole.inlinePolicy: its name, or {name, document} with its document as it is now."""
    if not isinstance(raw, Mapping):
        return fields.iam_name(c, path, raw, "policy", 128), None
    c.unknown_keys(path, raw, ("name", "document"))
    name = fields.iam_name(c, f"{path}.name", raw.get("name"), "policy", 128)
    document = raw.get("document")
    if document is not None and not (isinstance(document, Mapping) and "Statement" in document):
        c.add(f"{path}.document", f"{show(document)} is not an IAM policy document", "the policy as IAM returns it")
        document = None
    return name, json.dumps(document, sort_keys=True) if document is not None else None


def _naming_key(item: Mapping[str, Any]) -> str:
    """The key that names a workload's role: adoptRole, roleName, else its name (irsa-<stack>-<name>)."""
    if adopted_name(item.get("adoptRole")):
        return "adoptRole"
    return "roleName" if isinstance(item.get("roleName"), str) else "name"


def adopted_name(raw: Any) -> str | None:
    """The role name an adoptRole value gives (its string, or its map's name)."""
    name = raw.get("name") if isinstance(raw, Mapping) else raw
    return name if isinstance(name, str) else None


def read_workload(
    c: Collector,
    path: str,
    raw: Any,
    stack: str,
    region: str | None,
    defaults: Guardrails = NO_GUARDRAILS,
    component: ComponentDoor | None = None,
) -> Workload | None:
    """One workload, from a stack file or (`component`) from WorkloadIdentity's arguments: the same keys and
    rules, in the stack file's spelling (the component door renames its arguments and the problems' paths)."""
    if not c.is_map(path, raw, "a map with name, namespace, serviceAccount and s3"):
        return None
    if component is None:
        c.unknown_keys(path, raw, WORKLOAD_KEYS)
    before = len(c.problems)
    sample_job = c.boolean(f"{path}.sampleJob", raw.get("sampleJob"), True)
    if component is None:
        name = c.string(f"{path}.name", raw.get("name"))
        if name is not None:
            name = check_workload_name(c, f"{path}.name", name, stack, sample_job)
    else:
        name = component.name  # a resource name: the component's own role_name rules apply instead
    namespace = fields.namespace(c, f"{path}.namespace", raw.get("namespace"))
    sa = fields.service_account(c, f"{path}.serviceAccount", raw.get("serviceAccount"))
    assume_roles = read_role_arns(c, f"{path}.assumeRoles", raw.get("assumeRoles"), region)
    if component is None:
        presets, scope = read_presets(c, path, raw.get("presets"), raw.get("presetOptions"))
    else:
        options = component.preset_options
        presets, scope = read_presets(c, path, raw.get("presets"), raw.get("presetOptions"), *options)
    create_sa = c.boolean(f"{path}.createServiceAccount", raw.get("createServiceAccount"), True)
    session_tags = c.boolean(f"{path}.sessionTags", raw.get("sessionTags"), False)
    untagged = c.boolean(f"{path}.disableSessionTags", raw.get("disableSessionTags"), False)
    mechanism = fields.mechanism(c, f"{path}.mechanism", raw.get("mechanism"))  # the cluster's kind: parse.py
    boundary = read_boundary(c, f"{path}.permissionsBoundary", raw.get("permissionsBoundary"), region)
    tags = merged_tags(c, f"{path}.tags", defaults.tags, read_tags(c, f"{path}.tags", raw.get("tags")))
    # no cascade: a workload listing (even misspelt) presets or roles needs no S3 grant
    others = ("assumeRoles", "presets", "targetRoleArn", "adoptRole", *SERVICE_GRANT_KEYS)  # adopted: may keep its own
    required = component is None and not any(raw.get(k) for k in others)  # a component may grant nothing
    grants = read_grants(c, f"{path}.s3", raw.get("s3"), required=required)
    service_grants = registry.read(c, path, raw)
    privileged = c.boolean(f"{path}.allowPrivilegedManagedPolicies", raw.get("allowPrivilegedManagedPolicies"), False)
    managed = read_managed_policies(c, f"{path}.managedPolicyArns", raw.get("managedPolicyArns"), privileged)
    statements = read_statements(c, f"{path}.statements", raw.get("statements"))
    create_ns = c.boolean(f"{path}.createNamespace", raw.get("createNamespace"), False)
    max_session = fields.max_session(c, f"{path}.maxSessionDuration", raw.get("maxSessionDuration"))
    expiration = fields.token_expiration(c, f"{path}.tokenExpirationSeconds", raw.get("tokenExpirationSeconds"))
    image = fields.job_image(c, f"{path}.jobImage", raw.get("jobImage"))
    extra = read_extra_subjects(c, f"{path}.extraSubjects", raw.get("extraSubjects"))
    clusters = read_cluster_names(c, f"{path}.clusters", raw.get("clusters"))
    target = read_target_role(c, f"{path}.targetRoleArn", raw.get("targetRoleArn"), region)
    adopt, adopt_trust, adopt_policy, adopt_document = read_adopt_role(c, f"{path}.adoptRole", raw.get("adoptRole"))
    policy = None if component is not None else fields.iam_name(
        c, f"{path}.policyName", raw.get("policyName"), "policy", 128
    )  # (the component reads policy_name with its role's names)
    if adopt_policy is not None and policy is not None:
        c.add(f"{path}.policyName", "is given with adoptRole.inlinePolicy",
              "one: inlinePolicy imports that policy; once imported, policyName keeps its name")  # fmt: skip
    # The component reads role_name with the other names of its role (arguments.py).
    own = fields.iam_name(c, f"{path}.roleName", raw.get("roleName"), "role", 64) if component is None else None
    if adopt is not None and own is not None:
        c.add(f"{path}.roleName", "is given with adoptRole",
              "one: adoptRole imports the role of that name; once imported, roleName keeps its name")  # fmt: skip
    shared = read_shared_role(c, f"{path}.sharedRole", raw)
    if len(c.problems) > before or name is None or namespace is None or sa is None:
        return None
    return Workload(
        name,
        namespace,
        sa,
        grants,
        sample_job,
        create_ns,
        max_session,
        expiration,
        image,
        extra,
        assume_roles,
        presets=presets,
        create_service_account=create_sa,
        hosted_zone_ids=scope["hostedZoneIds"],
        secret_arns=scope["secretArns"],
        parameter_arns=scope["parameterArns"],
        node_role_arns=scope["nodeRoleArns"],
        interruption_queue_arns=scope["interruptionQueueArns"],
        tag_session_roles=assume_roles if session_tags else (),
        permissions_boundary=boundary or defaults.permissions_boundary,
        tags=tags,
        grants=service_grants,
        managed_policy_arns=managed,
        statements=statements,
        disable_session_tags=untagged or shared is not None,  # EKS: a session policy requires it
        mechanism=mechanism,
        clusters=clusters,
        target_role_arn=target,
        adopt_role=adopt,
        role_name=own,
        adopt_trust=adopt_trust,
        adopt_inline_policy=adopt_policy,
        adopt_inline_document=adopt_document,
        policy_name=policy,
        shared_role=shared,
    )


SHARED_ROLE_EXCLUDES = {  # what a shared role's member cannot have, and why
    "adoptRole": "an adopted role is one workload's own",
    "roleName": "the shared role is named by sharedRole",
    "targetRoleArn": "its session policy would limit the target role instead",
    "managedPolicyArns": "a session policy cannot carry a managed policy's permissions",
    "extraSubjects": "Pod Identity binds one ServiceAccount per association",
}


def read_shared_role(c: Collector, path: str, raw: Mapping[str, Any]) -> str | None:
    """sharedRole: the name of the role it shares (an IAM role name, the stack's prefix added), and what it excludes."""
    value = raw.get("sharedRole")
    if value is None:
        return None
    name = fields.iam_name(c, path, value, "role", 64)
    for key, why in SHARED_ROLE_EXCLUDES.items():
        if raw.get(key):
            c.add(path.rsplit(".", 1)[0] + f".{key}", f"is given with sharedRole: {why}",
                  f"one: drop {key}, or drop sharedRole and give the workload its own role")  # fmt: skip
    return name


def read_target_role(c: Collector, path: str, raw: Any, region: str | None) -> str | None:
    """The role a Pod Identity association chains into (whether Pod Identity is used: parse.py)."""
    if raw is None:
        return None
    m = ROLE_ARN.fullmatch(raw) if isinstance(raw, str) else None
    if m is None:
        c.add(path, f"{show(raw)} is not an IAM role ARN", "arn:<partition>:iam::<12-digit account>:role/<name>")
        return None
    return raw if fields.partition_matches(c, path, m.group(1), region) else None


def read_cluster_names(c: Collector, path: str, raw: Any) -> tuple[str, ...]:
    """The clusters a workload runs in (whether they exist is checked against irsa:clusters later)."""
    if raw is None:
        return ()
    allowed = "a list of 1 to 20 cluster names from irsa:clusters, each once (leave it out for every cluster)"
    if not isinstance(raw, list) or not 1 <= len(raw) <= 20 or not all(isinstance(n, str) and n for n in raw):
        c.add(path, f"{show(raw)} is not a list of cluster names", allowed)
        return ()
    if len(set(raw)) != len(raw):
        c.add(path, f"names {', '.join(sorted({n for n in raw if raw.count(n) > 1}))} more than once", allowed)
        return ()
    return tuple(raw)


def read_extra_subjects(c: Collector, path: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    allowed = (
        "system:serviceaccount:<namespace>:<serviceAccount>; a namespace pattern starts with at least "
        f"{PATTERN_PREFIX} literal characters, like team-*, and cannot match {', '.join(PROTECTED_NAMESPACES)}"
    )
    if not isinstance(raw, list):
        c.add(path, f"{show(raw)} is not a list", f"a list of subjects: {allowed}")
        return ()
    subjects = []
    for i, sub in enumerate(raw):
        m = SUBJECT.fullmatch(sub) if isinstance(sub, str) else None
        if m is None or not namespace_pattern_is_safe(m.group(1)):
            c.add(f"{path}[{i}]", f"{show(sub)} is not a ServiceAccount subject", allowed)
            continue
        subjects.append(sub)
    return tuple(subjects)


PROTECTED_NAMESPACES = ("kube-system", "kube-public", "default")
PATTERN_PREFIX = 3


def namespace_pattern_is_safe(namespace: str) -> bool:
    """A literal namespace, or a pattern with a literal prefix of at least 3 characters that matches none of
    the cluster's own namespaces (`*-*` or `*e*` would match kube-system)."""
    if not is_wildcard(namespace):
        return True
    literal = len(namespace) - len(namespace.lstrip("abcdefghijklmnopqrstuvwxyz0123456789-"))
    return literal >= PATTERN_PREFIX and not any(string_like(namespace, n) for n in PROTECTED_NAMESPACES)


def check_workload_name(c: Collector, path: str, name: str, stack: str, sample_job: bool) -> str | None:
    if not WORKLOAD_NAME.fullmatch(name):
        c.add(
            path,
            f"{show(name)} is not a valid workload name",
            "lowercase letters, digits and '-', starting with a letter, ending with a letter or digit",
        )
        return None
    for what, derived, limit in names.derived_names(stack, name, sample_job):
        if len(derived) > limit:
            c.add(
                path,
                f"{what} {derived!r} would be {len(derived)} characters",
                f"{what}s are at most {limit}: shorten the workload name by {len(derived) - limit}",
            )
            return None
    return name
