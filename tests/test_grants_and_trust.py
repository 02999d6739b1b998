"""Grants and trust that go no further than asked: prefixes that are folders, namespace patterns that
cannot reach the cluster's own namespaces, and a sync access level for `aws s3 sync`."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import EKS_CONFIG, config

from components.core import documents
from components.core.model import ConfigError, S3Grant
from components.core.settings import parse_settings
from components.core.trust import string_like


def with_workload(**changes: Any) -> dict[str, Any]:
    return config(EKS_CONFIG, **{"irsa:workloads": [{**EKS_CONFIG["irsa:workloads"][0], **changes}]})


def test_a_prefix_without_slash_warns_which_siblings_it_covers() -> None:
    settings = parse_settings(with_workload(s3=[{"bucket": "my-bucket", "prefix": "uploads", "access": "read"}]), "d")
    assert settings.warnings == (
        "irsa:workloads[0].s3[0].prefix: \"uploads\" does not end with '/': the grant also covers keys such as "
        "\"uploads-private/...\" (end it with '/' to mean the folder only)",
    )
    # and it really does: the rendered Resource matches the sibling
    [objects, _] = documents.s3_policy(settings.workloads[0].s3, "aws")["Statement"]
    assert string_like(objects["Resource"], "arn:aws:s3:::my-bucket/uploads-private/secret.txt")
    assert (
        parse_settings(
            with_workload(s3=[{"bucket": "my-bucket", "prefix": "uploads/", "access": "read"}]), "d"
        ).warnings
        == ()
    )


@pytest.mark.parametrize(
    "subject",
    [
        "system:serviceaccount:*-*:*",
        "system:serviceaccount:*e*:*",
        "system:serviceaccount:kub*:app",
        "system:serviceaccount:def*:app",
        "system:serviceaccount:t*:app",
        "system:serviceaccount:*:app",
        "system:serviceaccount:k??e-system:app",
    ],
)
def test_namespace_patterns_that_reach_system_namespaces_are_refused(subject: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(with_workload(extraSubjects=[subject]), "dev")
    assert str(caught.value.problems[0]).startswith(f'irsa:workloads[0].extraSubjects[0]: "{subject}" is not')


@pytest.mark.parametrize(
    "subject",
    [
        "system:serviceaccount:team-*:app",
        "system:serviceaccount:payments:worker-*",
        "system:serviceaccount:ci-??:runner",
    ],
)
def test_team_prefixed_patterns_are_allowed_with_a_warning(subject: str) -> None:
    settings = parse_settings(with_workload(extraSubjects=[subject]), "dev")
    assert settings.workloads[0].extra_subjects == (subject,)
    assert any("is a wildcard" in w for w in settings.warnings)
    for system in ("kube-system", "kube-public", "default"):
        assert not string_like(subject, f"system:serviceaccount:{system}:app")


def test_sync_lists_and_writes_inside_its_prefix_only() -> None:
    assert documents.s3_policy([S3Grant("b-1", "out/", "sync")], "aws")["Statement"] == [
        {
            "Sid": "Objects0",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"],
            "Resource": "arn:aws:s3:::b-1/out/*",
        },
        {
            "Sid": "List0",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::b-1",
            "Condition": {"StringLike": {"s3:prefix": ["out/*"]}},
        },
    ]
    settings = parse_settings(with_workload(s3=[{"bucket": "b-1", "prefix": "out/", "access": "sync"}]), "dev")
    assert settings.workloads[0].s3 == (S3Grant("b-1", "out/", "sync"),)


def test_write_alone_still_cannot_list() -> None:
    actions = [s["Action"] for s in documents.s3_policy([S3Grant("b-1", "out/", "write")], "aws")["Statement"]]
    assert actions == [["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"]]
