"""Fifty Pod Identity workloads on five shared roles under the real engine: `pulumi up` deploys five roles (in moto)
holding the unions and fifty associations whose session policies are the plan's; each workload's rendered Job,
run with the credentials the Pod Identity agent would hand its pod (the shared role, limited by the association's
policy, from moto's AssumeRole), writes its own prefix and is denied its neighbour's.

A role shared by an S3 writer and an SQS sender: each Job is denied its neighbour's grant of the other kind.

moto applies the session policy through tests/moto_session_policies.py (moto alone ignores it); the IAM simulator
judges the same documents in tests/test_shared_roles.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from harness import ACCOUNT, Project, moto_iam

from components.cli.plan import run_plan
from components.core.settings import parse_settings

STACK = "fleet"
REGION = "ap-northeast-2"
TEAMS, PER_TEAM = 5, 10
ADMIN = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"


def fleet() -> dict[str, Any]:
    """A platform of 50 workloads, 10 per team, each team's on one shared role, each writing its own prefix of
    its team's bucket (the shipped shared-roles stack's cluster, which the stand-ins know)."""
    workloads = [
        {"name": f"t{t}-app{i}", "namespace": f"team{t}", "serviceAccount": f"app{i}", "createNamespace": i == 0,
         "sharedRole": f"team{t}", "s3": [{"bucket": f"fleet-team{t}", "prefix": f"app{i}/", "access": "write"}]}
        for t in range(TEAMS) for i in range(PER_TEAM)
    ]  # fmt: skip
    return {
        "aws:region": REGION,
        "irsa:accountId": ACCOUNT,
        "irsa:cluster": {"kind": "eks", "name": "media-cluster", "mechanism": "pod-identity"},
        "irsa:workloads": workloads,
    }


def _authorization(url: str, after: str) -> None:
    """moto checks IAM policies after this many more requests ("inf": never)."""
    request = urllib.request.Request(f"{url}/moto-api/reset-auth", data=after.encode(), method="POST",
                                     headers={"Content-Type": "text/plain"})  # fmt: skip
    urllib.request.urlopen(request, timeout=10).read()


def _job_run(
    rendered: dict[str, Any], sts: Any, moto_url: str, tmp_path: Path, job: str, association: dict[str, Any]
) -> tuple[str, dict[str, str]]:
    """A rendered Job (`namespace/workload`) as a local run: its script and environment, with the credentials the
    Pod Identity agent would hand its pod (the association's role limited by its policy: moto's AssumeRole keeps
    it)."""
    namespace, workload = job.split("/")
    spec = rendered[f"Job/{namespace}/{workload}-irsa-verify"]
    script = rendered[f"ConfigMap/{namespace}/{workload}-irsa-verify"]["data"]["verify_s3.py"]
    env = {e["name"]: e["value"] for e in spec["spec"]["template"]["spec"]["containers"][0]["env"]}
    found = sts.assume_role(RoleArn=association["roleArn"], RoleSessionName=f"eks-{workload}",
                            Policy=association["policy"])["Credentials"]  # fmt: skip
    script_file = tmp_path / f"{workload}.py"
    script_file.write_text(script)
    env.update(AWS_ACCESS_KEY_ID=found["AccessKeyId"], AWS_SECRET_ACCESS_KEY=found["SecretAccessKey"],
               AWS_SESSION_TOKEN=found["SessionToken"], AWS_ENDPOINT_URL=moto_url, AWS_REGION=REGION,
               AWS_DEFAULT_REGION=REGION,  # the EKS Pod Identity webhook sets both
               IRSA_RETRY_SECONDS="5", PATH=os.environ.get("PATH", ""), HOME=str(tmp_path),
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)  # fmt: skip
    return str(script_file), env


def _with_the_role_alone(
    sts: Any, moto_url: str, role_arn: str, run: tuple[str, dict[str, str]]
) -> subprocess.CompletedProcess[str]:
    """The same Job run with the role's credentials and no session policy (moto's checks on again after)."""
    _authorization(moto_url, "inf")
    whole = sts.assume_role(RoleArn=role_arn, RoleSessionName="no-policy")["Credentials"]
    _authorization(moto_url, "0")
    script_path, env = run
    unlimited = {**env, "AWS_ACCESS_KEY_ID": whole["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": whole["SecretAccessKey"],
                 "AWS_SESSION_TOKEN": whole["SessionToken"]}  # fmt: skip
    return subprocess.run([sys.executable, script_path], env=unlimited, capture_output=True, text=True, timeout=120)


def test_fifty_workloads_on_five_shared_roles_each_get_only_their_own_grant(
    project: Project, moto_url: str, tmp_path: Path
) -> None:
    config = fleet()
    project.init(STACK)
    project.set_stack_config(STACK, config)
    project.pulumi("up", "--yes", "--stack", STACK, timeout=1200)

    iam = moto_iam(moto_url)
    roles = sorted(r["RoleName"] for r in iam.list_roles()["Roles"])
    assert roles == [f"irsa-{STACK}-team{t}" for t in range(TEAMS)]
    for role in roles:
        [name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
        union = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        union = json.loads(union) if isinstance(union, str) else union
        assert len(union["Statement"]) == PER_TEAM  # one write statement per workload on it

    planned = {r["inputs"]["serviceAccount"] + "@" + r["inputs"]["namespace"]: r["inputs"]
               for r in run_plan(parse_settings(config, STACK)).to_dict()["resources"] if r["type"] == ASSOCIATION}
    deployed = {r["inputs"]["serviceAccount"] + "@" + r["inputs"]["namespace"]: r["inputs"]
                for r in project.state(STACK)["deployment"]["resources"] if r["type"] == ASSOCIATION}  # fmt: skip
    assert len(deployed) == TEAMS * PER_TEAM
    for key, inputs in deployed.items():
        assert inputs["policy"] == planned[key]["policy"], key  # the offline plan's session policy, byte for byte
        assert inputs["disableSessionTags"] is True
        assert inputs["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/irsa-{STACK}-team{key.split('@team')[1]}"

    s3 = boto3.client("s3", endpoint_url=moto_url, **ADMIN)
    for t in range(TEAMS):
        s3.create_bucket(Bucket=f"fleet-team{t}", CreateBucketConfiguration={"LocationConstraint": REGION})
    rendered = project.rendered()
    sts = boto3.client("sts", endpoint_url=moto_url, **ADMIN)
    runs: list[tuple[str, dict[str, str]]] = []
    for key, inputs in sorted(deployed.items()):
        sa, namespace = key.split("@")
        workload = f"t{namespace.removeprefix('team')}-{sa}"
        run = _job_run(rendered, sts, moto_url, tmp_path, f"{namespace}/{workload}", inputs)
        checks = json.loads(run[1]["IRSA_CHECKS"])
        assert [c["expect"] for c in checks] == ["denied"] and checks[0]["params"]["Bucket"] == f"fleet-{namespace}"
        runs.append(run)

    _authorization(moto_url, "0")
    try:
        for script_path, env in runs:
            done = subprocess.run([sys.executable, script_path], env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "irsa verification succeeded" in done.stdout
            assert "denied as expected: s3:put_object" in done.stdout, done.stdout
        # The same Job without the session policy (the role alone) is not denied its neighbour's prefix: the
        # association's policy is what limits it.
        done = _with_the_role_alone(sts, moto_url, f"arn:aws:iam::{ACCOUNT}:role/irsa-{STACK}-team0", runs[0])
        assert done.returncode == 1 and "expected denied" in done.stderr + done.stdout, done.stdout
    finally:
        _authorization(moto_url, "inf")

    project.pulumi("destroy", "--yes", "--stack", STACK, timeout=1200)
    assert iam.list_roles()["Roles"] == []


def test_a_shared_role_of_two_kinds_denies_each_workload_its_neighbours_queue_or_prefix(
    project: Project, moto_url: str, tmp_path: Path
) -> None:
    """One role for an S3 writer and an SQS sender: the writer's Job is denied the sender's queue (a neighbour
    check of another kind, `registry.denied_neighbour_check`), the sender's Job proves its queue and is denied the
    writer's prefix; with the role alone the writer's Job is let into the queue."""
    config = {
        "aws:region": REGION,
        "irsa:accountId": ACCOUNT,
        "irsa:cluster": {"kind": "eks", "name": "media-cluster", "mechanism": "pod-identity"},
        "irsa:workloads": [
            {"name": "uploader", "namespace": "mix", "serviceAccount": "uploader", "createNamespace": True,
             "sharedRole": "mix", "s3": [{"bucket": "mix-media", "prefix": "uploads/", "access": "write"}]},
            {"name": "notifier", "namespace": "mix", "serviceAccount": "notifier", "sharedRole": "mix",
             "sqs": [{"queue": "mix-events", "access": "send"}]},
        ],
    }  # fmt: skip
    project.init("mixed")
    project.set_stack_config("mixed", config)
    project.pulumi("up", "--yes", "--stack", "mixed", timeout=900)
    deployed = {r["inputs"]["serviceAccount"]: r["inputs"]
                for r in project.state("mixed")["deployment"]["resources"] if r["type"] == ASSOCIATION}  # fmt: skip
    assert set(deployed) == {"uploader", "notifier"}
    boto3.client("s3", endpoint_url=moto_url, **ADMIN).create_bucket(
        Bucket="mix-media", CreateBucketConfiguration={"LocationConstraint": REGION})
    sqs = boto3.client("sqs", endpoint_url=moto_url, **ADMIN)
    for queue in ("mix-events", "mix-events-irsa-outside"):  # the sender's, and the one its Job is denied
        sqs.create_queue(QueueName=queue)
    rendered = project.rendered()
    sts = boto3.client("sts", endpoint_url=moto_url, **ADMIN)
    runs = {sa: _job_run(rendered, sts, moto_url, tmp_path, f"mix/{sa}", inputs) for sa, inputs in deployed.items()}

    _authorization(moto_url, "0")
    try:
        outputs = {}
        for sa, (script_path, env) in runs.items():
            done = subprocess.run([sys.executable, script_path], env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stdout + done.stderr
            outputs[sa] = done.stdout
        assert "denied as expected: sqs:get_queue_attributes" in outputs["uploader"], outputs["uploader"]
        assert "allowed as expected: sqs:get_queue_attributes" in outputs["notifier"], outputs["notifier"]
        assert "denied as expected: s3:put_object" in outputs["notifier"], outputs["notifier"]
        done = _with_the_role_alone(sts, moto_url, deployed["uploader"]["roleArn"], runs["uploader"])
        assert done.returncode == 1 and "expected denied" in done.stderr + done.stdout, done.stdout
    finally:
        _authorization(moto_url, "inf")
    project.pulumi("destroy", "--yes", "--stack", "mixed", timeout=900)
