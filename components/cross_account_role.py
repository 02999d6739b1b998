"""CrossAccountRole: a role in another account that exactly some workload roles may assume."""

from collections.abc import Sequence
from typing import Required, TypedDict

import pulumi

from components import aliases
from components import aws_resources as aws
from components.core import documents
from components.core.config import arguments
from components.core.model import InvalidInput
from components.grant_args import S3Grant
from components.invalid_arguments import InvalidArguments

TYPE = "irsa:index:CrossAccountRole"


class CrossAccountRoleArgs(TypedDict, total=False):
    """Inputs of CrossAccountRole."""

    role_name: Required[str]
    """Physical name of the role in the other account."""
    trusted_role_arns: Required[Sequence[pulumi.Input[str]]]
    """Roles allowed to assume it (the workloads' roles; never an account root)."""
    external_id: str | None
    """Required sts:ExternalId, if any."""
    s3: Sequence[S3Grant]
    """Least-privilege S3 grants in the other account."""
    partition: str
    """aws, aws-cn or aws-us-gov (default aws)."""
    permissions_boundary: str
    """Managed policy ARN (in the other account, or AWS managed) set as the role's permissions boundary."""
    role_path: str
    """IAM path of the role (default /)."""
    tags: dict[str, str]
    """Tags on the role."""
    session_tags: bool
    """Let the trusted roles tag their sessions (sts:TagSession; default false: their tags could steer
    the other account's attribute-based access)."""


class CrossAccountRole(pulumi.ComponentResource):
    """Creates, through the other account's provider (opts.providers["aws"]), a role trusted by named roles."""

    arn: pulumi.Output[str]
    """ARN of the role in the other account."""

    def __init__(self, name: str, args: CrossAccountRoleArgs, opts: pulumi.ResourceOptions | None = None):
        try:
            spec = arguments.cross_role_arguments(name, args)
        except InvalidInput as error:
            raise InvalidArguments(error.problems) from None
        self._register(name, spec, args["trusted_role_arns"], opts)

    @classmethod
    def from_spec(
        cls,
        name: str,
        spec: arguments.CrossRoleSpec,
        trusted_role_arns: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> "CrossAccountRole":
        """The component for a validated spec (the stack program's door: its values were checked as config, and
        offline they may be a platform's placeholders, which no argument check accepts)."""
        role = cls.__new__(cls)
        role._register(name, spec, trusted_role_arns, opts)
        return role

    def _register(
        self,
        name: str,
        spec: arguments.CrossRoleSpec,
        trusted_role_arns: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        super().__init__(TYPE, name, {}, aliases.options(TYPE, opts=opts))
        child = pulumi.ResourceOptions(parent=self)
        trust = pulumi.Output.all(*trusted_role_arns).apply(
            lambda arns: documents.to_json(documents.role_trust_policy(list(arns), spec.external_id, spec.session_tags))
        )
        rails = spec.guardrails
        role = aws.role(
            f"{name}-role",
            role_name=spec.role_name,
            assume_role_policy=trust,
            description="Cross-account role for irsa workloads (managed by irsa)",
            path=rails.role_path if rails.role_path != "/" else None,
            permissions_boundary=rails.permissions_boundary or None,
            tags=dict(rails.tags) if rails.tags else None,
            opts=child,
        )
        if spec.grants:
            aws.role_policy(
                f"{name}-policy",
                role=role.name,
                policy_name=f"{spec.role_name}-s3",
                policy=documents.to_json(documents.s3_policy(spec.grants, spec.partition)),
                opts=child,
            )
        self.arn = role.arn
        self.register_outputs({"arn": self.arn})
