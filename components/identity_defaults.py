"""What WorkloadIdentity fills in before reading its arguments: the provider's region, a warning for a deprecated
name, and the cluster values a platform stack's `irsaPlatform` output gives (its `platform` argument)."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

import pulumi

from components.core import platform
from components.core.config import arguments
from components.core.model import InvalidInput, Problem
from components.invalid_arguments import InvalidArguments


def with_defaults(name: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments with the provider's region when none is given, the platform's cluster values where the
    program gave none, and a warning for a deprecated name."""
    given = dict(args)
    if given.get("region") is None:
        region = (
            pulumi.Config("aws").get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        )
        if region:
            given["region"] = region
    for old, new in arguments.DEPRECATED_ARGS.items():
        if old in given:
            pulumi.log.warn(f'WorkloadIdentity("{name}").{old} is deprecated (until 2027-06-01): use {new}')
    if given.get("platform") is not None:
        given = _from_platform(name, given)
    given.pop("platform", None)
    return given


def _field(field: str, cluster: dict[str, Any]) -> Any:
    return cluster.get(field)


def _from_platform(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """The cluster's OIDC provider, issuer and audience, and the platform's boundary and tags (the program's own
    merged over them), from the platform's `irsaPlatform` output; checked once it resolves."""
    path = f'WorkloadIdentity("{name}")'
    cluster = given.get("cluster_name")
    if not isinstance(cluster, str) or not cluster:
        raise InvalidArguments([Problem(f"{path}.cluster_name", "is required with platform",
                                        "a plain string: the platform cluster the workload runs in")])  # fmt: skip

    def picked(contract: Any) -> dict[str, Any]:
        try:
            return platform.cluster_of(contract, cluster, f"{path}.platform")
        except InvalidInput as error:
            raise InvalidArguments(error.problems) from None

    contract = pulumi.Output.from_input(given["platform"])
    chosen = contract.apply(picked)
    for key, field in (("oidc_provider_arn", "oidcProviderArn"), ("issuer_url", "issuerUrl"), ("audience", "audience")):
        if given.get(key) is None:
            given[key] = chosen.apply(functools.partial(_field, field))
    defaults = contract.apply(lambda p: dict(p.get("defaults") or {}))
    if given.get("permissions_boundary") is None:
        given["permissions_boundary"] = defaults.apply(lambda d: d.get("permissionsBoundary"))
    own = given.get("tags") or {}
    given["tags"] = pulumi.Output.all(defaults, own).apply(lambda v: {**(v[0].get("tags") or {}), **v[1]} or None)
    return given
