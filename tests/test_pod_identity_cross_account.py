"""EKS Pod Identity and cross-account access: documents, wiring on the mock engine, policy rules, doctor."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import rules
from conftest import CROSS_CONFIG, EKS_CONFIG, by_type, config, plan_of
from policy_checks import check

from components.core import documents
from components.core.model import S3Grant
from components.core.settings import parse_settings

CLUSTER_ARN = "arn:aws:eks:ap-northeast-2:123456789012:cluster/dev-cluster"
ROLE = "arn:aws:iam::123456789012:role/irsa-dev-app"
TARGET = "arn:aws:iam::210987654321:role/reports-reader"
POD_IDENTITY = config(
    EKS_CONFIG, **{"irsa:cluster": {"kind": "eks", "name": "dev-cluster", "mechanism": "pod-identity"}}
)
CROSS = CROSS_CONFIG


def _one(plan: dict[str, Any], type_: str, name: str | None = None) -> dict[str, Any]:
    found = [r for r in by_type(plan, type_) if name is None or r["name"] == name]
    assert len(found) == 1, (type_, name, len(found))
    return found[0]


def test_pod_identity_trust_policy() -> None:
    assert documents.pod_identity_trust_policy("123456789012", CLUSTER_ARN, "apps", "app") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": "123456789012",
                        "aws:RequestTag/eks-cluster-arn": CLUSTER_ARN,
                        "aws:RequestTag/kubernetes-namespace": "apps",
                        "aws:RequestTag/kubernetes-service-account": "app",
                    }
                },
            }
        ],
    }


def test_cross_account_trust_names_roles_never_the_account() -> None:
    assert documents.role_trust_policy([ROLE], "ext-123") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ROLE},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "ext-123"}},
            }
        ],
    }
    assert documents.role_trust_policy([ROLE], session_tags=True)["Statement"][0]["Action"] == [
        "sts:AssumeRole",
        "sts:TagSession",
    ]
    assert "Condition" not in documents.role_trust_policy([ROLE, ROLE + "2"])["Statement"][0]


def test_permission_policy_allows_exactly_the_listed_roles() -> None:
    statements = documents.permission_policy([S3Grant("b", "", "read")], "aws", [TARGET])["Statement"]
    assert statements[-1] == {"Sid": "AssumeRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [TARGET]}


def test_session_tags_are_granted_only_when_asked_for() -> None:
    """A workload that may tag its sessions can set arbitrary tags in the other account: opt in, per role."""
    plain = parse_settings(CROSS, "dev")
    assert plain.workloads[0].tag_session_roles == ()
    assert "sts:TagSession" not in json.dumps(documents.inline_policy((), "aws", plain.workloads[0].assume_roles))
    tagged_config = copy.deepcopy(CROSS)
    tagged_config["irsa:crossAccount"]["roles"][0]["sessionTags"] = True
    tagged = parse_settings(tagged_config, "dev").workloads[0]
    statements = documents.inline_policy((), "aws", tagged.assume_roles, tag_session=tagged.tag_session_roles)
    assert statements["Statement"][-1] == {
        "Sid": "TagSessions",
        "Effect": "Allow",
        "Action": "sts:TagSession",
        "Resource": [TARGET],
    }


def test_pod_identity_plan_has_associations_and_no_oidc_provider() -> None:
    plan = plan_of(POD_IDENTITY)
    assert by_type(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert by_type(plan, "irsa:index:ClusterOidcProvider") == []
    association = _one(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    role = _one(plan, "aws:iam/role:Role")
    assert association["inputs"] == {
        "clusterName": "dev-cluster",
        "namespace": "production",
        "roleArn": plan["outputs"]["workloads"]["s3-writer"]["roleArn"],
        "serviceAccount": "s3-writer",
    }
    assert role["urn"] in association["dependsOn"]
    trust = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "s3-writer"
    sa = _one(plan, "kubernetes:core/v1:ServiceAccount")["inputs"]["metadata"]
    assert "annotations" not in sa
    job = _one(plan, "kubernetes:batch/v1:Job")
    assert association["urn"] in job["dependsOn"]
    names = {e["name"] for e in job["inputs"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "AWS_ROLE_ARN" not in names and "AWS_WEB_IDENTITY_TOKEN_FILE" not in names
    assert [lk["token"] for lk in plan["lookups"]] == ["aws:eks/getCluster:getCluster"]
    assert "oidcProviderArn" not in plan["outputs"] and plan["outputs"]["mechanism"] == "pod-identity"


def test_cross_account_plan_creates_the_target_role_in_the_other_account() -> None:
    plan = plan_of(CROSS)
    provider_inputs = _one(plan, "pulumi:providers:aws", "cross-account")["inputs"]
    # provider configuration reaches the engine JSON-encoded
    assert json.loads(provider_inputs["assumeRoles"]) == [{"role_arn": "arn:aws:iam::210987654321:role/deployer"}]
    assert provider_inputs["region"] == "ap-northeast-2"
    target = _one(plan, "aws:iam/role:Role", "cross-reports-reader-role")
    source_arn = plan["outputs"]["workloads"]["s3-writer"]["roleArn"]
    assert json.loads(target["inputs"]["assumeRolePolicy"]) == documents.role_trust_policy([source_arn], "ext-123")
    assert plan["outputs"]["crossAccountRoles"] == {"reports-reader": TARGET}
    policy = json.loads(_one(plan, "aws:iam/rolePolicy:RolePolicy", "s3-writer-policy")["inputs"]["policy"])
    assert policy["Statement"][-1]["Resource"] == [TARGET]
    target_policy = json.loads(
        _one(plan, "aws:iam/rolePolicy:RolePolicy", "cross-reports-reader-policy")["inputs"]["policy"]
    )
    assert target_policy["Statement"][0]["Resource"] == "arn:aws:s3:::finance-reports/monthly/*"
    env = {
        e["name"]: e["value"]
        for e in _one(plan, "kubernetes:batch/v1:Job")["inputs"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert (
        env["IRSA_CHAIN_ROLE_ARN"],
        env["IRSA_CHAIN_EXTERNAL_ID"],
        env["IRSA_CHAIN_BUCKET"],
        env["IRSA_CHAIN_PREFIX"],
        env["IRSA_CHAIN_ACCESS"],
    ) == (TARGET, "ext-123", "finance-reports", "monthly/", "read")


def test_workload_assume_roles_key_is_least_privilege() -> None:
    workloads = [{**EKS_CONFIG["irsa:workloads"][0], "assumeRoles": [TARGET]}]
    settings = parse_settings(config(EKS_CONFIG, **{"irsa:workloads": workloads}), "dev")
    assert settings.workloads[0].assume_roles == (TARGET,)
    workloads = [{k: v for k, v in workloads[0].items() if k != "s3"}]  # s3 is optional when roles are listed
    assert parse_settings(config(EKS_CONFIG, **{"irsa:workloads": workloads}), "dev").workloads[0].s3 == ()


@pytest.mark.parametrize("principal", ["arn:aws:iam::210987654321:root", "210987654321", "*"])
def test_policy_pack_rejects_account_wide_trust(principal: str) -> None:
    trust = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]}
    )
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": trust}) == [
        f"trust policy Statement[0]: trusts {principal!r}: a whole account; name the roles instead"
    ]


def test_policy_pack_pod_identity_trust_both_ways() -> None:
    good = json.dumps(documents.pod_identity_trust_policy("123456789012", CLUSTER_ARN, "apps", "app"))
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": good}) == []
    bare = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "pods.eks.amazonaws.com"},
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                }
            ]
        }
    )
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": bare}) == [
        "trust policy Statement[0]: Pod Identity trust without aws:RequestTag/kubernetes-namespace, "
        "aws:RequestTag/kubernetes-service-account: any association in the account can use this role",
        "trust policy Statement[0]: Pod Identity trust without aws:SourceAccount or aws:SourceOrgId (confused deputy)",
    ]


def test_doctor_explains_that_pod_identity_has_no_token(tmp_path: Any) -> None:
    import contextlib
    import io

    import yaml

    from components.cli import main as cli

    stack = tmp_path / "s.yaml"
    stack.write_text(yaml.safe_dump({"config": POD_IDENTITY}))
    token = tmp_path / "t"
    token.write_text("x.y.z")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(
            ["doctor", "--stack", "s", "--config", str(stack), "--workload", "s3-writer", "--token", str(token)]
        )
    assert code == 2
    assert err.getvalue().startswith(
        '--workload: "s3-writer" uses EKS Pod Identity (its mechanism), so no web-identity token is involved'
    )
    assert "aws eks list-pod-identity-associations --cluster-name dev-cluster --namespace production" in err.getvalue()


def test_cross_account_trust_admits_only_the_workload_role_with_the_external_id() -> None:
    from components.core import trust

    doc = documents.role_trust_policy([ROLE], "ext-123")
    assert trust.evaluate(doc, ROLE, {"sts:ExternalId": "ext-123"}, action="sts:AssumeRole").allowed
    assert not trust.evaluate(doc, ROLE, {}, action="sts:AssumeRole").allowed  # external ID missing
    assert not trust.evaluate(doc, ROLE, {"sts:ExternalId": "guess"}, action="sts:AssumeRole").allowed
    other = "arn:aws:iam::123456789012:role/someone-else"
    assert not trust.evaluate(doc, other, {"sts:ExternalId": "ext-123"}, action="sts:AssumeRole").allowed
    assert not trust.evaluate(doc, ROLE, {"sts:ExternalId": "ext-123"}, action="sts:TagSession").allowed


def _untagged(**cluster: Any) -> dict[str, Any]:
    raw = copy.deepcopy(POD_IDENTITY)
    raw["irsa:workloads"][0]["disableSessionTags"] = True
    raw["irsa:cluster"].update(cluster)
    return raw


def test_disabled_session_tags_reach_the_association_and_the_trust() -> None:
    from components.core import trust

    plan = plan_of(_untagged())
    association = _one(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association["inputs"]["disableSessionTags"] is True
    policy = _one(plan, "aws:iam/role:Role")["inputs"]["assumeRolePolicy"]
    # offline the cluster's account is a placeholder; at deploy it is the account of the cluster's ARN
    document = json.loads(policy.replace("<unknown: account of the EKS cluster>", "123456789012"))
    assert "RequestTag" not in policy
    service, assume = "pods.eks.amazonaws.com", "sts:AssumeRole"
    # what EKS sends for an association without session tags: the source account only
    untagged = {"aws:SourceAccount": "123456789012"}
    assert trust.evaluate(document, service, untagged, assume).allowed
    assert not trust.evaluate(document, service, {"aws:SourceAccount": "210987654321"}, assume).allowed
    # the tag-pinning trust would refuse that same call: dropping the pins is what makes it work
    tagged = documents.pod_identity_trust_policy("123456789012", CLUSTER_ARN, "production", "s3-writer")
    assert not trust.evaluate(tagged, service, untagged, assume).allowed
    full = {
        **untagged,
        "aws:RequestTag/eks-cluster-arn": CLUSTER_ARN,
        "aws:RequestTag/kubernetes-namespace": "production",
        "aws:RequestTag/kubernetes-service-account": "s3-writer",
    }
    assert trust.evaluate(tagged, service, full, assume).allowed
    assert not trust.evaluate(tagged, service, {**full, "aws:RequestTag/kubernetes-namespace": "x"}, assume).allowed
    settings = parse_settings(_untagged(), "dev")
    assert any("disableSessionTags: EKS adds no session tags" in w for w in settings.warnings)


def test_disabled_session_tags_need_pod_identity() -> None:
    from components.core.model import ConfigError

    with pytest.raises(ConfigError, match=r"disableSessionTags: is only used with mechanism pod-identity"):
        parse_settings(
            _untagged(mechanism="irsa", issuerUrl="https://oidc.eks.ap-northeast-2.amazonaws.com/id/X"), "dev"
        )


def test_the_policy_pack_reports_an_untagged_trust_as_advice_not_a_block() -> None:
    [role] = by_type(plan_of(_untagged()), "aws:iam/role:Role")
    props = {"assumeRolePolicy": role["inputs"]["assumeRolePolicy"]}
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", props) == []
    [advice] = check(rules.untagged_pod_identity, "aws:iam/role:Role", props)
    assert "without session tags" in advice
    assert rules.untagged_pod_identity.enforcement_level == rules.EnforcementLevel.ADVISORY
    # a trust that drops the pins without saying so is still refused by the mandatory rule
    silent = json.loads(props["assumeRolePolicy"])
    del silent["Statement"][0]["Sid"]
    refused = check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", {"assumeRolePolicy": json.dumps(silent)})
    assert any("Pod Identity trust without" in line for line in refused)
    tagged = {"assumeRolePolicy": by_type(plan_of(POD_IDENTITY), "aws:iam/role:Role")[0]["inputs"]["assumeRolePolicy"]}
    assert check(rules.untagged_pod_identity, "aws:iam/role:Role", tagged) == []
