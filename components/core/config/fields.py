"""Single values, checked by the same rules wherever they come from: a stack file or a component argument."""

from __future__ import annotations

import re
from typing import Any

from components.core.aws import REGION, ROLE_NAME, partition_of
from components.core.config.collector import Collector, show
from components.core.kube import DNS_LABEL, DNS_SUBDOMAIN, IMAGE
from components.core.model import (
    DEFAULT_AUDIENCE,
    DEFAULT_JOB_IMAGE,
    DEFAULT_MAX_SESSION_SECONDS,
    DEFAULT_TOKEN_EXPIRATION_SECONDS,
    MECHANISMS,
    Mechanism,
)


def namespace(c: Collector, path: str, raw: Any) -> str | None:
    value = c.string(path, raw)
    if value is not None and (len(value) > 63 or not DNS_LABEL.fullmatch(value)):
        c.add(
            path,
            f"{show(value)} is not a valid Kubernetes namespace",
            "lowercase RFC 1123 label, at most 63 characters",
        )
        return None
    return value


def service_account(c: Collector, path: str, raw: Any) -> str | None:
    value = c.string(path, raw)
    if value is not None and (len(value) > 253 or not DNS_SUBDOMAIN.fullmatch(value)):
        c.add(
            path,
            f"{show(value)} is not a valid ServiceAccount name",
            "lowercase RFC 1123 subdomain, at most 253 characters",
        )
        return None
    return value


def max_session(c: Collector, path: str, raw: Any) -> int:
    return c.integer(path, raw, DEFAULT_MAX_SESSION_SECONDS, 3600, 43200, "IAM MaxSessionDuration in seconds")


def token_expiration(c: Collector, path: str, raw: Any) -> int:
    return c.integer(
        path,
        raw,
        DEFAULT_TOKEN_EXPIRATION_SECONDS,
        600,
        86400,
        "projected token expirationSeconds: at least 600, at most one day",
    )


def job_image(c: Collector, path: str, raw: Any) -> str:
    value = c.string(path, raw, required=False) or DEFAULT_JOB_IMAGE
    if len(value) > 255 or not IMAGE.fullmatch(value):
        c.add(
            path,
            f"{show(value)} is not a container image reference",
            "[registry[:port]/]repository[:tag][@sha256:digest], at most 255 characters",
        )
    return value


AUDIENCE = re.compile(r"[\x21-\x7e]{1,255}", re.ASCII)


def audience(c: Collector, path: str, raw: Any) -> str:
    """The token audience: a literal, since it becomes the provider's client ID, the trust's `aud` value (where IAM
    would read `${...}` as a policy variable) and the projected token's audience."""
    value = c.string(path, raw, required=False) or DEFAULT_AUDIENCE
    allowed = "an IAM client ID: 1 to 255 printable ASCII characters, no spaces, `*`, `?` or `${`"
    if len(value) > 255:
        c.add(path, f"is {len(value)} characters long", allowed)
    elif not AUDIENCE.fullmatch(value) or "${" in value or "*" in value or "?" in value:
        c.add(path, f"{show(value)} is not a literal audience", allowed)
    return value


def region(c: Collector, path: str, raw: Any, required: bool = True) -> str | None:
    value = c.string(path, raw, required=required)
    if value is not None and not REGION.fullmatch(value):
        c.add(path, f"{show(value)} is not an AWS region", "for example ap-northeast-2")
        return None
    return value


def iam_name(c: Collector, path: str, raw: Any, what: str, most: int) -> str | None:
    """An IAM role or policy name: 1-`most` of letters, digits and +=,.@_-."""
    value = c.string(path, raw, required=False)
    if value is not None and (len(value) > most or not ROLE_NAME.fullmatch(value[:64])):
        c.add(path, f"{show(value)} is not an IAM {what} name", f"1-{most} of letters, digits and +=,.@_-")
        return None
    return value


def mechanism(c: Collector, path: str, raw: Any, kind: str | None = None) -> Mechanism | None:
    """A mechanism, or None when absent or not one (reported); on an AKS cluster only irsa."""
    if raw is None:
        return None
    if raw not in MECHANISMS:
        c.add(path, f"{show(raw)} is not a mechanism", "irsa, pod-identity or both")
        return None
    eks_only(c, path, raw, kind)
    return raw


def eks_only(c: Collector, path: str, mechanism: Mechanism | None, kind: str | None) -> None:
    """Pod Identity (pod-identity, both) needs EKS and its agent."""
    if mechanism not in (None, "irsa") and kind == "aks":
        c.add(
            path,
            f"{mechanism} is only for kind: eks",
            "irsa for aks: EKS Pod Identity needs the EKS Pod Identity Agent",
        )


def partition_matches(c: Collector, path: str, partition: str, region: str | None) -> bool:
    """Whether an ARN's partition is the stack region's (reported when not; unknown region: yes)."""
    if region is None or partition == partition_of(region):
        return True
    c.add(
        path,
        f"partition {partition!r} does not match region {region!r}",
        f"an ARN in partition {partition_of(region)!r}",
    )
    return False
