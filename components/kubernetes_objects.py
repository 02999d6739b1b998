"""Kubernetes objects registered under the kubernetes provider's own type tokens, without its generated classes.

Reaching `pulumi_kubernetes.core.v1` imports about 0.15 s of generated input and output types on every run
(`python -X importtime`), and this package registers four kinds of object from manifests it already builds
as plain dicts. So it registers them as the generated classes do — the same type token, the same inputs
(`apiVersion`, `kind`, then the manifest's fields), the same plugin version — and nothing else. The
golden plans in tests/golden pin that the engine receives exactly what it received before.
"""

from __future__ import annotations

from typing import Any, Literal

import pulumi
from pulumi_kubernetes import _utilities

from components.placeholders import guarded

Kind = Literal["Namespace", "ServiceAccount", "ConfigMap", "Job"]
API_VERSIONS: dict[str, str] = {"Namespace": "v1", "ServiceAccount": "v1", "ConfigMap": "v1", "Job": "batch/v1"}


def type_token(kind: Kind) -> str:
    """The provider's type token: `kubernetes:core/v1:ServiceAccount`, `kubernetes:batch/v1:Job`."""
    api = API_VERSIONS[kind]
    return f"kubernetes:{api if '/' in api else 'core/' + api}:{kind}"


class KubernetesObject(pulumi.CustomResource):
    """One Kubernetes object (Namespace, ServiceAccount, ConfigMap or Job), its manifest fields as inputs."""

    object_kind: Kind

    def __init__(
        self,
        name: str,
        kind: Kind,
        fields: dict[str, pulumi.Input[Any]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`fields`: the manifest without apiVersion and kind (metadata, and spec or data)."""
        # As the generated classes: the SDK's plugin version, so the engine runs the provider this SDK expects.
        defaults = pulumi.ResourceOptions(
            version=_utilities.get_version(), plugin_download_url=_utilities.get_plugin_download_url()
        )
        checked = {key: guarded(f"{kind} {name} {key}", value) for key, value in fields.items()}
        props = {"apiVersion": API_VERSIONS[kind], "kind": kind, **checked}
        super().__init__(type_token(kind), name, props, pulumi.ResourceOptions.merge(defaults, opts))
        self.object_kind = kind


def is_namespace(resource: object) -> bool:
    return isinstance(resource, KubernetesObject) and resource.object_kind == "Namespace"
