"""KMS: use a key (or the key behind an alias) directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.core.config.collector import Collector, show
from components.core.grant_kinds.kind import EXAMPLE_KEY, KEY, Field, GrantKind, level
from components.core.service_grants import KEY_DECRYPT, KEY_ENCRYPT, Place, check, sorted_actions

ACCESS = Field(
    "access",
    "decrypt, encrypt or encrypt-decrypt.",
    levels=(("decrypt", "Decrypt."), ("encrypt", "Encrypt and generate data keys."),
            ("encrypt-decrypt", "Encrypt and decrypt.")),  # fmt: skip
    enum="KeyAccess",
    enum_doc="What a KMS grant allows with its key.",
)
FIELDS = (Field("key", "Key or alias ARN.", pattern=KEY), ACCESS)


@dataclass(frozen=True)
class KeyGrant:
    key: str  # key ARN or alias ARN
    access: str

    def names(self) -> tuple[str, ...]:
        return (self.key,)


def read(c: Collector, path: str, item: Mapping[str, Any]) -> KeyGrant | None:
    key, access = item.get("key"), level(c, f"{path}.access", item.get("access"), ACCESS)
    if not isinstance(key, str) or not KEY.fullmatch(key):
        c.add(f"{path}.key", f"{show(key)} is not a KMS key or alias ARN",
              "arn:<partition>:kms:<region>:<account>:key/<id> or :alias/<name>")  # fmt: skip
        return None
    return KeyGrant(key, access) if access is not None else None


def statements(grants: tuple[KeyGrant, ...], place: Place) -> list[dict[str, Any]]:
    found = []
    for i, grant in enumerate(grants):
        decrypts, encrypts = grant.access != "encrypt", grant.access != "decrypt"
        actions = (KEY_DECRYPT if decrypts else ()) + (KEY_ENCRYPT if encrypts else ())
        statement: dict[str, Any] = {"Sid": f"Key{i}", "Effect": "Allow", "Action": sorted_actions(actions)}
        if ":alias/" in grant.key:  # an alias ARN cannot be a Resource of key operations: match it by condition
            statement["Resource"] = grant.key.split(":alias/")[0] + ":key/*"
            statement["Condition"] = {
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/" + grant.key.split(":alias/")[1]}
            }
        else:
            statement["Resource"] = grant.key
        found.append(statement)
    return found


def checks(grants: tuple[KeyGrant, ...], place: Place, publish: bool) -> list[dict[str, Any]]:
    found = []
    bogus = {"base64": "aXJzYQ=="}  # not a ciphertext: KMS authorizes the key, then refuses the blob
    for k in grants:
        encrypt = {"KeyId": k.key, "Plaintext": "irsa"}
        if k.access == "decrypt":
            found.append(check("kms", "decrypt", {"KeyId": k.key, "CiphertextBlob": bogus}, "allowed"))
            found.append(check("kms", "encrypt", encrypt, "denied"))
        elif k.access == "encrypt-decrypt":  # decrypt the blob it just encrypted
            found.append(check("kms", "round_trip", encrypt, "allowed"))
        else:
            found.append(check("kms", "encrypt", encrypt, "allowed"))
            found.append(check("kms", "decrypt", {"KeyId": k.key, "CiphertextBlob": bogus}, "denied"))
    return found


_ACCOUNT_KEY = EXAMPLE_KEY.split(":key/")[0]
KIND = GrantKind(
    key="kms",
    type_name="KmsGrant",
    doc="One KMS grant: use a key directly.",
    list_doc="KMS grants (decrypt, encrypt, encrypt-decrypt).",
    fields=FIELDS,
    read=read,
    statements=statements,
    checks=checks,
    summary=lambda g: f"kms {g.access} {g.key}",
    config_row="a key or alias ARN, `decrypt` \\| `encrypt` \\| `encrypt-decrypt`",
    rows=(
        ("`decrypt` / `encrypt` / `encrypt-decrypt`", "`Decrypt` / `Encrypt`, `GenerateDataKey` / all three",
         "the key; an alias ARN as `key/*` with `kms:ResourceAliases` = the alias"),
    ),  # fmt: skip
    examples=({"key": f"{_ACCOUNT_KEY}:alias/payments", "access": "decrypt"},
              {"key": f"{_ACCOUNT_KEY}:key/1234abcd-12ab-34cd-56ef-1234567890ab", "access": "encrypt-decrypt"},
              {"key": f"{_ACCOUNT_KEY}:key/0000abcd-12ab-34cd-56ef-1234567890ab", "access": "encrypt"}),  # fmt: skip
)
