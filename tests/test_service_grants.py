"""Grants beyond S3: each renders its intent, the IAM evaluator allows exactly that and denies its
neighbours (another table, the other queue direction, direct use of an S3-only key, deleting the table),
names resolve in the right account, and unsafe raw statements are refused with the statement named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import by_type, plan_of
from grant_fixtures import ACCOUNT, ALIAS, EVERYTHING, KEY, REGION, stack

from components.core.iam_eval import Request, evaluate
from components.core.model import ConfigError
from components.core.settings import parse_settings


def policy_of(raw: dict[str, Any]) -> dict[str, Any]:
    [policy] = by_type(plan_of(raw), "aws:iam/rolePolicy:RolePolicy")
    return dict(json.loads(policy["inputs"]["policy"]))


@pytest.fixture(scope="module")
def everything() -> dict[str, Any]:
    return policy_of(stack(**EVERYTHING))


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


ALLOWED = [
    ("dynamodb:GetItem", arn("dynamodb", "table/orders"), {}),
    ("dynamodb:Query", arn("dynamodb", "table/orders/index/by-customer"), {}),
    ("dynamodb:GetRecords", arn("dynamodb", "table/orders/stream/2026-01-01T00:00:00.000"), {}),
    ("dynamodb:PutItem", arn("dynamodb", "table/ledger"), {}),
    ("sqs:ReceiveMessage", arn("sqs", "jobs"), {}),
    ("sqs:DeleteMessage", arn("sqs", "jobs"), {}),
    ("sqs:ChangeMessageVisibility", arn("sqs", "jobs"), {}),
    ("sqs:SendMessage", arn("sqs", "results"), {}),
    ("sns:Publish", arn("sns", "alerts"), {}),
    ("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:prod/db-AbCdEf"), {}),
    ("ssm:GetParametersByPath", arn("ssm", "parameter/app/prod"), {}),
    ("ssm:GetParameter", arn("ssm", "parameter/app/prod/db/url"), {}),
    ("kms:Decrypt", arn("kms", "key/k-1"), {"kms:ResourceAliases": ["alias/payments"]}),
    ("s3:PutObject", "arn:aws:s3:::encrypted-bucket/in/x", {}),
    ("kms:GenerateDataKey", KEY, {"kms:ViaService": f"s3.{REGION}.amazonaws.com",
                                  "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::encrypted-bucket/in/x"}),
    ("kms:GenerateDataKey", KEY, {"kms:ViaService": f"s3.{REGION}.amazonaws.com",  # with S3 Bucket Keys
                                  "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::encrypted-bucket"}),
    ("events:PutEvents", arn("events", "event-bus/payments"), {}),
]  # fmt: skip
DENIED = [
    ("dynamodb:GetItem", arn("dynamodb", "table/customers"), {}),  # another table
    ("dynamodb:PutItem", arn("dynamodb", "table/orders"), {}),  # read-only table
    ("dynamodb:DeleteTable", arn("dynamodb", "table/ledger"), {}),  # deleting the table (and an explicit Deny)
    ("sqs:SendMessage", arn("sqs", "jobs"), {}),  # the other direction
    ("sqs:ReceiveMessage", arn("sqs", "results"), {}),
    ("sqs:PurgeQueue", arn("sqs", "jobs"), {}),
    ("sns:Publish", arn("sns", "other"), {}),
    ("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:prod/dbadmin-AbCdEf"), {}),
    ("secretsmanager:PutSecretValue", arn("secretsmanager", "secret:prod/db-AbCdEf"), {}),
    ("ssm:GetParameter", arn("ssm", "parameter/app/staging/db"), {}),
    ("ssm:PutParameter", arn("ssm", "parameter/app/prod/db"), {}),
    ("kms:Decrypt", KEY, {}),  # direct use of the S3-only key
    ("kms:Decrypt", KEY, {"kms:ViaService": f"s3.{REGION}.amazonaws.com",
                          "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::other-bucket/x"}),
    ("kms:Decrypt", KEY, {"kms:ViaService": f"s3.{REGION}.amazonaws.com",
                          "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::encrypted-bucket-2"}),  # sibling bucket
    ("kms:Encrypt", arn("kms", "key/k-1"), {"kms:ResourceAliases": ["alias/payments"]}),  # decrypt only
    ("kms:Decrypt", arn("kms", "key/k-2"), {"kms:ResourceAliases": ["alias/other"]}),
    ("events:PutEvents", arn("events", "event-bus/default"), {}),
]  # fmt: skip


@pytest.mark.parametrize("action,resource,context", ALLOWED, ids=[f"{a}-{i}" for i, (a, _, _) in enumerate(ALLOWED)])
def test_each_grant_allows_its_intent(
    action: str, resource: str, context: dict[str, Any], everything: dict[str, Any]
) -> None:
    verdict = evaluate([everything], Request(action, resource, context))
    assert verdict.allowed, verdict.reason


@pytest.mark.parametrize("action,resource,context", DENIED, ids=[f"{a}-{i}" for i, (a, _, _) in enumerate(DENIED)])
def test_and_denies_its_neighbours(
    action: str, resource: str, context: dict[str, Any], everything: dict[str, Any]
) -> None:
    verdict = evaluate([everything], Request(action, resource, context))
    assert not verdict.allowed, verdict.reason


def test_managed_policies_are_attached() -> None:
    plan = plan_of(stack(**EVERYTHING))
    [attachment] = by_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment["inputs"]["policyArn"] == "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"


def test_names_resolve_in_the_reused_providers_account() -> None:
    raw = stack(account=False, sqs=[{"queue": "jobs", "access": "send"}])
    raw["irsa:cluster"] = {
        **raw["irsa:cluster"],
        "oidcProviderArn": "arn:aws:iam::210987654321:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/X",
    }
    [statement] = [s for s in policy_of(raw)["Statement"] if s["Sid"] == "Queue0"]
    assert statement["Resource"] == f"arn:aws:sqs:{REGION}:210987654321:jobs"


def test_without_an_account_a_name_waits_for_one_lookup() -> None:
    plan = plan_of(stack(account=False, sqs=[{"queue": "jobs", "access": "send"}], sns=[{"topic": "alerts"}]))
    [policy] = by_type(plan, "aws:iam/rolePolicy:RolePolicy")
    document = json.loads(policy["inputs"]["policy"])
    queue = next(s for s in document["Statement"] if s["Sid"] == "Queue0")
    assert queue["Resource"] == f"arn:aws:sqs:{REGION}:<unknown: account>:jobs"
    assert [lk["token"] for lk in plan["lookups"]].count("aws:index/getCallerIdentity:getCallerIdentity") == 1


def test_arns_need_no_account() -> None:
    plan = plan_of(stack(account=False, sqs=[{"queue": arn("sqs", "jobs"), "access": "send"}]))
    assert "aws:index/getCallerIdentity:getCallerIdentity" not in [lk["token"] for lk in plan["lookups"]]


def test_s3_becomes_optional() -> None:
    settings = parse_settings(stack(sns=[{"topic": "alerts"}]), "dev")
    assert settings.workloads[0].s3 == ()


@pytest.mark.parametrize(
    "statement,wrong",
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, 'grants "*"'),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, 'grants "s3:*"'),
        ({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}, 'grants "iam:PassRole"'),
        ({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("iam", "role/x")}, 'grants "sts:AssumeRole"'),
        ({"Effect": "Allow", "Action": "organizations:LeaveOrganization", "Resource": "*"}, "organizations:"),
        ({"Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": "*"}, "uses NotAction"),
        ({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/*"}, "uses NotResource"),
        ({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}, 'has Resource "*" for actions that change'),
    ],
)
def test_unsafe_raw_statements_are_refused_by_name(statement: dict[str, Any], wrong: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(stack(statements=[{"Sid": "Mine", **statement}]), "dev")
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith('irsa:workloads[0].statements[0] (Sid "Mine"): ') and wrong in line for line in lines), (
        lines
    )


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"},  # a read on "*"
        {
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}},
        },
        {"Effect": "Deny", "Action": "*", "Resource": "*"},  # a Deny only takes away
        {"Effect": "Allow", "Action": "iam:GetRole", "Resource": arn("iam", "role/x")},
    ],
)
def test_safe_raw_statements_are_kept(statement: dict[str, Any]) -> None:
    settings = parse_settings(stack(statements=[statement]), "dev")
    assert [json.loads(s) for s in settings.workloads[0].statements] == [statement]


@pytest.mark.parametrize(
    "grant,path,wrong",
    [
        ({"dynamodb": [{"table": "a", "access": "read"}]}, "dynamodb[0].table", "is not a DynamoDB table name or ARN"),
        ({"dynamodb": [{"table": "orders", "access": "all"}]}, "dynamodb[0].access", "is not an access level"),
        ({"sqs": [{"queue": "jobs", "access": "receive"}]}, "sqs[0].access", "is not an access level"),
        ({"sqs": [{"queue": "has space", "access": "send"}]}, "sqs[0].queue", "is not a SQS queue name or ARN"),
        ({"parameters": [{"path": "app/prod"}]}, "parameters[0].path", "is not a SSM parameter path name or ARN"),
        ({"kms": [{"key": "alias/payments", "access": "decrypt"}]}, "kms[0].key", "is not a KMS key or alias ARN"),
        ({"s3": [{"bucket": "b-1", "access": "read", "kmsKey": ALIAS}]}, "s3[0].kmsKey", "is not a KMS key ARN"),
        ({"managedPolicyArns": ["AdministratorAccess"]}, "managedPolicyArns[0]", "is not a managed policy ARN"),
    ],
)
def test_bad_grants_are_named(grant: dict[str, Any], path: str, wrong: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(stack(**grant), "dev")
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith(f"irsa:workloads[0].{path}: ") and wrong in line for line in lines), lines


def test_the_reviewer_row_lists_every_grant() -> None:
    from components.core.summary import grant_lines

    settings = parse_settings(stack(**EVERYTHING), "dev")
    lines = grant_lines(settings, settings.workloads[0])
    for expected in (
        "dynamodb read-write ledger",
        "sqs consume jobs",
        "sns publish alerts",
        "secret read prod/db",
        "parameters read /app/prod/",
        f"kms decrypt {ALIAS}",
        "managed arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        "statement NoDeletes: Deny dynamodb:DeleteTable on *",
    ):
        assert expected in lines
    assert lines[0].endswith(f"(key {KEY})")


def test_the_job_checks_each_grant_inside_and_just_outside() -> None:
    from components.core import service_grants
    from components.core.grant_kinds import registry

    settings = parse_settings(stack(**EVERYTHING), "dev")
    w = settings.workloads[0]
    place = service_grants.Place("aws", REGION, ACCOUNT)
    checks = registry.verification_checks(w.grants, place, (KEY,))
    seen = [(c["service"], c["call"], c["expect"]) for c in checks]
    assert ("dynamodb", "describe_table", "allowed") in seen and ("dynamodb", "describe_table", "denied") in seen
    assert ("sqs", "get_queue_attributes", "denied") in seen
    assert ("sns", "publish", "allowed") not in seen  # publishing would change something
    assert ("secretsmanager", "describe_secret", "denied") in seen and (
        "ssm",
        "get_parameters_by_path",
        "denied",
    ) in seen
    assert ("kms", "decrypt", "allowed") in seen and ("kms", "encrypt", "denied") in seen
    assert {
        "service": "kms",
        "call": "encrypt",
        "params": {"KeyId": KEY, "Plaintext": "irsa"},
        "expect": "denied",
    } in checks
    outside = [c["params"] for c in checks if c["expect"] == "denied" and c["service"] == "dynamodb"]
    assert outside == [{"TableName": "orders-irsa-outside"}, {"TableName": "ledger-irsa-outside"}]


def test_the_planned_job_carries_the_checks() -> None:
    [job] = by_type(plan_of(stack(**{**EVERYTHING, "sampleJob": True})), "kubernetes:batch/v1:Job")
    env = {e["name"]: e.get("value") for e in job["inputs"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    checks = json.loads(env["IRSA_CHECKS"])
    assert len(checks) >= 12 and {c["expect"] for c in checks} == {"allowed", "denied"}


class _Client:
    def __init__(self, codes: dict[str, str]):
        self.codes = codes

    def __getattr__(self, call: str) -> Any:
        def invoke(**params: Any) -> None:
            from botocore.exceptions import ClientError

            code = self.codes.get(json.dumps(params, sort_keys=True, default=str))
            if code:
                raise ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": 400}}, call)

        return invoke


class _Session:
    def __init__(self, codes: dict[str, str]):
        self.codes = codes

    def client(self, service: str) -> _Client:
        return _Client(self.codes)


def test_the_job_script_judges_checks_by_access_denied_only() -> None:
    from components import verify_s3

    inside = {"service": "dynamodb", "call": "describe_table", "params": {"TableName": "t"}, "expect": "allowed"}
    outside = {"service": "dynamodb", "call": "describe_table", "params": {"TableName": "u"}, "expect": "denied"}
    not_found = {json.dumps({"TableName": "t"}): "ResourceNotFoundException"}
    denied = {json.dumps({"TableName": "u"}): "AccessDeniedException"}
    lines = verify_s3.run_checks([inside, outside], "1", _Session({**not_found, **denied}))
    assert lines[0].startswith("allowed as expected") and lines[1].startswith("denied as expected")
    with pytest.raises(RuntimeError, match="expected denied, got ok"):
        verify_s3.run_checks([outside], "1", _Session({}))
    with pytest.raises(RuntimeError, match="expected allowed, got AccessDeniedException"):
        verify_s3.run_checks([inside], "1", _Session({json.dumps({"TableName": "t"}): "AccessDeniedException"}))


def test_publishing_is_checked_only_when_the_stack_opts_in() -> None:
    from components.core import service_grants
    from components.core.grant_kinds import registry

    place = service_grants.Place("aws", REGION, ACCOUNT)
    opted = parse_settings(stack(**{**EVERYTHING, "verifyPublish": True}), "dev").workloads[0]
    checks = registry.verification_checks(opted.grants, place, (KEY,))
    [publish] = [c for c in checks if c["call"] == "publish" and c["expect"] == "allowed"]
    topic = publish["params"]["TopicArn"]
    assert topic == arn("sns", "alerts")
    # the probe the Job sends is one the role's own policy allows, per the evaluator
    policy = policy_of(stack(**{**EVERYTHING, "verifyPublish": True}))
    assert evaluate([policy], Request("sns:Publish", topic)).allowed
    with pytest.raises(ConfigError, match=r"verifyPublish: is only used with sns grants, or sqs send grants"):
        parse_settings(stack(s3=EVERYTHING["s3"], verifyPublish=True), "dev")


def test_an_encrypted_bucket_is_written_with_its_key() -> None:
    from components import verify_s3

    [job] = by_type(plan_of(stack(**{**EVERYTHING, "sampleJob": True})), "kubernetes:batch/v1:Job")
    env = {e["name"]: e.get("value") for e in job["inputs"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["IRSA_CHECK_KMS_KEY"] == KEY
    calls: list[tuple[str, dict[str, Any]]] = []

    class Recorder:
        def client(self, service: str) -> Any:
            class S3:
                def __getattr__(self, call: str) -> Any:
                    def record(**params: Any) -> dict[str, Any]:
                        calls.append((call, params))
                        return {}

                    return record

            return S3()

    line = verify_s3.check_s3("encrypted-bucket", "in/", "write", Recorder(), kms_key=KEY)
    [(call, params)] = calls
    assert call == "put_object" and params["ServerSideEncryption"] == "aws:kms" and params["SSEKMSKeyId"] == KEY
    assert line.endswith(f"(SSE-KMS, {KEY})")
    # and the role may do what S3 does on its behalf for that write
    policy = policy_of(stack(**EVERYTHING))
    assert evaluate(
        [policy],
        Request(
            "kms:GenerateDataKey",
            KEY,
            {
                "kms:ViaService": f"s3.{REGION}.amazonaws.com",
                "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::encrypted-bucket/in/irsa-verification.txt",
            },
        ),
    ).allowed


def test_an_encrypt_decrypt_key_is_proven_by_a_round_trip() -> None:
    import boto3
    from moto import mock_aws

    from components import verify_s3
    from components.core import service_grants
    from components.core.grant_kinds import registry

    grants = parse_settings(stack(kms=[{"key": KEY, "access": "encrypt-decrypt"}]), "dev").workloads[0].grants
    [check] = registry.verification_checks(grants, service_grants.Place("aws", REGION, ACCOUNT))
    assert (check["call"], check["expect"]) == ("round_trip", "allowed")
    with mock_aws():  # a real KMS implementation: the blob must decrypt under the same key
        session = boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        key = session.client("kms").create_key()["KeyMetadata"]["Arn"]
        [line] = verify_s3.run_checks([{**check, "params": {**check["params"], "KeyId": key}}], ACCOUNT, session)
        assert line.startswith("allowed as expected: kms:round_trip")

    class DecryptDenied:  # encrypting alone does not pass: the decrypt half is judged too
        def client(self, service: str) -> Any:
            from botocore.exceptions import ClientError

            class Kms:
                def encrypt(self, **params: Any) -> dict[str, Any]:
                    return {"CiphertextBlob": b"blob"}

                def decrypt(self, **params: Any) -> None:
                    error = {"Error": {"Code": "AccessDeniedException"}, "ResponseMetadata": {"HTTPStatusCode": 400}}
                    raise ClientError(error, "Decrypt")

            return Kms()

    with pytest.raises(RuntimeError, match="expected allowed, got AccessDeniedException"):
        verify_s3.run_checks([check], ACCOUNT, DecryptDenied())
