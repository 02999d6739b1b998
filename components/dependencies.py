"""Explicit dependencies a component passes on to its children (Pulumi does not inherit them)."""

from __future__ import annotations

import pulumi


def depends_on_of(opts: pulumi.ResourceOptions | None) -> list[pulumi.Resource]:
    """The resources an options object depends on, as a list."""
    deps = opts.depends_on if opts is not None else None
    if deps is None:
        return []
    return [d for d in (deps if isinstance(deps, list) else [deps]) if isinstance(d, pulumi.Resource)]
