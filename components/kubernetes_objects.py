"""The Kubernetes objects irsa registers, through pulumi-kubernetes' own generated classes.

The manifests are built as plain dicts (components/core/manifests.py) and handed to the SDK's class of their
kind, so users get `k8s.core.v1.ServiceAccount` and friends, and what the engine receives is what
pulumi-kubernetes sends (tests/test_sdk_registration.py). Importing `pulumi_kubernetes.core.v1` loads every
generated core type (about 0.27 s of a plan: `make bench` shows it). Every field passes the placeholder guard.
"""

from __future__ import annotations

from typing import Any, Literal

import pulumi
from pulumi_kubernetes.batch import v1 as batch_v1
from pulumi_kubernetes.core import v1 as core_v1

from components.placeholders import guarded

Kind = Literal["Namespace", "ServiceAccount", "ConfigMap", "Job"]
CLASSES: dict[str, Any] = {
    "Namespace": core_v1.Namespace,
    "ServiceAccount": core_v1.ServiceAccount,
    "ConfigMap": core_v1.ConfigMap,
    "Job": batch_v1.Job,
}
KubernetesObject = pulumi.CustomResource  # one of CLASSES (mypy reads the generated SDKs as Any)


def type_token(kind: Kind) -> str:
    """The provider's type token: `kubernetes:core/v1:ServiceAccount`, `kubernetes:batch/v1:Job`."""
    return f"kubernetes:{'batch' if kind == 'Job' else 'core'}/v1:{kind}"


def kubernetes_object(
    name: str, kind: Kind, fields: dict[str, pulumi.Input[Any]], opts: pulumi.ResourceOptions | None = None
) -> KubernetesObject:
    """One object of `kind`: `fields` are its manifest without apiVersion and kind (metadata, spec or data)."""
    checked = {key: guarded(f"{kind} {name} {key}", value) for key, value in fields.items()}
    made: KubernetesObject = CLASSES[kind](name, opts=opts, **checked)
    return made


def is_namespace(resource: object) -> bool:
    return isinstance(resource, core_v1.Namespace)
