"""Customer-managed keys behind secrets, SecureString parameters, SSE-KMS queues and encrypted topics: the role may
have the service use the key for exactly that resource (kms:ViaService, and the encryption context the service
sets), and nothing else with the key. Judged by the IAM simulator; core/iam_eval.py must agree on every case.

Facts: Secrets Manager decrypts with encryption context SecretARN, Parameter Store with PARAMETER_ARN, SQS with
aws:sqs:arn (producers also have it generate a data key), SNS with aws:sns:topicArn (publishers: generate and
decrypt) — each service's developer guide on KMS.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import by_type, plan_of
from grant_fixtures import ACCOUNT, REGION, stack
from simulator import agreed, default_key_policy

from components.core.model import ConfigError
from components.core.settings import parse_settings

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b5c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"
OTHER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/99999999-3f40-4a5b-8c6d-7e8f9a0b1c2d"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/irsa-dev-app"
GRANTS: dict[str, Any] = {
    "secrets": [{"secret": "prod/db", "kmsKey": KEY}],
    "parameters": [{"path": "/app/prod/", "kmsKey": KEY}],
    "sqs": [
        {"queue": "orders", "access": "send", "kmsKey": KEY},
        {"queue": "jobs", "access": "consume", "kmsKey": KEY},
    ],
    "sns": [{"topic": "alerts", "kmsKey": KEY}],
}


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def via(service: str, context: str, value: str) -> dict[str, str]:
    return {"kms:ViaService": f"{service}.{REGION}.amazonaws.com", f"kms:EncryptionContext:{context}": value}


@pytest.fixture(scope="module")
def policy() -> dict[str, Any]:
    [found] = by_type(plan_of(stack(**GRANTS)), "aws:iam/rolePolicy:RolePolicy")
    return dict(json.loads(found["inputs"]["policy"]))


SECRET = arn("secretsmanager", "secret:prod/db-AbCdEf")
PARAMETER = arn("ssm", "parameter/app/prod/db/password")
CASES = [
    # Each service may have the key used for its own resource, as it calls KMS.
    ("kms:Decrypt", KEY, via("secretsmanager", "SecretARN", SECRET), True),
    ("kms:Decrypt", KEY, via("ssm", "PARAMETER_ARN", PARAMETER), True),
    ("kms:GenerateDataKey", KEY, via("sqs", "aws:sqs:arn", arn("sqs", "orders")), True),
    ("kms:Decrypt", KEY, via("sqs", "aws:sqs:arn", arn("sqs", "orders")), True),
    ("kms:Decrypt", KEY, via("sqs", "aws:sqs:arn", arn("sqs", "jobs")), True),
    ("kms:GenerateDataKey", KEY, via("sns", "aws:sns:topicArn", arn("sns", "alerts")), True),
    ("kms:Decrypt", KEY, via("sns", "aws:sns:topicArn", arn("sns", "alerts")), True),
    # ...and nothing else: the key used directly, for another resource, by another service, another key.
    ("kms:Decrypt", KEY, {}, False),
    ("kms:Decrypt", KEY, {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}, False),
    ("kms:Decrypt", KEY, via("secretsmanager", "SecretARN", arn("secretsmanager", "secret:prod/other-AbCdEf")), False),
    ("kms:Decrypt", KEY, via("ssm", "PARAMETER_ARN", arn("ssm", "parameter/app/staging/db")), False),
    ("kms:Decrypt", KEY, via("ssm", "PARAMETER_ARN", arn("ssm", "parameter/app/prod")), False),
    ("kms:Decrypt", KEY, via("s3", "aws:s3:arn", "arn:aws:s3:::bucket/x"), False),
    ("kms:GenerateDataKey", KEY, via("sqs", "aws:sqs:arn", arn("sqs", "jobs")), False),  # jobs is consume-only
    ("kms:Decrypt", KEY, via("sqs", "aws:sqs:arn", arn("sqs", "orders-dlq")), False),
    ("kms:Decrypt", KEY, via("sns", "aws:sns:topicArn", arn("sns", "alerts-other")), False),
    ("kms:Decrypt", OTHER_KEY, via("secretsmanager", "SecretARN", SECRET), False),
    ("kms:Encrypt", KEY, via("sqs", "aws:sqs:arn", arn("sqs", "orders")), False),
    ("kms:ReEncryptFrom", KEY, via("secretsmanager", "SecretARN", SECRET), False),
    ("kms:CreateGrant", KEY, via("sqs", "aws:sqs:arn", arn("sqs", "orders")), False),
]


def test_the_key_is_usable_only_by_the_service_for_the_granted_resource(policy: dict[str, Any]) -> None:
    # KMS needs the key's own policy to let IAM policies decide: AWS's default key policy does.
    decisions = agreed([policy], [(a, r, c) for a, r, c, _ in CASES], ROLE, ACCOUNT, default_key_policy(ACCOUNT))
    wrong = [case for case, decided in zip(CASES, decisions, strict=True) if decided != case[3]]
    assert not wrong, wrong


def test_the_service_calls_themselves_stay_allowed(policy: dict[str, Any]) -> None:
    cases: list[tuple[str, str, dict[str, str]]] = [
        ("secretsmanager:GetSecretValue", SECRET, {}),
        ("ssm:GetParameter", PARAMETER, {}),
        ("sqs:SendMessage", arn("sqs", "orders"), {}),
        ("sqs:ReceiveMessage", arn("sqs", "jobs"), {}),
        ("sns:Publish", arn("sns", "alerts"), {}),
    ]
    assert agreed([policy], cases, ROLE, ACCOUNT) == [True] * len(cases)


def test_without_a_key_no_kms_permission_is_rendered() -> None:
    plain: dict[str, Any] = {k: [{f: v for f, v in g.items() if f != "kmsKey"} for g in grants]
                             for k, grants in GRANTS.items()}  # fmt: skip
    [found] = by_type(plan_of(stack(**plain)), "aws:iam/rolePolicy:RolePolicy")
    assert "kms:" not in found["inputs"]["policy"]


def test_the_job_reads_through_the_service_under_the_key() -> None:
    settings = parse_settings(stack(**GRANTS, verifyPublish=True), "dev")
    from components.core import service_grants
    from components.core.grant_kinds import registry

    place = service_grants.Place("aws", REGION, ACCOUNT)
    checks = registry.verification_checks(settings.workloads[0].grants, place)
    calls = {(c["service"], c["call"], c["expect"]) for c in checks}
    assert ("secretsmanager", "get_secret_value", "allowed") in calls  # decrypts through Secrets Manager
    assert ("sqs", "send_message", "allowed") in calls  # encrypts through SQS (opted in: it sends a message)
    [ssm] = [c for c in checks if c["call"] == "get_parameters_by_path" and c["expect"] == "allowed"]
    assert ssm["params"]["WithDecryption"] is True


def test_a_key_must_be_a_key_arn() -> None:
    with pytest.raises(ConfigError) as refused:
        parse_settings(stack(secrets=[{"secret": "prod/db", "kmsKey": "alias/db"}]), "dev")
    assert [str(p) for p in refused.value.problems] == [
        'irsa:workloads[0].secrets[0].kmsKey: "alias/db" is not a KMS key ARN '
        "(arn:<partition>:kms:<region>:<account>:key/<id>)"
    ]
