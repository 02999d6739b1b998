"""No offline placeholder past the mock engine.

`plan` shows a value only a deployment knows as `<unknown: what it waits for>`. Such a value is an input of
the code that renders it (the account a grant's names resolve in, a role's ARN), so under `pulumi up` none
should exist; this guard, applied to every AWS resource and Kubernetes object irsa registers, refuses one that
does instead of deploying it (a Job checking `arn:aws:sns:…:<unknown: account>:…` fails on a correct config).
Only the offline plan turns it off (`plan.install_mocks`).
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.core.unknowns import PREFIX

_offline = False


class PlaceholderLeak(pulumi.RunError):
    """An offline placeholder reached a resource outside the offline plan: a bug in irsa, not in the config."""


def set_offline(offline: bool) -> None:
    """Whether placeholders are expected: only on the mock engine of `plan`."""
    global _offline
    _offline = offline


def _check(where: str, value: Any) -> Any:
    if isinstance(value, str) and PREFIX in value:
        raise PlaceholderLeak(
            f"irsa: {where} would deploy an offline placeholder ({value[:120]}): a value only a deployment "
            "knows was not passed to the code rendering it. This is a bug in irsa; please report it."
        )
    if isinstance(value, dict):
        for key, inner in value.items():
            _check(f"{where}.{key}", inner)
    elif isinstance(value, (list, tuple)):
        for index, inner in enumerate(value):
            _check(f"{where}[{index}]", inner)
    return value


def guarded(where: str, value: Any) -> Any:
    """`value` (plain, an Output, or dicts and lists holding Outputs) with every leaf checked as it resolves.
    Nested Outputs are checked where they are, so what is unknown in a preview stays as narrow as it was."""
    if _offline:
        return value
    if isinstance(value, pulumi.Output):
        return value.apply(lambda resolved: _check(where, resolved))
    if isinstance(value, dict):
        return {key: guarded(f"{where}.{key}", inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [guarded(f"{where}[{index}]", inner) for index, inner in enumerate(value)]
    return _check(where, value)
