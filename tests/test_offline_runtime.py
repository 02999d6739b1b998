"""What the offline plan changes in the SDK's runtime for speed, each shown to leave its answer unchanged."""

from __future__ import annotations

import dataclasses
import gc
from typing import Any

import pulumi
from conftest import EKS_CONFIG, config, plan_of, settings_of
from hypothesis import given
from hypothesis import strategies as st
from pulumi.runtime import rpc

from components import gc_tuning
from components.cli import plan
from components.core import stack_plan
from components.core.model import Workload

# Values as the SDK checks them: scalars, unknowns, nested dicts and lists (a container may appear twice).
UNKNOWN = pulumi.output.UNKNOWN
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3), st.just(UNKNOWN))
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=2), inner, max_size=4)),
    max_leaves=12,
)
SDK_CHECK = plan.SDK_CONTAINS_UNKNOWNS  # the SDK's own


@given(values)
def test_the_unknowns_check_answers_as_the_sdks(value: Any) -> None:
    shared = [value, {"again": value}]  # a container reached twice
    assert plan.contains_unknowns(value) == SDK_CHECK(value)
    assert plan.contains_unknowns(shared) == SDK_CHECK(shared)


def test_the_unknowns_check_leaves_no_cycle_for_the_collector() -> None:
    """The SDK's check (pulumi 3.260.0) leaves a reference cycle per call; the plan's leaves none."""
    value = {"a": [1, {"b": "x"}], "c": UNKNOWN}
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for _ in range(100):
            plan.contains_unknowns(value)
        ours = gc.collect()
        for _ in range(100):
            SDK_CHECK(value)
        sdks = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert ours == 0
    assert sdks >= 100  # what the replacement is for; fails once the SDK fixes it (then drop the replacement)


def test_a_plan_replaces_the_sdks_check_while_it_has_that_shape() -> None:
    plan.install_mocks(plan.PlanMocks(settings_of(EKS_CONFIG)), "irsa", "dev")
    assert rpc.contains_unknowns is plan.contains_unknowns
    assert SDK_CHECK.__module__ == "pulumi.runtime.rpc"


def test_collection_is_paused_only_inside_the_block() -> None:
    assert gc.isenabled()
    with gc_tuning.collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_tuning.collection_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_a_stack_is_planned_once_for_its_quotas_and_its_registrations(monkeypatch: Any) -> None:
    calls: list[int] = []
    inner = stack_plan._planned_stack

    def counted(settings: Any) -> Any:
        calls.append(len(settings.workloads))
        return inner(settings)

    monkeypatch.setattr(stack_plan, "_planned_stack", counted)
    monkeypatch.setattr(stack_plan, "_LAST", [])
    raw = config(EKS_CONFIG)
    kept = plan_of(raw)
    assert len(calls) == 1  # parse_settings' quotas and build: one planning
    settings = settings_of(raw)  # read again: equal settings, the same plans
    changed = dataclasses.replace(settings, warnings=("another",), default_tags=(("team", "a"),))
    assert stack_plan.planned_stack(changed)[0] == stack_plan.planned_stack(settings)[0]
    assert len(calls) == 1
    one_less = dataclasses.replace(settings, workloads=settings.workloads[:-1])
    assert len(stack_plan.planned_stack(one_less)[0]) == len(settings.workloads) - 1
    assert len(calls) == 2
    renamed: Workload = dataclasses.replace(settings.workloads[0], name="renamed")
    other = dataclasses.replace(settings, workloads=(renamed, *settings.workloads[1:]))
    assert stack_plan.planned_stack(other)[0][0].spec.workload.name == "renamed"
    assert len(calls) == 3
    assert plan_of(raw) == kept
    assert len(calls) == 4
