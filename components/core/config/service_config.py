"""Grants beyond S3 in a workload's config (pure): each grant kind of the registry (`grant_kinds`, read by its
own rules), managedPolicyArns and raw statements."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from components.core.config.collector import Collector, show
from components.core.config.guardrails import POLICY_ARN
from components.core.grant_kinds import registry
from components.core.privileged import privileged
from components.core.wildcards import covers_every_action, covers_every_resource, services_of, wildcard_service

# Each grant list's item fields, as the stack file spells them (the component's typed grants match: test_schema).
SERVICE_FIELDS = {kind.key: kind.field_names for kind in registry.KINDS}
GRANT_KEYS = (*registry.KEYS, "managedPolicyArns", "statements")
OPTION_KEYS = ("verifyPublish",)
STATEMENT_KEYS = ("Sid", "Effect", "Action", "Resource", "Condition", "NotAction", "NotResource", "Principal")
GUARDED_SERVICES = ("iam", "sts", "organizations")
READ_PREFIXES = ("Get", "List", "Describe", "BatchGet", "Query", "Scan", "Lookup", "Search", "Head")


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
