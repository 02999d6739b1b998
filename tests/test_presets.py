"""Add-on presets: document shape, scoping inputs honoured, invariants kept, validation, wiring."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import EKS_CONFIG, by_type, config, plan_of
from invariants import permission_policy_problems

from components.core import presets
from components.core.model import ConfigError
from components.core.settings import parse_settings

ZONE = "Z0123456789ABCDEFGHIJ"
SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:prod/db-AbCdEf"
PARAMETER = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/prod/app/*"
NODE_ROLE = "arn:aws:iam::123456789012:role/KarpenterNodeRole-dev"
QUEUE = "arn:aws:sqs:ap-northeast-2:123456789012:dev-cluster-interruptions"
OPTIONS = presets.PresetOptions(
    "dev-cluster", "aws", (ZONE,), (SECRET,), (PARAMETER,), (NODE_ROLE,), (QUEUE,), "ap-northeast-2"
)


def test_the_required_presets_exist_and_say_where_they_come_from() -> None:
    assert set(presets.PRESETS) == {
        "ebs-csi",
        "efs-csi",
        "vpc-cni",
        "external-dns",
        "aws-load-balancer-controller",
        "cluster-autoscaler",
        "external-secrets",
        "cert-manager",
        "karpenter",
    }
    for preset in presets.PRESETS.values():
        assert preset.source and (preset.managed_policies or preset.statements), preset.name
        assert bool(preset.managed_policies) != bool(preset.statements), preset.name


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_managed_presets_attach_the_aws_policy_of_the_partition(partition: str) -> None:
    assert presets.managed_policy_arns(("ebs-csi", "efs-csi", "vpc-cni"), partition) == [
        f"arn:{partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
        f"arn:{partition}:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy",
        f"arn:{partition}:iam::aws:policy/AmazonEKS_CNI_Policy",
    ]


@pytest.mark.parametrize("name", [n for n, p in presets.PRESETS.items() if p.statements])
def test_generated_presets_keep_the_invariants(name: str) -> None:
    statements = presets.statements((name,), OPTIONS)
    assert statements
    assert permission_policy_problems({"Version": "2012-10-17", "Statement": statements}) == []
    sids = [s["Sid"] for s in statements]
    assert len(sids) == len(set(sids)) and all(sid.isalnum() for sid in sids)


def test_external_dns_changes_only_the_given_zones() -> None:
    change = presets.statements(("external-dns",), OPTIONS)[0]
    assert "route53:ChangeResourceRecordSets" in change["Action"]
    assert change["Resource"] == [f"arn:aws:route53:::hostedzone/{ZONE}"]


def test_cert_manager_writes_only_txt_records_in_the_given_zones() -> None:
    records = presets.statements(("cert-manager",), OPTIONS)[1]
    assert records["Resource"] == [f"arn:aws:route53:::hostedzone/{ZONE}"]
    assert records["Condition"] == {
        "ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}
    }


def test_cluster_autoscaler_scales_only_groups_this_cluster_owns() -> None:
    scale = presets.statements(("cluster-autoscaler",), OPTIONS)[1]
    assert scale["Condition"] == {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/dev-cluster": "owned"}}


def test_external_secrets_reads_values_only_of_the_listed_secrets_and_parameters() -> None:
    statements = presets.statements(("external-secrets",), OPTIONS)
    value_reads = {
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "ssm:GetParameterHistory",
    }
    for statement in statements:
        actions = set([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
        if actions & value_reads:
            assert statement["Resource"] in ([SECRET], [PARAMETER]), statement["Sid"]
    only_secrets = presets.PresetOptions("c", "aws", secret_arns=(SECRET,))
    assert [s["Sid"] for s in presets.statements(("external-secrets",), only_secrets)] == [
        "ExternalSecretsReadSecrets",
        "ExternalSecretsFindSecrets",
        "ExternalSecretsDecryptViaService",
    ]


def test_load_balancer_controller_mutates_only_this_clusters_resources() -> None:
    from invariants import UPSTREAM_WILDCARD_WRITES

    statements = presets.statements(("aws-load-balancer-controller",), OPTIONS)
    for statement in statements:  # every "*" write is upstream's own, or conditioned on this cluster's tag
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        writes = [a for a in actions if not a.split(":")[1].startswith(("Describe", "Get", "List"))]
        if statement["Resource"] != "*" or all(a in UPSTREAM_WILDCARD_WRITES for a in writes):
            continue
        keys = {k for tests in statement["Condition"].values() for k in tests}
        assert keys & {
            "aws:RequestTag/elbv2.k8s.aws/cluster",
            "aws:ResourceTag/elbv2.k8s.aws/cluster",
            "iam:AWSServiceName",
        }, statement["Sid"]
    assert all(
        v in ("dev-cluster", "true")  # the cluster's name; "true": a tag change may not set the ownership tag
        for s in statements
        for tests in s.get("Condition", {}).values()
        for k, v in tests.items()
        if k.endswith("elbv2.k8s.aws/cluster")
    )


def test_wildcard_writes_are_still_refused() -> None:
    document = {"Statement": [{"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"], "Resource": "*"}]}
    assert permission_policy_problems(document) == ["Statement[0]: wildcard resource '*'"]


def _with(**workload: Any) -> dict[str, Any]:
    base = {k: v for k, v in EKS_CONFIG["irsa:workloads"][0].items() if k != "s3"}
    return config(EKS_CONFIG, **{"irsa:workloads": [{**base, **workload}]})


def _problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, "dev")
    return [str(p) for p in caught.value.problems]


def test_unknown_preset_names_the_known_ones() -> None:
    assert _problems(_with(presets=["externaldns"])) == [
        'irsa:workloads[0].presets[0]: "externaldns" is not a known preset (did you mean '
        "'external-dns'? known presets: ebs-csi, efs-csi, vpc-cni, external-dns, cert-manager, cluster-autoscaler, "
        "external-secrets, karpenter, aws-load-balancer-controller)"
    ]


def test_presets_that_need_scoping_inputs_refuse_to_go_without() -> None:
    assert _problems(_with(presets=["external-dns"])) == [
        "irsa:workloads[0].presetOptions: preset 'external-dns' needs hostedZoneIds (scoping inputs, so the preset "
        "never grants on every zone, secret, parameter or role)"
    ]
    assert _problems(_with(presets=["external-secrets"], presetOptions={"secretArns": ["arn:aws:s3:::x"]})) == [
        'irsa:workloads[0].presetOptions.secretArns: ["arn:aws:s3:::x"] is not a list of Secrets Manager secret ARNs '
        "(a list of Secrets Manager secret ARNs)",
        "irsa:workloads[0].presetOptions: preset 'external-secrets' needs secretArns or parameterArns (scoping inputs, "
        "so the preset never grants on every zone, secret, parameter or role)",
    ]


def test_presets_plan_into_attachments_and_inline_statements() -> None:
    raw = _with(presets=["vpc-cni", "external-dns"], presetOptions={"hostedZoneIds": [ZONE]}, sampleJob=False)
    plan = plan_of(raw)
    (attachment,) = by_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment["inputs"] == {
        "policyArn": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "role": "irsa-dev-s3-writer",
    }
    (policy,) = by_type(plan, "aws:iam/rolePolicy:RolePolicy")
    assert [s["Sid"] for s in json.loads(policy["inputs"]["policy"])["Statement"]] == [
        "ExternalDnsChangeListedZones",
        "ExternalDnsReadZones",
        "ExternalDnsListZones",
    ]


def test_service_account_can_be_left_to_the_add_on() -> None:
    plan = plan_of(_with(presets=["ebs-csi"], createServiceAccount=False))
    assert by_type(plan, "kubernetes:core/v1:ServiceAccount") == []
    assert by_type(plan, "aws:iam/rolePolicy:RolePolicy") == []  # managed policy only: no empty inline policy
    job = by_type(plan, "kubernetes:batch/v1:Job")[0]
    names = {e["name"] for e in job["inputs"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "IRSA_CHECK_BUCKET" not in names  # no S3 grant: the Job proves the identity only
