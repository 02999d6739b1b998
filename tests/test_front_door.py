"""The component door as the schema promises it: enums accepted as values, every `Input` argument may be
computed and registers exactly what its plain value does, `region` from the provider's config, the token
splice decided by the cluster (EKS: no), and the deprecated `inject_pod_identity` still accepted."""

from __future__ import annotations

import copy
import json
from typing import Any

import pulumi
import pytest
from test_component_arguments import GOOD, problems, run_program, with_args

from components import KeyAccess, Mechanism, Preset, QueueAccess, S3Access, TableAccess, WorkloadIdentity
from components.package import schema

AKS_ISSUER = "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
RICH: dict[str, Any] = {
    **GOOD,
    "audience": "sts.amazonaws.com",
    "job_image": "public.ecr.aws/docker/library/python:3.12-slim",
    "token_expiration_seconds": 7200,
    "assume_roles": ["arn:aws:iam::210987654321:role/reader"],
    "session_tags": True,
    "account_id": "123456789012",
    "permissions_boundary": "arn:aws:iam::123456789012:policy/org/boundary",
    "tags": {"team": "billing", "cost-centre": "42"},
    "dynamodb": [{"table": "orders", "access": "read"}],
    "sqs": [{"queue": "jobs", "access": "send", "kms_key": KEY}],
    "sns": [{"topic": "events"}],
    "secrets": [{"secret": "billing/db"}],
    "parameters": [{"path": "/billing/prod/"}],
    "kms": [{"key": KEY, "access": "decrypt"}],
    "statements": [{"Effect": "Allow", "Action": "logs:PutLogEvents",
                    "Resource": "arn:aws:logs:eu-west-1:123456789012:log-group:/billing:*"}],
    "extra_subjects": ["system:serviceaccount:billing:billing-worker"],
    "verify_publish": True,
    "splice_token_fragment": True,
}


def _registered(args: dict[str, Any]) -> list[tuple[str, str, str]]:
    def make(seen: dict[str, Any]) -> Any:
        return WorkloadIdentity("app", args).role_arn  # type: ignore[arg-type]

    records, _, error = run_program(make)
    assert error is None, error
    return sorted((r["type"], r["name"], json.dumps(r["inputs"], sort_keys=True)) for r in records)


def _input_arguments() -> list[str]:
    """WorkloadIdentity's arguments the schema types as Inputs, or as lists of Inputs, in snake_case."""
    inputs = schema()["resources"]["irsa:index:WorkloadIdentity"]["inputProperties"]
    found = []
    for camel, prop in inputs.items():
        inner = prop.get("items", prop) if prop.get("type") == "array" else prop
        if not inner.get("plain") or "$ref" in inner and "Grant" in inner["$ref"]:
            found.append("".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in camel))
    return found


def _computed(key: str, value: Any) -> Any:
    """The value as a program computes it: a list's items (its length stays plain), a grant's fields."""
    if isinstance(value, list):
        return [_computed(key, item) for item in value]
    if isinstance(value, dict) and key != "tags":
        return {k: pulumi.Output.from_input(v) for k, v in value.items()}
    return pulumi.Output.from_input(value)


PLAIN_RUN: list[tuple[str, str, str]] = []


@pytest.mark.parametrize("key", sorted(set(_input_arguments()) & (set(RICH) - {"namespace", "service_account"})))
def test_every_input_argument_may_be_computed_and_registers_the_same(key: str) -> None:
    if not PLAIN_RUN:
        PLAIN_RUN.extend(_registered(copy.deepcopy(RICH)))
    computed = {**copy.deepcopy(RICH), key: _computed(key, RICH[key])}
    assert _registered(computed) == PLAIN_RUN


def test_the_input_arguments_cover_what_the_issue_named() -> None:
    assert {"permissions_boundary", "target_role_arn", "tags", "assume_roles"} <= set(_input_arguments())


def test_enum_members_are_the_stack_files_strings() -> None:
    with_enums = {
        **copy.deepcopy(RICH),
        "s3": [{"bucket": "invoices", "prefix": "2026/", "access": S3Access.READ}],
        "dynamodb": [{"table": "orders", "access": TableAccess.READ}],
        "sqs": [{"queue": "jobs", "access": QueueAccess.SEND, "kms_key": KEY}],
        "kms": [{"key": KEY, "access": KeyAccess.DECRYPT}],
        "mechanism": Mechanism.IRSA,
    }
    assert _registered(with_enums) == _registered({**copy.deepcopy(RICH), "mechanism": "irsa"})


def test_a_preset_enum_attaches_like_its_name() -> None:
    by_enum = _registered(with_args(presets=[Preset.EBS_CSI], sample_job=False))
    assert by_enum == _registered(with_args(presets=["ebs-csi"], sample_job=False))
    assert any(t == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" for t, _, _ in by_enum)


def test_managed_policy_arns_are_attached_when_other_arguments_are_computed() -> None:
    """identity_shape left them out: with any computed argument the managed policies were never attached."""
    arn = "arn:aws:iam::123456789012:policy/billing-extra"
    plain = _registered(with_args(managed_policy_arns=[arn]))
    computed = _registered(with_args(managed_policy_arns=[arn], namespace=pulumi.Output.from_input("billing")))
    assert computed == plain
    assert any(arn in inputs for t, _, inputs in plain if t.endswith("RolePolicyAttachment"))


GRANTS = [{"bucket": f"bucket-number-{i:03d}-with-a-long-name", "prefix": f"some/long/prefix/{i}/",
           "access": "read-write"} for i in range(60)]  # fmt: skip  # past the inline quota: 5 managed policies


def test_permissions_past_the_inline_quota_are_split_when_only_permission_free_arguments_are_computed() -> None:
    """A computed namespace (say, a Namespace resource's name) decides nothing in the permissions: the split into
    customer-managed policies is planned before it resolves, as with every argument plain. It used to register
    one inline policy of 43 KB, which IAM refuses at deploy (10,240 bytes)."""
    plain = _registered(with_args(s3=GRANTS))
    assert sum(t == "aws:iam/policy:Policy" for t, _, _ in plain) == 5
    assert _registered(with_args(s3=GRANTS, namespace=pulumi.Output.from_input("billing"))) == plain


def test_computed_permissions_past_the_inline_quota_are_refused_not_deployed() -> None:
    """With a grant computed, how many managed policies the documents need is known only once it resolves."""
    grants = [{**g, "bucket": pulumi.Output.from_input(g["bucket"])} for g in GRANTS]

    def make(seen: dict[str, Any]) -> Any:
        return WorkloadIdentity("app", with_args(s3=grants)).role_arn

    records, _, error = run_program(make)
    assert error is not None
    assert str(error).startswith(
        'WorkloadIdentity("app"): its permissions need 5 customer-managed policies (past IAM\'s inline quota), '
        "known only once its computed arguments (s3) resolved (pass s3 plainly"
    )
    assert not [r for r in records if r["type"] in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")]


def test_region_defaults_to_the_aws_provider_config(monkeypatch: pytest.MonkeyPatch) -> None:
    without = {k: v for k, v in GOOD.items() if k != "region"}
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    found = problems(copy.deepcopy(without))
    assert found == [
        'WorkloadIdentity("app").region: is required (the AWS region pods call STS in, e.g. eu-west-1 '
        "(default: the aws:region config, else AWS_REGION))"
    ]
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert _registered(copy.deepcopy(without)) == _registered(copy.deepcopy(GOOD))
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    pulumi.runtime.set_all_config({"aws:region": "eu-west-1"})
    try:
        assert _registered(copy.deepcopy(without)) == _registered(copy.deepcopy(GOOD))
    finally:
        pulumi.runtime.set_all_config({})


def _job_env_names(args: dict[str, Any]) -> set[str]:
    def make(seen: dict[str, Any]) -> Any:
        return WorkloadIdentity("app", args).role_arn  # type: ignore[arg-type]

    records, _, error = run_program(make)
    assert error is None, error
    [job] = [r for r in records if r["type"] == "kubernetes:batch/v1:Job"]
    [container] = job["inputs"]["spec"]["template"]["spec"]["containers"]
    return {e["name"] for e in container.get("env", [])}


@pytest.mark.parametrize(
    ("changes", "spliced"),
    [
        ({}, False),  # an EKS issuer: its webhook injects the token
        ({"issuer_url": pulumi.Output.from_input(GOOD["issuer_url"])}, False),  # decided once it resolves
        ({"issuer_url": AKS_ISSUER}, True),
        ({"issuer_url": pulumi.Output.from_input(AKS_ISSUER)}, True),
        ({"splice_token_fragment": True}, True),
        ({"issuer_url": AKS_ISSUER, "splice_token_fragment": False}, False),
        ({"inject_pod_identity": True}, True),  # the deprecated name still works
    ],
)
def test_the_token_is_spliced_where_no_webhook_injects_it(changes: dict[str, Any], spliced: bool) -> None:
    """It was spliced by default everywhere: on EKS the Job's pod got the fragment the webhook also adds."""
    names = _job_env_names(with_args(**changes))
    assert ("AWS_WEB_IDENTITY_TOKEN_FILE" in names) is spliced, names


def test_the_old_and_new_splice_names_together_are_refused() -> None:
    found = problems(with_args(inject_pod_identity=True, splice_token_fragment=True))
    assert found == [
        'WorkloadIdentity("app").inject_pod_identity: is the deprecated name of splice_token_fragment (give only one)'
    ]
