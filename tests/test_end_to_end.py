"""End to end: the planned provider, role and policy on a local AWS emulator, exercised by the
verification Job's own script through botocore's web-identity credential provider.

moto accepts ANY web-identity token and ignores trust policies, so this test proves the permission
side only (allowed inside the grant, denied outside it). Trust decisions are proven by the trust
evaluator and `doctor` (tests/test_trust.py, tests/test_doctor.py). Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError
from moto_server import moto_server
from oidc_issuer import LocalIssuer

ROOT = Path(__file__).resolve().parent.parent
REGION = "ap-northeast-2"
ISSUER = (
    "https://koreacentral.oic.prod-aks.azure.com/"
    "00000000-0000-0000-0000-000000000001/11111111-2222-3333-4444-555555555555/"
)
STACK: dict[str, Any] = {
    "config": {
        "aws:region": REGION,
        "irsa:cluster": {"kind": "aks", "name": "aks-1", "resourceGroup": "rg", "issuerUrl": ISSUER},
        "irsa:workloads": [
            {
                "name": "uploader",
                "namespace": "apps",
                "serviceAccount": "uploader",
                "s3": [{"bucket": "app-uploads", "prefix": "in/", "access": "write"}],
            }
        ],
    }
}
OTHER_ACCOUNT = "210987654321"
CROSS_STACK = {
    "config": {
        **STACK["config"],
        # another cluster: IAM keeps one OIDC provider per issuer URL per account
        "irsa:cluster": {
            **STACK["config"]["irsa:cluster"],
            "name": "aks-2",
            "issuerUrl": ISSUER.replace("1111", "2222"),
        },
        "irsa:crossAccount": {
            "accountId": OTHER_ACCOUNT,
            "profile": "data-account",
            "roles": [
                {
                    "name": "reports-reader",
                    "trustedWorkloads": ["uploader"],
                    "externalId": "ext-2026",
                    "s3": [{"bucket": "finance-reports", "prefix": "monthly/", "access": "read"}],
                }
            ],
        },
    }
}
ADMIN = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


def _plan(tmp_path: Path, stack: dict[str, Any], name: str) -> dict[str, Any]:
    stack_file = tmp_path / "stack.yaml"
    stack_file.write_text(yaml.safe_dump(stack))
    result = subprocess.run(
        [sys.executable, "-m", "components", "plan", "--stack", name, "--config", str(stack_file), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def _one(plan: dict[str, Any], type_: str) -> dict[str, Any]:
    (found,) = [r for r in plan["resources"] if r["type"] == type_]
    return found


def _client(service: str, endpoint: str, **creds: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **creds)


def _enable_auth(endpoint: str, enabled: bool) -> None:
    """Switch moto's IAM authorization on after one more request, or off.

    The one free request is the web-identity exchange: AssumeRoleWithWebIdentity is unsigned, as on AWS,
    but moto's authorizer wants every request signed; each run re-arms it so that exchange goes through
    and every later, signed call is checked against the role's policy."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=b"1" if enabled else b"inf",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    urllib.request.urlopen(request, timeout=10).read()


def _as_account(client: Any, account: str) -> Any:
    """Send this client's requests to another moto account (setup only)."""
    client.meta.events.register(
        "before-sign.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
    )
    return client


def _deploy(endpoint: str, tmp: Path, stack: dict[str, Any], stack_name: str) -> dict[str, Any]:
    """Create in the emulator exactly what the plan renders; replace only the values a deployment gives
    (the ARNs the plan prints as <unknown ...>). Cross-account roles go to their own account."""
    plan = _plan(tmp, stack, stack_name)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in plan["resources"]:
        by_type.setdefault(r["type"], []).append(r)
    (provider,) = by_type["aws:iam/openIdConnectProvider:OpenIdConnectProvider"]
    (job,) = by_type["kubernetes:batch/v1:Job"]
    script = by_type["kubernetes:core/v1:ConfigMap"][0]["inputs"]["data"]["verify_s3.py"]

    iam = _client("iam", endpoint, **ADMIN)
    known: dict[str, str] = {}  # placeholder -> real value
    provider_arn = iam.create_open_id_connect_provider(
        Url=provider["inputs"]["url"], ClientIDList=provider["inputs"]["clientIdLists"], ThumbprintList=["0" * 40]
    )["OpenIDConnectProviderArn"]
    known[f"<unknown: ARN of the IAM OIDC provider for {provider['inputs']['url']}>"] = provider_arn

    def real(text: str) -> str:
        for placeholder, value in known.items():
            text = text.replace(placeholder, value)
        assert "<unknown" not in text, text
        return text

    cross_account = stack["config"].get("irsa:crossAccount", {}).get("accountId")
    roles = sorted(by_type["aws:iam/role:Role"], key=lambda r: "CrossAccountRole" in r["urn"])  # workloads first
    for role in roles:
        other = "irsa:index:CrossAccountRole$" in role["urn"]
        client = _as_account(_client("iam", endpoint, **ADMIN), cross_account) if other else iam
        arn = client.create_role(
            RoleName=role["inputs"]["name"], AssumeRolePolicyDocument=real(role["inputs"]["assumeRolePolicy"])
        )["Role"]["Arn"]
        known[f"<unknown: ARN of IAM role {role['inputs']['name']}>"] = arn
        (policy,) = [p for p in by_type["aws:iam/rolePolicy:RolePolicy"] if p["parent"] == role["parent"]]
        client.put_role_policy(
            RoleName=role["inputs"]["name"],
            PolicyName=policy["inputs"]["name"],
            PolicyDocument=real(policy["inputs"]["policy"]),
        )

    container = job["inputs"]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: real(e["value"]) for e in container["env"]}
    token_path = tmp / env["AWS_WEB_IDENTITY_TOKEN_FILE"].lstrip("/")  # the Job's path, under a test directory
    token_path.parent.mkdir(parents=True)
    volume = job["inputs"]["spec"]["template"]["spec"]["volumes"][-1]
    audience = volume["projected"]["sources"][0]["serviceAccountToken"]["audience"]
    workload = stack["config"]["irsa:workloads"][0]
    issuer = stack["config"]["irsa:cluster"]["issuerUrl"]
    token_path.write_text(
        LocalIssuer([issuer], tmp).token(issuer, workload["namespace"], workload["serviceAccount"], [audience])
    )
    env.update(
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token_path),
        AWS_ENDPOINT_URL=endpoint,
        AWS_DEFAULT_REGION=REGION,
        IRSA_RETRY_SECONDS="5",
        PATH=os.environ.get("PATH", ""),
        HOME=str(tmp),
    )
    script_path = tmp / "verify_s3.py"
    script_path.write_text(script)
    return {"env": env, "script": script_path, "endpoint": endpoint}


def _admin_keys(endpoint: str) -> dict[str, str]:
    """An administrator in the main account, for the test's own checks once authorization is on."""
    iam = _client("iam", endpoint, **ADMIN)
    iam.create_user(UserName="admin")
    iam.put_user_policy(
        UserName="admin",
        PolicyName="all",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    keys = iam.create_access_key(UserName="admin")["AccessKey"]
    return {"aws_access_key_id": keys["AccessKeyId"], "aws_secret_access_key": keys["SecretAccessKey"]}


def _fill(s3: Any, contents: dict[str, dict[str, bytes]]) -> None:
    """Create buckets with objects (bucket -> key -> body)."""
    for bucket, objects in contents.items():
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        for key, body in objects.items():
            s3.put_object(Bucket=bucket, Key=key, Body=body)


@contextlib.contextmanager
def _authorization(endpoint: str) -> Iterator[None]:
    """IAM authorization on while the block runs, off after it."""
    _enable_auth(endpoint, True)
    try:
        yield
    finally:
        _enable_auth(endpoint, False)


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The single-account stack, deployed; buckets inside and outside its grant."""
    result = _deploy(moto_endpoint, tmp_path_factory.mktemp("e2e"), STACK, "e2e")
    result["admin"] = _admin_keys(moto_endpoint)
    _fill(_client("s3", moto_endpoint, **ADMIN), {"app-uploads": {"in/existing.txt": b"x"}, "other-bucket": {}})
    with _authorization(moto_endpoint):
        yield result


@pytest.fixture(scope="module")
def deployed_cross(
    moto_endpoint: str, deployed: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The cross-account stack, deployed: the workload's role here, the reports role in account B."""
    _enable_auth(moto_endpoint, False)
    result = _deploy(moto_endpoint, tmp_path_factory.mktemp("e2e-cross"), CROSS_STACK, "e2ex")
    contents = {
        "finance-reports": {"monthly/2026-10.csv": b"month,total\n", "annual/2025.csv": b"year,total\n"},
        "finance-secrets": {"monthly/keys.txt": b"no"},
    }
    _fill(_as_account(_client("s3", moto_endpoint, **ADMIN), OTHER_ACCOUNT), contents)
    with _authorization(moto_endpoint):
        yield result


def _run_script(deployed: dict[str, Any], **overrides: str) -> subprocess.CompletedProcess[str]:
    _enable_auth(deployed["endpoint"], True)
    return subprocess.run(
        [sys.executable, str(deployed["script"])],
        env={**deployed["env"], **overrides},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _web_identity_s3(deployed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """An S3 client whose credentials come from botocore's web-identity provider, as in the pod."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key in ("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
        monkeypatch.setenv(key, deployed["env"][key])
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    session = boto3.Session()
    credentials = session.get_credentials()
    assert credentials.method == "assume-role-with-web-identity"
    _enable_auth(deployed["endpoint"], True)
    credentials.get_frozen_credentials()  # the web-identity exchange, now
    return session.client("s3")


def test_job_script_succeeds_inside_its_grant(deployed: dict[str, Any]) -> None:
    result = _run_script(deployed)
    assert result.returncode == 0, result.stderr
    assert "caller identity: arn:aws:sts::123456789012:assumed-role/irsa-e2e-uploader/" in result.stdout
    written = [line for line in result.stdout.splitlines() if line.startswith("wrote s3://app-uploads/in/")]
    assert written and "irsa verification succeeded" in result.stdout
    key = written[0].removeprefix("wrote s3://app-uploads/")
    admin = _client("s3", deployed["endpoint"], **deployed["admin"])
    assert admin.get_object(Bucket="app-uploads", Key=key)["Body"].read().startswith(b"written by the irsa")


@pytest.mark.parametrize(
    "overrides",
    [{"IRSA_CHECK_PREFIX": "elsewhere/"}, {"IRSA_CHECK_BUCKET": "other-bucket"}],
    ids=["another-prefix", "another-bucket"],
)
def test_job_script_fails_outside_its_grant(deployed: dict[str, Any], overrides: dict[str, str]) -> None:
    result = _run_script(deployed, **overrides)
    assert result.returncode == 1
    assert "irsa verification failed" in result.stderr and "AccessDenied" in result.stderr


def test_same_credentials_are_denied_forbidden_actions(
    deployed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = _web_identity_s3(deployed, monkeypatch)
    s3.put_object(Bucket="app-uploads", Key="in/allowed.txt", Body=b"ok")  # inside the grant
    denied = [
        lambda: s3.put_object(Bucket="app-uploads", Key="elsewhere/x.txt", Body=b"no"),
        lambda: s3.put_object(Bucket="other-bucket", Key="in/x.txt", Body=b"no"),
        lambda: s3.get_object(Bucket="app-uploads", Key="in/existing.txt"),  # write-only grant
        lambda: s3.delete_object(Bucket="app-uploads", Key="in/existing.txt"),
        lambda: s3.list_objects_v2(Bucket="app-uploads"),
    ]
    for call in denied:
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "AccessDenied"


def test_job_script_chains_into_the_other_account_inside_its_grant(deployed_cross: dict[str, Any]) -> None:
    result = _run_script(deployed_cross)
    assert result.returncode == 0, result.stderr
    assert f"chained into: arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/reports-reader/" in result.stdout
    assert "listed s3://finance-reports/monthly/ and read monthly/2026-10.csv" in result.stdout


# The external ID and the trusted principal are trust-policy conditions, which moto does not evaluate:
# tests/test_pod_identity_cross_account.py proves them with the trust evaluator.
@pytest.mark.parametrize(
    "overrides",
    [{"IRSA_CHAIN_PREFIX": "annual/"}, {"IRSA_CHAIN_BUCKET": "finance-secrets"}],
    ids=["another-prefix", "another-bucket"],
)
def test_chained_credentials_are_denied_outside_the_grant(
    deployed_cross: dict[str, Any], overrides: dict[str, str]
) -> None:
    result = _run_script(deployed_cross, **overrides)
    assert result.returncode == 1, result.stdout
    assert "AccessDenied" in result.stderr


def test_write_cannot_sync_and_sync_can(deployed: dict[str, Any]) -> None:
    """`aws s3 sync` lists before it writes: a write grant is refused that, a sync grant allows exactly it."""
    from components.core.documents import s3_policy, to_json
    from components.core.model import S3Grant

    refused = _run_script(deployed, IRSA_CHECK_ACCESS="sync")
    assert refused.returncode == 1 and "AccessDenied" in refused.stderr  # ListBucket is not in a write grant
    iam = _client("iam", deployed["endpoint"], **deployed["admin"])
    role = "irsa-e2e-uploader"
    [name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    original = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    sync = to_json(s3_policy([S3Grant("app-uploads", "in/", "sync")], "aws"))
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=sync)
    try:
        synced = _run_script(deployed, IRSA_CHECK_ACCESS="sync")
        outside = _run_script(deployed, IRSA_CHECK_ACCESS="sync", IRSA_CHECK_PREFIX="elsewhere/")
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(original))
    assert synced.returncode == 0, synced.stderr
    assert outside.returncode == 1 and "AccessDenied" in outside.stderr


def test_the_job_proves_an_sqs_grant_and_its_edge(deployed: dict[str, Any]) -> None:
    """moto 5 checks resources for SQS (and S3, IAM, STS); for DynamoDB, Secrets Manager, SSM, KMS and SNS it
    compares actions with Resource "*" only, so a scoped grant cannot be proven allowed there: those checks
    are proven with the IAM evaluator (tests/test_service_grants.py), and this one on the emulator."""
    from components.core import service_grants
    from components.core.documents import to_json
    from components.core.grant_kinds import registry
    from components.core.grant_kinds.sqs import QueueGrant

    admin = {k: v for k, v in deployed["admin"].items()}
    sqs = _client("sqs", deployed["endpoint"], **admin)
    _enable_auth(deployed["endpoint"], False)
    for name in ("jobs", "jobs-irsa-outside"):
        sqs.create_queue(QueueName=name)
    grants = service_grants.ServiceGrants(kinds=(("sqs", (QueueGrant("jobs", "consume"),)),))
    place = service_grants.Place("aws", REGION, "123456789012")
    document = {"Version": "2012-10-17", "Statement": registry.statements(grants, place)}
    checks = registry.verification_checks(grants, place)
    assert [c["expect"] for c in checks] == ["allowed", "denied"]
    iam = _client("iam", deployed["endpoint"], **admin)
    role = "irsa-e2e-uploader"
    [name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    original = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=to_json(document))
    try:
        proven = _run_script(deployed, IRSA_CHECK_BUCKET="", IRSA_CHECKS=json.dumps(checks))
        too_wide = [{**checks[1], "expect": "allowed"}]  # the edge really is denied: claiming it allowed fails
        refuted = _run_script(deployed, IRSA_CHECK_BUCKET="", IRSA_CHECKS=json.dumps(too_wide))
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(original))
    assert proven.returncode == 0, proven.stderr
    assert "allowed as expected: sqs:get_queue_attributes" in proven.stdout
    assert "denied as expected: sqs:get_queue_attributes" in proven.stdout
    assert (
        refuted.returncode == 1 and "jobs-irsa-outside" in refuted.stderr and "expected allowed, got" in refuted.stderr
    )


def test_the_job_writes_with_the_grants_kms_key(deployed: dict[str, Any]) -> None:
    # What S3 receives from the Job for a kmsKey grant: a real SSE-KMS PutObject under that key. (moto does
    # not check the KMS half through S3; the key statement is proven with the IAM evaluator.)
    _enable_auth(deployed["endpoint"], False)
    key = _client("kms", deployed["endpoint"], **deployed["admin"]).create_key()["KeyMetadata"]["Arn"]
    result = _run_script(deployed, IRSA_CHECK_KMS_KEY=key)
    assert result.returncode == 0, result.stderr
    [written] = [line for line in result.stdout.splitlines() if line.startswith("wrote s3://app-uploads/in/")]
    assert written.endswith(f"(SSE-KMS, {key})")
    object_key = written.split(" ")[1].removeprefix("s3://app-uploads/")
    _enable_auth(deployed["endpoint"], False)
    head = _client("s3", deployed["endpoint"], **deployed["admin"]).head_object(Bucket="app-uploads", Key=object_key)
    assert head["ServerSideEncryption"] == "aws:kms" and key.endswith(head["SSEKMSKeyId"].split("/")[-1])
    _enable_auth(deployed["endpoint"], True)


@pytest.mark.parametrize("role,succeeds", [("irsa-e2e-uploader", True), ("irsa-e2e-other", False)])
def test_the_job_checks_which_role_it_acts_as(deployed: dict[str, Any], role: str, succeeds: bool) -> None:
    """A Pod Identity target role: the Job must act as it. STS (moto) names the session; the script must read it."""
    result = _run_script(deployed, IRSA_EXPECT_ROLE_ARN=f"arn:aws:iam::123456789012:role/workloads/{role}")
    assert (result.returncode == 0) == succeeds, result.stderr
    if not succeeds:
        assert "not as the target role arn:aws:iam::123456789012:role/workloads/irsa-e2e-other" in result.stderr
