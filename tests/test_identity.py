"""Stable resource identity: URNs derive from workload names, never from list positions."""

from __future__ import annotations

from typing import Any

from conftest import EKS_CONFIG, config, plan_of


def _workload(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": "apps",
        "serviceAccount": name,
        "s3": [{"bucket": f"bucket-{name}", "access": "read"}],
    }


def _urns(names: list[str]) -> dict[str, set[str]]:
    plan = plan_of(config(EKS_CONFIG, **{"irsa:workloads": [_workload(n) for n in names]}))
    by_workload: dict[str, set[str]] = {n: set() for n in names}
    for r in plan["resources"]:
        for n in names:
            if r["name"] == n or r["name"].startswith(f"{n}-"):
                by_workload[n].add(r["urn"])
    return by_workload


def test_reordering_keeps_every_urn() -> None:
    assert _urns(["alpha", "beta", "gamma"]) == _urns(["gamma", "alpha", "beta"])


def test_adding_a_workload_leaves_the_others_alone() -> None:
    before = _urns(["alpha", "beta"])
    after = _urns(["alpha", "new", "beta"])
    assert {k: after[k] for k in before} == before
    # component, role, policy, ServiceAccount, verification component, ConfigMap, Job
    assert len(after["new"]) == 7


def test_removing_a_workload_leaves_the_others_alone() -> None:
    before = _urns(["alpha", "beta", "gamma"])
    after = _urns(["alpha", "gamma"])
    assert after == {k: before[k] for k in ("alpha", "gamma")}


def test_aliases_keep_urns_across_a_rename() -> None:
    """Renaming a component type must register an alias to the old type, so the engine maps old URNs."""
    import pulumi

    from components import aliases
    from components.cli.plan import PlanMocks, install_mocks
    from components.core.settings import parse_settings

    assert aliases.PREVIOUS_TYPES["irsa:index:WorkloadIdentity"] == ()  # nothing renamed yet
    monitor = install_mocks(PlanMocks(parse_settings(EKS_CONFIG, "dev")), "irsa", "dev")
    seen: list[Any] = []
    original = monitor.RegisterResource

    def spy(request: Any) -> Any:
        seen.append((request.type, [a.spec.type for a in request.aliases if a.HasField("spec")]))
        return original(request)

    monitor.RegisterResource = spy  # type: ignore[method-assign]

    class Renamed(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__(
                "irsa:index:WorkloadIdentityV2",
                name,
                {},
                aliases.options(
                    "irsa:index:WorkloadIdentityV2", {"irsa:index:WorkloadIdentityV2": ("irsa:index:WorkloadIdentity",)}
                ),
            )

    @pulumi.runtime.test
    def program() -> None:
        Renamed("alpha")

    program()
    assert ("irsa:index:WorkloadIdentityV2", ["irsa:index:WorkloadIdentity"]) in seen
