"""The audience is a literal at both doors: it becomes the provider's client ID, the trust's `aud` (where IAM reads
`${...}` as a policy variable) and the projected token's audience, so control characters, spaces, wildcards
and policy variables are refused before anything is registered."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import EKS_CONFIG, config

from components.core.config.arguments import identity_spec
from components.core.model import ConfigError
from components.core.problems import InvalidInput
from components.core.settings import parse_settings

BAD = ["sts.amazonaws.com\n", "a\x1bb", "two words", "aud-${aws:username}", "sts.*", "st?", "é-audience", "x" * 256]


@pytest.mark.parametrize("value", BAD)
def test_the_stack_file_refuses_a_non_literal_audience(value: str) -> None:
    raw = config(EKS_CONFIG, **{"irsa:cluster": {**EKS_CONFIG["irsa:cluster"], "audience": value}})
    with pytest.raises(ConfigError) as refused:
        parse_settings(raw, "dev")
    [problem] = refused.value.problems
    assert problem.path == "irsa:cluster.audience" and "1 to 255 printable ASCII characters" in str(problem)
    assert "\n" not in str(problem) and "\x1b" not in str(problem)


@pytest.mark.parametrize("value", BAD)
def test_the_component_refuses_it_the_same_way(value: str) -> None:
    args: dict[str, Any] = {
        "namespace": "apps", "service_account": "app", "role_name": "r", "region": "ap-northeast-2",
        "issuer_url": "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
        "oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/AB",
        "s3": [{"bucket": "my-bucket", "access": "read"}], "audience": value,
    }  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        identity_spec("app", args)
    assert any(p.path == 'WorkloadIdentity("app").audience' for p in refused.value.problems)


@pytest.mark.parametrize("value", ["sts.amazonaws.com", "api://AzureADTokenExchange", "https://kubernetes.default.svc"])
def test_ordinary_audiences_are_kept(value: str) -> None:
    raw = config(EKS_CONFIG, **{"irsa:cluster": {**EKS_CONFIG["irsa:cluster"], "audience": value}})
    assert parse_settings(raw, "dev").cluster.audience == value
