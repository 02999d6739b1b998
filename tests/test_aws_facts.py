"""Two classes an IAM audit found in hand-written service facts, held to the IAM simulator (tests/iam_simulate):

- `kms:ViaService` is `<service>.<region>.amazonaws.com` with the region the service calls KMS in — the
  resource's, and for S3 (whose bucket ARNs name no region, and whose SSE-KMS key must be in the bucket's region)
  the key's — not the stack's. ("kms:ViaService", AWS KMS developer guide, conditions-kms.html; "Protecting data
  with server-side encryption with AWS KMS keys", Amazon S3 user guide: the key must be in the bucket's Region.)
- A secret name never carries the 6-character suffix Secrets Manager puts at the end of its ARN ("Permissions
  to AWS Secrets Manager secrets", reference_iam-permissions.html: "use `-??????` after the secret name"), so a
  name always gets `-??????` — even one that ends in `-` and six letters, like `prod/db-backup`.
"""

from __future__ import annotations

import json
from typing import Any

from conftest import by_type, plan_of
from grant_fixtures import ACCOUNT, REGION, stack
from simulator import agreed, default_key_policy

ROLE = f"arn:aws:iam::{ACCOUNT}:role/irsa-dev-app"
US_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def policy_of(**workload: Any) -> dict[str, Any]:
    [policy] = by_type(plan_of(stack(**workload)), "aws:iam/rolePolicy:RolePolicy")
    return dict(json.loads(policy["inputs"]["policy"]))


def test_a_bucket_in_another_region_is_used_through_its_keys_region() -> None:
    assert REGION != "us-east-1"
    policy = policy_of(s3=[{"bucket": "reports-us", "access": "read", "kmsKey": US_KEY}])
    context = {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::reports-us/monthly/a.csv"}
    cases = [
        ("kms:Decrypt", US_KEY, {"kms:ViaService": "s3.us-east-1.amazonaws.com", **context}),  # what S3 sends
        ("kms:Decrypt", US_KEY, {"kms:ViaService": f"s3.{REGION}.amazonaws.com", **context}),
        ("kms:Decrypt", US_KEY, {"kms:ViaService": "sqs.us-east-1.amazonaws.com", **context}),
    ]
    assert agreed([policy], cases, ROLE, ACCOUNT, default_key_policy(ACCOUNT)) == [True, False, False]


def test_a_queue_typed_by_arn_in_another_region_is_used_through_its_region() -> None:
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
    policy = policy_of(sqs=[{"queue": queue, "access": "consume", "kmsKey": US_KEY}])
    context = {"kms:EncryptionContext:aws:sqs:arn": queue}
    cases = [
        ("kms:Decrypt", US_KEY, {"kms:ViaService": "sqs.us-east-1.amazonaws.com", **context}),
        ("kms:Decrypt", US_KEY, {"kms:ViaService": f"sqs.{REGION}.amazonaws.com", **context}),
    ]
    assert agreed([policy], cases, ROLE, ACCOUNT, default_key_policy(ACCOUNT)) == [True, False]


def test_a_name_in_the_stacks_region_keeps_the_stacks_region() -> None:
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1"
    policy = policy_of(secrets=[{"secret": "prod/api", "kmsKey": key}])
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/api-AbC123"
    cases = [
        ("kms:Decrypt", key, {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
                              "kms:EncryptionContext:SecretARN": secret}),
        ("kms:Decrypt", key, {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
                              "kms:EncryptionContext:SecretARN": secret}),
    ]  # fmt: skip
    assert agreed([policy], cases, ROLE, ACCOUNT, default_key_policy(ACCOUNT)) == [True, False]


def test_a_secret_name_that_ends_like_a_suffix_still_matches_its_arn() -> None:
    policy = policy_of(secrets=[{"secret": "prod/db-backup"}, {"secret": "prod/oauth/client-secret"}])

    def secret(name: str) -> str:
        return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}"

    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("secretsmanager:GetSecretValue", secret("prod/db-backup-AbC123"), {}),  # its real ARN
        ("secretsmanager:GetSecretValue", secret("prod/oauth/client-secret-x9Y8z7"), {}),
        ("secretsmanager:GetSecretValue", secret("prod/db-backup-old-AbC123"), {}),  # a neighbour
        ("secretsmanager:GetSecretValue", secret("prod/db-AbC123"), {}),
    ]
    assert agreed([policy], cases, ROLE, ACCOUNT) == [True, True, False, False]


def test_a_full_arn_typed_by_the_user_is_used_as_it_is() -> None:
    full = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/db-backup-AbC123"
    [statement] = [s for s in policy_of(secrets=[{"secret": full}])["Statement"]
                   if "secretsmanager:GetSecretValue" in s["Action"]]  # fmt: skip
    assert statement["Resource"] in (full, [full])
