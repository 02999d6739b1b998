"""A stack using every grant beyond S3, shared by the grant and linter tests."""

from __future__ import annotations

from typing import Any

from conftest import EKS_CONFIG, config

ACCOUNT = "123456789012"
TEAM = {"aws:ResourceTag/team": "a"}
REGION = "ap-northeast-2"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/payments"
EVERYTHING: dict[str, Any] = {
    "dynamodb": [{"table": "orders", "access": "read"}, {"table": "ledger", "access": "read-write"}],
    "sqs": [{"queue": "jobs", "access": "consume"}, {"queue": "results", "access": "send"}],
    "sns": [{"topic": "alerts"}],
    "secrets": [{"secret": "prod/db"}],
    "parameters": [{"path": "/app/prod/"}],
    "kms": [{"key": ALIAS, "access": "decrypt"}],
    "s3": [{"bucket": "encrypted-bucket", "prefix": "in/", "access": "write", "kmsKey": KEY}],
    "managedPolicyArns": ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"],
    "statements": [
        {"Sid": "Events", "Effect": "Allow", "Action": ["events:PutEvents"],
         "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/payments"},
        {"Sid": "NoDeletes", "Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"},
    ],
}  # fmt: skip


def stack(account: bool = True, **workload: Any) -> dict[str, Any]:
    base = {k: v for k, v in EKS_CONFIG["irsa:workloads"][0].items() if k != "s3"}
    raw = config(EKS_CONFIG, **{"irsa:workloads": [{**base, **workload}]})
    if account:
        raw["irsa:accountId"] = ACCOUNT
    return raw
