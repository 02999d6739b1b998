"""Identity-policy evaluator (pure): would these permission policies allow one request?

The subset of IAM's evaluation logic that the documents this project renders rely on, as the IAM
user guide states it: an explicit Deny wins, else an Allow must match, else the request is denied.
A statement matches when its Action (or NotAction) covers the action — case-insensitively, `*` and
`?` as wildcards in the action name, the service prefix literal (core/wildcards.py) — its Resource
(or NotResource) covers the resource ARN, and every condition
holds. Conditions AND across operators and keys and OR across one key's values. Operators: String
and Arn families (Equals, NotEquals, Like, NotLike, StringEqualsIgnoreCase), Bool, Null, Numeric
comparisons; the `...IfExists` suffix; and the set operators `ForAnyValue:` / `ForAllValues:` for
multivalued keys. A missing key fails a positive test and satisfies a negated one, ForAllValues
holds on a missing key and ForAnyValue does not; IfExists holds on a missing key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from components.core.trust import string_like
from components.core.wildcards import action_matches

ContextValue = str | Sequence[str]


@dataclass(frozen=True)
class Request:
    """One API call as IAM sees it: the action, the resource ARN, and the request context."""

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """Allowed or not, and which statement (by Sid or index) decided it."""

    allowed: bool
    reason: str


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(action_matches(p, action) for p in patterns)


def _resource_matches(patterns: Iterable[str], resource: str) -> bool:
    return any(string_like(p, resource) for p in patterns)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(base: str, expected: str, actual: str) -> bool:
    """One policy value against one request value, by the operator's family."""
    if base in ("StringEquals", "ArnEquals"):
        return expected == actual
    if base == "StringEqualsIgnoreCase":
        return expected.lower() == actual.lower()
    if base in ("StringLike", "ArnLike"):
        return string_like(expected, actual)
    if base == "Bool":
        return expected.lower() == actual.lower()
    numbers = _number(expected), _number(actual)
    if None in numbers:
        return False
    want, got = numbers
    assert want is not None and got is not None
    return {
        "NumericEquals": got == want,
        "NumericLessThan": got < want,
        "NumericLessThanEquals": got <= want,
        "NumericGreaterThan": got > want,
        "NumericGreaterThanEquals": got >= want,
    }.get(base, False)


NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}
KNOWN = {
    "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "Bool", "NumericEquals",
    "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", *NEGATED,
}  # fmt: skip


def condition_holds(operator: str, key: str, expected: list[str], context: Mapping[str, ContextValue]) -> bool:
    """One key test of a Condition block against the request context."""
    present = key in context
    raw = context.get(key)
    actual = [] if raw is None else [raw] if isinstance(raw, str) else list(raw)
    if operator == "Null":  # "true": the key must be absent; "false": present
        return any((value.lower() == "true") != present for value in expected)
    qualifier, _, op = operator.rpartition(":")
    if_exists = op.endswith("IfExists")
    op = op.removesuffix("IfExists")
    negated = op in NEGATED
    base = NEGATED.get(op, op)
    if base not in KNOWN:
        raise ValueError(f"unsupported condition operator {operator}")
    if not present or (qualifier and not actual):
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated

    def matches(value: str) -> bool:
        return any(_compare(base, e, value) for e in expected)

    if qualifier == "ForAllValues":
        return all(not matches(v) if negated else matches(v) for v in actual)
    if qualifier == "ForAnyValue":
        return any(not matches(v) if negated else matches(v) for v in actual)
    hit = any(matches(v) for v in actual)
    return not hit if negated else hit


def statement_matches(statement: Mapping[str, Any], request: Request) -> bool:
    """Whether one statement covers the request (its Effect aside)."""
    if "Action" in statement:
        if not _action_matches(_list(statement["Action"]), request.action):
            return False
    elif "NotAction" in statement:
        if _action_matches(_list(statement["NotAction"]), request.action):
            return False
    else:
        return False
    if "Resource" in statement:
        if not _resource_matches(_list(statement["Resource"]), request.resource):
            return False
    elif "NotResource" in statement:
        if _resource_matches(_list(statement["NotResource"]), request.resource):
            return False
    else:
        return False
    for operator, tests in (statement.get("Condition") or {}).items():
        for key, values in tests.items():
            if not condition_holds(
                operator,
                key,
                [str(v).lower() if isinstance(v, bool) else str(v) for v in _list(values)],
                request.context,
            ):
                return False
    return True


def evaluate(documents: Iterable[Mapping[str, Any]], request: Request) -> Verdict:
    """The decision of a principal's identity policies for one request: Deny wins, then Allow, else deny."""
    allowed_by = None
    for document in documents:
        for i, statement in enumerate(_list(document.get("Statement", []))):
            if not statement_matches(statement, request):
                continue
            label = statement.get("Sid") or f"Statement[{i}]"
            if statement.get("Effect") == "Deny":
                return Verdict(False, f"explicitly denied by {label}")
            if statement.get("Effect") == "Allow" and allowed_by is None:
                allowed_by = label
    if allowed_by is not None:
        return Verdict(True, f"allowed by {allowed_by}")
    return Verdict(False, "no statement allows it (implicit deny)")


def evaluate_session(
    identity: Iterable[Mapping[str, Any]], session: Sequence[Mapping[str, Any]], request: Request
) -> Verdict:
    """With session policies (an AssumeRole `Policy`, a Pod Identity association's `policy`): the identity policies
    and the session policies must each allow it, and a Deny in either wins (IAM user guide, "Session policies").
    No session policy: the identity policies alone decide."""
    own = evaluate(identity, request)
    if not session or not own.allowed:
        return own
    limited = evaluate(session, request)
    return limited if not limited.allowed else own
