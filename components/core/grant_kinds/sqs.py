"""SQS: send to, consume from, or both, a queue; through its customer-managed key when it has one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.core.config.collector import Collector
from components.core.grant_kinds.kind import (
    EXAMPLE_KEY,
    Field,
    GrantKind,
    arn_rule,
    kms_key,
    kms_key_field,
    level,
    named,
)
from components.core.service_grants import (
    KEY_DECRYPT,
    Place,
    arn_of,
    check,
    last,
    pair,
    sibling,
    sorted_actions,
    through_service,
)

SEND = ("sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes")
CONSUME = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:GetQueueAttributes",
)
RULES = (
    re.compile(r"[A-Za-z0-9_-]{1,75}(\.fifo)?|[A-Za-z0-9_-]{1,80}", re.ASCII),
    arn_rule("sqs", r"[A-Za-z0-9_-]{1,80}(\.fifo)?"),
)
ACCESS = Field(
    "access",
    "send, consume or send-consume.",
    levels=(
        ("send", "Send messages."),
        ("consume", "Receive, delete and change the visibility of messages."),
        ("send-consume", "Send and consume."),
    ),
    enum="QueueAccess",
    enum_doc="What an SQS grant allows on its queue.",
)
FIELDS = (
    Field("queue", "Queue name or ARN.", pattern=RULES[0]),
    ACCESS,
    kms_key_field("The queue's customer-managed KMS key ARN (SSE-KMS): used only through SQS."),
)


@dataclass(frozen=True)
class QueueGrant:
    queue: str
    access: str
    kms_key: str | None = None  # the queue's customer-managed key (SSE-KMS)

    def names(self) -> tuple[str, ...]:
        return (self.queue,)


def read(c: Collector, path: str, item: Mapping[str, Any]) -> QueueGrant | None:
    queue = named(c, f"{path}.queue", item.get("queue"), RULES, "SQS queue")
    access = level(c, f"{path}.access", item.get("access"), ACCESS)
    key = kms_key(c, f"{path}.kmsKey", item.get("kmsKey"))
    return QueueGrant(queue, access, key) if queue is not None and access is not None else None


def queue_arn(grant: QueueGrant, place: Place) -> str:
    return arn_of(grant.queue, place, "sqs", grant.queue)


def statements(grants: tuple[QueueGrant, ...], place: Place) -> list[dict[str, Any]]:
    found = []
    for i, grant in enumerate(grants):
        actions = (SEND if grant.access != "consume" else ()) + (CONSUME if grant.access != "send" else ())
        arn = queue_arn(grant, place)
        found.append({"Sid": f"Queue{i}", "Effect": "Allow", "Action": sorted_actions(actions), "Resource": arn})
    return found


def key_statements(grants: tuple[QueueGrant, ...], place: Place) -> list[dict[str, Any]]:
    # a producer has SQS generate a data key; either side has it decrypted
    return [
        through_service(f"QueueKey{i}", q.kms_key, KEY_DECRYPT + (("kms:GenerateDataKey",) if publishes(q) else ()),
                        "sqs", [queue_arn(q, place)], place.region)
        for i, q in enumerate(grants)
        if q.kms_key
    ]  # fmt: skip


def publishes(grant: QueueGrant) -> bool:
    return grant.access != "consume" and grant.kms_key is not None


def checks(grants: tuple[QueueGrant, ...], place: Place, publish: bool) -> list[dict[str, Any]]:
    found = []
    for q in grants:  # the URL is built in the pod, from its own account and region
        name = last(q.queue)
        found += pair(
            "sqs",
            "get_queue_attributes",
            {"QueueUrl": {"queue_url": name}, "AttributeNames": ["QueueArn"]},
            {"QueueUrl": {"queue_url": sibling(name)}, "AttributeNames": ["QueueArn"]},
        )
    for q in grants:  # sending changes something: only when the stack opts in, and then through its key
        if publish and publishes(q):
            message = {"QueueUrl": {"queue_url": last(q.queue)}, "MessageBody": "irsa verification probe"}
            found.append(check("sqs", "send_message", message, "allowed"))
    return found


KIND = GrantKind(
    key="sqs",
    type_name="SqsGrant",
    doc="One SQS grant.",
    list_doc="SQS grants (send, consume, send-consume).",
    fields=FIELDS,
    read=read,
    statements=statements,
    key_statements=key_statements,
    checks=checks,
    publishes=publishes,
    summary=lambda g: f"sqs {g.access} {g.queue}" + (f" (key {g.kms_key})" if g.kms_key else ""),
    config_row="a queue (name or ARN), `send` \\| `consume` \\| `send-consume`; `kmsKey`: its customer-managed key "
    "ARN (see *Grants beyond S3*)",
    rows=(
        ("send", "`SendMessage`, `GetQueueUrl`, `GetQueueAttributes`", "the queue"),
        ("consume", "`ReceiveMessage`, `DeleteMessage`, `ChangeMessageVisibility`, `GetQueueUrl`, `GetQueueAttributes`",
         "the queue"),
        ("send-consume", "both", "the queue"),
    ),  # fmt: skip
    key_rows=(
        ("from the queue access", "`Decrypt`; `GenerateDataKey` too unless `consume`",
         "the key, with `kms:ViaService = sqs.<region>.amazonaws.com` and `kms:EncryptionContext:aws:sqs:arn` = "
         "the queue"),
    ),  # fmt: skip
    examples=({"queue": "jobs", "access": "consume"}, {"queue": "results", "access": "send"},
              {"queue": "both-ways", "access": "send-consume"},
              {"queue": "sealed", "access": "send", "kmsKey": EXAMPLE_KEY},
              {"queue": "sealed-in", "access": "consume", "kmsKey": EXAMPLE_KEY}),  # fmt: skip
)
