"""SNS: publish to topics; through a topic's customer-managed key when it has one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.core.config.collector import Collector
from components.core.grant_kinds.kind import EXAMPLE_KEY, Field, GrantKind, arn_rule, kms_key, kms_key_field, named
from components.core.service_grants import Place, arn_of, check, sibling, through_service

PUBLISH = ("sns:Publish",)
RULES = (re.compile(r"[A-Za-z0-9_-]{1,256}(\.fifo)?", re.ASCII), arn_rule("sns", r"[A-Za-z0-9_-]{1,256}(\.fifo)?"))
FIELDS = (
    Field("topic", "Topic name or ARN.", pattern=RULES[0]),
    kms_key_field("The topic's customer-managed KMS key ARN: used only through SNS."),
)


@dataclass(frozen=True)
class TopicGrant:
    topic: str  # name or ARN
    kms_key: str | None = None  # the topic's customer-managed key

    def names(self) -> tuple[str, ...]:
        return (self.topic,)


def read(c: Collector, path: str, item: Mapping[str, Any]) -> TopicGrant | None:
    topic = named(c, f"{path}.topic", item.get("topic"), RULES, "SNS topic")
    key = kms_key(c, f"{path}.kmsKey", item.get("kmsKey"))
    return TopicGrant(topic, key) if topic is not None else None


def topic_arn(grant: TopicGrant, place: Place) -> str:
    return arn_of(grant.topic, place, "sns", grant.topic)


def statements(grants: tuple[TopicGrant, ...], place: Place) -> list[dict[str, Any]]:
    if not grants:
        return []
    topics = [topic_arn(t, place) for t in grants]
    return [{"Sid": "Topics", "Effect": "Allow", "Action": list(PUBLISH), "Resource": topics}]


def key_statements(grants: tuple[TopicGrant, ...], place: Place) -> list[dict[str, Any]]:
    return [
        through_service(f"TopicKey{i}", t.kms_key, ("kms:Decrypt", "kms:GenerateDataKey"), "sns",
                        [topic_arn(t, place)], place.region)
        for i, t in enumerate(grants)
        if t.kms_key
    ]  # fmt: skip


def checks(grants: tuple[TopicGrant, ...], place: Place, publish: bool) -> list[dict[str, Any]]:
    found = []
    for topic in grants:  # publishing changes something: the allowed side only when the stack opts in
        arn = topic_arn(topic, place)
        if publish:
            found.append(check("sns", "publish", {"TopicArn": arn, "Message": "irsa verification probe"}, "allowed"))
        found.append(check("sns", "publish", {"TopicArn": sibling(arn), "Message": "irsa probe"}, "denied"))
    return found


KIND = GrantKind(
    key="sns",
    type_name="SnsGrant",
    doc="One SNS grant: publish to a topic.",
    list_doc="SNS grants (publish).",
    fields=FIELDS,
    read=read,
    statements=statements,
    key_statements=key_statements,
    checks=checks,
    publishes=lambda grant: True,
    summary=lambda g: f"sns publish {g.topic}" + (f" (key {g.kms_key})" if g.kms_key else ""),
    config_row="publish to a topic (name or ARN); `kmsKey`: its customer-managed key ARN",
    rows=(("—", "`Publish`", "the topics"),),
    key_rows=(
        ("—", "`Decrypt`, `GenerateDataKey`", "the key, with `kms:ViaService = sns.<region>.amazonaws.com` and "
         "`kms:EncryptionContext:aws:sns:topicArn` = the topic"),
    ),  # fmt: skip
    examples=({"topic": "alerts"}, {"topic": "sealed-alerts", "kmsKey": EXAMPLE_KEY}),
)
