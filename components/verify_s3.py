"""Verification Job script: prove the pod's web identity reaches its S3 grant.

Runs inside the Job's pod (mounted from a ConfigMap) with boto3's default credential chain,
which reads AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (IRSA) or the Pod Identity Agent's
variables. Exit 0 on success, 1 with the AWS error otherwise. Configured by IRSA_CHECK_BUCKET (none: identity only),
IRSA_CHECK_PREFIX, IRSA_CHECK_ACCESS (read | write | read-write | sync) and IRSA_RETRY_SECONDS (default
120); with IRSA_CHAIN_ROLE_ARN (and IRSA_CHAIN_EXTERNAL_ID) it then assumes that role, e.g. in
another account, and checks IRSA_CHAIN_BUCKET / IRSA_CHAIN_PREFIX / IRSA_CHAIN_ACCESS there. With
IRSA_EXPECT_ROLE_ARN the caller must first be a session of that role (a Pod Identity target role).
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import sys
import time

import boto3
from botocore.exceptions import BotoCoreError, ClientError

# New roles and providers take seconds to propagate through IAM: retry these, fail fast on others.
RETRYABLE = {"AccessDenied", "InvalidIdentityToken", "IDPCommunicationError", "Throttling"}


def caller_identity(retry_seconds: float) -> dict:
    """STS GetCallerIdentity, retried with backoff while IAM propagates."""
    deadline = time.monotonic() + retry_seconds
    delay = 2.0
    while True:
        try:
            return boto3.client("sts").get_caller_identity()
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code not in RETRYABLE or time.monotonic() + delay > deadline:
                raise
            print(f"waiting for IAM: {code}; retrying in {delay:.0f}s", flush=True)
            time.sleep(delay)
            delay = min(delay * 2, 30.0)


def check_s3(bucket: str, prefix: str, access: str, session: boto3.Session | None = None, kms_key: str = "") -> str:
    """Write a timestamped object inside a write grant (listing first for sync; encrypted with the grant's
    KMS key when it has one), or list inside a read grant."""
    s3 = (session or boto3).client("s3")
    if access == "sync":  # `aws s3 sync` lists the destination before it writes
        s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1)
    if access in ("write", "read-write", "sync"):
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        key = f"{prefix}irsa-verification-{stamp}.txt"
        body = f"written by the irsa verification Job at {stamp}\n".encode()
        encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key} if kms_key else {}
        s3.put_object(Bucket=bucket, Key=key, Body=body, **encryption)
        return f"wrote s3://{bucket}/{key}" + (f" (SSE-KMS, {kms_key})" if kms_key else "")
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=5)
    keys = [item["Key"] for item in listing.get("Contents", [])]
    if keys:
        s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read(1)
        return f"listed s3://{bucket}/{prefix} and read {keys[0]}"
    return f"listed s3://{bucket}/{prefix} (empty)"


DENIED = {"AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation"}


def _param(value: object, account: str, region: str) -> object:
    """A check's parameter: bytes from {"base64": ...}, a queue URL from {"queue_url": name}, else as is."""
    if isinstance(value, dict) and "base64" in value:
        return base64.b64decode(value["base64"])
    if isinstance(value, dict) and "queue_url" in value:
        return f"https://sqs.{region}.amazonaws.com/{account}/{value['queue_url']}"
    return value


def run_checks(checks: list[dict], account: str = "", session: boto3.Session | None = None) -> list[str]:
    """Each check's call with its params; "allowed" fails only on an access-denied error, "denied" only
    without one. Returns one line per check; raises RuntimeError naming the first that failed."""
    lines = []
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "")
    for check in checks:
        params = {k: _param(v, account, region) for k, v in check["params"].items()}
        target = f"{check['service']}:{check['call']} {json.dumps(check['params'], sort_keys=True)}"
        status = 200
        try:
            client = (session or boto3).client(check["service"])
            if check["call"] == "round_trip":  # KMS: decrypt the blob this call encrypted
                blob = client.encrypt(**params)["CiphertextBlob"]
                client.decrypt(KeyId=params["KeyId"], CiphertextBlob=blob)
            else:
                getattr(client, check["call"])(**params)
            code = "ok"
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "") or "error"
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        # 403 too: some protocols (SQS's JSON one on emulators) carry no error code
        denied = code in DENIED or "AccessDenied" in code or status == 403
        if (check["expect"] == "denied") != denied:
            raise RuntimeError(f"{target}: expected {check['expect']}, got {code}")
        lines.append(f"{check['expect']} as expected: {target} ({code})")
    return lines


def chained_session(role_arn: str, external_id: str | None) -> boto3.Session:
    """Credentials of `role_arn`, assumed with the pod's own identity (retried while IAM propagates)."""
    extra = {"ExternalId": external_id} if external_id else {}
    deadline = time.monotonic() + float(os.environ.get("IRSA_RETRY_SECONDS", "120"))
    delay = 2.0
    while True:
        try:
            creds = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="irsa-verification", **extra)
            break
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "AccessDenied" or time.monotonic() + delay > deadline:
                raise
            print(f"waiting for IAM to allow {role_arn}; retrying in {delay:.0f}s", flush=True)
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
    c = creds["Credentials"]
    return boto3.Session(
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )


def not_the_expected_role(caller_arn: str, role_arn: str) -> str:
    """Why the caller is not a session of `role_arn` (a Pod Identity target role), or "" when it is."""
    if not role_arn:
        return ""
    parts = role_arn.split(":")
    expected = f"arn:{parts[1]}:sts::{parts[4]}:assumed-role/{parts[5].rsplit('/', 1)[-1]}/"
    if caller_arn.startswith(expected):
        return ""
    return f"the pod acts as {caller_arn}, not as the target role {role_arn} (check the association's targetRoleArn)"


def main() -> int:
    bucket = os.environ.get("IRSA_CHECK_BUCKET", "")
    prefix = os.environ.get("IRSA_CHECK_PREFIX", "")
    access = os.environ.get("IRSA_CHECK_ACCESS", "read")
    retry_seconds = float(os.environ.get("IRSA_RETRY_SECONDS", "120"))
    try:
        identity = caller_identity(retry_seconds)
        print(f"caller identity: {identity['Arn']} (account {identity['Account']})", flush=True)
        wrong = not_the_expected_role(identity["Arn"], os.environ.get("IRSA_EXPECT_ROLE_ARN", ""))
        if wrong:
            print(f"irsa verification failed: {wrong}", file=sys.stderr, flush=True)
            return 1
        if bucket:
            print(check_s3(bucket, prefix, access, kms_key=os.environ.get("IRSA_CHECK_KMS_KEY", "")), flush=True)
        for line in run_checks(json.loads(os.environ.get("IRSA_CHECKS", "[]")), identity["Account"]):
            print(line, flush=True)
        chain = os.environ.get("IRSA_CHAIN_ROLE_ARN")
        if chain:
            session = chained_session(chain, os.environ.get("IRSA_CHAIN_EXTERNAL_ID"))
            identity = session.client("sts").get_caller_identity()
            print(f"chained into: {identity['Arn']} (account {identity['Account']})", flush=True)
            print(
                check_s3(
                    os.environ["IRSA_CHAIN_BUCKET"],
                    os.environ.get("IRSA_CHAIN_PREFIX", ""),
                    os.environ.get("IRSA_CHAIN_ACCESS", "read"),
                    session,
                ),
                flush=True,
            )
    except (ClientError, BotoCoreError) as error:
        print(f"irsa verification failed: {error}", file=sys.stderr, flush=True)
        return 1
    except Exception as error:  # noqa: BLE001 - a Job log line beats a traceback for any other failure
        print(f"irsa verification failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    print("irsa verification succeeded", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
