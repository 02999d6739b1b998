"""Calling a policy-pack rule the way the engine would, and collecting what it reports."""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs
from pulumi_policy.proxy import unknown_checking_proxy


def resource_options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def check(policy: Any, type_: str, props: dict[str, Any], protect: bool = False) -> list[str]:
    """The violations `policy` reports for one resource of `type_` with inputs `props`, handed over as the
    pack hands them to a rule inside the engine (read-only proxies that raise on unknown values)."""
    violations: list[str] = []
    urn = f"urn:pulumi:dev::p::{type_}::x"
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn, "x", resource_options(protect), None)
    policy.validate(args, lambda message, urn=None: violations.append(message))
    return violations
