"""Secrets Manager: read secrets; through a secret's customer-managed key when it has one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.core.aws import secret_resource
from components.core.config.collector import Collector
from components.core.grant_kinds.kind import EXAMPLE_KEY, Field, GrantKind, arn_rule, kms_key, kms_key_field, named
from components.core.service_grants import KEY_DECRYPT, Place, last, pair, sibling, through_service

READ = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
NAME = r"[A-Za-z0-9/_+=.@-]"
RULES = (re.compile(rf"{NAME}{{1,512}}", re.ASCII), arn_rule("secretsmanager", f"secret:{NAME}+"))
FIELDS = (
    Field("secret", "Secret name or ARN.", pattern=RULES[0]),
    kms_key_field("The secret's customer-managed KMS key ARN: Decrypt through Secrets Manager only."),
)


@dataclass(frozen=True)
class SecretGrant:
    secret: str  # name or ARN
    kms_key: str | None = None  # the key the secret is encrypted under, when customer-managed

    def names(self) -> tuple[str, ...]:
        return (self.secret,)


def read(c: Collector, path: str, item: Mapping[str, Any]) -> SecretGrant | None:
    secret = named(c, f"{path}.secret", item.get("secret"), RULES, "Secrets Manager secret")
    key = kms_key(c, f"{path}.kmsKey", item.get("kmsKey"))
    return SecretGrant(secret, key) if secret is not None else None


def secret_arn(grant: SecretGrant, place: Place) -> str:
    """A secret's ARN ends with `-` and 6 random characters. A name never carries them, so its ARN always gets
    `-??????` (`prod/db-backup` too, though it ends like a suffix); a typed ARN is judged by `secret_resource`."""
    if grant.secret.startswith("arn:"):
        return secret_resource(grant.secret)
    arn = place.arn("secretsmanager", f"secret:{grant.secret}")
    return arn if arn.endswith("*") else f"{arn}-??????"


def statements(grants: tuple[SecretGrant, ...], place: Place) -> list[dict[str, Any]]:
    if not grants:
        return []
    secrets = [secret_arn(g, place) for g in grants]
    return [{"Sid": "Secrets", "Effect": "Allow", "Action": list(READ), "Resource": secrets}]


def key_statements(grants: tuple[SecretGrant, ...], place: Place) -> list[dict[str, Any]]:
    return [
        through_service(f"SecretKey{i}", s.kms_key, KEY_DECRYPT, "secretsmanager", [secret_arn(s, place)],
                        place.region)
        for i, s in enumerate(grants)
        if s.kms_key
    ]  # fmt: skip


def checks(grants: tuple[SecretGrant, ...], place: Place, publish: bool) -> list[dict[str, Any]]:
    found = []
    for secret in grants:  # under a customer-managed key, reading the value is what proves the key grant
        call = "get_secret_value" if secret.kms_key else "describe_secret"
        found += pair("secretsmanager", call, {"SecretId": secret.secret}, {"SecretId": sibling(last(secret.secret))})
    return found


KIND = GrantKind(
    key="secrets",
    type_name="SecretGrant",
    doc="One Secrets Manager grant: read a secret.",
    list_doc="Secrets Manager grants (read).",
    fields=FIELDS,
    read=read,
    statements=statements,
    key_statements=key_statements,
    checks=checks,
    summary=lambda g: f"secret read {g.secret}" + (f" (key {g.kms_key})" if g.kms_key else ""),
    config_row="read a Secrets Manager secret (a name matches its 6-character suffix); `kmsKey`: the "
    "customer-managed key it is encrypted under",
    rows=(
        ("—", "`GetSecretValue`, `DescribeSecret`", "`secret:<name>-??????`; a full ARN as given; a partial ARN "
         "(without the 6 random characters Secrets Manager appends) with `-??????`"),
    ),  # fmt: skip
    key_rows=(
        ("—", "`Decrypt`", "the key, with `kms:ViaService = secretsmanager.<region>.amazonaws.com` and "
         "`kms:EncryptionContext:SecretARN` = the secret"),
    ),  # fmt: skip
    examples=({"secret": "prod/db"}, {"secret": "prod/db-backup"}, {"secret": "prod/sealed", "kmsKey": EXAMPLE_KEY}),
)
