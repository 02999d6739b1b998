"""What WorkloadIdentity can plan while some of its arguments are computed (pure): the split of its permissions
between an inline policy and customer-managed ones, when no computed argument is read by a permission."""

from __future__ import annotations

import dataclasses
from typing import Any

from components.core.config.arguments import identity_spec
from components.core.model import InvalidInput
from components.core.shape import WorkloadShape
from components.core.workload_plan import plan_workload

# Arguments no permissions document reads, each with a value that stands in for it while it is computed. (The
# component holds the resolved plan to the shape it registered: a mistake here is an error, not a deploy.)
PERMISSION_FREE: dict[str, Any] = {
    "namespace": "irsa-pending", "service_account": "irsa-pending", "extra_subjects": [], "tags": {},
    "permissions_boundary": None, "audience": None, "job_image": None, "token_expiration_seconds": None,
}  # fmt: skip


def sized(name: str, args: Any, computed: set[str], shape: WorkloadShape) -> WorkloadShape:
    """`shape` (from the structural pre-read) with its inline/managed split planned from the plain arguments,
    when those decide it; else as it was (the component then checks the split once the values resolve)."""
    if not computed <= set(PERMISSION_FREE):
        return shape
    stood_in = {**args, **{key: PERMISSION_FREE[key] for key in computed}}
    try:
        found = plan_workload(identity_spec(name, {k: v for k, v in stood_in.items() if v is not None})).shape
    except InvalidInput:  # reported once the computed values are known, with them
        return shape
    return dataclasses.replace(
        shape, has_inline_policy=found.has_inline_policy, managed_policies=found.managed_policies
    )
