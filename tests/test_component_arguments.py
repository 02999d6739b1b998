"""The component front door: arguments are checked by the stack file's rules, and a bad one raises
before anything is registered — never a guess that grants more."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest
from conftest import EKS_CONFIG, config

from components import ClusterOidcProvider, CrossAccountRole, VerificationJob, WorkloadIdentity
from components.core.config.arguments import identity_spec
from components.core.model import ConfigError, InvalidInput
from components.core.settings import parse_settings
from components.invalid_arguments import InvalidArguments

PROVIDER_ARN = (
    "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
)
ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
GOOD: dict[str, Any] = {
    "oidc_provider_arn": PROVIDER_ARN,
    "issuer_url": ISSUER,
    "namespace": "billing",
    "service_account": "billing",
    "region": "eu-west-1",
    "s3": [{"bucket": "invoices", "prefix": "2026/", "access": "read"}],
}


def with_args(**changes: Any) -> Any:
    args = copy.deepcopy(GOOD)
    args.update(changes)
    return args


def problems(args: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidArguments) as caught:
        WorkloadIdentity("app", args)  # type: ignore[arg-type]
    assert isinstance(caught.value, pulumi.RunError)  # Pulumi prints the message, not a traceback
    return [str(p) for p in caught.value.problems]


def test_good_arguments_give_the_spec() -> None:
    spec = identity_spec("app", GOOD)
    assert spec.workload.s3[0].access == "read" and spec.role_name == "irsa-app" and spec.mechanism == "irsa"


@pytest.mark.parametrize(
    "changes,expected",
    [
        (
            {"s3": [{"bucket": "invoices", "access": "readonly"}]},
            'WorkloadIdentity("app").s3[0].access: "readonly" is not an access level (read, write, read-write or sync)',
        ),
        (
            {"mechanism": "pod-idenity"},
            'WorkloadIdentity("app").mechanism: "pod-idenity" is not a mechanism (irsa, pod-identity or both)',
        ),
        (
            {"extra_subjects": ["system:serviceaccount:*:*"]},
            'WorkloadIdentity("app").extra_subjects[0]: "system:serviceaccount:*:*" is not a ServiceAccount subject',
        ),
        ({"namespce": "x"}, "WorkloadIdentity(\"app\").namespce: unknown key (did you mean 'namespace'?"),
        ({"namespace": "Prod_NS"}, 'WorkloadIdentity("app").namespace: "Prod_NS" is not a valid Kubernetes namespace'),
        ({"region": "mars-1"}, 'WorkloadIdentity("app").region: "mars-1" is not an AWS region'),
        ({"max_session_duration": 10}, 'WorkloadIdentity("app").max_session_duration: 10 is out of range'),
        ({"presets": ["external-dns"]}, "WorkloadIdentity(\"app\").preset_options: preset 'external-dns' needs"),
        (
            {"assume_roles": ["arn:aws:iam::123456789012:root"]},
            'WorkloadIdentity("app").assume_roles[0]: "arn:aws:iam::123456789012:root" is not an IAM role ARN',
        ),
        ({"oidc_provider_arn": None}, 'WorkloadIdentity("app").oidc_provider_arn: is required'),
        (
            {"disable_session_tags": True},
            'WorkloadIdentity("app").disable_session_tags: is only used with mechanism pod-identity',
        ),
        (
            {"chain": {"role_arn": "arn:aws:iam::210987654321:role/x", "bucket": "b-1", "access": "all"}},
            'WorkloadIdentity("app").chain.access: "all" is not an access level',
        ),
    ],
)
def test_a_bad_argument_raises_instead_of_granting(changes: dict[str, Any], expected: str) -> None:
    found = problems(with_args(**changes))
    assert any(line.startswith(expected) for line in found), found


def test_every_problem_is_reported_at_once() -> None:
    found = problems(with_args(namespace="A", service_account="B", s3=[{"bucket": "x", "access": "rw"}]))
    assert len(found) == 4  # namespace, service account, bucket name, access level


def test_pod_identity_needs_its_cluster() -> None:
    found = problems(with_args(mechanism="pod-identity", oidc_provider_arn=None, issuer_url=None))
    assert any(".cluster_name: is required" in line for line in found)
    assert any(".cluster_arn: is required" in line for line in found)


def test_the_same_value_gets_the_same_verdict_from_both_doors() -> None:
    workload = {**EKS_CONFIG["irsa:workloads"][0], "s3": [{"bucket": "invoices", "access": "readonly"}]}
    with pytest.raises(ConfigError) as from_config:
        parse_settings(config(EKS_CONFIG, **{"irsa:workloads": [workload]}), "dev")
    with pytest.raises(InvalidInput) as from_component:
        identity_spec("app", with_args(s3=[{"bucket": "invoices", "access": "readonly"}]))
    [a], [b] = from_config.value.problems, from_component.value.problems
    assert (a.wrong, a.allowed) == (b.wrong, b.allowed)
    assert a.path.endswith(".s3[0].access") and b.path.endswith(".s3[0].access")


def test_the_other_components_check_their_arguments_too() -> None:
    with pytest.raises(InvalidArguments, match=r'ClusterOidcProvider\("c"\)\.thumbprints\[0\]: "abc"'):
        ClusterOidcProvider("c", {"issuer_url": ISSUER, "thumbprints": ["abc"]})
    with pytest.raises(InvalidArguments, match=r'ClusterOidcProvider\("c"\)\.issuer_url: "http://x" is not an https'):
        ClusterOidcProvider("c", {"issuer_url": "http://x"})
    with pytest.raises(InvalidArguments, match=r"trusted_role_arns\[0\]: \"arn:aws:iam::123456789012:root\""):
        CrossAccountRole("x", {"role_name": "r", "trusted_role_arns": ["arn:aws:iam::123456789012:root"]})
    with pytest.raises(InvalidArguments, match=r'VerificationJob\("j"\)\.grants\[0\]\.access: "write-ish"'):
        VerificationJob(
            "j",
            {
                "workload": "w",
                "namespace": "n",
                "service_account": "s",
                "grants": [{"bucket": "b-1", "access": "write-ish"}],  # type: ignore[typeddict-item]
                "image": "python:3",
                "role_arn": "arn:aws:iam::123456789012:role/r",
            },
        )


def run_program(make: Any) -> tuple[list[dict[str, Any]], dict[str, Any], Exception | None]:
    """Run `make()` as a Pulumi program on the mock engine; the registrations, what it resolved, any error."""
    from components.cli.plan import PlanMocks, install_mocks

    monitor = install_mocks(PlanMocks(parse_settings(EKS_CONFIG, "dev")), "other", "team")
    seen: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> Any:
        return make(seen)

    error = None
    try:
        program()
    except Exception as raised:  # noqa: BLE001 - the test inspects it
        error = raised
    return monitor.records, seen, error


def test_computed_bucket_and_namespace_are_rendered_when_known() -> None:
    def make(seen: dict[str, Any]) -> Any:
        bucket = pulumi.Output.from_input("computed-bucket")
        identity = WorkloadIdentity(
            "app",
            with_args(namespace=pulumi.Output.from_input("team-ns"), s3=[{"bucket": bucket, "access": "write"}]),
        )
        return pulumi.Output.all(identity.namespace, identity.token_fragment).apply(
            lambda v: seen.update(namespace=v[0], fragment=v[1])
        )

    records, seen, error = run_program(make)
    assert error is None and seen["namespace"] == "team-ns"
    [policy] = [r for r in records if r["type"] == "aws:iam/rolePolicy:RolePolicy"]
    assert "arn:aws:s3:::computed-bucket/*" in policy["inputs"]["policy"]
    [sa] = [r for r in records if r["type"] == "kubernetes:core/v1:ServiceAccount"]
    assert sa["inputs"]["metadata"]["namespace"] == "team-ns"
    [role] = [r for r in records if r["type"] == "aws:iam/role:Role"]
    assert "system:serviceaccount:team-ns:billing" in role["inputs"]["assumeRolePolicy"]


def test_a_computed_value_that_is_invalid_fails_with_the_same_message() -> None:
    def make(seen: dict[str, Any]) -> Any:
        identity = WorkloadIdentity("app", with_args(namespace=pulumi.Output.from_input("Not_A_Namespace")))
        return identity.role_arn

    _, _, error = run_program(make)
    assert isinstance(error, InvalidArguments)
    assert str(error.problems[0]).startswith('WorkloadIdentity("app").namespace: "Not_A_Namespace" is not a valid')


def test_what_decides_the_resources_must_be_plain() -> None:
    found = problems(with_args(sample_job=pulumi.Output.from_input(False), namespace=pulumi.Output.from_input("x")))
    assert found == [
        'WorkloadIdentity("app").sample_job: is computed (a plain value: it decides which resources exist)'
    ]


def test_both_needs_the_provider_and_the_cluster() -> None:
    found = problems(with_args(mechanism="both", oidc_provider_arn=None))
    assert any(".oidc_provider_arn: is required" in line for line in found)
    assert any(".cluster_name: is required" in line for line in found)
    assert any(".cluster_arn: is required" in line for line in found)


def test_target_role_arn_reaches_the_association_and_the_roles_policy() -> None:
    target = "arn:aws:iam::210987654321:role/shared-reader"
    pod_identity = with_args(
        mechanism="pod-identity",
        cluster_name="dev-cluster",
        cluster_arn="arn:aws:eks:eu-west-1:123456789012:cluster/dev-cluster",
        target_role_arn=target,
    )
    del pod_identity["s3"]

    def make(seen: dict[str, Any]) -> Any:
        return WorkloadIdentity("app", pod_identity).role_arn

    records, _, error = run_program(make)
    assert error is None
    [association] = [r for r in records if r["type"] == "aws:eks/podIdentityAssociation:PodIdentityAssociation"]
    assert association["inputs"]["targetRoleArn"] == target
    [policy] = [r for r in records if r["type"] == "aws:iam/rolePolicy:RolePolicy"]
    assert target in policy["inputs"]["policy"] and "sts:TagSession" in policy["inputs"]["policy"]
    [job] = [r for r in records if r["type"] == "kubernetes:batch/v1:Job"]
    env = job["inputs"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "IRSA_EXPECT_ROLE_ARN", "value": target} in env
    assert problems(with_args(target_role_arn=target)) == [
        'WorkloadIdentity("app").target_role_arn: is only used with mechanism pod-identity or both (EKS Pod '
        "Identity chains into it; with web identity, list the role in assume_roles)"
    ]
