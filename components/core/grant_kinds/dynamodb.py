"""DynamoDB: read, write or both on a table, its indexes and streams."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.core.config.collector import Collector
from components.core.grant_kinds.kind import Field, GrantKind, arn_rule, level, named
from components.core.service_grants import Place, arn_of, last, pair, sibling, sorted_actions

READ = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
WRITE = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
INDEX_READ = ("dynamodb:Query", "dynamodb:Scan")
STREAM_READ = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
NAME = r"[A-Za-z0-9_.-]{3,255}"
RULES = (re.compile(NAME, re.ASCII), arn_rule("dynamodb", f"table/{NAME}"))
TABLE = Field("table", "Table name or ARN.", pattern=RULES[0])
ACCESS = Field(
    "access",
    "read, write or read-write.",
    levels=(
        ("read", "Get, query and scan."),
        ("write", "Put, update and delete items."),
        ("read-write", "Read and write."),
    ),
    enum="TableAccess",
    enum_doc="What a DynamoDB grant allows on its table (and the table's indexes).",
)


@dataclass(frozen=True)
class TableGrant:
    table: str  # name or ARN
    access: str

    def names(self) -> tuple[str, ...]:
        return (self.table,)


def read(c: Collector, path: str, item: Mapping[str, Any]) -> TableGrant | None:
    table = named(c, f"{path}.table", item.get("table"), RULES, "DynamoDB table")
    access = level(c, f"{path}.access", item.get("access"), ACCESS)
    return TableGrant(table, access) if table is not None and access is not None else None


def statements(grants: tuple[TableGrant, ...], place: Place) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for i, grant in enumerate(grants):
        table = arn_of(grant.table, place, "dynamodb", f"table/{grant.table}")
        reads, writes = grant.access in ("read", "read-write"), grant.access in ("write", "read-write")
        actions = (READ if reads else ()) + (WRITE if writes else ())
        found.append({"Sid": f"Table{i}", "Effect": "Allow", "Action": sorted_actions(actions), "Resource": table})
        if reads:
            found += [
                {"Sid": f"TableIndexes{i}", "Effect": "Allow", "Action": list(INDEX_READ),
                 "Resource": f"{table}/index/*"},
                {"Sid": f"TableStreams{i}", "Effect": "Allow", "Action": list(STREAM_READ),
                 "Resource": f"{table}/stream/*"},
            ]  # fmt: skip
    return found


def checks(grants: tuple[TableGrant, ...], place: Place, publish: bool) -> list[dict[str, Any]]:
    found = []
    for t in grants:
        found += pair("dynamodb", "describe_table", {"TableName": t.table}, {"TableName": sibling(last(t.table))})
    return found


KIND = GrantKind(
    key="dynamodb",
    type_name="DynamoDbGrant",
    doc="One DynamoDB grant: a table and its indexes.",
    list_doc="DynamoDB grants (read, write, read-write on a table and its indexes).",
    fields=(TABLE, ACCESS),
    read=read,
    statements=statements,
    checks=checks,
    summary=lambda g: f"dynamodb {g.access} {g.table}",
    config_row="a table (name or ARN), `read` \\| `write` \\| `read-write` (see *Grants beyond S3*)",
    rows=(
        ("read", "`GetItem`, `BatchGetItem`, `Query`, `Scan`, `ConditionCheckItem`, `DescribeTable`; `Query`, "
         "`Scan` on indexes; `DescribeStream`, `GetRecords`, `GetShardIterator` on streams",
         "`table/<name>`, `…/index/*`, `…/stream/*`"),
        ("write", "`PutItem`, `UpdateItem`, `DeleteItem`, `BatchWriteItem`, `ConditionCheckItem`, `DescribeTable`",
         "`table/<name>` (never `DeleteTable`)"),
        ("read-write", "both", "both"),
    ),  # fmt: skip
    examples=({"table": "orders", "access": "read"}, {"table": "ledger", "access": "read-write"},
              {"table": "events", "access": "write"}),  # fmt: skip
)
