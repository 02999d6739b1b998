"""Typed grants beyond S3, as a Pulumi program passes them to WorkloadIdentity.

Generated from the grant kinds (`components/core/grant_kinds/`) by
`python -m components.core.grant_kinds.generate`: edit the kind, not this file.
"""

from collections.abc import Sequence
from enum import StrEnum
from typing import Required, TypedDict

import pulumi

__all__ = [
    "TableAccess",
    "QueueAccess",
    "KeyAccess",
    "DynamoDbGrant",
    "SqsGrant",
    "SnsGrant",
    "SecretGrant",
    "ParameterGrant",
    "KmsGrant",
    "EcrGrant",
    "ServiceGrantLists",
]


class TableAccess(StrEnum):
    """What a DynamoDB grant allows on its table (and the table's indexes)."""

    READ = "read"
    """Get, query and scan."""
    WRITE = "write"
    """Put, update and delete items."""
    READ_WRITE = "read-write"
    """Read and write."""


class QueueAccess(StrEnum):
    """What an SQS grant allows on its queue."""

    SEND = "send"
    """Send messages."""
    CONSUME = "consume"
    """Receive, delete and change the visibility of messages."""
    SEND_CONSUME = "send-consume"
    """Send and consume."""


class KeyAccess(StrEnum):
    """What a KMS grant allows with its key."""

    DECRYPT = "decrypt"
    """Decrypt."""
    ENCRYPT = "encrypt"
    """Encrypt and generate data keys."""
    ENCRYPT_DECRYPT = "encrypt-decrypt"
    """Encrypt and decrypt."""


class DynamoDbGrant(TypedDict, total=False):
    """One DynamoDB grant: a table and its indexes."""

    table: Required[pulumi.Input[str]]
    """Table name or ARN."""
    access: Required[TableAccess]
    """read, write or read-write."""


class SqsGrant(TypedDict, total=False):
    """One SQS grant."""

    queue: Required[pulumi.Input[str]]
    """Queue name or ARN."""
    access: Required[QueueAccess]
    """send, consume or send-consume."""
    kms_key: pulumi.Input[str]
    """The queue's customer-managed KMS key ARN (SSE-KMS): used only through SQS."""


class SnsGrant(TypedDict, total=False):
    """One SNS grant: publish to a topic."""

    topic: Required[pulumi.Input[str]]
    """Topic name or ARN."""
    kms_key: pulumi.Input[str]
    """The topic's customer-managed KMS key ARN: used only through SNS."""


class SecretGrant(TypedDict, total=False):
    """One Secrets Manager grant: read a secret."""

    secret: Required[pulumi.Input[str]]
    """Secret name or ARN."""
    kms_key: pulumi.Input[str]
    """The secret's customer-managed KMS key ARN: Decrypt through Secrets Manager only."""


class ParameterGrant(TypedDict, total=False):
    """One SSM Parameter Store grant: read parameters under a path, recursively."""

    path: Required[pulumi.Input[str]]
    """A path such as /app/prod/, or a parameter ARN."""
    kms_key: pulumi.Input[str]
    """The key of SecureString parameters: Decrypt through SSM only."""


class KmsGrant(TypedDict, total=False):
    """One KMS grant: use a key directly."""

    key: Required[pulumi.Input[str]]
    """Key or alias ARN."""
    access: Required[KeyAccess]
    """decrypt, encrypt or encrypt-decrypt."""


class EcrGrant(TypedDict, total=False):
    """One ECR grant: pull images from a repository."""

    repository: Required[pulumi.Input[str]]
    """Repository name (e.g. team/app) or ARN."""


class ServiceGrantLists(TypedDict, total=False):
    """WorkloadIdentity's grants beyond S3: one list per kind."""

    dynamodb: Sequence[DynamoDbGrant]
    """DynamoDB grants (read, write, read-write on a table and its indexes)."""
    sqs: Sequence[SqsGrant]
    """SQS grants (send, consume, send-consume)."""
    sns: Sequence[SnsGrant]
    """SNS grants (publish)."""
    secrets: Sequence[SecretGrant]
    """Secrets Manager grants (read)."""
    parameters: Sequence[ParameterGrant]
    """SSM Parameter Store grants (read, recursive)."""
    kms: Sequence[KmsGrant]
    """KMS grants (decrypt, encrypt, encrypt-decrypt)."""
    ecr: Sequence[EcrGrant]
    """ECR grants (pull images from named repositories)."""
