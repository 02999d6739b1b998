"""Grants beyond S3 in a workload's config (pure): dynamodb, sqs, sns, secrets, parameters, kms,
managedPolicyArns and raw statements, each checked by the service's own naming rules."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from components.core.config.collector import Collector, show
from components.core.config.guardrails import POLICY_ARN
from components.core.privileged import privileged
from components.core.service_grants import (
    KeyGrant,
    ParameterGrant,
    QueueGrant,
    SecretGrant,
    ServiceGrants,
    TableGrant,
    TopicGrant,
)
from components.core.wildcards import covers_every_action, covers_every_resource, services_of, wildcard_service

PARTITION = r"(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f)"
REGION = r"[a-z]{2}(-[a-z]+)+-\d+"
TABLE = (
    re.compile(r"[A-Za-z0-9_.-]{3,255}", re.ASCII),
    re.compile(rf"arn:{PARTITION}:dynamodb:{REGION}:\d{{12}}:table/[A-Za-z0-9_.-]{{3,255}}", re.ASCII),
)
QUEUE = (
    re.compile(r"[A-Za-z0-9_-]{1,75}(\.fifo)?|[A-Za-z0-9_-]{1,80}", re.ASCII),
    re.compile(rf"arn:{PARTITION}:sqs:{REGION}:\d{{12}}:[A-Za-z0-9_-]{{1,80}}(\.fifo)?", re.ASCII),
)
TOPIC = (
    re.compile(r"[A-Za-z0-9_-]{1,256}(\.fifo)?", re.ASCII),
    re.compile(rf"arn:{PARTITION}:sns:{REGION}:\d{{12}}:[A-Za-z0-9_-]{{1,256}}(\.fifo)?", re.ASCII),
)
SECRET = (
    re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}", re.ASCII),
    re.compile(rf"arn:{PARTITION}:secretsmanager:{REGION}:\d{{12}}:secret:[A-Za-z0-9/_+=.@-]+", re.ASCII),
)
PARAMETER = (
    re.compile(r"/[A-Za-z0-9_.\-/]{0,1010}", re.ASCII),
    re.compile(rf"arn:{PARTITION}:ssm:{REGION}:\d{{12}}:parameter/[A-Za-z0-9_.\-/]+", re.ASCII),
)
KEY = re.compile(
    rf"arn:{PARTITION}:kms:{REGION}:\d{{12}}:(key/[A-Za-z0-9-]{{1,64}}|alias/[A-Za-z0-9/_-]{{1,250}})", re.ASCII
)
TABLE_LEVELS = ("read", "write", "read-write")
QUEUE_LEVELS = ("send", "consume", "send-consume")
KEY_LEVELS = ("decrypt", "encrypt", "encrypt-decrypt")
# Each grant list's item fields, as the stack file spells them (the component's typed grants match: test_schema).
SERVICE_FIELDS = {
    "dynamodb": ("table", "access"),
    "sqs": ("queue", "access", "kmsKey"),
    "sns": ("topic", "kmsKey"),
    "secrets": ("secret", "kmsKey"),
    "parameters": ("path", "kmsKey"),
    "kms": ("key", "access"),
}
GRANT_KEYS = ("dynamodb", "sqs", "sns", "secrets", "parameters", "kms", "managedPolicyArns", "statements")
OPTION_KEYS = ("verifyPublish",)
STATEMENT_KEYS = ("Sid", "Effect", "Action", "Resource", "Condition", "NotAction", "NotResource", "Principal")
GUARDED_SERVICES = ("iam", "sts", "organizations")
READ_PREFIXES = ("Get", "List", "Describe", "BatchGet", "Query", "Scan", "Lookup", "Search", "Head")


def _named(
    c: Collector, path: str, value: Any, rules: tuple[re.Pattern[str], re.Pattern[str]], what: str
) -> str | None:
    if not isinstance(value, str) or not (
        rules[1].fullmatch(value) if value.startswith("arn:") else rules[0].fullmatch(value)
    ):
        c.add(path, f"{show(value)} is not a {what} name or ARN", f"a {what} name, or its ARN")
        return None
    return value


def _level(c: Collector, path: str, value: Any, levels: tuple[str, ...]) -> Any:
    if value not in levels:
        wrong = "is required" if value is None else f"{show(value)} is not an access level"
        c.add(path, wrong, " or ".join([", ".join(levels[:-1]), levels[-1]]))
        return None
    return value


def _maps(c: Collector, path: str, raw: Any, keys: tuple[str, ...]) -> list[tuple[str, Mapping[str, Any]]]:
    listed = c.items(path, raw, f"a list of {{{', '.join(keys)}}}", required=False) or []
    found = []
    for i, item in enumerate(listed):
        if not c.is_map(f"{path}[{i}]", item, f"a map with {', '.join(keys)}"):
            continue
        c.unknown_keys(f"{path}[{i}]", item, keys)
        found.append((f"{path}[{i}]", item))
    return found


def read_service_grants(c: Collector, path: str, raw: Mapping[str, Any]) -> ServiceGrants:
    tables = tuple(
        TableGrant(t, a)
        for p, m in _maps(c, f"{path}.dynamodb", raw.get("dynamodb"), SERVICE_FIELDS["dynamodb"])
        if (t := _named(c, f"{p}.table", m.get("table"), TABLE, "DynamoDB table")) is not None
        and (a := _level(c, f"{p}.access", m.get("access"), TABLE_LEVELS)) is not None
    )
    queues = tuple(
        QueueGrant(q, a, read_kms_key(c, f"{p}.kmsKey", m.get("kmsKey")))
        for p, m in _maps(c, f"{path}.sqs", raw.get("sqs"), SERVICE_FIELDS["sqs"])
        if (q := _named(c, f"{p}.queue", m.get("queue"), QUEUE, "SQS queue")) is not None
        and (a := _level(c, f"{p}.access", m.get("access"), QUEUE_LEVELS)) is not None
    )
    topics = tuple(
        TopicGrant(t, read_kms_key(c, f"{p}.kmsKey", m.get("kmsKey")))
        for p, m in _maps(c, f"{path}.sns", raw.get("sns"), SERVICE_FIELDS["sns"])
        if (t := _named(c, f"{p}.topic", m.get("topic"), TOPIC, "SNS topic")) is not None
    )
    secrets = tuple(
        SecretGrant(s, read_kms_key(c, f"{p}.kmsKey", m.get("kmsKey")))
        for p, m in _maps(c, f"{path}.secrets", raw.get("secrets"), SERVICE_FIELDS["secrets"])
        if (s := _named(c, f"{p}.secret", m.get("secret"), SECRET, "Secrets Manager secret")) is not None
    )
    parameters = tuple(
        ParameterGrant(s, read_kms_key(c, f"{p}.kmsKey", m.get("kmsKey")))
        for p, m in _maps(c, f"{path}.parameters", raw.get("parameters"), SERVICE_FIELDS["parameters"])
        if (s := _named(c, f"{p}.path", m.get("path"), PARAMETER, "SSM parameter path")) is not None
    )
    keys = []
    for p, m in _maps(c, f"{path}.kms", raw.get("kms"), SERVICE_FIELDS["kms"]):
        key, access = m.get("key"), _level(c, f"{p}.access", m.get("access"), KEY_LEVELS)
        if not isinstance(key, str) or not KEY.fullmatch(key):
            c.add(
                f"{p}.key",
                f"{show(key)} is not a KMS key or alias ARN",
                "arn:<partition>:kms:<region>:<account>:key/<id> or :alias/<name>",
            )
        elif access is not None:
            keys.append(KeyGrant(key, access))
    publish = c.boolean(f"{path}.verifyPublish", raw.get("verifyPublish"), False)
    if publish and not topics and not any(q.kms_key and q.access != "consume" for q in queues):
        c.add(f"{path}.verifyPublish", "is only used with sns grants, or sqs send grants with a kmsKey",
              "remove it, or add such a grant")  # fmt: skip
    return ServiceGrants(tables, queues, topics, secrets, parameters, tuple(keys), publish)


def read_kms_key(c: Collector, path: str, raw: Any) -> str | None:
    """A grant's customer-managed key: a key ARN (the services name the key, not an alias, when they call KMS)."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not KEY.fullmatch(raw) or ":alias/" in raw:
        c.add(path, f"{show(raw)} is not a KMS key ARN", "arn:<partition>:kms:<region>:<account>:key/<id>")
        return None
    return raw


def read_managed_policies(c: Collector, path: str, raw: Any, allow_privileged: bool = False) -> tuple[str, ...]:
    """Managed policy ARNs to attach; a privileged AWS managed policy (core/privileged.py) only when allowed."""
    listed = c.items(path, raw, "a list of managed policy ARNs", required=False) or []
    found = []
    for i, arn in enumerate(listed):
        if not isinstance(arn, str) or not POLICY_ARN.fullmatch(arn):
            c.add(
                f"{path}[{i}]",
                f"{show(arn)} is not a managed policy ARN",
                "arn:<partition>:iam::<account or aws>:policy/<name>",
            )
        elif (why := privileged(arn)) is not None and not allow_privileged:
            c.add(f"{path}[{i}]", f"{show(arn)} is privileged: it allows {why}",
                  "a narrower policy, or allowPrivilegedManagedPolicies: true on the workload to mean it")  # fmt: skip
        else:
            found.append(arn)
    return tuple(dict.fromkeys(found))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statement_problems(statement: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Why a raw statement is unsafe, as (what is wrong, what is allowed); empty when it is fine."""
    problems: list[tuple[str, str]] = []
    for key in ("NotAction", "NotResource", "Principal"):
        if key in statement:
            problems.append(
                (f"uses {key}", "Action and Resource lists: NotAction/NotResource grant everything not listed")
            )
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        problems.append((f"has Effect {show(effect)}", "Allow or Deny"))
    actions, resources = _list(statement.get("Action")), _list(statement.get("Resource"))
    if not actions or not all(isinstance(a, str) and ":" in a or a == "*" for a in actions):
        problems.append(("has no valid Action", "service:Action names"))
        return problems
    if not resources or not all(isinstance(r, str) and r for r in resources):
        problems.append(("has no valid Resource", "ARNs"))
        return problems
    if effect == "Deny":
        return problems  # a Deny only takes away
    for action in actions:
        if wildcard_service(action):
            problems.append(
                (f"grants {show(action)}", "a literal service prefix: IAM matches no action with a wildcard there")
            )
        elif covers_every_action(action):  # `*`, `s3:*`, `s3:?*`, `S3:**`: IAM's matching decides
            problems.append((f"grants {show(action)}", "named actions, not every action of a service"))
        elif services_of(action, GUARDED_SERVICES) and not _reads_only(action):
            problems.append(
                (f"grants {show(action)}", "no iam:, sts: or organizations: writes (use assumeRoles for roles)")
            )
    reads = all(_reads_only(a) for a in actions)
    everywhere = [r for r in resources if covers_every_resource(r)]
    if everywhere and not reads and not statement.get("Condition"):
        problems.append(
            (f"has Resource {show(everywhere[0])} for actions that change things",
             'ARNs of named resources, not every resource of a kind, or a Condition that scopes "*"')
        )  # fmt: skip
    return problems


def _reads_only(action: str) -> bool:
    """Whether every action a pattern can match is a read: its name starts with a read verb, literally
    (IAM names are case-insensitive; `Ge*` could be GenerateCredentialReport, `Get*` only reads)."""
    name = action.partition(":")[2].lower()
    return name.startswith(tuple(p.lower() for p in READ_PREFIXES))


def read_statements(c: Collector, path: str, raw: Any) -> tuple[str, ...]:
    listed = c.items(path, raw, "a list of IAM statements", required=False) or []
    found = []
    for i, statement in enumerate(listed):
        where = f"{path}[{i}]"
        if not c.is_map(where, statement, "an IAM statement: Sid, Effect, Action, Resource, Condition"):
            continue
        c.unknown_keys(where, statement, STATEMENT_KEYS)
        sid = statement.get("Sid")
        named = f"{where} (Sid {show(sid)})" if sid is not None else where
        if sid is not None and (not isinstance(sid, str) or not sid.isalnum()):
            c.add(named, f"has Sid {show(sid)}", "letters and digits")
        problems = statement_problems(statement)
        for wrong, allowed in problems:
            c.add(named, wrong, allowed)
        if not problems:
            found.append(json.dumps(dict(statement), sort_keys=True))
    return tuple(found)
