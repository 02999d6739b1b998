"""Argument shapes any Pulumi language can pass (plain maps): S3 grants and the verification chain."""

from typing import TypedDict

import pulumi


class S3GrantArgs(TypedDict, total=False):
    """One S3 grant: bucket, optional key prefix, access level."""

    bucket: pulumi.Input[str]
    """S3 bucket name (may be computed, e.g. another resource's output)."""
    prefix: pulumi.Input[str]
    """Object key prefix, e.g. uploads/ (default: the whole bucket)."""
    access: str
    """read | write | read-write | sync (anything else is refused)"""
    kms_key: str
    """The bucket's customer-managed KMS key ARN (SSE-KMS): Decrypt, and GenerateDataKey to write, via S3 only."""


class ChainArgs(TypedDict, total=False):
    """A role the verification Job assumes next, and the grant it checks there."""

    role_arn: str
    """ARN of the role to assume (e.g. in another account)."""
    external_id: str
    """sts:ExternalId the role requires, if any."""
    bucket: str
    """S3 bucket to check there."""
    prefix: str
    """Object key prefix to check inside."""
    access: str
    """read | write | read-write | sync"""
