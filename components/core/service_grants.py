"""Grants beyond S3 (pure): intent in, the smallest statements out.

Each grant names a resource by name or ARN; a name becomes an ARN in the stack's partition, region and
account (the account may be a placeholder offline). The README's grants table lists exactly the actions
each access level renders; `tests/test_service_grants.py` proves each allows its intent and denies its
neighbours with the IAM evaluator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from components.core.aws import secret_resource

TableAccess = Literal["read", "write", "read-write"]
QueueAccess = Literal["send", "consume", "send-consume"]
KeyAccess = Literal["decrypt", "encrypt", "encrypt-decrypt"]

TABLE_READ = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
TABLE_WRITE = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
INDEX_READ = ("dynamodb:Query", "dynamodb:Scan")
STREAM_READ = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
QUEUE_SEND = ("sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes")
QUEUE_CONSUME = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:GetQueueAttributes",
)
TOPIC_PUBLISH = ("sns:Publish",)
SECRET_READ = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
PATH_READ = "ssm:GetParametersByPath"
PARAMETER_READ = ("ssm:GetParameter", "ssm:GetParameters", PATH_READ)
KEY_DECRYPT = ("kms:Decrypt",)
KEY_ENCRYPT = ("kms:Encrypt", "kms:GenerateDataKey")


@dataclass(frozen=True)
class Place:
    """Where names resolve: the stack's partition, region and account (a placeholder until known)."""

    partition: str
    region: str
    account: str

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"


@dataclass(frozen=True)
class TableGrant:
    table: str  # name or ARN
    access: TableAccess


@dataclass(frozen=True)
class QueueGrant:
    queue: str
    access: QueueAccess
    kms_key: str | None = None  # the queue's customer-managed key (SSE-KMS)


@dataclass(frozen=True)
class TopicGrant:
    topic: str  # name or ARN
    kms_key: str | None = None  # the topic's customer-managed key


@dataclass(frozen=True)
class SecretGrant:
    secret: str  # name or ARN
    kms_key: str | None = None  # the key the secret is encrypted under, when customer-managed


@dataclass(frozen=True)
class ParameterGrant:
    path: str  # a path, or the ARN of one
    kms_key: str | None = None  # the key its SecureString parameters are encrypted under, when customer-managed


@dataclass(frozen=True)
class KeyGrant:
    key: str  # key ARN or alias ARN
    access: KeyAccess


@dataclass(frozen=True)
class ServiceGrants:
    """Every grant beyond S3 of one workload."""

    dynamodb: tuple[TableGrant, ...] = ()
    sqs: tuple[QueueGrant, ...] = ()
    sns: tuple[TopicGrant, ...] = ()
    secrets: tuple[SecretGrant, ...] = ()
    parameters: tuple[ParameterGrant, ...] = ()
    kms: tuple[KeyGrant, ...] = ()
    verify_publish: bool = False  # the Job may publish one probe message to each topic

    def __bool__(self) -> bool:
        return any((self.dynamodb, self.sqs, self.sns, self.secrets, self.parameters, self.kms))

    @property
    def needs_account(self) -> bool:
        """Whether a grant is given by name, so rendering needs the account."""
        names = [g.table for g in self.dynamodb] + [g.queue for g in self.sqs] + [t.topic for t in self.sns]
        names += [g.secret for g in self.secrets] + [g.path for g in self.parameters]
        return any(not n.startswith("arn:") for n in names)


NO_SERVICE_GRANTS = ServiceGrants()


def _arn(value: str, place: Place, service: str, resource: str) -> str:
    return value if value.startswith("arn:") else place.arn(service, resource)


def _sorted(actions: tuple[str, ...]) -> list[str]:
    return sorted(set(actions))


def table_statements(i: int, grant: TableGrant, place: Place) -> list[dict[str, Any]]:
    table = _arn(grant.table, place, "dynamodb", f"table/{grant.table}")
    reads, writes = grant.access in ("read", "read-write"), grant.access in ("write", "read-write")
    actions = (TABLE_READ if reads else ()) + (TABLE_WRITE if writes else ())
    statements = [{"Sid": f"Table{i}", "Effect": "Allow", "Action": _sorted(actions), "Resource": table}]
    if reads:
        statements += [
            {"Sid": f"TableIndexes{i}", "Effect": "Allow", "Action": list(INDEX_READ), "Resource": f"{table}/index/*"},
            {
                "Sid": f"TableStreams{i}",
                "Effect": "Allow",
                "Action": list(STREAM_READ),
                "Resource": f"{table}/stream/*",
            },
        ]
    return statements


def queue_statement(i: int, grant: QueueGrant, place: Place) -> dict[str, Any]:
    queue = queue_arn(grant, place)
    actions = (QUEUE_SEND if grant.access != "consume" else ()) + (QUEUE_CONSUME if grant.access != "send" else ())
    return {"Sid": f"Queue{i}", "Effect": "Allow", "Action": _sorted(actions), "Resource": queue}


def key_statement(i: int, grant: KeyGrant, place: Place) -> dict[str, Any]:
    actions = (KEY_DECRYPT if grant.access != "encrypt" else ()) + (KEY_ENCRYPT if grant.access != "decrypt" else ())
    statement: dict[str, Any] = {"Sid": f"Key{i}", "Effect": "Allow", "Action": _sorted(actions)}
    if ":alias/" in grant.key:  # an alias ARN cannot be a Resource of key operations: match it by condition
        key_arn = grant.key.split(":alias/")[0] + ":key/*"
        statement["Resource"] = key_arn
        statement["Condition"] = {
            "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/" + grant.key.split(":alias/")[1]}
        }
    else:
        statement["Resource"] = grant.key
    return statement


def statements(grants: ServiceGrants, place: Place) -> list[dict[str, Any]]:
    """The statements of every grant beyond S3, in a stable order."""
    result: list[dict[str, Any]] = []
    for i, table in enumerate(grants.dynamodb):
        result += table_statements(i, table, place)
    result += [queue_statement(i, q, place) for i, q in enumerate(grants.sqs)]
    if grants.sns:
        topics = [topic_arn(t, place) for t in grants.sns]
        result.append({"Sid": "Topics", "Effect": "Allow", "Action": list(TOPIC_PUBLISH), "Resource": topics})
    if grants.secrets:
        secrets = [secret_arn(g, place) for g in grants.secrets]
        result.append({"Sid": "Secrets", "Effect": "Allow", "Action": list(SECRET_READ), "Resource": secrets})
    if grants.parameters:
        # GetParametersByPath is authorized on the path; reading one parameter only below it (never a parameter
        # named like the path itself).
        paths = [parameter_arns(g, place)[0] for g in grants.parameters]
        below = [parameter_arns(g, place)[1] for g in grants.parameters]
        result.append({"Sid": "ParameterPaths", "Effect": "Allow", "Action": [PATH_READ], "Resource": paths})
        result.append({"Sid": "Parameters", "Effect": "Allow", "Action": list(PARAMETER_READ), "Resource": below})
    result += [key_statement(i, k, place) for i, k in enumerate(grants.kms)]
    result += service_key_statements(grants, place)
    return result


def queue_arn(grant: QueueGrant, place: Place) -> str:
    return _arn(grant.queue, place, "sqs", grant.queue)


def topic_arn(grant: TopicGrant, place: Place) -> str:
    return _arn(grant.topic, place, "sns", grant.topic)


def secret_arn(grant: SecretGrant, place: Place) -> str:
    """A secret's ARN ends with `-` and 6 random characters. A name never carries them, so its ARN always gets
    `-??????` (`prod/db-backup` too, though it ends like a suffix); a typed ARN is judged by `secret_resource`."""
    if grant.secret.startswith("arn:"):
        return secret_resource(grant.secret)
    arn = place.arn("secretsmanager", f"secret:{grant.secret}")
    return arn if arn.endswith("*") else f"{arn}-??????"


def region_of(arn: str) -> str | None:
    """The region field of an ARN (None for a name, a placeholder, or an ARN without one, as a bucket's)."""
    parts = arn.split(":", 5)
    return parts[3] if arn.startswith("arn:") and len(parts) == 6 and parts[3] else None


def via_service(service: str, key: str, resource: str | None, stack_region: str) -> str:
    """The `kms:ViaService` a service sends when it calls KMS for a resource: `<service>.<region>.amazonaws.com`,
    in the region the call happens in — the resource's, else the key's (S3 bucket ARNs name no region, and an
    SSE-KMS key must be in the bucket's region), else the stack's."""
    region = (region_of(resource) if resource else None) or region_of(key) or stack_region
    return f"{service}.{region}.amazonaws.com"


def parameter_arns(grant: ParameterGrant, place: Place) -> list[str]:
    """The path itself (GetParametersByPath authorizes it) and every parameter below it; a path ARN may end
    in `/` or not."""
    base = grant.path if grant.path.startswith("arn:") else place.arn("ssm", f"parameter{grant.path}")
    base = base.rstrip("/")
    return [base, f"{base}/*"]


# What each service asks KMS for on a caller's behalf, and the encryption context it sets (the service's
# developer guide: Secrets Manager's SecretARN, Parameter Store's PARAMETER_ARN, SQS's aws:sqs:arn, SNS's
# aws:sns:topicArn). The statements allow only that, only through that service, only for that resource.
def service_key_statements(grants: ServiceGrants, place: Place) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def add(sid: str, key: str, actions: tuple[str, ...], service: str, context: str, resources: list[str]) -> None:
        values: str | list[str] = resources if len(resources) > 1 else resources[0]
        found.append(
            {
                "Sid": sid,
                "Effect": "Allow",
                "Action": _sorted(actions),
                "Resource": key,
                "Condition": {
                    "StringEquals": {"kms:ViaService": via_service(service, key, resources[0], place.region)},
                    "StringLike": {f"kms:EncryptionContext:{context}": values},
                },
            }
        )

    for i, q in enumerate(grants.sqs):
        if q.kms_key:  # a producer has SQS generate a data key; either side has it decrypted
            actions = KEY_DECRYPT + (("kms:GenerateDataKey",) if q.access != "consume" else ())
            add(f"QueueKey{i}", q.kms_key, actions, "sqs", "aws:sqs:arn", [queue_arn(q, place)])
    for i, t in enumerate(grants.sns):
        if t.kms_key:
            add(f"TopicKey{i}", t.kms_key, ("kms:Decrypt", "kms:GenerateDataKey"), "sns", "aws:sns:topicArn",
                [topic_arn(t, place)])  # fmt: skip
    for i, secret in enumerate(grants.secrets):
        if secret.kms_key:
            add(f"SecretKey{i}", secret.kms_key, KEY_DECRYPT, "secretsmanager", "SecretARN",
                [secret_arn(secret, place)])  # fmt: skip
    for i, parameters in enumerate(grants.parameters):
        if parameters.kms_key:
            add(f"ParameterKey{i}", parameters.kms_key, KEY_DECRYPT, "ssm", "PARAMETER_ARN",
                parameter_arns(parameters, place)[1:])  # fmt: skip
    return found


def s3_key_statement(i: int, key_arn: str, bucket: str, access: str, partition: str, region: str) -> dict[str, Any]:
    """The data-key calls S3 makes for an SSE-KMS grant, only through S3 and for this bucket."""
    # Decrypt for every level: multipart uploads under SSE-KMS need it too (the S3 user guide says so).
    actions = KEY_DECRYPT + (("kms:GenerateDataKey",) if access != "read" else ())
    return {
        "Sid": f"ObjectsKey{i}",
        "Effect": "Allow",
        "Action": _sorted(actions),
        "Resource": key_arn,
        "Condition": {
            "StringEquals": {"kms:ViaService": via_service("s3", key_arn, None, region)},
            # S3 names the object in the encryption context, or the bucket itself when S3 Bucket Keys are on
            "StringLike": {
                "kms:EncryptionContext:aws:s3:arn": [
                    f"arn:{partition}:s3:::{bucket}",
                    f"arn:{partition}:s3:::{bucket}/*",
                ]
            },
        },
    }


def _sibling(name: str) -> str:
    """A resource just outside a grant: the same name with a suffix the grant does not cover."""
    return f"{name}-irsa-outside"


def _last(arn_or_name: str) -> str:
    return arn_or_name.rsplit(":", 1)[-1] if arn_or_name.startswith("arn:") else arn_or_name


def verification_checks(grants: ServiceGrants, place: Place, s3_keys: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """What the verification Job proves per grant: one call the grant allows that changes nothing, and
    one just outside it that must be denied. A call "allowed" may still fail for another reason (a key
    that does not exist, a ciphertext that is not one): only an access-denied error fails it."""
    checks: list[dict[str, Any]] = []

    def add(service: str, call: str, params: dict[str, Any], expect: str) -> None:
        checks.append({"service": service, "call": call, "params": params, "expect": expect})

    def pair(service: str, call: str, inside: dict[str, Any], outside: dict[str, Any]) -> None:
        add(service, call, inside, "allowed")
        add(service, call, outside, "denied")

    for t in grants.dynamodb:
        pair("dynamodb", "describe_table", {"TableName": t.table}, {"TableName": _sibling(_last(t.table))})
    for q in grants.sqs:  # the URL is built in the pod, from its own account and region
        name = _last(q.queue)
        pair(
            "sqs",
            "get_queue_attributes",
            {"QueueUrl": {"queue_url": name}, "AttributeNames": ["QueueArn"]},
            {"QueueUrl": {"queue_url": _sibling(name)}, "AttributeNames": ["QueueArn"]},
        )
    for q in grants.sqs:  # sending changes something: only when the stack opts in, and then through its key
        if grants.verify_publish and q.access != "consume" and q.kms_key:
            message = {"QueueUrl": {"queue_url": _last(q.queue)}, "MessageBody": "irsa verification probe"}
            add("sqs", "send_message", message, "allowed")
    for topic in grants.sns:  # publishing changes something: the allowed side only when the stack opts in
        arn = topic_arn(topic, place)
        if grants.verify_publish:
            add("sns", "publish", {"TopicArn": arn, "Message": "irsa verification probe"}, "allowed")
        add("sns", "publish", {"TopicArn": _sibling(arn), "Message": "irsa probe"}, "denied")
    for secret in grants.secrets:  # under a customer-managed key, reading the value is what proves the key grant
        call = "get_secret_value" if secret.kms_key else "describe_secret"
        pair("secretsmanager", call, {"SecretId": secret.secret}, {"SecretId": _sibling(_last(secret.secret))})
    for parameters in grants.parameters:
        plain = parameters.path.split(":parameter", 1)[1] if parameters.path.startswith("arn:") else parameters.path
        decrypt = {"WithDecryption": True} if parameters.kms_key else {}
        pair(
            "ssm",
            "get_parameters_by_path",
            {"Path": plain, "MaxResults": 1, **decrypt},
            {"Path": f"/irsa-outside{plain}", "MaxResults": 1},
        )
    bogus = {"base64": "aXJzYQ=="}  # not a ciphertext: KMS authorizes the key, then refuses the blob
    for k in grants.kms:
        encrypt = {"KeyId": k.key, "Plaintext": "irsa"}
        if k.access == "decrypt":
            add("kms", "decrypt", {"KeyId": k.key, "CiphertextBlob": bogus}, "allowed")
            add("kms", "encrypt", encrypt, "denied")
        elif k.access == "encrypt-decrypt":  # decrypt the blob it just encrypted
            add("kms", "round_trip", encrypt, "allowed")
        else:
            add("kms", "encrypt", encrypt, "allowed")
            add("kms", "decrypt", {"KeyId": k.key, "CiphertextBlob": bogus}, "denied")
    for key in s3_keys:  # an S3-only key: its direct use is denied
        add("kms", "encrypt", {"KeyId": key, "Plaintext": "irsa"}, "denied")
    return checks
