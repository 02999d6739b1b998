"""`doctor` against tokens from a local OIDC issuer (HTTPS on 127.0.0.1 only): every classic failure."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from oidc_issuer import LocalIssuer

from components.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
EKS_ISSUER = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
AKS_ISSUER = (
    "https://koreacentral.oic.prod-aks.azure.com/"
    "00000000-0000-0000-0000-000000000001/11111111-2222-3333-4444-555555555555/"
)
STACKS = {
    "eks": {"kind": "eks", "name": "dev-cluster", "issuerUrl": EKS_ISSUER},
    "aks": {"kind": "aks", "name": "aks-1", "resourceGroup": "rg", "issuerUrl": AKS_ISSUER},
}
ISSUERS = {"eks": EKS_ISSUER, "aks": AKS_ISSUER}


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIssuer]:
    local = LocalIssuer([EKS_ISSUER, AKS_ISSUER], tmp_path_factory.mktemp("issuer")).start()
    yield local
    local.stop()


def _stack_files(tmp_path_factory: pytest.TempPathFactory, thumbprints: list[str]) -> dict[str, Path]:
    files = {}
    for kind, plain in STACKS.items():
        cluster = {**plain, "thumbprints": thumbprints} if thumbprints else plain
        path = tmp_path_factory.mktemp("stacks") / f"{kind}.yaml"
        path.write_text(
            yaml.safe_dump(
                {
                    "config": {
                        "aws:region": "ap-northeast-2",
                        "irsa:cluster": cluster,
                        "irsa:workloads": [
                            {
                                "name": "uploader",
                                "namespace": "apps",
                                "serviceAccount": "uploader",
                                "s3": [{"bucket": "app-uploads", "prefix": "in/", "access": "write"}],
                            }
                        ],
                    }
                }
            )
        )
        files[kind] = path
    return files


@pytest.fixture(scope="module")
def stack_files(tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer) -> dict[str, Path]:
    """The stacks, pinning the local issuer's top certificate (its CA is private: STS trusts it only so)."""
    return _stack_files(tmp_path_factory, [issuer.intermediate_thumbprint])


@pytest.fixture(scope="module")
def unpinned_stack_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _stack_files(tmp_path_factory, [])


def doctor(stack_file: Path, token: str | None, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    token_file = tmp_path / "token"
    if token is not None:
        token_file.write_text(token)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(
            [
                "doctor",
                "--stack",
                "test",
                "--config",
                str(stack_file),
                "--workload",
                "uploader",
                "--token",
                str(token_file),
                "--format",
                "json",
                *extra,
            ]
        )
    return code, json.loads(out.getvalue()) if out.getvalue() else {}, err.getvalue()


def issuer_check(issuer: LocalIssuer) -> tuple[str, ...]:
    """Flags that run --issuer-check against the local issuer, trusting its CA."""
    return ("--issuer-check", "--connect-to", f"127.0.0.1:{issuer.port}", "--ca-file", str(issuer.ca_file))


def run_doctor(stack_file: Path, token: str, tmp_path: Path, workload: str) -> subprocess.CompletedProcess[str]:
    """`python -m components doctor` as a user runs it (text output)."""
    token_file = tmp_path / "token"
    token_file.write_text(token)
    args = ["doctor", "--stack", "x", "--config", str(stack_file), "--workload", workload, "--token", str(token_file)]
    return subprocess.run(
        [sys.executable, "-m", "components", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def failing(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in report["checks"] if not c["ok"]}


@pytest.mark.parametrize("kind", ["eks", "aks"])
def test_happy_path_is_accepted(kind: str, issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path) -> None:
    code, report, _ = doctor(
        stack_files[kind], issuer.token(ISSUERS[kind], "apps", "uploader", ["sts.amazonaws.com"]), tmp_path
    )
    # Offline the signature is unverified, so the claims match but nothing says "accept".
    assert code == 0 and report["accepted"] is False and failing(report) == {}
    assert report["verdict"] == "claims match; not checked: signature (run with --issuer-check)"


def test_aks_default_token_with_three_audiences(
    issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path
) -> None:
    audiences = [
        AKS_ISSUER.rstrip("/"),
        '"aks-1-dns-12345678.hcp.koreacentral.azmk8s.io"',
        "https://aks-1-dns-12345678.hcp.koreacentral.azmk8s.io",
    ]
    code, report, _ = doctor(stack_files["aks"], issuer.token(AKS_ISSUER, "apps", "uploader", audiences), tmp_path)
    assert code == 1
    aud = failing(report)["aud"]
    assert "carries 3 audiences" in aud["detail"] and "default ServiceAccount token" in aud["detail"]
    assert "kubectl create token uploader --namespace apps --audience sts.amazonaws.com" in aud["fix"]
    assert '"audience": "sts.amazonaws.com"' in aud["fix"]


def test_trailing_slash_mismatch_is_explained(
    issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path
) -> None:
    token = issuer.token(AKS_ISSUER.rstrip("/"), "apps", "uploader", ["sts.amazonaws.com"])
    code, report, _ = doctor(stack_files["aks"], token, tmp_path)
    assert code == 1
    assert "differ only by a trailing slash" in failing(report)["iss"]["detail"]


def test_token_from_another_cluster(issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path) -> None:
    code, report, _ = doctor(
        stack_files["eks"], issuer.token(AKS_ISSUER, "apps", "uploader", ["sts.amazonaws.com"]), tmp_path
    )
    assert code == 1 and "STS finds no OIDC provider" in failing(report)["iss"]["detail"]


@pytest.mark.parametrize("namespace,service_account", [("other", "uploader"), ("apps", "default")])
def test_wrong_subject_names_the_expected_service_account(
    namespace: str, service_account: str, issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path
) -> None:
    token = issuer.token(EKS_ISSUER, namespace, service_account, ["sts.amazonaws.com"])
    code, report, _ = doctor(stack_files["eks"], token, tmp_path)
    assert code == 1
    sub = failing(report)["sub"]
    assert f"system:serviceaccount:{namespace}:{service_account}" in sub["detail"]
    assert "serviceAccountName: uploader in namespace apps" in sub["fix"]
    assert set(failing(report)) == {"sub", "trust"}


def test_expired_token(issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path) -> None:
    token = issuer.token(EKS_ISSUER, "apps", "uploader", ["sts.amazonaws.com"], lifetime=600, age=3600)
    code, report, _ = doctor(stack_files["eks"], token, tmp_path)
    assert code == 1 and set(failing(report)) == {"exp"}
    assert failing(report)["exp"]["detail"].startswith("expired 30")


def test_not_yet_valid_token(issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path) -> None:
    token = issuer.token(EKS_ISSUER, "apps", "uploader", ["sts.amazonaws.com"], not_before_in=600)
    code, report, _ = doctor(stack_files["eks"], token, tmp_path)
    assert code == 1 and set(failing(report)) == {"nbf"}


def test_provider_registers_another_client_id(
    issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path
) -> None:
    token = issuer.token(AKS_ISSUER, "apps", "uploader", ["api://AzureADTokenExchange"])
    code, report, _ = doctor(stack_files["aks"], token, tmp_path)
    assert code == 1
    assert '"api://AzureADTokenExchange"' in failing(report)["aud"]["detail"]
    assert set(failing(report)) == {"aud", "trust"}


@pytest.mark.parametrize("kind", ["eks", "aks"])
def test_issuer_check_verifies_discovery_jwks_signature_and_thumbprint(
    kind: str, issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path
) -> None:
    token = issuer.token(ISSUERS[kind], "apps", "uploader", ["sts.amazonaws.com"])
    code, report, err = doctor(
        stack_files[kind],
        token,
        tmp_path,
        *issuer_check(issuer),
    )
    assert code == 0, (report, err)
    assert report["accepted"] is True and report["verdict"] == "STS would accept this token"
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["discovery"]["ok"] and checks["jwks"]["ok"] and checks["signature"]["ok"]
    assert checks["thumbprint"]["detail"].startswith(issuer.intermediate_thumbprint)


def test_issuer_check_catches_a_discovery_issuer_mismatch(
    issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path
) -> None:
    issuer.discovery_overrides[AKS_ISSUER] = AKS_ISSUER.rstrip("/")
    try:
        token = issuer.token(AKS_ISSUER, "apps", "uploader", ["sts.amazonaws.com"])
        code, report, _ = doctor(
            stack_files["aks"],
            token,
            tmp_path,
            *issuer_check(issuer),
        )
    finally:
        issuer.discovery_overrides.clear()
    assert code == 1 and set(failing(report)) == {"discovery"}


def test_issuer_check_rejects_a_forged_signature(
    issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path
) -> None:
    forger = LocalIssuer([EKS_ISSUER], tmp_path)
    token = forger.token(EKS_ISSUER, "apps", "uploader", ["sts.amazonaws.com"])
    code, report, _ = doctor(
        stack_files["eks"],
        token,
        tmp_path,
        *issuer_check(issuer),
    )
    assert code == 1 and set(failing(report)) == {"signature"}


def test_issuer_check_refuses_an_untrusted_certificate(
    issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path
) -> None:
    token = issuer.token(EKS_ISSUER, "apps", "uploader", ["sts.amazonaws.com"])
    code, report, _ = doctor(
        stack_files["eks"], token, tmp_path, "--issuer-check", "--connect-to", f"127.0.0.1:{issuer.port}"
    )
    assert code == 1 and "CERTIFICATE_VERIFY_FAILED" in failing(report)["discovery"]["detail"]


def test_invalid_inputs_exit_2(stack_files: dict[str, Path], tmp_path: Path) -> None:
    code, _, err = doctor(stack_files["eks"], None, tmp_path)
    assert code == 2 and err.startswith(f'--token: cannot read "{tmp_path / "token"}": No such file')
    code, _, err = doctor(stack_files["eks"], "not-a-jwt", tmp_path)
    assert code == 2 and err.startswith(f"--token: {tmp_path / 'token'} is not a JWT")


def test_unknown_workload_exits_2_from_the_command_line(
    issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path
) -> None:
    token = issuer.token(EKS_ISSUER, "apps", "uploader", ["sts.amazonaws.com"])
    result = run_doctor(stack_files["eks"], token, tmp_path, "nope")
    assert result.returncode == 2
    assert result.stderr.strip() == '--workload: "nope" is not a workload of stack x (one of: uploader)'


def test_text_output_marks_each_check(issuer: LocalIssuer, stack_files: dict[str, Path], tmp_path: Path) -> None:
    token = issuer.token(EKS_ISSUER, "apps", "default", ["sts.amazonaws.com"])
    result = run_doctor(stack_files["eks"], token, tmp_path, "uploader")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("  ✔ iss") for line in lines)
    assert any(line.startswith("  ✘ sub") for line in lines)
    assert any(line.strip().startswith("fix: run the pod with serviceAccountName: uploader") for line in lines)
    assert lines[-1] == "result: STS would reject this token"


def test_a_certificate_trusted_only_through_the_ca_file_needs_a_pinned_thumbprint(
    issuer: LocalIssuer, unpinned_stack_files: dict[str, Path], tmp_path: Path
) -> None:
    token = issuer.token(EKS_ISSUER, "apps", "uploader", ["sts.amazonaws.com"])
    code, report, _ = doctor(unpinned_stack_files["eks"], token, tmp_path, *issuer_check(issuer))
    assert code == 1 and report["accepted"] is False
    thumbprint = failing(report)["thumbprint"]
    assert "trusted only through --ca-file" in thumbprint["detail"]
    assert thumbprint["fix"].startswith(f"add {issuer.intermediate_thumbprint} to irsa:cluster.thumbprints")
