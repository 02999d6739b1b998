"""What the engine receives from irsa's registration helpers equals what the SDKs' generated classes send when
called directly with their typed Args, for every resource type irsa registers: an SDK upgrade that changes the
inputs, the type token or the plugin version on either side fails here (the goldens pin the plans themselves).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import EKS_CONFIG
from pulumi_aws import eks, iam

from components import aws_resources as ours
from components.cli.plan import PlanMocks, install_mocks
from components.core import resource_types as types
from components.core.settings import parse_settings
from components.kubernetes_objects import kubernetes_object

DOC = '{"Version":"2012-10-17","Statement":[]}'
ROLE_ARN = "arn:aws:iam::123456789012:role/r"
META = {"name": "app", "namespace": "apps", "labels": {"app.kubernetes.io/part-of": "irsa"},
        "annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN}}  # fmt: skip
META_ARGS = k8s.meta.v1.ObjectMetaArgs(
    name="app", namespace="apps", labels={"app.kubernetes.io/part-of": "irsa"},
    annotations={"eks.amazonaws.com/role-arn": ROLE_ARN},
)  # fmt: skip
CONTAINER = {
    "name": "verify", "image": "python:3.12-slim", "command": ["python", "/opt/irsa/verify.py"],
    "env": [{"name": "AWS_ROLE_ARN", "value": ROLE_ARN}],
    "securityContext": {"runAsNonRoot": True, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False},
    "volumeMounts": [{"name": "script", "mountPath": "/opt/irsa", "readOnly": True}],
}  # fmt: skip
CORE = k8s.core.v1
SPEC = {"backoffLimit": 0, "activeDeadlineSeconds": 300, "template": {
    "metadata": {"annotations": {"irsa.pulumi.com/role-arn-sha256": "0123456789abcdef"}},
    "spec": {"serviceAccountName": "app", "restartPolicy": "Never", "containers": [CONTAINER],
             "volumes": [{"name": "script", "configMap": {"name": "app-verify-script"}}]},
}}  # fmt: skip
SPEC_ARGS = k8s.batch.v1.JobSpecArgs(
    backoff_limit=0, active_deadline_seconds=300,
    template=CORE.PodTemplateSpecArgs(
        metadata=k8s.meta.v1.ObjectMetaArgs(annotations={"irsa.pulumi.com/role-arn-sha256": "0123456789abcdef"}),
        spec=CORE.PodSpecArgs(
            service_account_name="app", restart_policy="Never",
            containers=[CORE.ContainerArgs(
                name="verify", image="python:3.12-slim", command=["python", "/opt/irsa/verify.py"],
                env=[CORE.EnvVarArgs(name="AWS_ROLE_ARN", value=ROLE_ARN)],
                security_context=CORE.SecurityContextArgs(
                    run_as_non_root=True, read_only_root_filesystem=True, allow_privilege_escalation=False),
                volume_mounts=[CORE.VolumeMountArgs(name="script", mount_path="/opt/irsa", read_only=True)],
            )],
            volumes=[CORE.VolumeArgs(name="script",
                                     config_map=CORE.ConfigMapVolumeSourceArgs(name="app-verify-script"))],
        ),
    ),
)  # fmt: skip
OPTS = pulumi.ResourceOptions()

# type → (through irsa's helper, the SDK's class called directly)
BOTH_WAYS: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
    types.ROLE: (
        lambda: ours.role("r", role_name="r", assume_role_policy=DOC, max_session_duration=3600, path="/x/",
                          description="d", permissions_boundary="arn:aws:iam::aws:policy/B", tags={"t": "v"}),
        lambda: iam.Role("r", iam.RoleArgs(name="r", assume_role_policy=DOC, max_session_duration=3600, path="/x/",
                                           description="d", permissions_boundary="arn:aws:iam::aws:policy/B",
                                           tags={"t": "v"})),
    ),
    types.INLINE_POLICY: (
        lambda: ours.role_policy("p", role="r", policy_name="p", policy=DOC, opts=OPTS),
        lambda: iam.RolePolicy("p", iam.RolePolicyArgs(role="r", name="p", policy=DOC)),
    ),
    types.MANAGED_POLICY: (
        lambda: ours.policy("m", policy_name="m", path="/", policy=DOC, description="d", tags={"t": "v"}, opts=OPTS),
        lambda: iam.Policy("m", iam.PolicyArgs(name="m", path="/", policy=DOC, description="d", tags={"t": "v"})),
    ),
    types.ATTACHMENT: (
        lambda: ours.role_policy_attachment("a", role="r", policy_arn="arn:aws:iam::aws:policy/P", opts=OPTS),
        lambda: iam.RolePolicyAttachment(
            "a", iam.RolePolicyAttachmentArgs(role="r", policy_arn="arn:aws:iam::aws:policy/P")
        ),
    ),
    types.OIDC_PROVIDER: (
        lambda: ours.open_id_connect_provider("o", url="https://issuer", client_id_list=["sts.amazonaws.com"],
                                              thumbprint_list=["a" * 40], tags={"t": "v"}, opts=OPTS),
        lambda: iam.OpenIdConnectProvider("o", iam.OpenIdConnectProviderArgs(
            url="https://issuer", client_id_lists=["sts.amazonaws.com"], thumbprint_lists=["a" * 40], tags={"t": "v"})),
    ),
    types.ASSOCIATION: (
        lambda: ours.pod_identity_association("s", cluster_name="c", namespace="n", service_account="s",
                                              role_arn=ROLE_ARN, tags={"t": "v"}, disable_session_tags=True,
                                              target_role_arn=ROLE_ARN, opts=OPTS),
        lambda: eks.PodIdentityAssociation("s", eks.PodIdentityAssociationArgs(
            cluster_name="c", namespace="n", service_account="s", role_arn=ROLE_ARN, tags={"t": "v"},
            disable_session_tags=True, target_role_arn=ROLE_ARN)),
    ),
    "kubernetes:core/v1:Namespace": (
        lambda: kubernetes_object("ns", "Namespace", {"metadata": {"name": "apps", "labels": META["labels"]}}),
        lambda: CORE.Namespace("ns", metadata=k8s.meta.v1.ObjectMetaArgs(name="apps", labels=META["labels"])),
    ),
    "kubernetes:core/v1:ServiceAccount": (
        lambda: kubernetes_object("sa", "ServiceAccount", {"metadata": META}),
        lambda: CORE.ServiceAccount("sa", metadata=META_ARGS),
    ),
    "kubernetes:core/v1:ConfigMap": (
        lambda: kubernetes_object("cm", "ConfigMap", {"metadata": META, "data": {"verify.py": "print(1)\n"}}),
        lambda: CORE.ConfigMap("cm", metadata=META_ARGS, data={"verify.py": "print(1)\n"}),
    ),
    "kubernetes:batch/v1:Job": (
        lambda: kubernetes_object("job", "Job", {"metadata": META, "spec": SPEC}),
        lambda: k8s.batch.v1.Job("job", metadata=META_ARGS, spec=SPEC_ARGS),
    ),
}  # fmt: skip


def _received(make: Callable[[], Any]) -> list[tuple[Any, ...]]:
    """What the engine receives for one registration: type, name, inputs, and the plugin version it asks for."""
    monitor = install_mocks(PlanMocks(parse_settings(EKS_CONFIG, "dev")), "irsa", "dev", offline=False)
    versions: list[str] = []
    register = monitor.RegisterResource

    def spy(request: Any) -> Any:
        versions.append(request.version)
        return register(request)

    monitor.RegisterResource = spy  # type: ignore[method-assign]

    @pulumi.runtime.test
    def program() -> Any:
        return make().urn

    program()
    found = [(r["type"], r["name"], r["inputs"], v) for r, v in zip(monitor.records, versions, strict=True)]
    return [r for r in found if r[0] != "pulumi:pulumi:Stack"]


@pytest.mark.parametrize("kind", sorted(BOTH_WAYS))
def test_irsa_registers_what_the_sdk_class_sends(kind: str) -> None:
    helper, direct = BOTH_WAYS[kind]
    through_irsa, through_sdk = _received(helper), _received(direct)
    assert [r[0] for r in through_irsa] == [kind]
    assert through_irsa == through_sdk
    assert through_irsa[0][3], "no plugin version requested"


def test_every_type_irsa_registers_is_compared() -> None:
    from components.core.replacement import REPLACING

    assert set(BOTH_WAYS) == set(REPLACING)
