"""Former type tokens of each component, so a rename maps old URNs to new ones instead of replacing."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

# When a component's type token changes, add its old token here: existing stacks keep their URNs.
PREVIOUS_TYPES: Mapping[str, tuple[str, ...]] = {
    "irsa:index:ClusterOidcProvider": (),
    "irsa:index:WorkloadIdentity": (),
    "irsa:index:VerificationJob": (),
}


def options(
    type_: str,
    previous: Mapping[str, tuple[str, ...]] = PREVIOUS_TYPES,
    opts: pulumi.ResourceOptions | None = None,
) -> pulumi.ResourceOptions:
    """The caller's options plus an alias for every former type token of `type_`."""
    old = previous.get(type_, ())
    own = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=t) for t in old]) if old else None
    return pulumi.ResourceOptions.merge(opts, own) if own else (opts or pulumi.ResourceOptions())
