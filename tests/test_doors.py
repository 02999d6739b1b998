"""The two doors — a stack file and `WorkloadIdentity(...)` — apply the same rules: the quotas measured at both,
every stack-file workload key reachable as a component argument, and grant options spelled the component's way.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pytest
from conftest import config
from test_component_arguments import GOOD, ISSUER, PROVIDER_ARN, run_program, with_args

from components import WorkloadIdentity
from components.core.config.arguments import IDENTITY_ARGS, STACK_SPELLING, snake_case
from components.core.config.workloads import WORKLOAD_KEYS
from components.core.model import InvalidInput
from components.core.settings import parse_settings
from components.invalid_arguments import InvalidArguments
from components.package import schema
from components.workload_identity_args import WorkloadIdentityArgs

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SUBJECTS = [f"system:serviceaccount:team-{i:02d}:reporting-service-account" for i in range(40)]
# Stack-file workload keys with no component argument, and why.
STACK_ONLY = {
    "name": "the component's resource name",
    "createNamespace": "a component user creates the Namespace in their own program",
    "clusters": "a component binds one cluster (oidc_provider_arn, issuer_url, cluster_name, cluster_arn)",
    "sharedRole": "a program passes the workloads to SharedRole(workloads={name: WorkloadIdentityArgs})",
}


def _component_problems(args: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidArguments) as caught:
        WorkloadIdentity("app", args)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


def test_a_trust_policy_past_the_quota_is_refused_at_both_doors_with_one_size() -> None:
    """A WorkloadIdentity with a 2,763-character trust policy was accepted; the same stack file was refused."""
    stack = {
        "aws:region": "eu-west-1",
        "irsa:cluster": {"kind": "eks", "name": "c", "issuerUrl": ISSUER, "oidcProviderArn": PROVIDER_ARN},
        "irsa:workloads": [{"name": "app", "namespace": "billing", "serviceAccount": "billing",
                            "s3": GOOD["s3"], "extraSubjects": SUBJECTS, "sampleJob": False}],
    }  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        parse_settings(stack, "dev")
    (stack_line,) = [str(p) for p in refused.value.problems]
    component_lines = _component_problems(with_args(extra_subjects=SUBJECTS))
    size = re.search(r"trust policy is (\d+) characters", stack_line)
    assert size is not None and int(size[1]) > 2048
    assert any(f"trust policy is {size[1]} characters" in line for line in component_lines), component_lines
    assert component_lines[0].startswith('WorkloadIdentity("app"): trust policy is')
    # The component's own quota argument raises it, as irsa:trustPolicyMaxChars does for the stack.
    WorkloadIdentity("app", with_args(extra_subjects=SUBJECTS, trust_policy_max_chars=4096))
    parse_settings(config(stack, **{"irsa:trustPolicyMaxChars": 4096}), "dev")


def test_a_trust_measured_only_at_deploy_fails_the_deployment_past_the_quota() -> None:
    def make(seen: dict[str, Any]) -> Any:
        issuer = pulumi.Output.from_input(ISSUER)
        identity = WorkloadIdentity("app", with_args(issuer_url=issuer, extra_subjects=SUBJECTS))
        return identity.role_arn

    _, _, error = run_program(make)
    assert error is not None and "trust policy is" in str(error) and "at most 2048 characters" in str(error)


def test_too_many_attachments_are_refused_at_the_component_door() -> None:
    arns = [f"arn:aws:iam::123456789012:policy/team-{i}" for i in range(11)]
    (line,) = _component_problems(with_args(managed_policy_arns=arns))
    assert line.startswith('WorkloadIdentity("app"): needs 11 managed policy attachments')
    assert "WorkloadIdentity(\"app\").managed_policies_per_role" in line
    WorkloadIdentity("app", with_args(managed_policy_arns=arns, managed_policies_per_role=11))


def test_kms_key_and_verify_publish_reach_the_component() -> None:
    """`verify_publish` could not be set, and `kmsKey` had to be camelCase inside snake_case arguments."""

    def make(seen: dict[str, Any]) -> Any:
        identity = WorkloadIdentity(
            "app",
            with_args(account_id="123456789012", sns=[{"topic": "alerts", "kms_key": KEY}], verify_publish=True,
                      s3=[{"bucket": "invoices", "access": "write", "kms_key": KEY}]),  # fmt: skip
        )
        return identity.role_arn

    records, _, error = run_program(make)
    assert error is None, error
    [policy] = [r for r in records if r["type"] == "aws:iam/rolePolicy:RolePolicy"]
    document = json.loads(policy["inputs"]["policy"])
    contexts = [st.get("Condition", {}) for st in document["Statement"] if "kms:Decrypt" in str(st["Action"])]
    assert any("kms:EncryptionContext:aws:sns:topicArn" in str(c) for c in contexts)
    assert any("s3.eu-west-1.amazonaws.com" in str(c) for c in contexts)
    [job] = [r for r in records if r["type"] == "kubernetes:batch/v1:Job"]
    assert "arn:aws:sns:eu-west-1:123456789012:alerts" in str(job["inputs"])


def test_a_bad_grant_option_is_named_as_the_component_spells_it() -> None:
    lines = _component_problems(with_args(sns=[{"topic": "alerts", "kms_key": "not-a-key"}]))
    assert any(line.startswith('WorkloadIdentity("app").sns[0].kms_key:') for line in lines), lines
    lines = _component_problems(with_args(verify_publish=True))
    assert any(line.startswith('WorkloadIdentity("app").verify_publish:') for line in lines), lines


@pytest.mark.parametrize("key", [k for k in WORKLOAD_KEYS if k not in STACK_ONLY])
def test_every_stack_file_workload_key_is_a_component_argument(key: str) -> None:
    argument = snake_case(key)
    assert argument in IDENTITY_ARGS
    assert argument in WorkloadIdentityArgs.__annotations__
    properties = schema()["resources"]["irsa:index:WorkloadIdentity"]["inputProperties"]
    camel = re.sub(r"_([a-z])", lambda m: m[1].upper(), argument)
    assert camel in properties, f"the schema has no {camel}"


def test_the_component_spelling_table_names_real_stack_file_keys() -> None:
    assert set(STACK_SPELLING.values()) <= {"kmsKey", *WORKLOAD_KEYS}


def test_the_readme_lists_every_component_argument() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    (row,) = [line for line in readme.splitlines() if line.startswith("| `WorkloadIdentity` |")]
    listed = set(re.findall(r"`(\w+)`", row.split(" | ")[2]))
    assert listed == set(IDENTITY_ARGS)
