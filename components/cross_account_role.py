"""CrossAccountRole: a role in another account that exactly some workload roles may assume."""

from collections.abc import Sequence
from typing import Required, TypedDict

import pulumi
import pulumi_aws.iam as iam

from components import aliases, documents
from components.grant_args import S3GrantArgs, to_grants

TYPE = "irsa:index:CrossAccountRole"


class CrossAccountRoleArgs(TypedDict, total=False):
    """Inputs of CrossAccountRole."""

    role_name: Required[str]
    """Physical name of the role in the other account."""
    trusted_role_arns: Required[Sequence[pulumi.Input[str]]]
    """Roles allowed to assume it (the workloads' roles; never an account root)."""
    external_id: str | None
    """Required sts:ExternalId, if any."""
    s3: Sequence[S3GrantArgs]
    """Least-privilege S3 grants in the other account."""
    partition: str
    """aws, aws-cn or aws-us-gov (default aws)."""


class CrossAccountRole(pulumi.ComponentResource):
    """Creates, through the other account's provider (opts.providers["aws"]), a role trusted by named roles."""

    arn: pulumi.Output[str]
    """ARN of the role in the other account."""

    def __init__(self, name: str, args: CrossAccountRoleArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE, name, {}, aliases.options(TYPE, opts=opts))
        child = pulumi.ResourceOptions(parent=self)
        external_id = args.get("external_id")
        trust = pulumi.Output.all(*args["trusted_role_arns"]).apply(
            lambda arns: documents.to_json(documents.role_trust_policy(list(arns), external_id))
        )
        role = iam.Role(
            f"{name}-role",
            name=args["role_name"],
            assume_role_policy=trust,
            description="Cross-account role for irsa workloads (managed by irsa)",
            opts=child,
        )
        grants = to_grants(args.get("s3", []))
        if grants:
            iam.RolePolicy(
                f"{name}-policy",
                role=role.name,
                name=f"{args['role_name']}-s3",
                policy=documents.to_json(documents.s3_policy(grants, args.get("partition", "aws"))),
                opts=child,
            )
        self.arn = role.arn
        self.register_outputs({"arn": self.arn})
