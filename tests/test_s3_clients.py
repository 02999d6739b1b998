"""What S3 clients really call: `aws s3 cp` between S3 locations of an object of 8 MiB or more (a multipart copy)
under the CLI's default --copy-props. Facts from AWS CLI v2's awscli/customizations/s3/subscribers.py
(SetTagsSubscriber: GetObjectTagging on the source, then the tags on the destination, as a Tagging header on
CreateMultipartUpload or PutObjectTagging after) and transferconfig.py (multipart_threshold 8 MiB); the IAM
authorization each call needs, from the S3 API reference. The IAM simulator judges the planned policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import by_type, plan_of
from grant_fixtures import ACCOUNT, stack
from simulator import Case, agreed

ROLE = f"arn:aws:iam::{ACCOUNT}:role/irsa-dev-app"
SOURCE, DESTINATION = "arn:aws:s3:::reports/monthly/big.csv", "arn:aws:s3:::exports/daily/big.csv"
# (action IAM checks, resource) for each call of the multipart copy
MULTIPART_COPY = [
    ("s3:GetObject", SOURCE),  # HeadObject of the source
    ("s3:GetObjectTagging", SOURCE),  # GetObjectTagging of the source
    ("s3:PutObject", DESTINATION),  # CreateMultipartUpload, UploadPartCopy, CompleteMultipartUpload
    ("s3:PutObjectTagging", DESTINATION),  # the Tagging header, or PutObjectTagging when it does not fit
    ("s3:GetObject", SOURCE),  # UploadPartCopy reads the source
]


def policy(**workload: Any) -> dict[str, Any]:
    [found] = by_type(plan_of(stack(**workload)), "aws:iam/rolePolicy:RolePolicy")
    return dict(json.loads(found["inputs"]["policy"]))


@pytest.mark.parametrize("destination_access", ["write", "read-write", "sync"])
@pytest.mark.parametrize("source_access", ["read", "read-write"])
def test_a_large_copy_between_grants_is_allowed_call_by_call(source_access: str, destination_access: str) -> None:
    document = policy(s3=[{"bucket": "reports", "prefix": "monthly/", "access": source_access},
                          {"bucket": "exports", "prefix": "daily/", "access": destination_access}])  # fmt: skip
    cases: list[Case] = [(action, resource, {}) for action, resource in MULTIPART_COPY]
    assert agreed([document], cases, ROLE, ACCOUNT) == [True] * len(cases)


def test_tagging_stays_inside_the_grant() -> None:
    document = policy(s3=[{"bucket": "reports", "prefix": "monthly/", "access": "read"}])
    cases: list[Case] = [
        ("s3:GetObjectTagging", "arn:aws:s3:::reports/yearly/x.csv", {}),
        ("s3:PutObjectTagging", "arn:aws:s3:::reports/monthly/x.csv", {}),  # read does not tag
        ("s3:DeleteObjectTagging", "arn:aws:s3:::reports/monthly/x.csv", {}),
    ]
    assert agreed([document], cases, ROLE, ACCOUNT) == [False, False, False]
