"""irsa: AWS IAM web identity for Kubernetes workloads on EKS and AKS, as Pulumi components.

The components load on first use (`from components import WorkloadIdentity`), so the pure core
(`components.core`) and the command line start without the Pulumi SDKs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from components.core.grant_kinds import generate

_EXPORTS = {
    "ClusterOidcProvider": "components.oidc_provider",
    "ClusterOidcProviderArgs": "components.oidc_provider",
    "CrossAccountRole": "components.cross_account_role",
    "CrossAccountRoleArgs": "components.cross_account_role",
    "Chain": "components.grant_args",
    "Mechanism": "components.grant_args",
    "Preset": "components.grant_args",
    "S3Access": "components.grant_args",
    "S3Grant": "components.grant_args",
    "S3GrantArgs": "components.grant_args",
    "SharedRole": "components.shared_role",
    "SharedRoleArgs": "components.shared_role",
    "VerificationJob": "components.verification_job",
    "VerificationJobArgs": "components.verification_job",
    "WorkloadIdentity": "components.workload_identity",
    "WorkloadIdentityArgs": "components.workload_identity",
    **{name: "components.grant_types" for name in generate.type_names()},  # each grant kind's type and enum
}
__all__ = [
    "ClusterOidcProvider",
    "ClusterOidcProviderArgs",
    "CrossAccountRole",
    "CrossAccountRoleArgs",
    "Chain",
    "Mechanism",
    "Preset",
    "S3Access",
    "S3Grant",
    "S3GrantArgs",
    "SharedRole",
    "SharedRoleArgs",
    "VerificationJob",
    "VerificationJobArgs",
    "WorkloadIdentity",
    "WorkloadIdentityArgs",
    *generate.type_names(),
]

if TYPE_CHECKING:
    from components.cross_account_role import CrossAccountRole, CrossAccountRoleArgs
    from components.grant_args import (
        Chain,
        Mechanism,
        Preset,
        S3Access,
        S3Grant,
        S3GrantArgs,
    )
    from components.grant_types import *  # noqa: F403
    from components.oidc_provider import ClusterOidcProvider, ClusterOidcProviderArgs
    from components.shared_role import SharedRole, SharedRoleArgs
    from components.verification_job import VerificationJob, VerificationJobArgs
    from components.workload_identity import WorkloadIdentity, WorkloadIdentityArgs


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
