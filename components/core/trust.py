"""Trust-policy evaluator (pure): the IAM semantics web-identity and role trust policies use.

Implements what `sts:AssumeRoleWithWebIdentity` (and a role-to-role `sts:AssumeRole`) needs: Allow
statements whose Federated (or AWS, or Service) principal is the caller, whose Action covers the call, and
whose Condition holds. Within a Condition, operators and keys are AND-ed and the values of one key
are OR-ed; `StringEquals` compares exactly and case-sensitively, `StringLike` also understands `*`
(any run of characters) and `?` (one); a key missing from the request context fails its test. An
explicit Deny that matches wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

SUPPORTED_OPERATORS = ("StringEquals", "StringLike", "StringNotEquals", "StringNotLike")


@dataclass(frozen=True)
class ConditionResult:
    """One key test: operator, key, the policy's values, the request's value, and whether it held."""

    operator: str
    key: str
    expected: tuple[str, ...]
    actual: str | None
    held: bool


@dataclass(frozen=True)
class Decision:
    """Whether the request is allowed, and the condition tests of the statement that decided it."""

    allowed: bool
    reason: str
    conditions: tuple[ConditionResult, ...] = field(default=())


def like_regex(value: str) -> str:
    """A StringLike pattern as a regular expression (for re.DOTALL): `*` any run, `?` one character."""
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in value)


@lru_cache(maxsize=256)
def _pattern(value: str) -> re.Pattern[str]:
    return re.compile(like_regex(value), re.DOTALL)


def string_like(pattern: str, value: str) -> bool:
    """IAM StringLike: `*` matches any run of characters, `?` exactly one; case-sensitive."""
    if "?" not in pattern:  # most ARNs: none or one trailing `*`, decided without a regular expression
        star = pattern.find("*")
        if star < 0:
            return pattern == value
        if star == len(pattern) - 1:
            return value.startswith(pattern[:-1])
    return _pattern(pattern).fullmatch(value) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _test(operator: str, key: str, expected: list[str], context: Mapping[str, str]) -> ConditionResult:
    actual = context.get(key)
    if operator not in SUPPORTED_OPERATORS:
        return ConditionResult(operator, key, tuple(expected), actual, False)
    negated = "Not" in operator
    like = operator.endswith("Like")
    if actual is None:
        held = negated  # a missing key makes positive tests fail and negated ones hold
    else:
        matched = any(string_like(e, actual) if like else e == actual for e in expected)
        held = not matched if negated else matched
    return ConditionResult(operator, key, tuple(expected), actual, held)


def condition_results(condition: Mapping[str, Any], context: Mapping[str, str]) -> list[ConditionResult]:
    """Every key test of a Condition block against a request context."""
    results = []
    for operator, tests in condition.items():
        for key, values in (tests or {}).items():
            results.append(_test(operator, key, [str(v) for v in _as_list(values)], context))
    return results


def _applies(statement: Mapping[str, Any], principal: str, action: str) -> bool:
    principals = statement.get("Principal") or {}
    named = [p for kind in ("Federated", "AWS", "Service") for p in _as_list(principals.get(kind, []))]
    actions = _as_list(statement.get("Action", []))
    return principal in named and any(string_like(a, action) for a in actions)


def evaluate(
    document: Mapping[str, Any],
    principal: str,
    context: Mapping[str, str],
    action: str = "sts:AssumeRoleWithWebIdentity",
) -> Decision:
    """Decide whether a federated principal may perform `action` with this request context."""
    allowed: Decision | None = None
    closest: Decision | None = None
    for statement in _as_list(document.get("Statement", [])):
        if not isinstance(statement, Mapping) or not _applies(statement, principal, action):
            continue
        results = tuple(condition_results(statement.get("Condition") or {}, context))
        holds = all(r.held for r in results)
        if statement.get("Effect") == "Deny" and holds:
            return Decision(False, "an explicit Deny matches", results)
        if statement.get("Effect") == "Allow":
            if holds and allowed is None:
                allowed = Decision(True, "an Allow statement matches", results)
            elif not holds and closest is None:
                failed = ", ".join(f"{r.operator} {r.key}" for r in results if not r.held)
                closest = Decision(False, f"condition not met: {failed}", results)
    if allowed is not None:
        return allowed
    if closest is not None:
        return closest
    return Decision(False, f"no Allow statement for {action} by {principal}")
