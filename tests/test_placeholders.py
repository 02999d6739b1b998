"""No offline placeholder is deployed: under `pulumi up` every value the plan shows as `<unknown: …>` is known,
and the registration layer refuses a resource that would carry one anyway.

`pulumi up` is stood in for by the mock engine with the guard on (`install_mocks(offline=False)`) and lookups
answered as a deployment would, with real values.
"""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pytest
from conftest import EKS_CONFIG
from grant_fixtures import stack

from components.cli.plan import PlanMocks, install_mocks
from components.core.settings import parse_settings
from components.kubernetes_objects import kubernetes_object
from components.placeholders import PlaceholderLeak
from components.program import build

DEPLOYING_ACCOUNT = "111122223333"
ISSUER = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"


class DeployMocks(PlanMocks):
    """Lookups answered as at deploy: the cluster and the caller are real, not placeholders."""

    def _answer(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name") or "dev-cluster")
        if token == "aws:eks/getCluster:getCluster":
            return {
                "name": name,
                "arn": f"arn:aws:eks:ap-northeast-2:{DEPLOYING_ACCOUNT}:cluster/{name}",
                "endpoint": "https://ABCDEF.gr7.ap-northeast-2.eks.amazonaws.com",
                "certificateAuthorities": [{"data": base64.b64encode(b"ca").decode()}],
                "identities": [{"oidcs": [{"issuer": ISSUER}]}],
            }
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": DEPLOYING_ACCOUNT, "arn": f"arn:aws:iam::{DEPLOYING_ACCOUNT}:user/ci", "userId": "AID"}
        return super()._answer(token, args)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        found, state = super().new_resource(args)
        if args.typ.startswith("aws:iam/") and "arn" in state and "<unknown" in str(state["arn"]):
            state["arn"] = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:{args.typ.split('/')[1].split(':')[0]}/{args.name}"
        return found, state


def deploy(raw: dict[str, Any]) -> tuple[list[dict[str, Any]], Exception | None]:
    settings = parse_settings(raw, "dev")
    monitor = install_mocks(DeployMocks(settings), settings.project, settings.stack, offline=False)

    @pulumi.runtime.test
    def program() -> Any:
        return build(settings)

    try:
        program()
    except Exception as raised:  # noqa: BLE001 - the test inspects it
        return monitor.records, raised
    return monitor.records, None


def test_a_job_checking_a_topic_by_name_gets_the_deploying_account() -> None:
    """The Job received `arn:aws:sns:…:<unknown: account>:alerts` when no irsa:accountId was set."""
    records, error = deploy(stack(account=False, sns=[{"topic": "alerts"}], verifyPublish=True))
    assert error is None, error
    (job,) = [r for r in records if r["type"] == "kubernetes:batch/v1:Job"]
    assert f"arn:aws:sns:ap-northeast-2:{DEPLOYING_ACCOUNT}:alerts" in str(job["inputs"])
    assert "<unknown" not in str([r["inputs"] for r in records])


def test_every_shipped_kind_of_workload_deploys_without_a_placeholder() -> None:
    records, error = deploy(EKS_CONFIG)
    assert error is None, error
    assert records and "<unknown" not in str([r["inputs"] for r in records])


def test_the_registration_layer_refuses_a_placeholder_outside_the_plan() -> None:
    install_mocks(PlanMocks(parse_settings(EKS_CONFIG, "dev")), "irsa", "dev", offline=False)
    with pytest.raises(PlaceholderLeak, match=r"ConfigMap leak data\.x would deploy an offline placeholder"):
        kubernetes_object("leak", "ConfigMap", {"metadata": {"name": "x"}, "data": {"x": "<unknown: account>"}})


def test_a_placeholder_arriving_in_an_output_fails_the_deployment() -> None:
    install_mocks(PlanMocks(parse_settings(EKS_CONFIG, "dev")), "irsa", "dev", offline=False)

    @pulumi.runtime.test
    def program() -> Any:
        late = pulumi.Output.from_input("arn:aws:sns:r:<unknown: account>:t")
        return kubernetes_object("late", "ConfigMap", {"metadata": {"name": "y"}, "data": {"arn": late}}).urn

    with pytest.raises(Exception, match="would deploy an offline placeholder"):
        program()


def test_the_offline_plan_keeps_its_placeholders() -> None:
    settings = parse_settings(stack(account=False, sns=[{"topic": "alerts"}], verifyPublish=True), "dev")
    monitor = install_mocks(PlanMocks(settings), settings.project, settings.stack)

    @pulumi.runtime.test
    def program() -> Any:
        return build(settings)

    program()
    (job,) = [r for r in monitor.records if r["type"] == "kubernetes:batch/v1:Job"]
    assert "arn:aws:sns:ap-northeast-2:<unknown: account>:alerts" in str(job["inputs"])
