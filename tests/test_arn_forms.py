"""ARN forms users write: a secret ARN without Secrets Manager's 6-character suffix, a parameter path ARN with a
trailing `/`, a parameter path that must not also grant a parameter named like the path. Judged by the IAM
simulator (and core/iam_eval.py, which must agree), in grants and in the external-secrets preset."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import by_type, plan_of
from grant_fixtures import ACCOUNT, REGION, stack
from simulator import agreed

ROLE = f"arn:aws:iam::{ACCOUNT}:role/irsa-dev-app"
SECRETS = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:"
PARAMETERS = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter"
Case = tuple[str, str, dict[str, str]]


def policy(**workload: Any) -> dict[str, Any]:
    [found] = by_type(plan_of(stack(**workload)), "aws:iam/rolePolicy:RolePolicy")
    return dict(json.loads(found["inputs"]["policy"]))


@pytest.mark.parametrize(
    ("given", "cases"),
    [
        (f"{SECRETS}prod/db", [(f"{SECRETS}prod/db-AbCdEf", True), (f"{SECRETS}prod/db-other-AbCdEf", False),
                               (f"{SECRETS}prod/dbx-AbCdEf", False)]),
        (f"{SECRETS}prod/db-AbCdEf", [(f"{SECRETS}prod/db-AbCdEf", True), (f"{SECRETS}prod/db-XyZxYz", False)]),
        ("prod/db", [(f"{SECRETS}prod/db-AbCdEf", True), (f"{SECRETS}prod/db2-AbCdEf", False)]),
    ],
)  # fmt: skip
def test_a_secret_is_readable_at_its_real_arn(given: str, cases: list[tuple[str, bool]]) -> None:
    reads: list[Case] = [("secretsmanager:GetSecretValue", arn, {}) for arn, _ in cases]
    found = agreed([policy(secrets=[{"secret": given}])], reads, ROLE, ACCOUNT)
    assert found == [allowed for _, allowed in cases]


def test_the_external_secrets_preset_reads_a_secret_given_without_its_suffix() -> None:
    options = {"secretArns": [f"{SECRETS}prod/db"]}
    document = policy(presets=["external-secrets"], presetOptions=options)
    cases: list[Case] = [("secretsmanager:GetSecretValue", f"{SECRETS}prod/db-AbCdEf", {}),
             ("secretsmanager:GetSecretValue", f"{SECRETS}prod/db2-AbCdEf", {})]  # fmt: skip
    assert agreed([document], cases, ROLE, ACCOUNT) == [True, False]


@pytest.mark.parametrize("given", ["/app/prod/", "/app/prod", f"{PARAMETERS}/app/prod/", f"{PARAMETERS}/app/prod"])
def test_a_parameter_path_reaches_what_is_below_it_and_not_a_parameter_named_like_it(given: str) -> None:
    document = policy(parameters=[{"path": given}])
    assert "//" not in json.dumps(document).replace("arn:aws", "")
    cases: list[Case] = [
        ("ssm:GetParametersByPath", f"{PARAMETERS}/app/prod", {}),
        ("ssm:GetParameter", f"{PARAMETERS}/app/prod/db/url", {}),
        ("ssm:GetParametersByPath", f"{PARAMETERS}/app/prod/db", {}),
        ("ssm:GetParameter", f"{PARAMETERS}/app/prod", {}),  # a parameter named like the path
        ("ssm:GetParameter", f"{PARAMETERS}/app/production", {}),
        ("ssm:GetParameter", f"{PARAMETERS}/app/prod-old/x", {}),
    ]
    assert agreed([document], cases, ROLE, ACCOUNT) == [True, True, True, False, False, False]
