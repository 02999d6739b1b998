"""Adopting what exists under the real engine: an OIDC provider and a role created first (as eksctl or Terraform
left them, in moto) are imported by `pulumi up` — not created, not replaced — and once the adopt keys are gone
the next `up` updates them in place to irsa's trust and settings. Through a stack file, and through the
components' `adopt_provider_arn` and `adopt_role` in a program."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness import ACCOUNT, Project, moto_iam, program_beside

ISSUER = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/ADA1B2C3D4E5F60718293A4B5C6D7E8F"
LOOSE_TRUST = {  # what a hand-made role often has: the subject pinned, the audience not
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER.removeprefix('https://')}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{ISSUER.removeprefix('https://')}:sub":
                                       "system:serviceaccount:billing:billing"}},
    }],
}  # fmt: skip


def _stack(adopt: bool) -> dict[str, Any]:
    """The stack while adopting (import as is), or after (the role keeps its name through roleName)."""
    cluster: dict[str, Any] = {"kind": "eks", "name": "payments-cluster", "issuerUrl": ISSUER}
    workload: dict[str, Any] = {"name": "billing", "namespace": "billing", "serviceAccount": "billing",
                                "sampleJob": False, "s3": [{"bucket": "invoices", "access": "read"}]}  # fmt: skip
    if adopt:
        cluster["adoptOidcProvider"] = True
        workload["adoptRole"] = {"name": "legacy-billing", "inlinePolicy": "legacy-billing-s3", "trust": LOOSE_TRUST}
    else:
        workload.update(roleName="legacy-billing", policyName="legacy-billing-s3")
    return {"aws:region": "ap-northeast-2", "irsa:accountId": ACCOUNT, "irsa:cluster": cluster,
            "irsa:workloads": [workload]}  # fmt: skip


def test_an_existing_provider_and_role_are_imported_then_updated_in_place(project: Project) -> None:
    iam = moto_iam(json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"])
    provider_arn = iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=["legacy-client"])[
        "OpenIDConnectProviderArn"
    ]
    before = iam.create_role(RoleName="legacy-billing", AssumeRolePolicyDocument=json.dumps(LOOSE_TRUST))["Role"]
    iam.put_role_policy(RoleName="legacy-billing", PolicyName="legacy-billing-s3", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))  # fmt: skip

    stack = "adopt"
    project.init(stack)
    project.set_stack_config(stack, _stack(adopt=True))
    preview = project.pulumi("preview", "--stack", stack, "--json").json()
    ops = {s["urn"].rsplit("::", 1)[-1]: s["op"] for s in preview["steps"]}
    assert ops["payments-cluster-oidc-provider"] == "import" and ops["billing-role"] == "import", ops
    assert ops["billing-policy"] == "import", ops
    project.pulumi("up", "--yes", "--stack", stack)
    role = iam.get_role(RoleName="legacy-billing")["Role"]
    assert role["RoleId"] == before["RoleId"]  # imported: the same role
    assert role["AssumeRolePolicyDocument"] == LOOSE_TRUST  # left as it was until adoption ends
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)
    assert provider["ClientIDList"] == ["legacy-client"]
    assert len(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 1  # no second one
    wide = iam.get_role_policy(RoleName="legacy-billing", PolicyName="legacy-billing-s3")["PolicyDocument"]
    assert wide["Statement"][0]["Action"] == "s3:*"  # imported as it was
    assert iam.list_role_policies(RoleName="legacy-billing")["PolicyNames"] == ["legacy-billing-s3"]  # no second

    # Adoption ends: adoptOidcProvider goes, adoptRole becomes roleName; the next up tightens in place.
    project.set_stack_config(stack, _stack(adopt=False))
    steps = project.pulumi("preview", "--stack", stack, "--json").json()["steps"]
    ops = {s["urn"].rsplit("::", 1)[-1]: s["op"] for s in steps}
    assert ops["billing-role"] == "update" and ops["payments-cluster-oidc-provider"] == "update", ops
    assert ops["billing-policy"] == "update", ops
    assert not any(op in ("replace", "create-replacement", "delete-replaced") for op in ops.values()), ops
    project.pulumi("up", "--yes", "--stack", stack)
    role = iam.get_role(RoleName="legacy-billing")["Role"]
    assert role["RoleId"] == before["RoleId"]  # updated in place, never replaced
    condition = role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
    assert condition[f"{ISSUER.removeprefix('https://')}:aud"] == "sts.amazonaws.com"  # the pin it gained
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    narrow = iam.get_role_policy(RoleName="legacy-billing", PolicyName="legacy-billing-s3")["PolicyDocument"]
    assert "s3:*" not in json.dumps(narrow) and "arn:aws:s3:::invoices" in json.dumps(narrow)  # the wildcard is gone


COMPONENT_PROGRAM = f'''
import sys
from pathlib import Path

import pulumi

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's root holds `components`
from components import ClusterOidcProvider, WorkloadIdentity

adopting = pulumi.Config().require_bool("adopting")
provider_arn = "arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER.removeprefix("https://")}"
adopted = {{"adopt_provider_arn": provider_arn}} if adopting else {{}}
oidc = ClusterOidcProvider("payments", {{"issuer_url": "{ISSUER}", **adopted}})
WorkloadIdentity("billing", {{
    "oidc_provider_arn": oidc.arn, "issuer_url": "{ISSUER}", "region": "ap-northeast-2", "account_id": "{ACCOUNT}",
    "namespace": "billing", "service_account": "billing", "sample_job": False,
    "s3": [{{"bucket": "invoices", "access": "read"}}],
    **({{"adopt_role": "legacy-billing"}} if adopting else {{"role_name": "legacy-billing"}}),
}})
'''


def test_the_component_door_adopts_the_same_way(project: Project) -> None:
    """`adopt_provider_arn` and `adopt_role` import, then (the arguments gone, `role_name` kept) update in place."""
    iam = moto_iam(json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"])
    provider_arn = iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=["legacy-client"])[
        "OpenIDConnectProviderArn"
    ]
    before = iam.create_role(RoleName="legacy-billing", AssumeRolePolicyDocument=json.dumps(LOOSE_TRUST))["Role"]
    program = program_beside(project, "adopting-program", {
        "name": "adopting-program", "runtime": {"name": "python", "options": {"virtualenv": "venv"}},
    })  # fmt: skip
    (program.root / "__main__.py").write_text(COMPONENT_PROGRAM)
    program.pulumi("stack", "init", "dev")

    def preview_ops(adopting: bool) -> dict[str, str]:
        program.pulumi("config", "set", "adopting", str(adopting).lower(), "--stack", "dev")
        steps = program.pulumi("preview", "--stack", "dev", "--json").json()["steps"]
        return {s["urn"].rsplit("::", 1)[-1]: s["op"] for s in steps}

    ops = preview_ops(adopting=True)
    assert ops["payments-provider"] == "import" and ops["billing-role"] == "import", ops
    program.pulumi("up", "--yes", "--stack", "dev")
    role = iam.get_role(RoleName="legacy-billing")["Role"]
    assert role["RoleId"] == before["RoleId"] and role["AssumeRolePolicyDocument"] == LOOSE_TRUST
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)["ClientIDList"] == ["legacy-client"]
    assert len(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 1

    ops = preview_ops(adopting=False)
    assert ops["payments-provider"] == "update" and ops["billing-role"] == "update", ops
    assert not any(op in ("replace", "create-replacement", "delete-replaced") for op in ops.values()), ops
    program.pulumi("up", "--yes", "--stack", "dev")
    role = iam.get_role(RoleName="legacy-billing")["Role"]
    assert role["RoleId"] == before["RoleId"]
    condition = role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
    assert condition[f"{ISSUER.removeprefix('https://')}:aud"] == "sts.amazonaws.com"
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)["ClientIDList"] == [
        "sts.amazonaws.com"
    ]
