"""A `terraform show -json` state of about `mib` MiB for `adopt`'s benchmark: `roles` IRSA roles as
terraform-aws-modules leaves them (trust pinning sub and aud, an inline policy that is one S3 read grant and one
other statement), one role whose trust has 6,000 statements (one subject each), and the rest of the state other
resources (instances with their user data), as a real state holds mostly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
HOST = "oidc.eks.eu-west-1.amazonaws.com/id/5C54DDF35E819312844C7333374CC09D"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"


def _trust(subjects: list[str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringEquals": {f"{HOST}:sub": s, f"{HOST}:aud": "sts.amazonaws.com"}}} for s in subjects]})


def _role(i: int) -> list[dict[str, Any]]:
    name = f"app-{i}"
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectTagging"],
         "Resource": f"arn:aws:s3:::bucket-{i}/reports/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::bucket-{i}",
         "Condition": {"StringLike": {"s3:prefix": ["reports/*"]}}},
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
         "Resource": f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/table-{i}"},
    ]}
    return [
        {"address": f"module.app_{i}.aws_iam_role.this[0]", "mode": "managed", "type": "aws_iam_role",
         "values": {"name": name, "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "path": "/",
                    "assume_role_policy": _trust([f"system:serviceaccount:ns-{i % 50}:app-{i}"])}},
        {"address": f"module.app_{i}.aws_iam_role_policy.this[0]", "mode": "managed", "type": "aws_iam_role_policy",
         "values": {"role": name, "name": f"{name}-policy", "policy": json.dumps(policy)}},
    ]


def _instance(i: int) -> dict[str, Any]:
    return {"address": f"aws_instance.node[{i}]", "mode": "managed", "type": "aws_instance",
            "values": {"ami": "ami-0abcdef1234567890", "instance_type": "m6i.large", "tags": {"Name": f"node-{i}"},
                       "user_data": "#!/bin/bash\n" + "echo configuring node\n" * 40}}


def write(mib: float, where: Path, roles: int) -> Path:
    """The state file."""
    wide = {"address": "aws_iam_role.wide", "mode": "managed", "type": "aws_iam_role",
            "values": {"name": "wide", "arn": f"arn:aws:iam::{ACCOUNT}:role/wide", "path": "/",
                       "assume_role_policy": _trust([f"system:serviceaccount:wide:sa-{k}" for k in range(6000)])}}
    resources: list[dict[str, Any]] = [wide, *(r for i in range(roles) for r in _role(i))]
    size, i = len(json.dumps(resources)), 0
    while size < mib * 1024 * 1024 - 4096:
        found = _instance(i)
        size += len(json.dumps(found)) + 2
        resources.append(found)
        i += 1
    path = where / f"state-{mib}-{roles}.json"
    path.write_text(json.dumps({"format_version": "1.0", "values": {"root_module": {"resources": resources}}}))
    return path
