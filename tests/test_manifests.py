"""Kubernetes bodies from the pure core: exact shapes, hardening, and strict schema validation."""

import kubernetes_validate
import pytest

from components.core import manifests
from components.core.model import S3Grant

ROLE = "arn:aws:iam::123456789012:role/irsa-dev-app"
K8S_VERSION = "1.32.0"


def test_service_account_annotations_default_audience() -> None:
    assert manifests.service_account("app", "prod", ROLE) == {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": "app",
            "namespace": "prod",
            "labels": {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "irsa"},
            "annotations": {
                "eks.amazonaws.com/role-arn": ROLE,
                "eks.amazonaws.com/sts-regional-endpoints": "true",
                "eks.amazonaws.com/token-expiration": "3600",
            },
        },
    }


def test_service_account_names_a_custom_audience() -> None:
    sa = manifests.service_account("app", "prod", ROLE, audience="my-aud")
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/audience"] == "my-aud"


def test_pod_identity_fragment() -> None:
    assert manifests.pod_identity_fragment("app", ROLE, "ap-northeast-2", "sts.amazonaws.com", 900) == {
        "serviceAccountName": "app",
        "env": [
            {"name": "AWS_ROLE_ARN", "value": ROLE},
            {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"},
            {"name": "AWS_REGION", "value": "ap-northeast-2"},
            {"name": "AWS_DEFAULT_REGION", "value": "ap-northeast-2"},
            {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
        ],
        "volumes": [
            {
                "name": "aws-iam-token",
                "projected": {
                    "sources": [
                        {
                            "serviceAccountToken": {
                                "audience": "sts.amazonaws.com",
                                "expirationSeconds": 900,
                                "path": "token",
                            }
                        }
                    ]
                },
            }
        ],
        "volumeMounts": [
            {
                "name": "aws-iam-token",
                "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount",
                "readOnly": True,
            }
        ],
        "podAnnotations": {"irsa.pulumi.com/role-arn-sha256": manifests.role_arn_hash(ROLE)},
    }


def test_role_hash_changes_with_the_role() -> None:
    assert manifests.role_arn_hash(ROLE) != manifests.role_arn_hash(ROLE + "2")
    assert len(manifests.role_arn_hash(ROLE)) == 16


def _job(fragment: dict | None) -> dict:
    grants = (S3Grant("cfg", "", "read"), S3Grant("up", "in/", "write"))
    return manifests.verification_job("app", "prod", "app", grants, "img:1", fragment, ROLE)


def test_job_checks_the_first_write_grant() -> None:
    env = {e["name"]: e["value"] for e in _job(None)["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert (env["IRSA_CHECK_BUCKET"], env["IRSA_CHECK_PREFIX"], env["IRSA_CHECK_ACCESS"]) == ("up", "in/", "write")
    assert "AWS_ROLE_ARN" not in env  # EKS: the webhook injects it


def test_job_is_hardened_and_bounded() -> None:
    job = _job(None)
    spec = job["spec"]
    assert spec["backoffLimit"] == 3 and spec["ttlSecondsAfterFinished"] > 0 and spec["activeDeadlineSeconds"] > 0
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    ctx = pod["containers"][0]["securityContext"]
    assert ctx == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def test_job_with_fragment_carries_env_volume_and_mount() -> None:
    fragment = manifests.pod_identity_fragment("app", ROLE, "ap-northeast-2", "sts.amazonaws.com")
    pod = _job(fragment)["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["env"][:5] == fragment["env"]
    assert fragment["volumeMounts"][0] in container["volumeMounts"]
    assert fragment["volumes"][0] in pod["volumes"]
    assert pod["automountServiceAccountToken"] is False


def test_config_map_carries_the_repository_script() -> None:
    cm = manifests.script_config_map("app", "prod", manifests.verification_script())
    assert cm["data"]["verify_s3.py"] == manifests.SCRIPT_PATH.read_text()
    assert cm["metadata"]["name"] == "app-irsa-verify"


@pytest.mark.parametrize(
    "obj",
    [
        manifests.service_account("app", "prod", ROLE),
        manifests.namespace("prod"),
        manifests.script_config_map("app", "prod", "print(1)\n"),
        manifests.verification_job("app", "prod", "app", (S3Grant("b", "", "read"),), "img", None, ROLE),
        manifests.verification_job(
            "app",
            "prod",
            "app",
            (S3Grant("b", "", "read"),),
            "img",
            manifests.pod_identity_fragment("app", ROLE, "us-east-1", "sts.amazonaws.com"),
            ROLE,
        ),
    ],
    ids=["sa", "ns", "cm", "job-eks", "job-aks"],
)
def test_objects_pass_strict_schema_validation(obj: dict) -> None:
    kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
