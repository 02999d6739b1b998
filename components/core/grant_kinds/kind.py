"""What a grant kind is (pure): one entry per kind, everything irsa says or does about it.

Each kind module (`dynamodb.py`, `sqs.py`, …) defines one `GrantKind`; `grant_kinds/__init__.py` lists them.
Everything that lists grant kinds — the stack file's and the component's readers, the statements, the
verification Job's checks, the reviewer's row, the typed component arguments and schema types
(`components/grant_types.py`, generated) and the README's tables (generated) — is derived from that list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from components.core import aws
from components.core.config.collector import Collector, show
from components.core.service_grants import Place

PARTITION = r"(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f)"
REGION = aws.REGION.pattern
KEY = re.compile(
    rf"arn:{PARTITION}:kms:{REGION}:\d{{12}}:(key/[A-Za-z0-9-]{{1,64}}|alias/[A-Za-z0-9/_-]{{1,250}})", re.ASCII
)
KMS_KEY_ALLOWED = "arn:<partition>:kms:<region>:<account>:key/<id>"
KEY_ARN = re.compile(rf"arn:{PARTITION}:kms:{REGION}:\d{{12}}:key/[A-Za-z0-9-]{{1,64}}", re.ASCII)
# The account and region every kind's examples live in (tests/grant_fixtures.py's stack), and a key there.
EXAMPLE_PLACE = ("ap-northeast-2", "123456789012")
EXAMPLE_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def kms_key_field(doc: str) -> Field:
    """A grant's optional customer-managed key."""
    return Field("kmsKey", doc, required=False, pattern=KEY_ARN)


@dataclass(frozen=True)
class Field:
    """One field of a grant, as the stack file spells it (the component's is its snake_case)."""

    name: str
    doc: str  # the typed argument's docstring: one sentence
    required: bool = True
    levels: tuple[tuple[str, str], ...] = ()  # an access level: (value, what it allows)
    enum: str = ""  # the schema's enum type for the levels, e.g. TableAccess
    enum_doc: str = ""
    pattern: re.Pattern[str] | None = None  # what a plain value may be (the property tests generate from it)


@dataclass(frozen=True)
class GrantKind:
    """One kind of grant beyond S3."""

    key: str  # the workload's config key, e.g. dynamodb
    type_name: str  # the schema type of one grant, e.g. DynamoDbGrant
    doc: str  # one grant, one sentence
    list_doc: str  # the workload argument holding the list
    fields: tuple[Field, ...]
    read: Callable[[Collector, str, Mapping[str, Any]], Any]  # one item → its grant, or None after saying why
    statements: Callable[[tuple[Any, ...], Place], list[dict[str, Any]]]
    checks: Callable[[tuple[Any, ...], Place, bool], list[dict[str, Any]]]  # (grants, place, verify_publish)
    summary: Callable[[Any], str]  # the reviewer's line for one grant
    config_row: str  # the README's stack-configuration row (after the key and its shape)
    rows: tuple[tuple[str, str, str], ...]  # the README's grants table: (access, actions rendered, resources)
    examples: tuple[Mapping[str, Any], ...]  # stack-file items every check in the tests renders and judges
    key_statements: Callable[[tuple[Any, ...], Place], list[dict[str, Any]]] = lambda grants, place: []
    key_rows: tuple[tuple[str, str, str], ...] = ()  # the README's rows for the kind's kmsKey
    publishes: Callable[[Any], bool] = lambda grant: False  # whether verifyPublish has the Job change it
    unscoped: tuple[str, ...] = ()  # actions AWS authorizes only on "*" (the policy pack's list holds them)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def named(c: Collector, path: str, value: Any, rules: tuple[re.Pattern[str], re.Pattern[str]], what: str) -> str | None:
    """A resource's name or ARN by the service's naming rules, or None after saying why not."""
    if not isinstance(value, str) or not (
        rules[1].fullmatch(value) if value.startswith("arn:") else rules[0].fullmatch(value)
    ):
        c.add(path, f"{show(value)} is not a {what} name or ARN", f"a {what} name, or its ARN")
        return None
    return value


def level(c: Collector, path: str, value: Any, field: Field) -> Any:
    """An access level among the field's, or None after saying why not."""
    levels = [v for v, _ in field.levels]
    if value not in levels:
        wrong = "is required" if value is None else f"{show(value)} is not an access level"
        c.add(path, wrong, " or ".join([", ".join(levels[:-1]), levels[-1]]))
        return None
    return value


def kms_key(c: Collector, path: str, raw: Any) -> str | None:
    """A grant's customer-managed key: a key ARN (the services name the key, not an alias, when they call KMS)."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not KEY_ARN.fullmatch(raw):
        c.add(path, f"{show(raw)} is not a KMS key ARN", KMS_KEY_ALLOWED)
        return None
    return raw


def arn_rule(service: str, resource: str) -> re.Pattern[str]:
    """The ARN of a resource of `service` in any partition, region and account: `resource` after them."""
    return re.compile(rf"arn:{PARTITION}:{service}:{REGION}:\d{{12}}:{resource}", re.ASCII)

