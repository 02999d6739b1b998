"""SSM Parameter Store: read parameters under a path, recursively; SecureStrings through their key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.core.config.collector import Collector
from components.core.grant_kinds.kind import EXAMPLE_KEY, Field, GrantKind, arn_rule, kms_key, kms_key_field, named
from components.core.service_grants import KEY_DECRYPT, Place, pair, through_service

PATH_READ = "ssm:GetParametersByPath"
READ = ("ssm:GetParameter", "ssm:GetParameters", PATH_READ)
RULES = (re.compile(r"/[A-Za-z0-9_.\-/]{0,1010}", re.ASCII), arn_rule("ssm", r"parameter/[A-Za-z0-9_.\-/]+"))
FIELDS = (
    Field("path", "A path such as /app/prod/, or a parameter ARN.", pattern=RULES[0]),
    kms_key_field("The key of SecureString parameters: Decrypt through SSM only."),
)


@dataclass(frozen=True)
class ParameterGrant:
    path: str  # a path, or the ARN of one
    kms_key: str | None = None  # the key its SecureString parameters are encrypted under, when customer-managed

    def names(self) -> tuple[str, ...]:
        return (self.path,)


def read(c: Collector, path: str, item: Mapping[str, Any]) -> ParameterGrant | None:
    found = named(c, f"{path}.path", item.get("path"), RULES, "SSM parameter path")
    key = kms_key(c, f"{path}.kmsKey", item.get("kmsKey"))
    return ParameterGrant(found, key) if found is not None else None


def parameter_arns(grant: ParameterGrant, place: Place) -> list[str]:
    """The path itself (GetParametersByPath authorizes it) and every parameter below it; a path ARN may end
    in `/` or not."""
    base = grant.path if grant.path.startswith("arn:") else place.arn("ssm", f"parameter{grant.path}")
    base = base.rstrip("/")
    return [base, f"{base}/*"]


def statements(grants: tuple[ParameterGrant, ...], place: Place) -> list[dict[str, Any]]:
    if not grants:
        return []
    # GetParametersByPath is authorized on the path; reading one parameter only below it (never a parameter
    # named like the path itself).
    paths = [parameter_arns(g, place)[0] for g in grants]
    below = [parameter_arns(g, place)[1] for g in grants]
    return [
        {"Sid": "ParameterPaths", "Effect": "Allow", "Action": [PATH_READ], "Resource": paths},
        {"Sid": "Parameters", "Effect": "Allow", "Action": list(READ), "Resource": below},
    ]


def key_statements(grants: tuple[ParameterGrant, ...], place: Place) -> list[dict[str, Any]]:
    return [
        through_service(f"ParameterKey{i}", p.kms_key, KEY_DECRYPT, "ssm", parameter_arns(p, place)[1:], place.region)
        for i, p in enumerate(grants)
        if p.kms_key
    ]


def checks(grants: tuple[ParameterGrant, ...], place: Place, publish: bool) -> list[dict[str, Any]]:
    found = []
    for parameters in grants:
        plain = parameters.path.split(":parameter", 1)[1] if parameters.path.startswith("arn:") else parameters.path
        decrypt = {"WithDecryption": True} if parameters.kms_key else {}
        found += pair(
            "ssm",
            "get_parameters_by_path",
            {"Path": plain, "MaxResults": 1, **decrypt},
            {"Path": f"/irsa-outside{plain}", "MaxResults": 1},
        )
    return found


KIND = GrantKind(
    key="parameters",
    type_name="ParameterGrant",
    doc="One SSM Parameter Store grant: read parameters under a path, recursively.",
    list_doc="SSM Parameter Store grants (read, recursive).",
    fields=FIELDS,
    read=read,
    statements=statements,
    key_statements=key_statements,
    checks=checks,
    summary=lambda g: f"parameters read {g.path}" + (f" (key {g.kms_key})" if g.kms_key else ""),
    config_row="read SSM parameters under a path, recursively (`/app/prod/`); `kmsKey`: the customer-managed key "
    "of its SecureString parameters",
    rows=(
        ("—", "`GetParametersByPath` on `parameter/<path>`; `GetParameter`, `GetParameters`, `GetParametersByPath` "
         "on `parameter/<path>/*` (never a parameter named like the path itself)",
         "the path, with or without a trailing `/`, as a path or an ARN"),
    ),  # fmt: skip
    key_rows=(
        ("—", "`Decrypt`", "the key, with `kms:ViaService = ssm.<region>.amazonaws.com` and "
         "`kms:EncryptionContext:PARAMETER_ARN` = a parameter under the path"),
    ),  # fmt: skip
    examples=({"path": "/app/prod/"}, {"path": "/app/sealed", "kmsKey": EXAMPLE_KEY}),
)
