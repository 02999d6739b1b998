"""With a role path, the roles `pulumi up` creates are where the workload's policy and the trusts say they are:
read back from moto, judged by the IAM simulator."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from harness import Project, moto_iam
from simulator import Request, decide


def test_a_workload_may_assume_the_cross_account_role_at_its_real_arn(project: Project) -> None:
    stack = "cross-account"
    project.init(stack)
    document = yaml.safe_load(project.stack_file(stack).read_text())
    document["config"]["irsa:defaults"] = {"rolePath": "/workloads/"}
    project.stack_file(stack).write_text(yaml.safe_dump(document, sort_keys=False))
    project.pulumi("up", "--yes", "--stack", stack)

    url = json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"]
    iam = moto_iam(url)
    reader = moto_iam(url, "210987654321").get_role(RoleName="analytics-report-reader")["Role"]
    builder = iam.get_role(RoleName="irsa-cross-account-report-builder")["Role"]
    assert reader["Path"] == builder["Path"] == "/workloads/"
    policies = [
        iam.get_role_policy(RoleName=builder["RoleName"], PolicyName=name)["PolicyDocument"]
        for name in iam.list_role_policies(RoleName=builder["RoleName"])["PolicyNames"]
    ]
    external = {"sts:ExternalId": "analytics-reports-2026"}
    assert reader["Arn"] == "arn:aws:iam::210987654321:role/workloads/analytics-report-reader"
    assume = Request(builder["Arn"], "sts:AssumeRole", reader["Arn"], "210987654321", external)
    [decisions] = decide(
        [(reader["AssumeRolePolicyDocument"], [assume])],
        identity=policies,
    )
    assert decisions == ["Allowed"]
