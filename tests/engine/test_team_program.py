"""The component door under the real engine, not the stack file: a team's own Python program
(examples/python-team) and a Pulumi YAML program through the component package (examples/yaml-team), each
another Pulumi project on the platform's backend, reading it through a real StackReference. What the engine
deployed is read back: roles from moto, manifests from what the real Kubernetes provider rendered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness import Project, moto_iam, program_beside


def _iam(project: Project) -> Any:
    return moto_iam(json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"])


def _deployed_on_the_platform(project: Project, folder: str) -> tuple[dict[str, Any], Project, dict[str, Any]]:
    """The platform stack deployed, then the program in `folder` on it: the platform's irsaPlatform output, the
    program's project, and the role it exported (roleArn) as moto holds it."""
    project.init("platform")
    project.pulumi("up", "--yes", "--stack", "platform")
    contract = project.pulumi("stack", "output", "--json", "--stack", "platform").json()["irsaPlatform"]
    team = program_beside(project, folder)
    team.pulumi("stack", "init", "dev")
    team.pulumi("up", "--yes", "--stack", "dev")
    role_arn = team.pulumi("stack", "output", "roleArn", "--stack", "dev").stdout.strip()
    role = _iam(project).get_role(RoleName=role_arn.rsplit("/", 1)[1])["Role"]
    assert role["Arn"] == role_arn
    return contract, team, role


def _trusts_only(role: dict[str, Any], cluster: dict[str, Any], subject: str) -> None:
    """The role trusts the platform cluster's provider, for that subject and audience only."""
    [statement] = role["AssumeRolePolicyDocument"]["Statement"]
    issuer = cluster["issuerUrl"].removeprefix("https://")
    assert statement["Principal"]["Federated"] == cluster["oidcProviderArn"]
    assert statement["Condition"]["StringEquals"] == {f"{issuer}:sub": subject, f"{issuer}:aud": cluster["audience"]}


def test_a_team_program_composes_workload_identity_on_the_platform(project: Project) -> None:
    contract, team, role = _deployed_on_the_platform(project, "examples/python-team")
    aks, role_arn = contract["clusters"]["shared-aks"], role["Arn"]
    assert role["Path"] == "/apps/"
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == contract["defaults"]["permissionsBoundary"]
    assert {t["Key"]: t["Value"] for t in role.get("Tags", [])} == contract["defaults"]["tags"]
    _trusts_only(role, aks, "system:serviceaccount:reports:reports")

    rendered = team.rendered()
    pod = rendered["Deployment/reports/reports"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "reports"
    [container] = pod["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["AWS_ROLE_ARN"] == role_arn  # the role moto holds, not a placeholder or a hand-copied ARN
    [token] = [v for v in pod["volumes"] if "projected" in v]
    source = token["projected"]["sources"][0]["serviceAccountToken"]
    assert source["audience"] == aks["audience"]  # AKS: no webhook, the pod carries the token itself
    [mount] = [m for m in container["volumeMounts"] if m["name"] == token["name"]]
    assert env["AWS_WEB_IDENTITY_TOKEN_FILE"] == f"{mount['mountPath']}/{source['path']}"
    assert "ServiceAccount/reports/reports" in rendered

    team.pulumi("preview", "--stack", "dev", "--expect-no-changes")


def test_a_pulumi_yaml_program_uses_the_component_package(project: Project) -> None:
    """The component package under the real engine: Pulumi YAML's language host loads its schema from the
    plugin (the Python provider, started through the language host), and the engine constructs WorkloadIdentity
    in it on the deployed platform's EKS cluster."""
    contract, team, role = _deployed_on_the_platform(project, "examples/yaml-team")
    eks, role_arn = contract["clusters"]["shared-eks"], role["Arn"]
    iam = _iam(project)
    _trusts_only(role, eks, "system:serviceaccount:orders:orders-api")
    [policy_name] = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
    document = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=policy_name)["PolicyDocument"]
    listed = [s["Action"] for s in document["Statement"]]
    actions = {a for found in listed for a in ([found] if isinstance(found, str) else found)}
    assert {"s3:PutObject", "dynamodb:PutItem", "ecr:BatchGetImage", "ecr:GetAuthorizationToken"} <= actions
    account = eks["oidcProviderArn"].split(":")[4]  # the grant's table ARN resolves in the platform's account
    assert f"arn:aws:dynamodb:eu-west-1:{account}:table/orders" in json.dumps(document)
    # the ecr grant, typed through the schema's EcrGrant: pulls on its repository only, the login on "*"
    [pulls] = [s for s in document["Statement"] if s["Sid"] == "Repositories"]
    assert pulls["Resource"] in (f"arn:aws:ecr:eu-west-1:{account}:repository/orders/api",
                                 [f"arn:aws:ecr:eu-west-1:{account}:repository/orders/api"])  # fmt: skip
    rendered = team.rendered()
    sa = rendered["ServiceAccount/orders/orders-api"]
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == role_arn
    # splice_token_fragment left to its default, decided by the platform's issuer once the StackReference
    # resolves: an EKS issuer, whose webhook injects the token, so the Job's pod carries none of its own.
    pod = rendered["Job/orders/orders-irsa-verify"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "orders-api"
    assert not [v for v in pod.get("volumes", []) if "projected" in v]
    assert "AWS_WEB_IDENTITY_TOKEN_FILE" not in {e["name"] for e in pod["containers"][0].get("env", [])}
    # A YAML program can only have WorkloadIdentity constructed by the component package's provider: its
    # children sit beneath it, and the typed output `role` reaches the program as that Role.
    resources = team.state("dev")["deployment"]["resources"]
    [component] = [r for r in resources if r["type"] == "irsa:index:WorkloadIdentity"]
    children = {r["type"]: r for r in resources if r.get("parent") == component["urn"]}
    assert {"aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "kubernetes:core/v1:ServiceAccount"} <= set(children)
    role_output = team.pulumi("stack", "output", "role", "--stack", "dev", "--json").json()
    assert children["aws:iam/role:Role"]["urn"] in json.dumps(role_output)
    team.pulumi("preview", "--stack", "dev", "--expect-no-changes")
