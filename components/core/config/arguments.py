"""Component arguments → the validated model (pure): the second front door, with the stack file's rules.

A program that calls `WorkloadIdentity(...)` directly gets the same checks and the same
`<path>: <what is wrong> (<what is allowed>)` messages as a stack file, with paths such as
`WorkloadIdentity("app").s3[0].access`. Nothing is guessed: an unknown access level, mechanism or
argument is an error, never a default. Values a program computes (`pulumi.Output`) are checked
where they are known: those arguments take strings only when plain.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from components.core import names
from components.core.aws import EKS_ISSUER, EXTERNAL_ID, PROVIDER_ARN, ROLE_ARN, partition_of
from components.core.config import fields
from components.core.config.cluster import check_issuer, read_thumbprints
from components.core.config.collector import Collector, show
from components.core.config.grants import read_grant, read_grants, read_presets
from components.core.config.guardrails import read_boundary, read_role_path, read_tags
from components.core.config.service_config import SERVICE_FIELDS, read_managed_policies
from components.core.config.workloads import WORKLOAD_KEYS, ComponentDoor, adopted_name, read_workload
from components.core.grant_kinds import registry
from components.core.model import (
    Chain,
    Guardrails,
    IdentitySpec,
    InvalidInput,
    Mechanism,
    S3Grant,
    TargetRole,
    Workload,
)
from components.core.presets import attachments_of, has_inline_policy
from components.core.shape import Attachment, WorkloadShape
from components.core.unknowns import is_unknown

# WorkloadIdentity's arguments: each stack-file workload key, snake_case (the stack-only keys aside), then what a
# stack file sets for all its workloads or its cluster. Defined once: the schema and the README are checked
# against these (test_doors.py).
STACK_ONLY_KEYS = ("name", "createNamespace", "clusters", "sharedRole")  # sharedRole: the SharedRole component
def snake_case(name: str) -> str:
    """A stack file's (or the schema's) camelCase name as the component spells it: `maxSessionDuration` →
    `max_session_duration`."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


WORKLOAD_ARGS = {snake_case(k): k for k in WORKLOAD_KEYS if k not in STACK_ONLY_KEYS}
SPEC_ARGS = (
    "oidc_provider_arn", "issuer_url", "audience", "role_name", "policy_name", "region", "splice_token_fragment",
    "inject_pod_identity", "cluster_name", "cluster_arn", "chain", "role_path", "platform",
    "account_id", "trust_policy_max_chars", "managed_policies_per_role",
)  # fmt: skip
IDENTITY_ARGS = (*WORKLOAD_ARGS, *(k for k in SPEC_ARGS if k not in WORKLOAD_ARGS))
GRANT_LISTS = ("s3", *SERVICE_FIELDS)
DEPRECATED_ARGS = {"inject_pod_identity": "splice_token_fragment"}  # accepted until 2027-06-01
REGION_ALLOWED = "the AWS region pods call STS in, e.g. eu-west-1 (default: the aws:region config, else AWS_REGION)"
# The stack file's spelling of names inside grant maps and grant options, read by the same readers.
STACK_SPELLING = {"kms_key": "kmsKey", "verify_publish": "verifyPublish"}
RESPELLED = {**WORKLOAD_ARGS, **STACK_SPELLING}  # camelCase path segments a component's problems rename
PRESET_OPTIONS = {
    "hostedZoneIds": "hosted_zone_ids",
    "secretArns": "secret_arns",
    "parameterArns": "parameter_arns",
    "nodeRoleArns": "node_role_arns",
    "interruptionQueueArns": "interruption_queue_arns",
}
CHAIN_ARGS = ("role_arn", "external_id", "bucket", "prefix", "access")
PROVIDER_ARGS = (
    "issuer_url", "audience", "existing_provider_arn", "thumbprints", "protect", "tags", "adopt_provider_arn",
)  # fmt: skip
CROSS_ROLE_ARGS = (
    "role_name", "trusted_role_arns", "external_id", "s3", "partition", "session_tags", "permissions_boundary",
    "role_path", "tags",
)  # fmt: skip
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f")


def plain_values(value: Any) -> Any:
    """Sequences as lists, mappings as dicts and enum members as their values, so the stack-file readers
    apply unchanged."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [plain_values(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain_values(v) for k, v in value.items()}
    return value


def _is_plain_string(value: Any) -> bool:
    return isinstance(value, str)


def _start(
    kind: str, name: str, args: Any, known: tuple[str, ...], path: str | None = None
) -> tuple[Collector, str, dict[str, Any]]:
    c = Collector()
    path = path or f"{kind}({show(name)})"
    if not isinstance(args, Mapping):
        c.add(path, f"{show(args)} is not a map of arguments", f"{kind}Args")
        raise InvalidInput(c.problems)
    c.unknown_keys(path, args, known)
    return c, path, plain_values(args)


def _finish(c: Collector) -> None:
    if c.problems:
        raise InvalidInput(c.problems)


def _workload_view(a: Mapping[str, Any]) -> dict[str, Any]:
    """The workload's arguments as a stack-file workload: camelCase keys, `kms_key` inside grants `kmsKey`
    (preset options keep their names: their reader is told the component's spelling)."""
    view = {}
    for snake, camel in WORKLOAD_ARGS.items():
        if snake in a and snake != "mechanism":  # mechanism is the spec's: read once, above
            view[camel] = _stack_spelled(a[snake]) if camel in GRANT_LISTS else a[snake]
    return view


def _stack_spelled(grants: Any) -> Any:
    """A list of grant maps with the stack file's names inside (`kms_key` → `kmsKey`), so one reader reads both."""
    if not isinstance(grants, list):
        return grants
    return [{STACK_SPELLING.get(k, k): v for k, v in m.items()} if isinstance(m, Mapping) else m for m in grants]


def _component_spelling(c: Collector, start: int) -> None:
    """Problems found since `start` name the component's own spelling (`.service_account`, `.kms_key`)."""
    for i, problem in enumerate(c.problems[start:], start):
        path = problem.path
        for snake, camel in RESPELLED.items():
            path = re.sub(rf"\.{camel}(?=[.\[]|$)", f".{snake}", path)
        c.problems[i] = dataclasses.replace(problem, path=path)


def identity_spec(name: str, args: Any, path: str | None = None) -> IdentitySpec:
    """WorkloadIdentity's arguments, validated; InvalidInput listing every problem otherwise, each at `path`
    (default `WorkloadIdentity("<name>")`; a SharedRole's workload is at its place in the SharedRole's map)."""
    c, path, a = _start("WorkloadIdentity", name, args, IDENTITY_ARGS, path)
    region = _region(c, path, a)
    mechanism: Mechanism = fields.mechanism(c, f"{path}.mechanism", a.get("mechanism")) or "irsa"
    if mechanism != "pod-identity":
        for key in ("oidc_provider_arn", "issuer_url"):
            if not a.get(key):
                c.add(f"{path}.{key}", "is required", "the cluster's OIDC provider (a ClusterOidcProvider's output)")
    cluster_name = c.string(f"{path}.cluster_name", a.get("cluster_name"), required=mechanism != "irsa")
    if mechanism != "irsa" and not a.get("cluster_arn"):
        c.add(f"{path}.cluster_arn", "is required", "the EKS cluster's ARN: Pod Identity trust pins it")
    # The workload's own keys: the stack file's reader, in the stack file's spelling; problems respelled.
    first = len(c.problems)
    door = ComponentDoor(name, ("preset_options", PRESET_OPTIONS))
    read = read_workload(c, path, _workload_view(a), "", region, component=door)
    _component_spelling(c, first)
    workload = read.chained() if read is not None else None
    if workload is not None and workload.extra_subjects and mechanism == "pod-identity":
        c.add(f"{path}.extra_subjects", "is only used with mechanism irsa", "one association per ServiceAccount")
    if workload is not None and workload.disable_session_tags and mechanism == "irsa":
        c.add(f"{path}.disable_session_tags", "is only used with mechanism pod-identity or both", "remove it")
    target = workload.target_role_arn if workload is not None else None
    if target is not None and mechanism == "irsa":
        c.add(f"{path}.target_role_arn", "is only used with mechanism pod-identity or both",
              "EKS Pod Identity chains into it; with web identity, list the role in assume_roles")  # fmt: skip
    account_id = a.get("account_id")
    if account_id is not None and (
        not isinstance(account_id, str) or not account_id.isdigit() or len(account_id) != 12
    ):
        c.add(f"{path}.account_id", f"{show(account_id)} is not an AWS account ID", "12 digits, as a string")
        account_id = None
    spec = IdentitySpec(
        workload=workload or Workload(name, "", "", ()),  # unread only with a problem: never returned
        region=region or "",
        role_name=_role_name(c, path, a, name),
        policy_name=fields.iam_name(c, f"{path}.policy_name", a.get("policy_name"), "policy", 128)
        or names.policy_name(name),
        audience=fields.audience(c, f"{path}.audience", a.get("audience")),
        mechanism=mechanism,
        cluster_name=cluster_name or "",
        inject_token=_splice(c, path, a, mechanism),
        chain=read_chain(c, f"{path}.chain", a.get("chain"), region),
        role_path=read_role_path(c, f"{path}.role_path", a.get("role_path")),
        account_id=account_id,
        target=TargetRole(target) if target is not None else None,
        trust_policy_max_chars=c.integer(f"{path}.trust_policy_max_chars", a.get("trust_policy_max_chars"), 2048,
                                         2048, 8192, "IAM trust policy size quota"),
        managed_policies_per_role=c.integer(f"{path}.managed_policies_per_role", a.get("managed_policies_per_role"),
                                            10, 10, 20, "IAM managed policies per role quota"),
    )  # fmt: skip
    _finish(c)
    return spec


def _role_name(c: Collector, path: str, a: Mapping[str, Any], name: str) -> str:
    """role_name, else the adopted role's (adopt_role keeps the name pods use), else irsa-<name>."""
    given = fields.iam_name(c, f"{path}.role_name", a.get("role_name"), "role", 64)
    if isinstance(a.get("adopt_role"), Mapping):
        c.add(f"{path}.adopt_role", f"{show(a.get('adopt_role'))} is not a role name",
              "the existing role's name (the component imports the role; its inline policies stay)")  # fmt: skip
    adopted = adopted_name(a.get("adopt_role"))
    if given is not None and adopted is not None and given != adopted:
        c.add(f"{path}.role_name", f"differs from adopt_role {show(adopted)}",
              "leave it out: the adopted role keeps its name")  # fmt: skip
    return given or adopted or f"irsa-{name}"


def _region(c: Collector, path: str, a: Mapping[str, Any]) -> str | None:
    if a.get("region") is None:
        c.add(f"{path}.region", "is required", REGION_ALLOWED)
        return None
    return fields.region(c, f"{path}.region", a.get("region"))


def _splice(c: Collector, path: str, a: Mapping[str, Any], mechanism: Mechanism) -> bool | None:
    """Whether the Job's pod gets the token fragment spliced in: given, else no on EKS (its webhook injects the
    token; Pod Identity needs none) and yes elsewhere; None while a computed issuer leaves it open."""
    given = [k for k in ("splice_token_fragment", "inject_pod_identity") if a.get(k) is not None]
    if len(given) == 2:
        c.add(f"{path}.inject_pod_identity", "is the deprecated name of splice_token_fragment", "give only one")
    if given:
        return c.boolean(f"{path}.{given[0]}", a.get(given[0]), True)
    issuer = a.get("issuer_url")
    if mechanism != "irsa":
        return False
    return not EKS_ISSUER.fullmatch(issuer) if isinstance(issuer, str) else None


def read_chain(c: Collector, path: str, raw: Any, region: str | None) -> Chain | None:
    """The role the verification Job chains into, and the grant it checks there."""
    if raw is None:
        return None
    if not c.is_map(path, raw, f"a map with {', '.join(CHAIN_ARGS)}"):
        return None
    role_arn = c.string(f"{path}.role_arn", raw.get("role_arn"))
    if role_arn is not None and not ROLE_ARN.fullmatch(role_arn):
        c.add(f"{path}.role_arn", f"{show(role_arn)} is not an IAM role ARN", "the role to assume next")
        role_arn = None
    grant = read_grant(c, path, raw, CHAIN_ARGS)
    external_id = read_external_id(c, f"{path}.external_id", raw.get("external_id"))
    if role_arn is None or grant is None:
        return None
    return Chain(role_arn, grant, external_id)


def provider_arguments(name: str, args: Any) -> tuple[str, tuple[str, ...], bool, tuple[tuple[str, str], ...]]:
    """ClusterOidcProvider's arguments, validated: (audience, thumbprints, protect, tags)."""
    c, path, a = _start("ClusterOidcProvider", name, args, PROVIDER_ARGS)
    issuer = a.get("issuer_url")
    if issuer is None:
        c.add(f"{path}.issuer_url", "is required", "the cluster's OIDC issuer URL")
    elif _is_plain_string(issuer):
        c.problems += check_issuer(f"{path}.issuer_url", issuer, None, custom=True)
    existing = a.get("existing_provider_arn")
    # (a platform's provider only its deployment knows is a placeholder offline: the registration guard has it)
    if _is_plain_string(existing) and existing and not is_unknown(existing) and not PROVIDER_ARN.fullmatch(existing):
        c.add(
            f"{path}.existing_provider_arn",
            f"{show(existing)} is not an IAM OIDC provider ARN",
            "arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host/path>",
        )
    adopted = a.get("adopt_provider_arn")
    if adopted is not None and (not isinstance(adopted, str) or not PROVIDER_ARN.fullmatch(adopted)):
        c.add(f"{path}.adopt_provider_arn", f"{show(adopted)} is not an IAM OIDC provider ARN",
              "arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host/path>")  # fmt: skip
    if adopted is not None and existing:
        c.add(f"{path}.adopt_provider_arn", "is given with existing_provider_arn",
              "one of them: adopt imports and manages the provider; existing_provider_arn only reuses it")  # fmt: skip
    audience = fields.audience(c, f"{path}.audience", a.get("audience"))
    thumbprints = read_thumbprints(c, f"{path}.thumbprints", a.get("thumbprints") or None)
    protect = c.boolean(f"{path}.protect", a.get("protect"), True)
    tags = read_tags(c, f"{path}.tags", a.get("tags"))
    _finish(c)
    return audience, thumbprints, protect, tags


@dataclass(frozen=True)
class CrossRoleSpec:
    """CrossAccountRole's arguments, validated."""

    role_name: str
    grants: tuple[S3Grant, ...]
    external_id: str | None
    partition: str
    session_tags: bool
    guardrails: Guardrails


def cross_role_arguments(name: str, args: Any) -> CrossRoleSpec:
    """CrossAccountRole's arguments, validated."""
    c, path, a = _start("CrossAccountRole", name, args, CROSS_ROLE_ARGS)
    role_name = fields.iam_name(c, f"{path}.role_name", a.get("role_name"), "role", 64)
    if a.get("role_name") is None:
        c.add(f"{path}.role_name", "is required", "the role's name in the other account")
    trusted = a.get("trusted_role_arns")
    allowed = "role ARNs (never an account root)"
    if not isinstance(trusted, list) or not trusted:
        c.add(f"{path}.trusted_role_arns", f"{show(trusted)} is not a non-empty list", allowed)
    else:
        for i, arn in enumerate(trusted):
            if _is_plain_string(arn) and not ROLE_ARN.fullmatch(arn):
                c.add(f"{path}.trusted_role_arns[{i}]", f"{show(arn)} is not an IAM role ARN", allowed)
    partition = a.get("partition", "aws")
    if partition not in PARTITIONS:
        c.add(f"{path}.partition", f"{show(partition)} is not an AWS partition", ", ".join(PARTITIONS))
    first = len(c.problems)
    grants = read_grants(c, f"{path}.s3", _stack_spelled(a.get("s3")), required=False)
    _component_spelling(c, first)
    external_id = read_external_id(c, f"{path}.external_id", a.get("external_id"))
    session_tags = c.boolean(f"{path}.session_tags", a.get("session_tags"), False)
    guardrails = Guardrails(
        read_boundary(c, f"{path}.permissions_boundary", a.get("permissions_boundary"), None),
        read_role_path(c, f"{path}.role_path", a.get("role_path")),
        read_tags(c, f"{path}.tags", a.get("tags")),
    )
    _finish(c)
    return CrossRoleSpec(role_name or "", grants, external_id, str(partition), session_tags, guardrails)


def read_external_id(c: Collector, path: str, raw: Any) -> str | None:
    if raw is not None and (not isinstance(raw, str) or not EXTERNAL_ID.fullmatch(raw)):
        c.add(path, f"{show(raw)} is not an external ID", "2-1224 of letters, digits and +=,.@:/-")
        return None
    return raw


SHAPE_ARGS = ("region", "mechanism", "presets", "role_name", "policy_name", "max_session_duration", "cluster_name",
              "sample_job", "create_service_account", "role_path", "managed_policy_arns",
              "allow_privileged_managed_policies", "disable_session_tags", "adopt_role")  # fmt: skip
# Computed, these are passed on to the role as Outputs (WorkloadShape.deferred); plain, the shape holds them.
DEFERRED_ARGS = ("permissions_boundary", "tags")


def identity_shape(name: str, args: Any, computed: set[str]) -> WorkloadShape:
    """What WorkloadIdentity registers when some arguments are computed (`computed`: their keys): the
    arguments that decide which resources exist must be plain; the rest is validated once known."""
    c, path, a = _start("WorkloadIdentity", name, args, IDENTITY_ARGS)
    for key in sorted(computed & set(SHAPE_ARGS)):
        c.add(f"{path}.{key}", "is computed", "a plain value: it decides which resources exist")
        a.pop(key)
    deferred = tuple(key for key in DEFERRED_ARGS if key in computed)
    for key in deferred:
        a.pop(key)
    for key in ("s3", "assume_roles"):
        if not isinstance(a.get(key) or [], list):
            c.add(f"{path}.{key}", "is not a plain list", "a list (its items may be computed)")
    region = _region(c, path, a)
    mechanism: Mechanism = fields.mechanism(c, f"{path}.mechanism", a.get("mechanism")) or "irsa"
    # The options are checked with the rest once known; here only the names matter (they decide attachments).
    scratch = Collector()
    options = None if "preset_options" in computed else a.get("preset_options")
    presets, _ = read_presets(scratch, path, a.get("presets"), options, "preset_options", PRESET_OPTIONS)
    c.problems += [p for p in scratch.problems if p.path.startswith(f"{path}.presets")]
    managed = read_managed_policies(
        c,
        f"{path}.managed_policy_arns",
        a.get("managed_policy_arns"),
        c.boolean(f"{path}.allow_privileged_managed_policies", a.get("allow_privileged_managed_policies"), False),
    )
    shape = WorkloadShape(
        role_name=_role_name(c, path, a, name),
        policy_name=fields.iam_name(c, f"{path}.policy_name", a.get("policy_name"), "policy", 128)
        or names.policy_name(name),
        max_session_duration=fields.max_session(c, f"{path}.max_session_duration", a.get("max_session_duration")),
        mechanism=mechanism,
        cluster_name=c.string(f"{path}.cluster_name", a.get("cluster_name"), required=mechanism != "irsa") or "",
        has_inline_policy=has_inline_policy(len(a.get("s3") or []), len(a.get("assume_roles") or []), presets)
        or any(a.get(k) for k in (*registry.KEYS, "statements")),
        attachments=attachments_of(presets, partition_of(region or ""))
        + tuple(Attachment(f"managed{i}", arn) for i, arn in enumerate(managed)),
        creates_service_account=c.boolean(f"{path}.create_service_account", a.get("create_service_account"), True),
        creates_job=c.boolean(f"{path}.sample_job", a.get("sample_job"), True),
        role_path=read_role_path(c, f"{path}.role_path", a.get("role_path")),
        permissions_boundary=read_boundary(c, f"{path}.permissions_boundary", a.get("permissions_boundary"), region),
        tags=read_tags(c, f"{path}.tags", a.get("tags")),
        disable_session_tags=c.boolean(f"{path}.disable_session_tags", a.get("disable_session_tags"), False),
        target_role=a.get("target_role_arn") is not None,
        deferred=deferred,
        adopted_role=a.get("adopt_role") is not None,
    )
    _finish(c)
    return shape
