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


def test_a_role_path_change_deploys_deleting_the_named_role_first(project: Project) -> None:
    """The bridge deletes a replaced role whose name the program gave before it creates the new one (the
    stand-in decides as the bridge's code does), so `up` succeeds where creating first would fail with
    EntityAlreadyExists; in between the workload has no role: its pods' credential calls fail until it exists."""
    stack = "dev"
    project.init(stack)
    project.pulumi("up", "--yes", "--stack", stack)
    url = json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"]
    before = moto_iam(url).get_role(RoleName="irsa-dev-s3-writer")["Role"]
    document = yaml.safe_load(project.stack_file(stack).read_text())
    document["config"].setdefault("irsa:defaults", {})["rolePath"] = "/workloads/"
    project.stack_file(stack).write_text(yaml.safe_dump(document, sort_keys=False))

    steps = project.pulumi("preview", "--stack", stack, "--json").json()["steps"]
    replaced = {s["urn"].rsplit("::", 1)[-1] for s in steps if s["op"] == "replace"}
    # what takes the role's name or ARN on an input that replaces goes with it (irsa's diff says the same:
    # tests/engine/test_diff_agrees.py); a create-first replacement would list create-replacement too
    assert replaced == {"s3-writer-role", "s3-writer-policy", "s3-writer-sa", "s3-writer-verify-job"}
    assert not [s for s in steps if s["op"] == "create-replacement"]
    project.pulumi("up", "--yes", "--stack", stack)  # creating first would fail: EntityAlreadyExists
    after = moto_iam(url).get_role(RoleName="irsa-dev-s3-writer")["Role"]
    assert (before["Path"], after["Path"]) == ("/", "/workloads/")
    assert after["RoleId"] != before["RoleId"]  # a new role: trusts naming the old unique ID no longer match it
    assert after["Arn"] == "arn:aws:iam::123456789012:role/workloads/irsa-dev-s3-writer"
    project.pulumi("preview", "--stack", stack, "--expect-no-changes")
