"""IAM documents from the pure core, checked by exact equality."""

from components.core import documents
from components.core.model import S3Grant

ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/ABC"
HOST = "oidc.eks.ap-northeast-2.amazonaws.com/id/ABC"


def test_trust_policy_pins_sub_and_aud() -> None:
    assert documents.trust_policy(ARN, HOST, ["system:serviceaccount:prod:app"], "sts.amazonaws.com") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{HOST}:sub": "system:serviceaccount:prod:app",
                        f"{HOST}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def test_trust_policy_keeps_aks_trailing_slash_in_condition_keys() -> None:
    host = "koreacentral.oic.prod-aks.azure.com/tenant/cluster/"
    doc = documents.trust_policy(ARN, host, ["system:serviceaccount:a:b"], "sts.amazonaws.com")
    assert set(doc["Statement"][0]["Condition"]["StringEquals"]) == {f"{host}:sub", f"{host}:aud"}


def test_subject() -> None:
    assert documents.subject("production", "s3-writer") == "system:serviceaccount:production:s3-writer"


def test_read_grant_with_prefix_limits_listing() -> None:
    assert documents.s3_policy([S3Grant("b1", "logs/", "read")], "aws") == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Objects0", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectTagging"],
             "Resource": "arn:aws:s3:::b1/logs/*"},
            {
                "Sid": "List0",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::b1",
                "Condition": {"StringLike": {"s3:prefix": ["logs/*"]}},
            },
        ],
    }


def test_read_grant_without_prefix_lists_whole_bucket() -> None:
    statements = documents.s3_policy([S3Grant("b1", "", "read")], "aws")["Statement"]
    assert statements == [
        {"Sid": "Objects0", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectTagging"],
         "Resource": "arn:aws:s3:::b1/*"},
        {"Sid": "List0", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b1"},
    ]


def test_write_grant_has_no_listing_or_delete() -> None:
    assert documents.s3_policy([S3Grant("b2", "in/", "write")], "aws-cn")["Statement"] == [
        {
            "Sid": "Objects0",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"],
            "Resource": "arn:aws-cn:s3:::b2/in/*",
        },
    ]


def test_read_write_grant_adds_delete() -> None:
    statements = documents.s3_policy([S3Grant("b3", "", "read-write")], "aws")["Statement"]
    assert statements[0]["Action"] == [
        "s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload",
        "s3:DeleteObject",
    ]
    assert statements[1]["Action"] == "s3:ListBucket"


def test_compact_size_ignores_indentation() -> None:
    doc = {"a": ["b c", 1]}
    assert documents.compact_size(doc) == len('{"a":["b c",1]}')


def test_wildcard_subject_switches_sub_to_string_like_and_keeps_aud_exact() -> None:
    subjects = ["system:serviceaccount:prod:app", "system:serviceaccount:batch:job-*"]
    condition = documents.trust_policy(ARN, HOST, subjects, "sts.amazonaws.com")["Statement"][0]["Condition"]
    assert condition == {
        "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{HOST}:sub": subjects},
    }


def test_several_literal_subjects_stay_string_equals() -> None:
    subjects = ["system:serviceaccount:a:b", "system:serviceaccount:c:d"]
    condition = documents.trust_policy(ARN, HOST, subjects, "x")["Statement"][0]["Condition"]
    assert condition == {"StringEquals": {f"{HOST}:sub": subjects, f"{HOST}:aud": "x"}}
