"""ClusterOidcProvider: one IAM OIDC identity provider per cluster, created or reused."""

from collections.abc import Sequence
from typing import Required, TypedDict

import pulumi
from pulumi_aws import iam

from components import aliases
from components import aws_resources as aws
from components.core.config import arguments
from components.core.model import InvalidInput
from components.invalid_arguments import InvalidArguments


class ClusterOidcProviderArgs(TypedDict, total=False):
    """Inputs of ClusterOidcProvider."""

    issuer_url: Required[pulumi.Input[str]]
    """The cluster's OIDC issuer URL, exactly as tokens carry it in `iss`."""
    audience: str
    """Client ID registered on the provider; tokens must carry it in `aud`. Default sts.amazonaws.com."""
    existing_provider_arn: str | None
    """Reuse this provider instead of creating one."""
    adopt_provider_arn: str | None
    """Import this existing provider (creating a second one for the issuer fails with EntityAlreadyExists) and
    manage it from now on; its client IDs, thumbprints and tags are left as they are until this is removed."""
    thumbprints: Sequence[str] | None
    """Optional server certificate thumbprints; IAM validates well-known CAs itself."""
    tags: dict[str, str]
    """Tags on the created provider."""
    protect: bool
    """Protect the created provider from deletion (default true: deleting it breaks every role of the cluster)."""


TYPE = "irsa:index:ClusterOidcProvider"
PROVIDER_ADOPTED = ("client_id_lists", "thumbprint_lists", "tags")  # left as imported until adoption ends


class ClusterOidcProvider(pulumi.ComponentResource):
    """Registers a cluster's OIDC issuer in IAM, or adopts an existing provider ARN."""

    arn: pulumi.Output[str]
    """ARN of the IAM OIDC provider (created or reused)."""
    url: pulumi.Output[str]
    """The issuer URL the provider registers."""
    provider: iam.OpenIdConnectProvider | None
    """The IAM OIDC provider it created (none when it reuses existing_provider_arn)."""

    def __init__(self, name: str, args: ClusterOidcProviderArgs, opts: pulumi.ResourceOptions | None = None):
        try:
            audience, thumbprints, protect, tags = arguments.provider_arguments(name, args)
        except InvalidInput as error:
            raise InvalidArguments(error.problems) from None
        super().__init__(TYPE, name, {}, aliases.options(TYPE, opts=opts))
        self.url = pulumi.Output.from_input(args["issuer_url"])
        existing = args.get("existing_provider_arn")
        self.provider = None
        if existing:
            self.arn = pulumi.Output.from_input(existing)
        else:
            adopted = args.get("adopt_provider_arn")
            options = pulumi.ResourceOptions(parent=self, protect=protect)
            provider = aws.open_id_connect_provider(
                f"{name}-provider",
                url=self.url,
                client_id_list=[audience],
                thumbprint_list=list(thumbprints) or None,
                tags=dict(tags) if tags else None,
                opts=pulumi.ResourceOptions.merge(options, aws.adopting(adopted, PROVIDER_ADOPTED))
                if adopted
                else options,
            )
            self.arn, self.provider = provider.arn, provider
        self.register_outputs({"arn": self.arn, "url": self.url, "provider": self.provider})
