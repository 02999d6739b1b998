"""What every grant kind shares (pure): where names resolve, the set of a workload's grants beyond S3, and
the statement and check builders the kinds in `components/core/grant_kinds/` use.

A kind's own actions, readers, statements and checks live in its module there; the service facts those use
(encryption-context keys, `kms:ViaService` hosts, where a key must be) are `components/core/service_facts.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from components.core import service_facts

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


class Grant(Protocol):
    def names(self) -> tuple[str, ...]:
        """What the grant names by name or ARN (a name needs the account to become an ARN)."""


@dataclass(frozen=True)
class ServiceGrants:
    """Every grant beyond S3 of one workload: per kind's config key, its grants, in the registry's order."""

    kinds: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    verify_publish: bool = False  # the Job may publish one probe message to each topic

    def of(self, key: str) -> tuple[Any, ...]:
        return next((grants for k, grants in self.kinds if k == key), ())

    def __iter__(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        return iter(self.kinds)

    def __bool__(self) -> bool:
        return any(grants for _, grants in self.kinds)

    @property
    def needs_account(self) -> bool:
        """Whether a grant is given by name, so rendering needs the account."""
        return any(not n.startswith("arn:") for _, grants in self.kinds for g in grants for n in g.names())


NO_SERVICE_GRANTS = ServiceGrants()


def arn_of(value: str, place: Place, service: str, resource: str) -> str:
    """A name as its ARN in the stack's place; an ARN as given."""
    return value if value.startswith("arn:") else place.arn(service, resource)


def sorted_actions(actions: tuple[str, ...]) -> list[str]:
    return sorted(set(actions))


def region_of(arn: str) -> str | None:
    """The region field of an ARN (None for a name, a placeholder, or an ARN without one, as a bucket's)."""
    parts = arn.split(":", 5)
    return parts[3] if arn.startswith("arn:") and len(parts) == 6 and parts[3] else None


def via_service(service: str, key: str, resource: str | None, stack_region: str) -> str:
    """The `kms:ViaService` a service sends when it calls KMS for a resource, in the region the call happens
    in — the resource's, else the key's (S3 bucket ARNs name no region, and an SSE-KMS key must be in the
    bucket's region), else the stack's."""
    region = (region_of(resource) if resource else None) or region_of(key) or stack_region
    return service_facts.via_service_host(service, region)


def through_service(
    sid: str, key: str, actions: tuple[str, ...], service: str, resources: list[str], region: str
) -> dict[str, Any]:
    """A statement letting `service` use `key` on the caller's behalf, only for `resources` (by the encryption
    context that service sets, `service_facts.FACTS`)."""
    values: str | list[str] = resources if len(resources) > 1 else resources[0]
    context = service_facts.FACTS[service].context_key
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted_actions(actions),
        "Resource": key,
        "Condition": {
            "StringEquals": {"kms:ViaService": via_service(service, key, resources[0], region)},
            "StringLike": {f"kms:EncryptionContext:{context}": values},
        },
    }


def s3_key_statement(i: int, key_arn: str, bucket: str, access: str, partition: str, region: str) -> dict[str, Any]:
    """The data-key calls S3 makes for an SSE-KMS grant, only through S3 and for this bucket."""
    # Decrypt for every level: multipart uploads under SSE-KMS need it too (the S3 user guide says so).
    actions = KEY_DECRYPT + (("kms:GenerateDataKey",) if access != "read" else ())
    # S3 names the object in the encryption context, or the bucket itself when S3 Bucket Keys are on
    bucket_arn = f"arn:{partition}:s3:::{bucket}"
    return through_service(f"ObjectsKey{i}", key_arn, actions, "s3", [bucket_arn, f"{bucket_arn}/*"], region)


def sibling(name: str) -> str:
    """A resource just outside a grant: the same name with a suffix the grant does not cover."""
    return f"{name}-irsa-outside"


def last(arn_or_name: str) -> str:
    """A resource's name: the last `:` field of an ARN, or the name itself."""
    return arn_or_name.rsplit(":", 1)[-1] if arn_or_name.startswith("arn:") else arn_or_name


def check(service: str, call: str, params: dict[str, Any], expect: str) -> dict[str, Any]:
    """One call of the verification Job: boto3 `service` client's `call` with `params`, expected allowed or
    denied (only an access-denied error counts as denied)."""
    return {"service": service, "call": call, "params": params, "expect": expect}


def pair(service: str, call: str, inside: dict[str, Any], outside: dict[str, Any]) -> list[dict[str, Any]]:
    """A call the grant allows and the same call just outside it."""
    return [check(service, call, inside, "allowed"), check(service, call, outside, "denied")]
