"""irsa:defaults and the per-workload guardrails (pure): permissions boundary, role path, tags."""

from __future__ import annotations

import re
from typing import Any

from components.core.config import fields
from components.core.config.collector import Collector, key_text, show
from components.core.model import Guardrails
from components.core.unknowns import is_unknown, unknown

DEFAULTS_KEYS = ("permissionsBoundary", "rolePath", "tags")
POLICY_ARN = re.compile(
    r"arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f):iam::(\d{12}|aws):policy/([\w+=,.@/-]{1,512})",
    re.ASCII,
)
ROLE_PATH = re.compile(r"/([\x21-\x7e]*/)?", re.ASCII)
TAG_KEY = re.compile(r"[\w .:/=+@-]{1,128}")
TAG_VALUE = re.compile(r"[\w .:/=+@-]{0,256}")
MAX_TAGS = 50


def read_boundary(c: Collector, path: str, raw: Any, region: str | None) -> str | None:
    """A permissions boundary: a managed policy ARN in the stack's partition."""
    if raw is None:
        return None
    allowed = "a managed policy ARN: arn:<partition>:iam::<12-digit account or aws>:policy/<path/name>"
    found = POLICY_ARN.fullmatch(raw) if isinstance(raw, str) else None
    if found is None:
        c.add(path, f"{show(raw)} is not a managed policy ARN", allowed)
        return None
    if not fields.partition_matches(c, path, found.group(1), region):
        return None
    return str(raw)


def read_role_path(c: Collector, path: str, raw: Any) -> str:
    if raw is None:
        return "/"
    if not isinstance(raw, str) or len(raw) > 512 or not ROLE_PATH.fullmatch(raw):
        c.add(
            path,
            f"{show(raw)} is not an IAM path",
            "'/' or '/<segments>/': starts and ends with '/', at most 512 printable characters",
        )
        return "/"
    return raw


def read_tags(c: Collector, path: str, raw: Any) -> tuple[tuple[str, str], ...]:
    """Tags as a map of strings: IAM's limits, and no `aws:` prefix (reserved for AWS)."""
    if raw is None:
        return ()
    if not c.is_map(path, raw, "tags as key: value strings"):
        return ()
    tags = []
    for key, value in raw.items():
        where = f"{path}.{key_text(key)}"
        if not isinstance(key, str) or not TAG_KEY.fullmatch(key) or key.lower().startswith("aws:"):
            c.add(
                where,
                f"{show(key)} is not a tag key",
                "1-128 letters, digits, spaces and _.:/=+-@, not starting with aws:",
            )
        elif not isinstance(value, str) or not TAG_VALUE.fullmatch(value):
            c.add(
                where,
                f"{show(value)} is not a tag value",
                "a string of 0-256 letters, digits, spaces and _.:/=+-@ (quote numbers)",
            )
        else:
            tags.append((key, value))
    return tuple(sorted(tags))


def merged_tags(
    c: Collector, path: str, base: tuple[tuple[str, str], ...], over: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """`over` merged over `base`, within IAM's 50 tags."""
    merged = dict(base) | dict(over)
    if len(merged) > MAX_TAGS:
        c.add(
            path,
            f"gives a role {len(merged)} tags with irsa:defaults.tags",
            f"at most {MAX_TAGS} tags per IAM resource",
        )
    return tuple(sorted(merged.items()))


def read_defaults(c: Collector, raw: Any, region: str | None, from_platform: bool = False) -> Guardrails:
    """`irsa:defaults`; `from_platform`: a platform's, whose values may be placeholders naming it (kept as
    they are: an application stack planned without its platform's outputs)."""
    path = "irsa:defaults"
    if raw is None:
        return Guardrails()
    if not c.is_map(path, raw, f"a map with {', '.join(DEFAULTS_KEYS)}"):
        return Guardrails()
    c.unknown_keys(path, raw, DEFAULTS_KEYS)
    raw_tags = raw.get("tags")
    if from_platform and is_unknown(raw_tags):  # one placeholder tag standing for all of the platform's
        tags: tuple[tuple[str, str], ...] = ((raw_tags, unknown("their values")),)
    else:
        tags = read_tags(c, f"{path}.tags", raw_tags)
    if len(tags) > MAX_TAGS:
        c.add(f"{path}.tags", f"has {len(tags)} tags", f"at most {MAX_TAGS} tags per IAM resource")
    boundary, role_path = raw.get("permissionsBoundary"), raw.get("rolePath")
    return Guardrails(
        boundary if from_platform and is_unknown(boundary) else read_boundary(c, f"{path}.permissionsBoundary",
                                                                             boundary, region),
        role_path if from_platform and is_unknown(role_path) else read_role_path(c, f"{path}.rolePath", role_path),
        tags,
    )  # fmt: skip
