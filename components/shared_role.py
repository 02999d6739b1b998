"""SharedRole: one IAM role for several Pod Identity workloads, each limited by its association's session policy."""

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import Any, Required, TypedDict

import pulumi
from pulumi.resource import DependencyResource
from pulumi_aws import iam

from components import aws_resources as aws
from components.core import documents, quotas, shared_roles
from components.core.model import Problem
from components.core.shared_roles import SharedRolePlan
from components.identity_defaults import with_defaults
from components.invalid_arguments import InvalidArguments
from components.targets import ClusterBinding
from components.workload_identity import (
    WorkloadIdentity,
    WorkloadIdentityArgs,
    _is_computed,
    _plan_or_raise,
    arn_once_permitted,
)

TYPE = "irsa:index:SharedRole"


class SharedWorkload(WorkloadIdentityArgs, total=False):
    """A workload on a shared role: WorkloadIdentity's arguments, on EKS Pod Identity (the default mechanism here)."""


class SharedRoleArgs(TypedDict, total=False):
    """The workloads sharing one role (each a WorkloadIdentity's arguments, mechanism pod-identity), and its name."""

    workloads: Required[Mapping[str, SharedWorkload]]
    """The workloads on the role, by name: each gets exactly its own grants (role ∩ its session policy)."""
    role_name: str
    """The role's IAM name (default irsa-<name>)."""
    account_id: str
    """Where grants given by name resolve (default: the deploying account, looked up once)."""


def _member_args(path: str, name: str, args: Any) -> dict[str, Any]:
    """Plain member arguments with the provider's region filled in; a computed value is refused (the role's
    union must be known before it is registered)."""
    given = with_defaults(name, args)
    computed = sorted(k for k, v in given.items() if k != "cluster_arn" and _is_computed(v))
    if computed:
        raise InvalidArguments([Problem(path, f"computes {', '.join(computed)}", "plain values: the shared role's "
                                        "union is decided before it is registered")])  # fmt: skip
    return {**given, "disable_session_tags": True, "mechanism": given.get("mechanism") or "pod-identity"}


def plan_of(name: str, args: SharedRoleArgs) -> SharedRolePlan:
    """The shared role's plan from the component's arguments; every problem at once, before any registration."""
    path = f'SharedRole("{name}")'
    workloads = args.get("workloads") if isinstance(args, Mapping) else None
    if not isinstance(workloads, Mapping) or not workloads:
        allowed = "a map of workload name → SharedWorkload (WorkloadIdentity's arguments, mechanism pod-identity)"
        raise InvalidArguments([Problem(f"{path}.workloads", "is required", allowed)])
    role_name = args.get("role_name") or f"irsa-{name}"
    members, refused = [], []
    for key, member_args in workloads.items():  # every workload's problems, then the role's
        try:
            given = {**_member_args(f"{path}.workloads[{key!r}]", key, member_args), "role_name": role_name}
            if args.get("account_id") is not None and given.get("account_id") is None:
                given["account_id"] = args["account_id"]
            members.append(_plan_or_raise(key, given, f"{path}.workloads[{key!r}]"))
        except InvalidArguments as error:
            refused += error.problems
    if refused:
        raise InvalidArguments(refused)
    shared = shared_roles.share(name, role_name, members, members[0].spec.role_path)
    problems = shared_roles.problems(shared, lambda member: f"{path}.workloads[{member!r}]")
    first = members[0].spec
    for other in members[1:]:  # one role: one region, account, path and quota for all its workloads
        spec = other.spec
        found = (spec.region, spec.account_id, spec.role_path, spec.trust_policy_max_chars)
        if found != (first.region, first.account_id, first.role_path, first.trust_policy_max_chars):
            problems.append(Problem(f"{path}.workloads[{spec.workload.name!r}]", "gives another region, account_id, "
                                    f"role_path or trust_policy_max_chars than {first.workload.name!r}",
                                    "the same on every workload of one role (or give account_id to SharedRole)"))
    if len(role_name) > 64:
        problems.append(Problem(f"{path}.role_name", f"{role_name!r} is {len(role_name)} characters", "at most 64"))
    if problems:
        raise InvalidArguments([p if "sharedRole" not in p.path else _respelled(p) for p in problems])
    return shared


def _respelled(problem: Problem) -> Problem:
    """A problem in the component's spelling (its member is a map entry; there is no sharedRole argument)."""
    return dataclasses.replace(problem, path=problem.path.removesuffix(".sharedRole"))


class SharedRole(pulumi.ComponentResource):
    """One IAM role for Pod Identity workloads: their grants' union, each pod limited to its own by a session policy."""

    role: iam.Role
    """The shared role."""
    role_arn: pulumi.Output[str]
    """ARN of the shared role; it resolves once its permissions exist."""
    role_name: pulumi.Output[str]
    """Name of the shared role."""
    inline_policy: iam.RolePolicy | None
    """The union of its workloads' permissions (absent past the inline quota)."""
    managed_policies: list[iam.Policy]
    """Customer-managed policies carrying the union past the inline quota (usually none)."""
    policy_attachments: list[iam.RolePolicyAttachment]
    """Their attachments to the role."""
    workload_names: list[str]
    """The workloads on the role (each a WorkloadIdentity of that name: in Python, `workloads[name]`)."""

    def __init__(self, name: str, args: SharedRoleArgs, opts: pulumi.ResourceOptions | None = None):
        shared = plan_of(name, args)
        workloads = args["workloads"]
        bindings = {
            m.spec.workload.name: [ClusterBinding(m.spec.where[0], "", "", workloads[m.spec.workload.name]
                                                  .get("cluster_arn") or "")]
            for m in shared.members
        }  # fmt: skip
        # Its workloads are its siblings: they take the options that place resources (parent, providers, what to
        # wait for), not its own (aliases, protect, an import). Built by the component package, its parent is a
        # reference the SDK cannot read `protect` from: they take the protect the engine sent for it instead.
        given = opts.providers if opts is not None else None
        providers = dict(given) if isinstance(given, Mapping) else list(given) if given is not None else None
        remote = opts is not None and isinstance(opts.parent, DependencyResource)
        placing = pulumi.ResourceOptions(parent=opts.parent, providers=providers, provider=opts.provider,
                                         depends_on=opts.depends_on, protect=opts.protect if remote else None,
                                         ) if opts is not None else None  # fmt: skip
        self._register(shared, bindings, {m.spec.workload.name: placing for m in shared.members}, opts,
                       args.get("account_id"))  # fmt: skip

    @classmethod
    def from_plan(
        cls,
        shared: SharedRolePlan,
        bindings: Mapping[str, Sequence[ClusterBinding]],
        member_opts: Mapping[str, pulumi.ResourceOptions | None],
        account: pulumi.Input[str] | None = None,
    ) -> "SharedRole":
        """The component for a validated plan (the stack program's door), each member with its clusters' bindings."""
        component = cls.__new__(cls)
        component._register(shared, bindings, member_opts, None, account)
        return component

    def _register(
        self,
        shared: SharedRolePlan,
        bindings: Mapping[str, Sequence[ClusterBinding]],
        member_opts: Mapping[str, pulumi.ResourceOptions | None],
        opts: pulumi.ResourceOptions | None,
        account: pulumi.Input[str] | None,
    ) -> None:
        # Its workloads are named in its inputs, not parented under it: a workload keeps its URNs (ServiceAccount,
        # association, Job) when it moves between its own role and a shared one, or between shared roles.
        super().__init__(TYPE, shared.name, {"sharedBy": list(shared.member_names)}, opts)
        child = pulumi.ResourceOptions(parent=self)
        arns = list(dict.fromkeys(b.cluster_arn for bs in bindings.values() for b in bs))
        most = shared.members[0].spec.trust_policy_max_chars

        def trust(values: list[str]) -> str:
            document = shared.trust(values)
            if documents.compact_size(document) > most:
                raise InvalidArguments([quotas.trust_over(f'SharedRole("{shared.name}")', documents.compact_size(
                    document), most, len(values))])  # fmt: skip
            return documents.to_json(document)

        rails: dict[str, Any] = {"path": shared.role_path if shared.role_path != "/" else None,
                                 "permissions_boundary": shared.permissions_boundary,
                                 "tags": dict(shared.tags) or None}  # fmt: skip
        self.role = aws.role(
            f"{shared.name}-role",
            role_name=shared.role_name,
            assume_role_policy=pulumi.Output.all(*arns).apply(trust),
            max_session_duration=shared.max_session_duration,
            description=shared.description,
            **rails,
            opts=child,
        )
        account_for = self._account(shared, account)
        # Its inline policy or managed parts and their attachments: what its workloads' outputs wait for.
        self.permissions: list[pulumi.Resource] = self._permissions(shared, account_for, rails["tags"], child)
        self.role_arn = arn_once_permitted(self.role, self.permissions)
        self.workloads: dict[str, WorkloadIdentity] = {}  # each workload on it
        for member in shared.members:
            w = member.spec.workload
            options = member_opts.get(w.name)
            self.workloads[w.name] = WorkloadIdentity.from_plan(
                w.name, member, bindings[w.name], opts=options, account=account,
                shared=(self.role, self.permissions, self.role_arn),
            )  # fmt: skip
        self.role_name = self.role.name
        self.inline_policy = next((r for r in self.permissions if isinstance(r, iam.RolePolicy)), None)
        self.managed_policies = [r for r in self.permissions if isinstance(r, iam.Policy)]
        self.policy_attachments = [r for r in self.permissions if isinstance(r, iam.RolePolicyAttachment)]
        self.workload_names = list(shared.member_names)
        self.register_outputs({"role": self.role, "role_arn": self.role_arn, "role_name": self.role_name,
                               "inline_policy": self.inline_policy, "managed_policies": self.managed_policies,
                               "policy_attachments": self.policy_attachments,
                               "workload_names": self.workload_names})  # fmt: skip

    @staticmethod
    def _account(shared: SharedRolePlan, account: pulumi.Input[str] | None) -> pulumi.Input[str]:
        """Where names resolve: the plan's account, else the one given, else the caller's."""
        known = shared.members[0].spec.account_id
        if known is not None:
            return known
        if not any(m.needs_account_lookup for m in shared.members):
            return ""
        return account if account is not None else aws.caller_account()

    def _permissions(
        self, shared: SharedRolePlan, account: pulumi.Input[str], tags: dict[str, str] | None,
        child: pulumi.ResourceOptions,
    ) -> list[pulumi.Resource]:  # fmt: skip
        """The union as one inline policy, or past the inline quota as customer-managed policies, attached."""
        if not shared.uses_managed_policies:
            document = pulumi.Output.from_input(account).apply(lambda a: documents.to_json(shared.policy_for(a)))
            return [aws.role_policy(f"{shared.name}-policy", role=self.role.name, policy_name=f"{shared.role_name}"
                                    "-union", policy=document, opts=child)]  # fmt: skip
        made: list[pulumi.Resource] = []
        for index in range(len(shared.managed_chunks)):
            render = functools.partial(_managed_json, shared, index)
            policy = aws.policy(
                f"{shared.name}-policy-{index}",
                policy_name=shared.managed_policy_name(index),
                path=shared.role_path,
                policy=pulumi.Output.from_input(account).apply(render),
                description=f"Permissions of shared role {shared.role_name}, part {index} (managed by irsa)",
                tags=tags,
                opts=child,
            )
            made += [policy, aws.role_policy_attachment(f"{shared.name}-policy-{index}-attachment",
                                                        role=self.role.name, policy_arn=policy.arn, opts=child)]
        return made


def _managed_json(shared: SharedRolePlan, index: int, account: str) -> str:
    return documents.to_json(shared.managed_document(account, index))
