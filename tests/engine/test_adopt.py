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


HOST = ISSUER.removeprefix("https://")
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
# AND and negated tests in one statement: exactly billing/billing (admin is excluded, the pattern admits both)
EXACT_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
        "StringEquals": {f"{HOST}:sub": ["system:serviceaccount:billing:billing",
                                         "system:serviceaccount:billing:admin"], f"{HOST}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{HOST}:sub": "system:serviceaccount:billing:*"},
        "StringNotEquals": {f"{HOST}:sub": "system:serviceaccount:billing:admin"},
    },
}]}  # fmt: skip
# every ServiceAccount of `reports` but one: irsa's trust cannot say "but one"
INEXACT_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringLike": {f"{HOST}:sub": "system:serviceaccount:reports:*"},
                  "StringNotEquals": {f"{HOST}:sub": "system:serviceaccount:reports:intruder"},
                  "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}},
}]}  # fmt: skip
READ_INVOICES = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectTagging"], "Resource": "arn:aws:s3:::invoices/*"},
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::invoices"},
]}  # fmt: skip


def test_adopt_output_imports_an_exact_trust_then_keeps_who_may_assume_it(
    project: Project, tmp_path: Path, capsys: Any
) -> None:
    """`adopt --terraform` over two live roles: the one whose AND-and-NOT trust irsa can say exactly is imported,
    its plan row says the trust is unchanged, and after adoption ends the trust irsa wrote lets in the same
    requests (the IAM simulator, on the document moto holds); the other is left alone, untouched."""
    from simulator import Request, decide

    from components.cli import go_yaml
    from components.cli.main import main
    from components.cli.plan import run_plan
    from components.core import trust_set
    from components.core.settings import parse_settings

    iam = moto_iam(json.loads(Path(project.env["IRSA_STANDIN_FIXTURES"]).read_text())["motoUrl"])
    iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=["sts.amazonaws.com"])
    roles = {}
    for name, document in (("legacy-billing", EXACT_TRUST), ("legacy-reports", INEXACT_TRUST)):
        roles[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(document))["Role"]
        iam.put_role_policy(RoleName=name, PolicyName=f"{name}-s3", PolicyDocument=json.dumps(READ_INVOICES))
    state = {"values": {"root_module": {"resources": [
        *({"address": f"aws_iam_role.{n}", "mode": "managed", "type": "aws_iam_role",
           "values": {"name": n, "arn": r["Arn"], "path": "/", "assume_role_policy": json.dumps(r[
               "AssumeRolePolicyDocument"])}} for n, r in roles.items()),
        *({"address": f"aws_iam_role_policy.{n}", "mode": "managed", "type": "aws_iam_role_policy",
           "values": {"role": n, "name": f"{n}-s3", "policy": json.dumps(READ_INVOICES)}} for n in roles),
    ]}}}  # fmt: skip
    source = tmp_path / "state.json"
    source.write_text(json.dumps(state))
    assert main(["adopt", "--terraform", str(source), "--cluster", "payments-cluster",
                 "--region", "ap-northeast-2"]) == 0
    out, err = capsys.readouterr()
    assert "aws_iam_role.legacy-reports: left alone, its trust: it excludes subject" in err
    config = go_yaml.load(out)["config"]
    [workload] = config["irsa:workloads"]
    assert workload["adoptRole"]["name"] == "legacy-billing" and "extraSubjects" not in workload

    stack = "adopt-exact"
    project.init(stack)
    project.set_stack_config(stack, config)
    steps = project.pulumi("preview", "--stack", stack, "--json").json()["steps"]
    ops = {s["urn"].rsplit("::", 1)[-1]: s["op"] for s in steps}
    assert ops[f"{workload['name']}-role"] == "import", ops
    plan = run_plan(parse_settings(config, stack)).to_dict()  # what `plan` shows for this stack file
    assert plan["summary"][0]["adoptChanges"] == ["unchanged"]
    project.pulumi("up", "--yes", "--stack", stack)
    assert iam.get_role(RoleName="legacy-billing")["Role"]["AssumeRolePolicyDocument"] == EXACT_TRUST
    untouched = iam.get_role(RoleName="legacy-reports")["Role"]
    assert untouched["AssumeRolePolicyDocument"] == INEXACT_TRUST and untouched["RoleId"] == roles[
        "legacy-reports"]["RoleId"]  # fmt: skip

    # Adoption ends (adoptRole -> roleName, policyName): irsa writes its own trust, letting in the same requests.
    after = dict(workload)
    adopted = after.pop("adoptRole")
    after.update(roleName=adopted["name"], policyName=adopted["inlinePolicy"]["name"])
    project.set_stack_config(stack, {**config, "irsa:workloads": [after]})
    project.pulumi("up", "--yes", "--stack", stack)
    role = iam.get_role(RoleName="legacy-billing")["Role"]
    assert role["RoleId"] == roles["legacy-billing"]["RoleId"]
    written = role["AssumeRolePolicyDocument"]
    assert written != EXACT_TRUST  # irsa's own writing of it
    assert trust_set.allowed(written) == trust_set.allowed(EXACT_TRUST)
    subjects = ["billing:billing", "billing:admin", "billing:other", "reports:billing"]
    asked = [Request(PROVIDER, "sts:AssumeRoleWithWebIdentity", role["Arn"], ACCOUNT,
                     {f"{HOST}:sub": f"system:serviceaccount:{s}", f"{HOST}:aud": aud})
             for s in subjects for aud in ("sts.amazonaws.com", "other")]  # fmt: skip
    before, now = decide([(EXACT_TRUST, asked), (written, asked)])
    assert now == before and before.count("Allowed") == 1
