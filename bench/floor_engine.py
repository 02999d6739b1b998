"""The mock engine both floors run on (bench/floor.py, bench/floor_raw.py): answers, records, runs."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime import known_types, mocks, rpc

RECORDS: list[dict[str, Any]] = []


class Mocks(pulumi.runtime.Mocks):
    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {
            "endpoint": "<unknown>",
            "certificateAuthorities": [{"data": "<unknown>"}],
            "identities": [{"oidcs": [{"issuer": "<unknown issuer>"}]}],
        }, []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", {**args.inputs, "arn": f"<unknown arn {args.name}>"}


class Monitor(mocks.MockMonitor):
    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - the engine's name
        response = super().RegisterResource(request)
        RECORDS.append(
            {
                "urn": response.urn,
                "type": request.type,
                "name": request.name,
                "parent": request.parent,
                "dependsOn": list(request.dependencies),
                "protect": request.protect,
                "inputs": rpc.deserialize_properties(request.object),
            }
        )
        return response


def trust_document(provider_arn: str, issuer: str, namespace: str, service_account: str) -> str:
    """A workload's trust policy as static JSON (the floors write no validation and no document code)."""
    condition = {
        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
        f"{issuer}:aud": "sts.amazonaws.com",
    }
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": condition},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def policy_document(bucket: str, prefix: str) -> str:
    """A workload's read-write S3 policy as static JSON."""
    objects = {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"],
        "Resource": f"arn:aws:s3:::{bucket}/{prefix}*",
    }
    listing = {
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::{bucket}",
        "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [objects, listing]})


def job_spec(role_arn: str, service_account: str, bucket: str) -> dict[str, Any]:
    """The verification Job's spec, static but for the role."""
    env = [{"name": "IRSA_CHECK_BUCKET", "value": bucket}, {"name": "ROLE", "value": role_arn}]
    container = {"name": "verify", "image": "python:3.12", "env": env}
    pod = {"serviceAccountName": service_account, "restartPolicy": "Never", "containers": [container]}
    return {"backoffLimit": 3, "template": {"spec": pod}}


def _contains_unknowns(val: Any) -> bool:
    """The SDK's unknowns check without its per-call reference cycle (as `plan` replaces it offline)."""
    if isinstance(val, dict):
        return any(_contains_unknowns(v) for v in val.values())
    if isinstance(val, list):
        return any(_contains_unknowns(v) for v in val)
    return known_types.is_unknown(val)


def run(program: Callable[[int], None]) -> None:
    """`python bench/<floor>.py N [--tuned-gc]`: run the program for N workloads, print what it registered.
    --tuned-gc applies the runtime settings `plan` uses (components/gc_tuning.py, plan._acyclic_unknowns_check),
    written out here again so the floor runs none of the package's code: import-time objects frozen, the SDK's
    unknowns check without its cycle, no automatic collection while the program registers."""
    n = int(sys.argv[1])
    tuned = "--tuned-gc" in sys.argv
    if tuned:
        gc.freeze()
        gc.set_threshold(20_000, *gc.get_threshold()[1:])
        rpc.contains_unknowns = _contains_unknowns
        gc.disable()
    monitor = Monitor(Mocks())
    pulumi.runtime.set_mocks(monitor.mocks, "irsa", "bench", preview=False, monitor=monitor)
    pulumi.runtime.test(lambda: program(n))()
    gc.enable()
    sys.stdout.write(json.dumps({"project": "irsa", "stack": "bench", "resources": RECORDS}, indent=2))
