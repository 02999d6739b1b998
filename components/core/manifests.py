"""Kubernetes object bodies (pure): ServiceAccount, pod identity fragment, verification Job."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from components.core import names
from components.core.model import DEFAULT_AUDIENCE, DEFAULT_TOKEN_EXPIRATION_SECONDS, S3Grant
from components.core.unknowns import is_unknown, unknown, waits_for

TOKEN_VOLUME = "aws-iam-token"
TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount"
TOKEN_FILE = "token"
SCRIPT_PATH = Path(__file__).resolve().parent.parent / "verify_s3.py"  # shipped as data, never imported
SCRIPT_DIR = "/opt/irsa"
ROLE_HASH_ANNOTATION = "irsa.pulumi.com/role-arn-sha256"
LABELS = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "irsa"}
NONROOT_UID = 65532


def role_arn_hash(role_arn: str) -> str:
    """Short hash of a role ARN: a pod-template annotation that makes pods roll when the role changes
    (a placeholder while the ARN is unknown: a hash of a placeholder's text would be invented)."""
    if is_unknown(role_arn):  # naming the placeholder it waits for: another role, another placeholder
        return unknown(f"hash of the {waits_for(role_arn)}")
    return hashlib.sha256(role_arn.encode()).hexdigest()[:16]


def namespace(name: str) -> dict[str, Any]:
    """A Namespace the stack creates on request."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": dict(LABELS)}}


def service_account(
    name: str,
    namespace: str,
    role_arn: str | None,
    audience: str = DEFAULT_AUDIENCE,
    expiration_seconds: int = DEFAULT_TOKEN_EXPIRATION_SECONDS,
) -> dict[str, Any]:
    """ServiceAccount annotated for the EKS pod identity webhook (harmless elsewhere); no role
    annotation when `role_arn` is None (EKS Pod Identity binds the role by association instead).
    The token lifetime is set explicitly: the webhook's own default is a day."""
    metadata: dict[str, Any] = {"name": name, "namespace": namespace, "labels": dict(LABELS)}
    if role_arn is not None:
        metadata["annotations"] = {
            "eks.amazonaws.com/role-arn": role_arn,
            "eks.amazonaws.com/sts-regional-endpoints": "true",
            "eks.amazonaws.com/token-expiration": str(expiration_seconds),
        }
        if audience != DEFAULT_AUDIENCE:
            metadata["annotations"]["eks.amazonaws.com/audience"] = audience
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata}


def pod_identity_fragment(
    service_account: str, role_arn: str, region: str, audience: str, expiration_seconds: int = 3600
) -> dict[str, Any]:
    """What a pod spec needs for web identity without a webhook: env, projected token volume, mount."""
    return {
        "serviceAccountName": service_account,
        "env": [
            {"name": "AWS_ROLE_ARN", "value": role_arn},
            {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": f"{TOKEN_DIR}/{TOKEN_FILE}"},
            {"name": "AWS_REGION", "value": region},
            {"name": "AWS_DEFAULT_REGION", "value": region},
            {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
        ],
        "volumes": [
            {
                "name": TOKEN_VOLUME,
                "projected": {
                    "sources": [
                        {
                            "serviceAccountToken": {
                                "audience": audience,
                                "expirationSeconds": expiration_seconds,
                                "path": TOKEN_FILE,
                            }
                        }
                    ]
                },
            }
        ],
        "volumeMounts": [{"name": TOKEN_VOLUME, "mountPath": TOKEN_DIR, "readOnly": True}],
        "podAnnotations": {ROLE_HASH_ANNOTATION: role_arn_hash(role_arn)},
    }


def pod_identity_agent_fragment(service_account: str, role_arn: str) -> dict[str, Any]:
    """With EKS Pod Identity the agent injects credentials: a pod needs only its ServiceAccount (and the
    role hash, so it restarts when the role changes)."""
    return {
        "serviceAccountName": service_account,
        "env": [],
        "volumes": [],
        "volumeMounts": [],
        "podAnnotations": {ROLE_HASH_ANNOTATION: role_arn_hash(role_arn)},
    }


def verification_script() -> str:
    """The verification Job's script, read from the repository."""
    return SCRIPT_PATH.read_text()


def script_config_map(workload: str, namespace: str, script: str) -> dict[str, Any]:
    """ConfigMap carrying the verification script into the Job's pod."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": names.job_name(workload), "namespace": namespace, "labels": dict(LABELS)},
        "data": {SCRIPT_PATH.name: script},
    }


def check_target(grants: tuple[S3Grant, ...]) -> S3Grant:
    """The grant the Job exercises: the first that allows writing, else the first."""
    return next((g for g in grants if g.access != "read"), grants[0])


def job_metadata(workload: str, namespace: str) -> dict[str, Any]:
    """A verification Job's name, namespace and labels: they name no computed value (no role ARN, no account)."""
    name = names.job_name(workload)
    return {"name": name, "namespace": namespace, "labels": {**LABELS, "app.kubernetes.io/name": name}}


def verification_job(
    workload: str,
    namespace: str,
    service_account: str,
    grants: tuple[S3Grant, ...],
    image: str,
    fragment: dict[str, Any] | None,
    role_arn: str,
    chain: dict[str, str] | None = None,
    checks: list[dict[str, Any]] | None = None,
    expect_role: str | None = None,
) -> dict[str, Any]:
    """Job proving the chain: caller identity, then a write (or list) inside the workload's grant.

    `fragment` is spliced into the pod where no webhook injects the token (AKS); None on EKS.
    `chain` (role_arn, external_id, bucket, prefix, access) makes it assume that role next and check there;
    `expect_role`: the role the pod must be acting as (a Pod Identity target role), checked first.
    """
    metadata = job_metadata(workload, namespace)
    name, labels = metadata["name"], metadata["labels"]
    target = check_target(grants) if grants else None  # no S3 grant (presets, roles only): identity only
    env = [
        *(
            [
                {"name": "IRSA_CHECK_BUCKET", "value": target.bucket},
                {"name": "IRSA_CHECK_PREFIX", "value": target.prefix},
                {"name": "IRSA_CHECK_ACCESS", "value": target.access},
                *([{"name": "IRSA_CHECK_KMS_KEY", "value": target.kms_key}] if target.kms_key else []),
            ]
            if target
            else []
        ),
        *(
            {"name": f"IRSA_CHAIN_{key.upper()}", "value": value}
            for key, value in sorted((chain or {}).items())
            if value is not None
        ),
        *([{"name": "IRSA_CHECKS", "value": json.dumps(checks, sort_keys=True)}] if checks else []),
        *([{"name": "IRSA_EXPECT_ROLE_ARN", "value": expect_role}] if expect_role else []),
        {"name": "HOME", "value": "/tmp"},
        {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
    ]
    mounts: list[dict[str, Any]] = [
        {"name": "script", "mountPath": SCRIPT_DIR, "readOnly": True},
        {"name": "tmp", "mountPath": "/tmp"},
    ]
    volumes: list[dict[str, Any]] = [
        {"name": "script", "configMap": {"name": name}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "16Mi"}},
    ]
    if fragment is not None:
        env = fragment["env"] + env
        mounts += fragment["volumeMounts"]
        volumes += fragment["volumes"]
    container = {
        "name": "verify",
        "image": image,
        "command": ["python3", f"{SCRIPT_DIR}/{SCRIPT_PATH.name}"],
        "env": env,
        "volumeMounts": mounts,
        "resources": {
            "requests": {"cpu": "50m", "memory": "64Mi"},
            "limits": {"cpu": "500m", "memory": "256Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": {
            "backoffLimit": 3,
            "activeDeadlineSeconds": 600,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {"labels": labels, "annotations": {ROLE_HASH_ANNOTATION: role_arn_hash(role_arn)}},
                "spec": {
                    "serviceAccountName": service_account,
                    "automountServiceAccountToken": False,
                    "restartPolicy": "Never",
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": NONROOT_UID,
                        "runAsGroup": NONROOT_UID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }
