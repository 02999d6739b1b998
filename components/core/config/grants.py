"""Grants (pure): S3 grants, assumable roles, add-on presets and their scoping options."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from components.core.aws import PARAMETER_ARN, QUEUE_ARN, ROLE_ARN, SECRET_ARN, ZONE_ID, bucket_problem
from components.core.config import fields
from components.core.config.collector import Collector, show
from components.core.grant_kinds.kind import kms_key as read_kms_key
from components.core.model import ACCESS_LEVELS, S3Grant
from components.core.presets import PRESETS

GRANT_KEYS = ("bucket", "prefix", "access", "kmsKey")
PRESET_OPTION_KEYS = ("hostedZoneIds", "secretArns", "parameterArns", "nodeRoleArns", "interruptionQueueArns")


def read_grants(c: Collector, path: str, raw: Any, required: bool = True) -> tuple[S3Grant, ...]:
    raw = c.items(path, raw, "a non-empty list of {bucket, prefix, access} grants", required=required)
    if raw is None:
        return ()
    grants = [read_grant(c, f"{path}[{i}]", g, GRANT_KEYS) for i, g in enumerate(raw)]
    return tuple(g for g in grants if g is not None)


def read_grant(c: Collector, p: str, g: Any, keys: tuple[str, ...]) -> S3Grant | None:
    """One S3 grant; `keys` are the keys its map may have (a chain's map has a role beside the grant)."""
    if not c.is_map(p, g, "a map with bucket, prefix (optional) and access"):
        return None
    c.unknown_keys(p, g, keys)
    bucket = c.string(f"{p}.bucket", g.get("bucket"))
    if bucket is not None:
        wrong = bucket_problem(bucket)
        if wrong:
            c.add(
                f"{p}.bucket",
                f"{show(bucket)} {wrong}",
                "an S3 bucket name: 3-63 lowercase letters, digits, '.', '-', "
                "starting and ending with a letter or digit",
            )
            bucket = None
    prefix = read_prefix(c, f"{p}.prefix", g.get("prefix", ""))
    access = g.get("access")
    if access not in ACCESS_LEVELS:
        wrong = "is required" if access is None else f"{show(access)} is not an access level"
        c.add(f"{p}.access", wrong, "read, write, read-write or sync")
        access = None
    kms_key = read_kms_key(c, f"{p}.kmsKey", g.get("kmsKey")) if "kmsKey" in keys else None
    if bucket is None or prefix is None or access is None:
        return None
    return S3Grant(bucket, prefix, access, kms_key)


def read_prefix(c: Collector, path: str, prefix: Any) -> str | None:
    """A literal object key prefix: IAM would read '*', '?' and '${' as wildcards and policy variables."""
    if prefix is None:
        return ""
    if not isinstance(prefix, str):
        c.add(path, f"{show(prefix)} is not a string", "an object key prefix such as uploads/")
        return None
    if (
        any(ch in prefix for ch in "*?")
        or "${" in prefix
        or any(unicodedata.category(ch) == "Cc" for ch in prefix)
        or prefix.startswith("/")
        or len(prefix) > 1024
    ):
        c.add(
            path,
            f"{show(prefix)} is not a literal key prefix",
            "no '*', '?' or '${', which IAM reads as wildcards and policy variables; no control characters; "
            "no leading '/'; at most 1024 characters; for example uploads/",
        )
        return None
    return prefix


def prefix_warnings(path: str, grants: tuple[S3Grant, ...]) -> list[str]:
    """A prefix without a trailing '/' also covers its siblings: `uploads` grants `uploads-private/` too."""
    return [
        f"{path}[{i}].prefix: {show(g.prefix)} does not end with '/': the grant also covers keys such as "
        f"{show(g.prefix + '-private/...')} (end it with '/' to mean the folder only)"
        for i, g in enumerate(grants)
        if g.prefix and not g.prefix.endswith("/")
    ]


def read_role_arns(c: Collector, path: str, raw: Any, region: str | None) -> tuple[str, ...]:
    allowed = "IAM role ARNs: arn:<partition>:iam::<12-digit account>:role/<name> (never an account root)"
    raw = c.items(path, raw, allowed, required=False)
    if raw is None:
        return ()
    arns = []
    for i, arn in enumerate(raw):
        m = ROLE_ARN.fullmatch(arn) if isinstance(arn, str) else None
        if m is None:
            c.add(f"{path}[{i}]", f"{show(arn)} is not an IAM role ARN", allowed)
        elif fields.partition_matches(c, f"{path}[{i}]", m.group(1), region):
            arns.append(arn)
    return tuple(arns)


def read_presets(
    c: Collector,
    path: str,
    raw: Any,
    raw_options: Any,
    options_key: str = "presetOptions",
    spelled: Mapping[str, str] | None = None,
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Preset names and their scoping options; `spelled` maps each option's config name to the key the
    caller uses (component arguments spell them snake_case), so messages name what the caller wrote."""
    key_of = dict(spelled or {k: k for k in PRESET_OPTION_KEYS})
    names: list[str] = []
    listed = c.items(f"{path}.presets", raw, f"preset names: {', '.join(PRESETS)}", required=False) or []
    for i, name in enumerate(listed):
        if not isinstance(name, str) or name not in PRESETS:
            close = difflib.get_close_matches(str(name), list(PRESETS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            c.add(
                f"{path}.presets[{i}]",
                f"{show(name)} is not a known preset",
                f"{hint}known presets: {', '.join(PRESETS)}",
            )
        elif name not in names:
            names.append(name)
    options = raw_options if isinstance(raw_options, Mapping) else {}
    known = tuple(key_of.values())
    if raw_options is not None and not isinstance(raw_options, Mapping):
        c.add(f"{path}.{options_key}", f"{show(raw_options)} is not a map", ", ".join(known))
    elif raw_options is not None:
        c.unknown_keys(f"{path}.{options_key}", options, known)

    def values(key: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
        got = options.get(key_of[key])
        if got is None:
            return ()
        if isinstance(got, tuple):
            got = list(got)
        if not isinstance(got, list) or not all(isinstance(v, str) and pattern.fullmatch(v) for v in got):
            c.add(f"{path}.{options_key}.{key_of[key]}", f"{show(got)} is not a list of {what}", f"a list of {what}")
            return ()
        return tuple(got)

    given = {
        "hostedZoneIds": values("hostedZoneIds", ZONE_ID, "Route 53 hosted zone IDs (Z...)"),
        "secretArns": values("secretArns", SECRET_ARN, "Secrets Manager secret ARNs"),
        "parameterArns": values("parameterArns", PARAMETER_ARN, "SSM parameter ARNs"),
        "nodeRoleArns": values("nodeRoleArns", ROLE_ARN, "IAM role ARNs of the nodes"),
        "interruptionQueueArns": values("interruptionQueueArns", QUEUE_ARN, "SQS queue ARNs"),
    }
    for name in names:
        for need in PRESETS[name].needs:
            if not any(given[k] for k in need.split("|")):
                c.add(
                    f"{path}.{options_key}",
                    f"preset {name!r} needs {' or '.join(key_of[k] for k in need.split('|'))}",
                    "scoping inputs, so the preset never grants on every zone, secret, parameter or role",
                )
    return tuple(names), given
