"""A workload's plan as WorkloadIdentity's resources take it: plain values where the plan is known (fewer
Outputs at scale), Outputs where a computed argument holds it back until deploy."""

from collections.abc import Callable
from typing import Any

import pulumi

from components import aws_resources as aws
from components.core import documents
from components.core.workload_plan import WorkloadPlan

ARN_PROBE = "arn:aws:iam::000000000000:role/irsa-probe"  # finds which manifest fields carry the role ARN


class Planned:
    """The plan (or the Output of one), and the account its grants given by name resolve in."""

    def __init__(self, plan: WorkloadPlan | pulumi.Output[WorkloadPlan], account: pulumi.Input[str] | None) -> None:
        self.plan = plan
        self.account = account

    def known(self, render: Callable[[WorkloadPlan], Any]) -> Any:
        """A rendered value: plain when the plan is, else an Output."""
        return render(self.plan) if isinstance(self.plan, WorkloadPlan) else self.plan.apply(render)

    def with_arn(self, render: Callable[[WorkloadPlan, str], Any], arn: pulumi.Output[str]) -> pulumi.Output[Any]:
        plan = self.plan
        if isinstance(plan, WorkloadPlan):
            return arn.apply(lambda a: render(plan, a))
        return pulumi.Output.all(plan, arn).apply(lambda v: render(v[0], v[1]))

    def metadata_with_arn(self, render: Callable[[WorkloadPlan, str], Any], arn: pulumi.Output[str]) -> Any:
        """Metadata whose fields without the role ARN are known at once: a whole unknown metadata (a role being
        replaced has no ARN in preview) makes the Kubernetes provider plan a replacement."""
        plan = self.plan
        if not isinstance(plan, WorkloadPlan):
            return self.with_arn(render, arn)["metadata"]
        probe = render(plan, ARN_PROBE)["metadata"]

        def field(key: str) -> pulumi.Output[Any]:
            return arn.apply(lambda a: render(plan, a)["metadata"][key])

        return {key: field(key) if ARN_PROBE in repr(v) else v for key, v in probe.items()}

    def account_for_names(self) -> pulumi.Input[str] | None:
        """Where grants given by name resolve when the plan has no account: given, else the caller's."""
        if isinstance(self.plan, WorkloadPlan) and not self.plan.needs_account_lookup:
            return None
        return self.account if self.account is not None else aws.caller_account()

    @property
    def shared_role(self) -> bool:
        """Whether it acts as a shared role (only a stack's or SharedRole's plan, never computed, can)."""
        return isinstance(self.plan, WorkloadPlan) and self.plan.shared_role is not None

    def document(self, render: Callable[[WorkloadPlan, str], Any], compact: bool = False) -> pulumi.Input[str]:
        """A permissions document (inline, or one managed part), its names resolved in that account; `compact`:
        `render` gives the text itself (a session policy)."""
        found = self.account_for_names()
        plan = self.plan

        def text(p: WorkloadPlan, account: str) -> str:
            rendered = render(p, p.spec.account_id or account)
            return str(rendered) if compact else documents.to_json(rendered or {})

        if found is None and isinstance(plan, WorkloadPlan):
            return text(plan, "")
        return pulumi.Output.all(plan, found).apply(lambda v: text(v[0], v[1]))
