"""`python -m components adopt`: terraform-aws-modules' IRSA roles (state as v6.5.0 of the module leaves it) and
eksctl's iamserviceaccounts (its `get iamserviceaccount -o json`), both in tests/adopt_fixtures/, become a stack
that adopts them. Judged by the IAM simulator, not by us: the
adopted roles keep their names and ARNs, trust every ServiceAccount the old trust did (with the `aud` the module
already pinned) and no other, and are allowed exactly what their old policies allowed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import by_type, plan_of
from simulator import Request, decide

from components.cli import render
from components.cli.main import main
from components.core import adopt

FIXTURE = Path(__file__).parent / "adopt_fixtures" / "terraform-aws-iam-v6.5.0-irsa-example.json"
ACCOUNT = "123456789012"
HOST = "oidc.eks.eu-west-1.amazonaws.com/id/5C54DDF35E819312844C7333374CC09D"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"


def _state() -> dict[str, Any]:
    state: dict[str, Any] = json.loads(FIXTURE.read_text())
    return state


def _old_roles() -> dict[str, dict[str, Any]]:
    return {r["values"]["name"]: r["values"] for r in adopt.resources(_state()) if r["type"] == "aws_iam_role"}


def _adopted(capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    code = main(["adopt", "--terraform", str(FIXTURE), "--cluster", "ex-irsa", "--region", "eu-west-1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return yaml.safe_load(out)["config"], err


def test_the_adopted_stack_keeps_every_roles_name_and_arn(capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = _adopted(capsys)
    plan = plan_of(config, "adopted")
    roles = {r["inputs"]["name"]: r for r in by_type(plan, "aws:iam/role:Role")}
    assert set(roles) == set(_old_roles()) == {"ex-irsa", "cert-manager"}
    assert set(plan["imports"].values()) == set(roles)  # imported, not created
    for row in plan["summary"]:  # the ARN pods use stays: same account, path and name
        assert f"arn:aws:iam::{ACCOUNT}:role/{row['role']}" == _old_roles()[row["role"]]["arn"]
    assert plan_of(config, "adopted")["outputs"]["oidcProviderArn"] == PROVIDER  # reused, never created
    assert by_type(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []


def _web_identity(subject: str, audience: str | None) -> Request:
    context = {f"{HOST}:sub": subject, **({f"{HOST}:aud": audience} if audience else {})}
    return Request(PROVIDER, "sts:AssumeRoleWithWebIdentity", "", ACCOUNT, context)


def test_the_adopted_trust_allows_what_the_old_did_and_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = _adopted(capsys)
    plan = plan_of(config, "adopted")
    new = {r["inputs"]["name"]: json.loads(r["inputs"]["assumeRolePolicy"]) for r in by_type(plan, "aws:iam/role:Role")}
    batches = []
    for name, old in _old_roles().items():
        arn = old["arn"]
        subjects = {"ex-irsa": ["default:my-app", "canary:my-app", "default:blue", "canary:blue"],
                    "cert-manager": ["kube-system:cert-manager"]}[name]  # fmt: skip
        requests = [_web_identity(f"system:serviceaccount:{s}", "sts.amazonaws.com") for s in subjects]
        requests += [_web_identity("system:serviceaccount:default:intruder", "sts.amazonaws.com"),
                     _web_identity(f"system:serviceaccount:{subjects[0]}", None)]  # fmt: skip
        requests = [Request(r.principal, r.action, arn, r.account, r.context) for r in requests]
        batches += [(json.loads(old["assume_role_policy"]), requests), (new[name], requests)]
    decisions = decide(batches)
    for (old_decisions, new_decisions), name in zip(zip(decisions[::2], decisions[1::2], strict=True), _old_roles(),
                                                    strict=True):  # fmt: skip
        assert new_decisions == old_decisions, name
        assert old_decisions[:-2] == ["Allowed"] * (len(old_decisions) - 2), name
        assert old_decisions[-2:] == ["ImplicitlyDenied", "ImplicitlyDenied"], name


def test_the_adopted_permissions_are_the_old_ones(capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = _adopted(capsys)
    plan = plan_of(config, "adopted")
    by_role = {w["adoptRole"]["name"]: w for w in config["irsa:workloads"]}
    # ex-irsa: the same attachments as before (a policy outside its module is attached by ARN, not copied; the
    # AWS managed CNI policy is exactly irsa's vpc-cni preset).
    assert by_role["ex-irsa"]["presets"] == ["vpc-cni"]
    assert by_role["ex-irsa"]["managedPolicyArns"] == [f"arn:aws:iam::{ACCOUNT}:policy/ex-irsa-additional"]
    old_attached = sorted(
        r["values"]["policy_arn"] for r in adopt.resources(_state())
        if r["type"] == "aws_iam_role_policy_attachment" and r["values"]["role"] == "ex-irsa"
    )  # fmt: skip
    attachments = by_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    attached = sorted(a["inputs"]["policyArn"] for a in attachments if a["inputs"]["role"] == "ex-irsa")
    assert attached == old_attached
    # cert-manager: the module's own policy goes with the role, so its statements are now irsa's inline policy.
    [inline] = [json.loads(p["inputs"]["policy"]) for p in by_type(plan, "aws:iam/rolePolicy:RolePolicy")
                if p["inputs"]["role"] == "cert-manager"]  # fmt: skip
    old = json.loads(next(r["values"]["policy"] for r in adopt.resources(_state())
                          if r["type"] == "aws_iam_policy" and r["values"]["name"] == "Cert_Manager"))  # fmt: skip
    role = f"arn:aws:iam::{ACCOUNT}:role/cert-manager"
    probes = [
        ("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/IClearlyMadeThisUp"),
        ("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/ZOTHERZONE"),
        ("route53:GetChange", "arn:aws:route53:::change/C123"),
        ("route53:ListHostedZonesByName", "*"),
        ("route53:DeleteHostedZone", "arn:aws:route53:::hostedzone/IClearlyMadeThisUp"),
    ]
    requests = [Request(role, action, resource, ACCOUNT) for action, resource in probes]
    [old_decisions] = decide([(None, requests)], identity=[old])
    [new_decisions] = decide([(None, requests)], identity=[inline])
    assert new_decisions == old_decisions == ["Allowed", "ImplicitlyDenied", "Allowed", "Allowed", "ImplicitlyDenied"]


def test_what_the_rules_refuse_is_reported_and_left_on_the_role(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path) -> None:  # fmt: skip
    state = _state()
    modules = state["values"]["root_module"]["child_modules"]
    [module] = [m for m in modules if m["address"] == "module.cert_manager_irsa"]
    [policy] = [r for r in module["resources"] if r["type"] == "aws_iam_policy"]
    policy["values"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]})  # fmt: skip
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    assert main(["adopt", "--terraform", str(path), "--cluster", "c", "--region", "eu-west-1"]) == 0
    out, err = capsys.readouterr()
    cert_manager = [w for w in yaml.safe_load(out)["config"]["irsa:workloads"]
                    if w["adoptRole"]["name"] == "cert-manager"]  # fmt: skip
    assert "statements" not in cert_manager[0]
    assert "adopt: not adopted, left on the role unmanaged: irsa:workloads[1].statements" in err


EKSCTL = Path(__file__).parent / "adopt_fixtures" / "eksctl-get-iamserviceaccount.json"
EKSCTL_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/8F3A1C2B4D5E6F708192A3B4C5D6E7F8"
EKSCTL_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{EKSCTL_HOST}"


def _eksctl_trust(namespace: str, name: str) -> dict[str, Any]:
    """The trust eksctl gives an iamserviceaccount role (MakeAssumeRolePolicyDocumentWithServiceAccountConditions)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["sts:AssumeRoleWithWebIdentity"], "Principal": {"Federated": EKSCTL_PROVIDER},
        "Condition": {"StringEquals": {f"{EKSCTL_HOST}:sub": f"system:serviceaccount:{namespace}:{name}",
                                       f"{EKSCTL_HOST}:aud": "sts.amazonaws.com"}},
    }]}  # fmt: skip


def test_eksctl_service_accounts_are_adopted_with_the_same_trust_and_policies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["adopt", "--eksctl", str(EKSCTL), "--cluster", "prod", "--region", "eu-west-1",
                 "--oidc-provider-arn", EKSCTL_PROVIDER])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    config = yaml.safe_load(out)["config"]
    listing = json.loads(EKSCTL.read_text())
    plan = plan_of(config, "adopted")
    roles = {r["inputs"]["name"]: r for r in by_type(plan, "aws:iam/role:Role")}
    assert set(roles) == {i["status"]["roleARN"].rsplit("/", 1)[1] for i in listing}
    assert set(plan["imports"].values()) == set(roles)
    # eksctl made the ServiceAccounts (annotated with these roles, whose names stay): irsa leaves them alone.
    assert by_type(plan, "kubernetes:core/v1:ServiceAccount") == []
    batches = []
    for item in listing:
        ns, name = item["metadata"]["namespace"], item["metadata"]["name"]
        arn = item["status"]["roleARN"]
        new = json.loads(roles[arn.rsplit("/", 1)[1]]["inputs"]["assumeRolePolicy"])
        requests = [
            Request(EKSCTL_PROVIDER, "sts:AssumeRoleWithWebIdentity", arn, ACCOUNT, context)
            for context in (
                {f"{EKSCTL_HOST}:sub": f"system:serviceaccount:{ns}:{name}", f"{EKSCTL_HOST}:aud": "sts.amazonaws.com"},
                {f"{EKSCTL_HOST}:sub": f"system:serviceaccount:{ns}:other", f"{EKSCTL_HOST}:aud": "sts.amazonaws.com"},
                {f"{EKSCTL_HOST}:sub": f"system:serviceaccount:{ns}:{name}", f"{EKSCTL_HOST}:aud": "other"},
            )
        ]
        batches += [(_eksctl_trust(ns, name), requests), (new, requests)]
    decisions = decide(batches)
    for old, new in zip(decisions[::2], decisions[1::2], strict=True):
        assert old == new == ["Allowed", "ImplicitlyDenied", "ImplicitlyDenied"]
    by_sa = {w["serviceAccount"]: w for w in config["irsa:workloads"]}
    for item in listing:
        workload = by_sa[item["metadata"]["name"]]
        assert workload.get("managedPolicyArns", []) == item.get("attachPolicyARNs", [])  # no preset among them
        assert workload.get("statements", []) == (item.get("attachPolicy") or {}).get("Statement", [])
    assert "wellKnownPolicies.ebsCSIController is eksctl's own document: left on the role" in err


def test_eksctl_needs_the_provider_arn(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["adopt", "--eksctl", str(EKSCTL), "--cluster", "prod", "--region", "eu-west-1"]) == 2
    assert "--oidc-provider-arn: is required with --eksctl" in capsys.readouterr().err


def test_the_plan_says_what_the_adoption_changes_in_each_trust(capsys: pytest.CaptureFixture[str]) -> None:
    """The module already pins sub and aud: adopting its roles changes nothing in their trust but the shape."""
    config, _ = _adopted(capsys)
    rows = {row["adopts"]: row for row in plan_of(config, "adopted")["summary"]}
    assert rows["cert-manager"]["adoptChanges"] == ["unchanged"]
    # A hand-made trust without aud: the plan shows the pin the second up adds, before it happens.
    loose = json.loads(_old_roles()["cert-manager"]["assume_role_policy"])
    del loose["Statement"][0]["Condition"]["StringEquals"][f"{HOST}:aud"]
    [workload] = [w for w in config["irsa:workloads"] if w["adoptRole"]["name"] == "cert-manager"]
    workload["adoptRole"]["trust"] = loose
    rows = {row["adopts"]: row for row in plan_of(config, "adopted")["summary"]}
    assert rows["cert-manager"]["adoptChanges"] == [f"+ StringEquals {HOST}:aud = sts.amazonaws.com"]
    assert f"trust then: + StringEquals {HOST}:aud = sts.amazonaws.com" in render.to_text(plan_of(config, "adopted"))


TERRAFORM_ARGS = ["--terraform"]
EKSCTL_ARGS = ["--oidc-provider-arn", EKSCTL_PROVIDER, "--eksctl"]


@pytest.mark.parametrize(
    ("source", "content", "expected"),
    [
        (TERRAFORM_ARGS, "not json", "--terraform: is not JSON"),
        (TERRAFORM_ARGS, '{"format_version": "1.0"}', "--terraform: is not `terraform show -json` output"),
        (TERRAFORM_ARGS, '{"values": {"root_module": {"resources": []}}}', "--terraform: holds no IRSA role"),
        (EKSCTL_ARGS, '{"not": "a list"}', "--eksctl: is not `eksctl get iamserviceaccount -o json` output"),
        (EKSCTL_ARGS, "[]", "--eksctl: holds no iamserviceaccount with a role"),
        (EKSCTL_ARGS, "[{", "--eksctl: is not JSON"),
    ],
)
def test_a_bad_source_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], source: list[str],
                                            content: str, expected: str) -> None:  # fmt: skip
    path = tmp_path / "source.json"
    path.write_text(content)
    assert main(["adopt", "--cluster", "c", "--region", "eu-west-1", *source, str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_statements_that_are_exactly_an_s3_grant_become_one() -> None:
    """A statement pair exactly like irsa's read grant becomes `s3: [{…, access: read}]`; a near miss (one more
    action) stays a statement. The simulator holds the adopted documents to the old ones."""
    read: list[dict[str, Any]] = [
        {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectTagging"],
         "Resource": "arn:aws:s3:::invoices/2026/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::invoices",
         "Condition": {"StringLike": {"s3:prefix": ["2026/*"]}}},
    ]  # fmt: skip
    near: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::logs/*"}
    ]
    grants, rest = adopt.s3_grants(read + near)
    assert grants == [{"bucket": "invoices", "prefix": "2026/", "access": "read"}] and rest == near
    config = {
        "aws:region": "eu-west-1", "irsa:accountId": ACCOUNT,
        "irsa:cluster": {"kind": "eks", "name": "c", "oidcProviderArn": PROVIDER, "issuerUrl": f"https://{HOST}"},
        "irsa:workloads": [{"name": "w", "namespace": "n", "serviceAccount": "s", "adoptRole": "legacy",
                            "s3": grants, "statements": rest}],
    }  # fmt: skip
    [policy] = by_type(plan_of(config, "adopted"), "aws:iam/rolePolicy:RolePolicy")
    role = f"arn:aws:iam::{ACCOUNT}:role/legacy"
    probes = [
        Request(role, "s3:GetObject", "arn:aws:s3:::invoices/2026/a.pdf", ACCOUNT),
        Request(role, "s3:GetObject", "arn:aws:s3:::invoices/2025/a.pdf", ACCOUNT),
        Request(role, "s3:ListBucket", "arn:aws:s3:::invoices", ACCOUNT, {"s3:prefix": "2026/x"}),
        Request(role, "s3:ListBucket", "arn:aws:s3:::invoices", ACCOUNT, {"s3:prefix": "2025/x"}),
        Request(role, "s3:DeleteObject", "arn:aws:s3:::logs/a", ACCOUNT),
        Request(role, "s3:PutObject", "arn:aws:s3:::invoices/2026/a.pdf", ACCOUNT),
    ]
    old = {"Version": "2012-10-17", "Statement": read + near}
    [before] = decide([(None, probes)], identity=[old])
    [after] = decide([(None, probes)], identity=[json.loads(policy["inputs"]["policy"])])
    assert after == before == ["Allowed", "ImplicitlyDenied", "Allowed", "ImplicitlyDenied", "Allowed",
                               "ImplicitlyDenied"]  # fmt: skip
