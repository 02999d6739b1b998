"""S3 grants as component inputs (plain dicts any Pulumi language can pass) and their pure form."""

from collections.abc import Sequence
from typing import TypedDict

from components.settings import S3Grant


class S3GrantArgs(TypedDict, total=False):
    """One S3 grant: bucket, optional key prefix, access level."""

    bucket: str
    """S3 bucket name."""
    prefix: str
    """Object key prefix, e.g. uploads/ (default: the whole bucket)."""
    access: str
    """read | write | read-write"""


def to_grants(raw: Sequence[S3GrantArgs | S3Grant]) -> tuple[S3Grant, ...]:
    """Component inputs → the pure core's grants."""
    return tuple(g if isinstance(g, S3Grant) else S3Grant(g["bucket"], g.get("prefix", ""), g["access"]) for g in raw)
