"""The verification Job `pulumi up` rendered (real Kubernetes provider) proves the chain against the role `pulumi up`
created (in moto): its script, unmodified, with the Job's own environment and a token from the local test issuer.

moto enforces the role's permission policy once authorization is on; it accepts any token and ignores trust
policies, so this proves the permission side (trust is proven by the IAM simulator and doctor).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from harness import Project
from oidc_issuer import LocalIssuer

REGION = "ap-northeast-2"
ADMIN = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _authorization(url: str, enabled: bool) -> None:
    """moto checks IAM policies from the next request on (the web-identity exchange, unsigned, goes through)."""
    request = urllib.request.Request(
        f"{url}/moto-api/reset-auth", data=b"1" if enabled else b"inf", method="POST",
        headers={"Content-Type": "text/plain"},
    )  # fmt: skip
    urllib.request.urlopen(request, timeout=10).read()


@contextmanager
def _enforced(url: str) -> Iterator[None]:
    try:
        yield
    finally:
        _authorization(url, False)


def _job(project: Project, workload: str, namespace: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The rendered Job's script, environment and token volume."""
    rendered = project.rendered()
    job = rendered[f"Job/{namespace}/{workload}-irsa-verify"]
    script = rendered[f"ConfigMap/{namespace}/{workload}-irsa-verify"]["data"]["verify_s3.py"]
    pod = job["spec"]["template"]["spec"]
    env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
    (token,) = [v for v in pod["volumes"] if "projected" in v]
    return script, env, token["projected"]["sources"][0]["serviceAccountToken"]


def _run(script: Path, env: dict[str, str], **overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script)], env={**env, **overrides}, capture_output=True, text=True, timeout=120
    )


def test_the_rendered_job_proves_the_deployed_role(project: Project, moto_url: str, tmp_path: Path) -> None:
    project.init("staging")
    project.pulumi("up", "--yes", "--stack", "staging")
    script_text, env, token = _job(project, "uploader", "apps")
    assert env["AWS_ROLE_ARN"] == "arn:aws:iam::123456789012:role/irsa-staging-uploader"

    s3 = boto3.client("s3", endpoint_url=moto_url, region_name=REGION, **ADMIN)
    for bucket in ("staging-app-uploads", "staging-app-config", "other-bucket"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    iam = boto3.client("iam", endpoint_url=moto_url, region_name=REGION, **ADMIN)
    iam.create_user(UserName="admin")
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps(everything))

    fixtures = json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())
    issuer = fixtures["aksClusters"]["staging-aks"]["issuer"]
    token_file = tmp_path / env["AWS_WEB_IDENTITY_TOKEN_FILE"].lstrip("/")
    token_file.parent.mkdir(parents=True)
    token_file.write_text(LocalIssuer([issuer], tmp_path).token(issuer, "apps", "uploader", [token["audience"]]))
    script = tmp_path / "verify_s3.py"
    script.write_text(script_text)
    env.update(
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file), AWS_ENDPOINT_URL=moto_url, IRSA_RETRY_SECONDS="5",
        PATH=os.environ.get("PATH", ""), HOME=str(tmp_path), AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )  # fmt: skip

    with _enforced(moto_url):
        _authorization(moto_url, True)
        proved = _run(script, env)
        assert proved.returncode == 0, proved.stdout + proved.stderr
        assert "caller identity: arn:aws:sts::123456789012:assumed-role/irsa-staging-uploader/" in proved.stdout
        assert "irsa verification succeeded" in proved.stdout
        for outside in ({"IRSA_CHECK_PREFIX": "elsewhere/"}, {"IRSA_CHECK_BUCKET": "other-bucket"}):
            _authorization(moto_url, True)
            refused = _run(script, env, **outside)
            assert refused.returncode == 1, refused.stdout
            assert "AccessDenied" in refused.stderr
