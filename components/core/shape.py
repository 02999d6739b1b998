"""Which resources a workload registers, and their names (pure): what WorkloadIdentity must know before any
computed value is, read from its arguments by the component door and from the plan by the planner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.core.model import Mechanism, Placement


@dataclass(frozen=True)
class Attachment:
    """A managed policy attached to the role, and the resource name suffix that carries it."""

    name: str
    policy_arn: str


@dataclass(frozen=True)
class WorkloadShape:
    """Which resources a workload registers, and their names: known before any computed value is."""

    role_name: str
    policy_name: str
    max_session_duration: int
    mechanism: Mechanism
    cluster_name: str
    has_inline_policy: bool
    attachments: tuple[Attachment, ...]
    creates_service_account: bool
    creates_job: bool
    role_path: str = "/"
    permissions_boundary: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    managed_policies: int = 0  # customer-managed policies carrying permissions past the inline quota
    disable_session_tags: bool = False  # the Pod Identity association adds no session tags
    placements: tuple[Placement, ...] = ()  # the clusters it runs in; empty: the one mechanism/cluster_name name
    target_role: bool = False  # its association chains into a target role
    deferred: tuple[str, ...] = ()  # guardrails a program computes: passed on once known (permissions_boundary, tags)
    adopted_role: bool = False  # the role exists: imported (its name), not created
    adopted_policy: bool = False  # its inline policy exists too: imported (role:name), not created
    shared_role: str | None = None  # the shared role it acts as: no role of its own, a session policy instead

    @property
    def where(self) -> tuple[Placement, ...]:
        """Every cluster it registers resources in."""
        return self.placements or (Placement(self.cluster_name, self.mechanism, first=False),)

    @property
    def pod_identity(self) -> bool:
        """Whether it creates a Pod Identity association anywhere (pod-identity, or both during a migration)."""
        return any(p.association for p in self.where)

    def role_guardrails(self) -> dict[str, Any]:
        """The role's path, boundary and tags as resource arguments, each only when set (no diff otherwise)."""
        found: dict[str, Any] = {}
        if self.role_path != "/":
            found["path"] = self.role_path
        if self.permissions_boundary:
            found["permissions_boundary"] = self.permissions_boundary
        if self.tags:
            found["tags"] = dict(self.tags)
        return found
