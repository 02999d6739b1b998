"""The two doors agree on real input: every workload of every shipped stack, written as `WorkloadIdentity`
arguments (what the stack sets for all its workloads passed as the argument of the same meaning), gives the
same validated spec and registers the same resources with the same inputs; and the same bad value gets the
same verdict from both, at the same field in each door's spelling."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
from conftest import EKS_CONFIG, config
from test_component_arguments import run_program

from components import WorkloadIdentity
from components.cli.stackfile import known_stacks, load_settings, read_document, stack_path
from components.core import names
from components.core.config.arguments import identity_spec, snake_case
from components.core.config.engine_config import delivered
from components.core.model import ConfigError, IdentitySpec, InvalidInput, Settings
from components.core.settings import parse_settings
from components.core.stack_plan import stack_plans
from components.core.workload_plan import WorkloadPlan
from components.targets import ClusterBinding

# no argument: the component's name, a Namespace, placement, the SharedRole it is a workload of
STACK_ONLY = ("name", "createNamespace", "clusters", "sharedRole")
EKS_ISSUER = "https://oidc.eks.{region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
AKS_ISSUER = "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/1111/"


def _as_arguments(value: Any) -> Any:
    """A stack-file value in the component's spelling: snake_case keys, grant and preset options too (raw
    statements keep IAM's own keys)."""
    if isinstance(value, list):
        return [_as_arguments(v) for v in value]
    if isinstance(value, dict):
        return {snake_case(k): v if k == "statements" else _as_arguments(v) for k, v in value.items()}
    return value


def _door_cases() -> list[tuple[str, int]]:
    cases = []
    for stack in known_stacks():
        settings = load_settings(stack)
        if settings.multi_cluster:
            continue  # a component binds one cluster; several are the stack program's (test_multi_cluster)
        cases += [(stack, i) for i in range(len(settings.workloads))]
    return cases


def _stack(stack: str) -> tuple[dict[str, Any], Settings, list[WorkloadPlan]]:
    raw = delivered(read_document(stack_path(stack), stack).get("config") or {})
    settings = load_settings(stack)  # an application stack's with its platform's clusters and defaults
    return raw, settings, stack_plans(settings)


def _arguments(raw: dict[str, Any], settings: Settings, plan: WorkloadPlan, index: int) -> dict[str, Any]:
    """The stack's workload as component arguments; what the stack decides for all its workloads (names from the
    stack name, guardrail defaults, the account, quotas, the cluster and its issuer) given as arguments."""
    workload = raw["irsa:workloads"][index]
    spec, where = plan.spec, plan.spec.where[0]
    cluster = settings.clusters_of(spec.workload)[0]
    args = _as_arguments({k: v for k, v in workload.items() if k not in STACK_ONLY})
    args.update(
        region=settings.region,
        cluster_name=where.cluster_name,
        role_name=names.role_name(settings.stack, workload.get("sharedRole") or workload["name"]),
        mechanism=where.mechanism,
        audience=cluster.audience,
        role_path=settings.defaults.role_path,
        trust_policy_max_chars=settings.trust_policy_max_chars,
        managed_policies_per_role=settings.managed_policies_per_role,
        issuer_url=EKS_ISSUER.format(region=settings.region) if cluster.kind == "eks" else AKS_ISSUER,
        oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/issuer.example/x",
    )
    if settings.account_id:
        args["account_id"] = settings.account_id
    if workload.get("sharedRole"):  # as SharedRole passes its workloads on: its role's name, no session tags
        args["disable_session_tags"] = True
    tags = dict(settings.defaults.tags) | dict(args.get("tags") or {})
    if tags:
        args["tags"] = tags
    if settings.defaults.permissions_boundary and "permissions_boundary" not in args:
        args["permissions_boundary"] = settings.defaults.permissions_boundary
    if where.mechanism != "irsa":
        args["cluster_arn"] = "arn:aws:eks:eu-west-1:123456789012:cluster/c"
    cross = settings.cross_account
    trusting = [] if cross is None else [
        cross.role_arn_of(r, settings.partition) for r in cross.roles if workload["name"] in r.trusted_workloads
    ]
    if trusting:  # the stack's cross-account roles that trust this workload: its role may assume them
        args["assume_roles"] = list(dict.fromkeys([*args.get("assume_roles", []), *trusting]))
    if spec.chain is not None:  # the stack's cross-account role the Job chains into
        grant = spec.chain.grant
        args["chain"] = {"role_arn": spec.chain.role_arn, "bucket": grant.bucket, "prefix": grant.prefix,
                         "access": grant.access} | ({"external_id": spec.chain.external_id}
                                                    if spec.chain.external_id else {})  # fmt: skip
    return args


def _comparable(spec: IdentitySpec) -> IdentitySpec:
    """What both doors decide: without the stack-only fields (Namespace creation, placement by cluster name)
    and the target role's grant, which only a stack that creates the target role knows."""
    workload = dataclasses.replace(spec.workload, create_namespace=False, mechanism=None, clusters=(), shared_role=None)
    target = dataclasses.replace(spec.target, grant=None) if spec.target is not None else None
    where = tuple(dataclasses.replace(p, first=False, qualified=False) for p in spec.where)
    return dataclasses.replace(spec, workload=workload, target=target, placements=where)


@pytest.mark.parametrize(("stack", "index"), _door_cases())
def test_a_shipped_workload_gives_the_same_spec_at_both_doors(stack: str, index: int) -> None:
    raw, settings, plans = _stack(stack)
    plan = plans[index]
    from_component = identity_spec(plan.spec.workload.name, _arguments(raw, settings, plan, index))
    assert _comparable(from_component) == _comparable(plan.spec)


def _registered(make: Any) -> list[tuple[str, str, str]]:
    records, _, error = run_program(lambda seen: make())
    assert error is None, error
    return sorted((r["type"], r["name"], json.dumps(r["inputs"], sort_keys=True)) for r in records)


@pytest.mark.parametrize(("stack", "index"), [c for c in _door_cases() if c[0] in ("payments", "dev", "staging")])
def test_a_shipped_workload_registers_the_same_inputs_at_both_doors(stack: str, index: int) -> None:
    raw, settings, plans = _stack(stack)
    plan = plans[index]
    if plan.spec.target is not None and plan.spec.target.grant is not None:
        pytest.skip("the Job proves a target role only the stack creates")
    args = _arguments(raw, settings, plan, index)
    binding = ClusterBinding(plan.spec.where[0], args["oidc_provider_arn"], args["issuer_url"],
                             args.get("cluster_arn", ""))  # fmt: skip
    name = plan.spec.workload.name
    stack_door = _registered(lambda: WorkloadIdentity.from_plan(name, plan, [binding]).role_arn)
    component_door = _registered(lambda: WorkloadIdentity(name, args).role_arn)  # type: ignore[arg-type]
    assert component_door == stack_door
    assert {t for t, _, _ in stack_door} >= {"aws:iam/role:Role", "kubernetes:core/v1:ServiceAccount"}


BAD_VALUES: list[tuple[str, Any]] = [
    ("s3", [{"bucket": "invoices", "access": "readonly"}]),
    ("namespace", "Bad_Namespace"),
    ("serviceAccount", "-bad-"),
    ("maxSessionDuration", 100),
    ("tokenExpirationSeconds", 10),
    ("assumeRoles", ["arn:aws:iam::123456789012:root"]),
    ("dynamodb", [{"table": "orders", "access": "admin"}]),
    ("sqs", [{"queue": "jobs", "access": "send", "kmsKey": "not-a-key"}]),
    ("managedPolicyArns", ["arn:aws:iam::aws:policy/AdministratorAccess"]),
    ("statements", [{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    ("extraSubjects", ["system:serviceaccount:*:*"]),
    ("permissionsBoundary", "not-a-policy"),
    ("tags", {"aws:team": "x"}),
    ("presets", ["no-such-addon"]),
    ("presetOptions", {"hostedZoneIds": ["nope"]}),
    ("jobImage", "python:3 ; rm -rf /"),
    ("mechanism", "magic"),
]


def _relative(problem: str) -> str:
    """`<field path after the workload>: <what is wrong> (<allowed>)`, in snake_case."""
    path, _, rest = problem.partition(": ")
    field = re.sub(r"^(irsa:workloads\[0\]|WorkloadIdentity\(\"s3-writer\"\))", "", path)
    return f"{snake_case(field)}: {rest}"


@pytest.mark.parametrize(("key", "value"), BAD_VALUES, ids=[k for k, _ in BAD_VALUES])
def test_a_bad_value_gets_the_same_verdict_at_both_doors(key: str, value: Any) -> None:
    workload = {**EKS_CONFIG["irsa:workloads"][0], key: value}
    with pytest.raises(ConfigError) as from_stack:
        parse_settings(config(EKS_CONFIG, **{"irsa:workloads": [workload]}), "dev")
    args = _as_arguments({k: v for k, v in workload.items() if k != "name"})
    args.update(region="ap-northeast-2", oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/x/y",
                issuer_url=EKS_ISSUER.format(region="ap-northeast-2"))  # fmt: skip
    with pytest.raises(InvalidInput) as from_component:
        identity_spec("s3-writer", args)
    stack_lines = {_relative(str(p)) for p in from_stack.value.problems}
    component_lines = {_relative(str(p)) for p in from_component.value.problems}
    assert component_lines == stack_lines


def test_the_cases_cover_every_single_cluster_shipped_stack() -> None:
    covered = {stack for stack, _ in _door_cases()}
    single = {s for s in known_stacks() if len(_stack(s)[1].clusters) == 1}
    assert covered == single and len(covered) >= 4, covered
    assert stack_path("payments").exists()
