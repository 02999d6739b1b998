"""AWS facts (pure): partitions, ARN shapes, naming rules and quotas."""

from __future__ import annotations

import ipaddress
import re

BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", re.ASCII)
PROVIDER_ARN = re.compile(
    r"arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f):iam::(\d{12}):oidc-provider/(\S+)", re.ASCII
)
EKS_ISSUER = re.compile(r"https://oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[0-9A-F]{32}", re.ASCII)
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+", re.ASCII)
ROLE_ARN = re.compile(
    r"arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f):iam::(\d{12}):role/([\w+=,.@/-]{1,512})",
    re.ASCII,
)
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
THUMBPRINT = re.compile(r"[0-9a-fA-F]{40}", re.ASCII)
BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3")
QUEUE_ARN = re.compile(r"arn:[a-z-]+:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?", re.ASCII)
ZONE_ID = re.compile(r"Z[A-Z0-9]{1,32}", re.ASCII)
SECRET_ARN = re.compile(r"arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+\*?", re.ASCII)
PARAMETER_ARN = re.compile(r"arn:[a-z-]+:ssm:[a-z0-9-]+:\d{12}:parameter/[\w/.-]+\*?", re.ASCII)


def partition_of(region: str) -> str:
    """AWS partition that a region belongs to."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("us-iso-"):
        return "aws-iso"
    return "aws"


SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}", re.ASCII)


def secret_resource(arn: str) -> str:
    """A secret ARN as a policy Resource. Secrets Manager ends every secret's ARN with `-` and 6 random characters:
    a full ARN (or one ending in `*`) is used as it is; a partial one, without them, would match nothing, so
    it matches them with `-??????`. (A name that itself ends in `-` and 6 letters or digits reads as full.)"""
    name = arn.split(":secret:", 1)[1] if ":secret:" in arn else arn
    if arn.endswith("*") or (len(name) > 7 and SECRET_SUFFIX.fullmatch(name[-7:])):
        return arn
    return f"{arn}-??????"


def role_arn(partition: str, account: str, path: str, name: str) -> str:
    """The ARN IAM gives a role created with this path (`/` or `/a/b/`) and name: every ARN of a role the stack
    creates comes from here, so a path can never be left out of one."""
    return f"arn:{partition}:iam::{account}:role{path}{name}"


def provider_arn(partition: str, account: str, issuer_url: str) -> str:
    """The ARN IAM gives the OIDC provider it creates for an issuer in an account."""
    return f"arn:{partition}:iam::{account}:oidc-provider/{issuer_host(issuer_url)}"


def issuer_host(issuer_url: str) -> str:
    """Condition-key prefix of an issuer: the URL without https://, verbatim."""
    return issuer_url.removeprefix("https://")


def is_wildcard(subject: str) -> bool:
    """Whether a subject needs StringLike (IAM's `*` and `?`)."""
    return "*" in subject or "?" in subject


def bucket_problem(bucket: str) -> str | None:
    """What is wrong with an S3 bucket name, or None."""
    if bucket.startswith("arn:"):
        return "is an ARN, not a bucket name"
    if not 3 <= len(bucket) <= 63:
        return f"is {len(bucket)} character{'s' if len(bucket) != 1 else ''} long"
    if not BUCKET.fullmatch(bucket):
        return "has characters or ends that S3 does not allow"
    if ".." in bucket:
        return "contains '..'"
    try:
        ipaddress.IPv4Address(bucket)
        return "is formatted as an IP address"
    except ValueError:
        pass
    for prefix in BUCKET_PREFIXES:
        if bucket.startswith(prefix):
            return f"starts with the reserved prefix {prefix!r}"
    for suffix in BUCKET_SUFFIXES:
        if bucket.endswith(suffix):
            return f"ends with the reserved suffix {suffix!r}"
    return None
