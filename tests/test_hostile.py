"""Hostile input: each reproduction from the security review ends with exit 2 (or 1 for a clear "no"),
one contract line per problem, no traceback, quickly and in bounded memory."""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml
from conftest import AKS_CONFIG, CROSS_CONFIG, EKS_CONFIG, ROOT, by_type, config, git, plan_of, run_cli
from oidc_issuer import KID, LocalIssuer

from components import program
from components.cli import render
from components.cli.stackfile import MAX_NODES, read_config
from components.cli.untrusted import STACK_FILE_MAX_BYTES, TOKEN_MAX_BYTES
from components.core.model import ConfigError
from components.core.settings import parse_settings


def contract_lines(err: str) -> list[str]:
    """stderr as problem lines, each `<path>: <what> (<allowed>)` on one line, no traceback."""
    lines = err.splitlines()
    assert lines and "Traceback" not in err
    for line in lines:
        assert ": " in line and line.endswith(")"), line
    return lines


def stack_text(cfg: dict[str, Any]) -> str:
    return yaml.safe_dump({"config": cfg})


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


# 1. --base never reaches git as an option --------------------------------------------------------------------


@pytest.mark.parametrize("base", ["--output={victim}", "--list", "-h", "--exec=touch {victim}", "HEAD --output=x"])
def test_base_is_never_a_git_option(base: str, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = write(tmp_path, "victim", "keep me\n")
    monkeypatch.chdir(repo)
    code, out, err = run_cli("diff", "--stack", "dev", f"--base={base.format(victim=victim)}")
    assert code == 2 and out == ""
    assert contract_lines(err)[0].startswith("--base: ")
    assert victim.read_text() == "keep me\n"


def test_base_remote_opens_no_connection(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        monkeypatch.chdir(repo)
        code, _, err = run_cli("diff", "--stack", "dev", f"--base=--remote=ssh://127.0.0.1:{port}/x")
        assert code == 2 and contract_lines(err)[0].startswith("--base: ")
        with pytest.raises(TimeoutError):
            listener.accept()


# 2-5. stack files: alias bombs, devices, size, encoding, depth, duplicate keys ------------------------------------


def alias_bomb(where: str) -> str:
    """Anchors nested 9 deep, 9 wide (9**9 values once expanded), placed at `where`."""
    lines = ["config:", "  aws:region: ap-northeast-2", f"  x0: &a0 [{', '.join(['lol'] * 9)}]"]
    lines += [f"  x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    lines.append(f"  {where}: *a8")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["irsa:cluster", "irsa:workloads", "aws:region", "unrelated:key"])
def test_alias_bomb_is_refused_in_bounded_memory(where: str, tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.yaml", alias_bomb(where))
    assert path.stat().st_size < 1000
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError) as caught:
            read_config(path, "bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    [problem] = caught.value.problems
    assert f"expands to more than {MAX_NODES} values" in str(problem)


def test_aliases_within_bounds_still_work(tmp_path: Path) -> None:
    text = stack_text(EKS_CONFIG).replace("aws:region: ap-northeast-2", "aws:region: &r ap-northeast-2\n  other: *r")
    assert read_config(write(tmp_path, "ok.yaml", text), "ok.yaml")["other"] == "ap-northeast-2"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_before_reading(device: str) -> None:
    code, out, err = run_cli("plan", "--stack", "dev", "--config", device)
    assert code == 2 and out == ""
    assert contract_lines(err) == [f'--config: "{device}" is not a regular file (a stack file, not a device or pipe)']


def test_a_fifo_without_writer_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code, _, err = run_cli("plan", "--stack", "dev", "--config", str(fifo))
    assert code == 2 and "is not a regular file" in contract_lines(err)[0]


def test_oversized_stack_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.yaml", stack_text(EKS_CONFIG) + "#" * STACK_FILE_MAX_BYTES + "\n")
    code, _, err = run_cli("plan", "--stack", "dev", "--config", str(path))
    assert code == 2
    assert contract_lines(err) == [
        f'--config: "{path}" is {path.stat().st_size} bytes (a stack file of at most {STACK_FILE_MAX_BYTES} bytes)'
    ]


def test_latin1_comment_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.yaml", b"# caf\xe9\n" + stack_text(EKS_CONFIG).encode())
    code, _, err = run_cli("plan", "--stack", "dev", "--config", str(path))
    assert code == 2
    assert contract_lines(err) == [f"{path}:1:6: byte 0xe9 is not UTF-8 (a stack file in UTF-8: re-save it as UTF-8)"]


@pytest.mark.parametrize("depth", [100, 1_000, 20_000])
def test_deep_nesting_is_refused(depth: int, tmp_path: Path) -> None:
    text = stack_text(EKS_CONFIG) + "  deep: " + "[" * depth + "]" * depth + "\n"
    code, _, err = run_cli("plan", "--stack", "dev", "--config", str(write(tmp_path, "deep.yaml", text)))
    assert code == 2
    [line] = contract_lines(err)
    assert "nests deeper than 64 levels" in line or "maximum nesting depth" in line


def test_deep_nesting_in_engine_config_is_a_clean_error() -> None:
    from pulumi.runtime import config as runtime_config

    runtime_config.set_all_config({"irsa:cluster": "[" * 100_000 + "]" * 100_000})
    try:
        with pytest.raises(ConfigError) as caught:
            program.config_from_runtime()
    finally:
        runtime_config.set_all_config({})
    assert [str(p) for p in caught.value.problems] == [
        "irsa:cluster: nests too deeply to read (a config value a few levels deep)"
    ]


def test_duplicate_key_in_a_grant_is_refused(tmp_path: Path) -> None:
    repeated = 'access: read\n      prefix: ""\n      access: read-write'
    text = stack_text(EKS_CONFIG).replace("access: read-write", repeated)
    path = write(tmp_path, "dup.yaml", text)
    number = {line.strip(): i + 1 for i, line in reversed(list(enumerate(text.splitlines())))}
    code, _, err = run_cli("plan", "--stack", "dev", "--config", str(path))
    assert code == 2
    rule = "(each key once per map: YAML would silently keep only the last)"
    assert contract_lines(err) == [
        f"irsa:workloads[0].s3[0].access: is given twice in {path} "
        f"(lines {number['- access: read']} and {number['access: read-write']}) {rule}",
        f"irsa:workloads[0].s3[0].prefix: is given twice in {path} "
        f"(lines {number['prefix: ' + chr(34) * 2]} and {number['prefix: uploads/']}) {rule}",
    ]


def test_second_workloads_block_is_refused(tmp_path: Path) -> None:
    text = stack_text(EKS_CONFIG) + "  irsa:workloads: []\n"
    first = text.splitlines().index("  irsa:workloads:") + 1
    path = write(tmp_path, "dup.yaml", text)
    code, _, err = run_cli("plan", "--stack", "dev", "--config", str(path))
    assert code == 2
    assert contract_lines(err) == [
        f"irsa:workloads: is given twice in {path} (lines {first} and {len(text.splitlines())}) "
        "(each key once per map: YAML would silently keep only the last)"
    ]


# 6. doctor: claims and algorithms ---------------------------------------------------------------------------------

DOCTOR_STACK = config(
    EKS_CONFIG,
    **{
        "irsa:cluster": {
            "kind": "eks",
            "name": "dev-cluster",
            "issuerUrl": "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
        }
    },
)


def crafted_token(header: str, payload: str) -> str:
    """A JWT from raw JSON texts (so NaN, 1e400 and 10**400 reach doctor as written), with a dummy signature."""

    def b64(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    return f"{b64(header)}.{b64(payload)}.c2ln"


def good_claims(**changes: str) -> str:
    claims = {
        "iss": f'"{DOCTOR_STACK["irsa:cluster"]["issuerUrl"]}"',
        "sub": '"system:serviceaccount:production:s3-writer"',
        "aud": '["sts.amazonaws.com"]',
        "exp": "4102444800",
        "iat": "1700000000",
        "nbf": "1700000000",
    }
    claims.update(changes)
    return "{" + ", ".join(f'"{k}": {v}' for k, v in claims.items()) + "}"


def doctor(tmp_path: Path, token: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    stack = write(tmp_path, "stack.yaml", stack_text(DOCTOR_STACK))
    token_file = write(tmp_path, "token", token)
    code, out, err = run_cli(
        "doctor", "--stack", "t", "--config", str(stack), "--workload", "s3-writer", "--token", str(token_file),
        "--format", "json", *extra,
    )  # fmt: skip
    assert "Traceback" not in err
    return code, json.loads(out) if out else {}, err


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", ["1e400", "-1e400", "NaN", "Infinity", "1" + "0" * 400, "1.5e9", "true", '"soon"'])
def test_odd_timestamps_are_rejected(claim: str, value: str, tmp_path: Path) -> None:
    code, report, _ = doctor(tmp_path, crafted_token('{"alg": "RS256", "kid": "k"}', good_claims(**{claim: value})))
    assert code == 1 and report["accepted"] is False and report["verdict"] == "STS would reject this token"
    [bad] = [c for c in report["checks"] if c["name"] == claim]
    assert bad["ok"] is False and "integer seconds" in bad["detail"]
    json.dumps(report, allow_nan=False)  # the report itself stays valid JSON


@pytest.mark.parametrize("alg", ["none", "HS256", "HS512", "PS256", "EdDSA", None])
def test_algorithms_sts_does_not_accept_are_rejected(alg: str | None, tmp_path: Path) -> None:
    header = json.dumps({"alg": alg, "kid": "k"} if alg is not None else {"kid": "k"})
    code, report, _ = doctor(tmp_path, crafted_token(header, good_claims()))
    assert code == 1 and report["verdict"] == "STS would reject this token"
    assert [c["ok"] for c in report["checks"] if c["name"] == "alg"] == [False]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a.b",
        "a.b.c.d",
        crafted_token("[1]", good_claims()),
        crafted_token('{"alg": "RS256"}', "[" * 5000 + "]" * 5000),
        crafted_token('{"alg": "RS256"}', '{"exp": ' + "9" * 5000 + "}"),
        "é.é.é",
    ],
)
def test_malformed_tokens_exit_2(token: str, tmp_path: Path) -> None:
    code, _, err = doctor(tmp_path, token)
    assert code == 2 and contract_lines(err)[0].startswith("--token: ")


def test_ca_file_device_is_refused(tmp_path: Path) -> None:
    code, _, err = doctor(
        tmp_path, crafted_token('{"alg": "RS256"}', good_claims()), "--issuer-check", "--ca-file", "/dev/zero"
    )
    assert code == 2 and contract_lines(err) == [
        '--ca-file: "/dev/zero" is not a regular file (a PEM file of CA certificates, not a device or pipe)'
    ]


def test_non_utf8_stack_in_diff_names_the_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = repo / "stacks" / "Pulumi.dev.yaml"
    stack.write_bytes(b"# caf\xe9\n" + stack.read_bytes())
    monkeypatch.chdir(repo)
    code, _, err = run_cli("diff", "--stack", "dev", "--base", "main")
    assert code == 2
    assert contract_lines(err) == [
        "stacks/Pulumi.dev.yaml:1:6: byte 0xe9 is not UTF-8 (a stack file in UTF-8: re-save it as UTF-8)"
    ]


def test_token_devices_and_sizes_are_refused(tmp_path: Path) -> None:
    stack = write(tmp_path, "stack.yaml", stack_text(DOCTOR_STACK))
    big = write(tmp_path, "big", "a" * (TOKEN_MAX_BYTES + 1))
    for token, wrong in (("/dev/zero", "is not a regular file"), (str(big), f"is {TOKEN_MAX_BYTES + 1} bytes")):
        code, _, err = run_cli(
            "doctor", "--stack", "t", "--config", str(stack), "--workload", "s3-writer", "--token", token
        )
        assert code == 2 and wrong in contract_lines(err)[0]


def test_nonstring_claims_are_rejected_not_crashed(tmp_path: Path) -> None:
    claims = good_claims(iss="[1, 2]", sub='{"a": 1}', aud="[1]")
    code, report, _ = doctor(tmp_path, crafted_token('{"alg": "RS256"}', claims))
    assert code == 1 and {c["name"] for c in report["checks"] if c["ok"] is False} >= {"iss", "sub", "aud"}


# 10. messages stay one line and show look-alikes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,shown",
    [
        ("dev\ncluster", '"dev\\ncluster"'),
        ("dev\x00cluster", '"dev\\x00cluster"'),
        ("dev\u200bcluster", '"dev\\u200bcluster"'),
        ("dev-\u0441luster", '"dev-\\u0441luster"'),  # Cyrillic es
        ("x" * 5000, "(5000 characters)"),
    ],
)
def test_messages_escape_and_bound_values(value: str, shown: str) -> None:
    raw = config(EKS_CONFIG, **{"irsa:cluster": {"kind": "eks", "name": value}})
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, "dev")
    [line] = [str(p) for p in caught.value.problems]
    assert line.startswith("irsa:cluster.name: ") and shown in line
    assert "\n" not in line and "\x00" not in line and "\u200b" not in line and len(line) < 400


def test_unknown_keys_are_escaped_in_paths() -> None:
    raw = config(EKS_CONFIG, **{"irsa:cluster": {"kind": "eks", "name": "c", "evil\nkey": 1}})
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, "dev")
    assert str(caught.value.problems[0]).startswith("irsa:cluster.evil\\nkey: unknown key")


@pytest.mark.parametrize(
    "key,value,allowed",
    [
        ("jobImage", "nginx; rm -rf /", "[registry[:port]/]repository[:tag][@sha256:digest]"),
        ("jobImage", "repo:tag:extra", "[registry[:port]/]repository[:tag][@sha256:digest]"),
    ],
)
def test_job_image_is_an_image_reference(key: str, value: str, allowed: str) -> None:
    workload = {**EKS_CONFIG["irsa:workloads"][0], key: value}
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(EKS_CONFIG, **{"irsa:workloads": [workload]}), "dev")
    assert allowed in str(caught.value.problems[0])


@pytest.mark.parametrize("prefix", ["up\x00loads/", "up\nloads/", "home/${aws:username}/"])
def test_prefixes_refuse_control_characters_and_policy_variables(prefix: str) -> None:
    workload = {**EKS_CONFIG["irsa:workloads"][0], "s3": [{"bucket": "my-bucket", "prefix": prefix, "access": "read"}]}
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(EKS_CONFIG, **{"irsa:workloads": [workload]}), "dev")
    assert "is not a literal key prefix" in str(caught.value.problems[0])


@pytest.mark.parametrize("region", ["ap-northeast-2\n", "../../x", "AP-NORTHEAST-2", "mars-1"])
def test_region_has_a_region_shape(region: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(EKS_CONFIG, **{"aws:region": region}), "dev")
    assert str(caught.value.problems[0]).startswith("aws:region: ")


def test_aks_issuer_must_be_an_aks_host_unless_stated_custom() -> None:
    custom = "https://issuer.example.com/cluster-1/"
    cluster = {**AKS_CONFIG["irsa:cluster"], "issuerUrl": custom}
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(AKS_CONFIG, **{"irsa:cluster": cluster}), "dev")
    assert str(caught.value.problems[0]).startswith(f'irsa:cluster.issuerUrl: "{custom}" is not an AKS issuer URL')
    settings = parse_settings(config(AKS_CONFIG, **{"irsa:cluster": {**cluster, "customIssuer": True}}), "dev")
    assert settings.cluster.issuer_url == custom


@pytest.mark.parametrize("name", ["bad name", "-leading", "x" * 101, "dev.cluster"])
def test_eks_cluster_names_follow_eks_rules(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(EKS_CONFIG, **{"irsa:cluster": {"kind": "eks", "name": name}}), "dev")
    assert "is not an EKS cluster name" in str(caught.value.problems[0])


# 11. kubeconfig contents are secret ------------------------------------------------------------------------------

KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: hunter2-super-secret}\n"


@pytest.mark.parametrize("base", [EKS_CONFIG, AKS_CONFIG])
def test_kubeconfig_contents_never_print(base: dict[str, Any]) -> None:
    cluster = {**base["irsa:cluster"], "kubeconfig": KUBECONFIG}
    if base is EKS_CONFIG:
        cluster["issuerUrl"] = DOCTOR_STACK["irsa:cluster"]["issuerUrl"]
    plan = plan_of(config(base, **{"irsa:cluster": cluster}))
    [provider] = by_type(plan, "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"
    for render_format in render.FORMATS.values():
        assert "hunter2" not in render_format(plan)


def test_kubeconfig_path_is_shown() -> None:
    cluster = {**AKS_CONFIG["irsa:cluster"], "kubeconfig": "~/.kube/aks-1"}
    [provider] = by_type(plan_of(config(AKS_CONFIG, **{"irsa:cluster": cluster})), "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "~/.kube/aks-1"


def test_secure_kubeconfig_is_accepted(tmp_path: Path) -> None:
    secure = "resourceGroup: rg-1\n    kubeconfig:\n      secure: v1:abc"
    path = write(tmp_path, "s.yaml", stack_text(AKS_CONFIG).replace("resourceGroup: rg-1", secure))
    code, out, err = run_cli("plan", "--stack", "dev", "--config", str(path), "--format=json")
    assert code == 0, err
    [provider] = by_type(json.loads(out), "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]" and "v1:abc" not in out


# 12. the cross-account provider is pinned to its account ----------------------------------------------------------


def test_cross_account_provider_is_pinned_to_the_account() -> None:
    [provider] = [r for r in by_type(plan_of(CROSS_CONFIG), "pulumi:providers:aws") if r["name"] == "cross-account"]
    # Provider inputs reach the engine as JSON text.
    assert json.loads(provider["inputs"]["allowedAccountIds"]) == [CROSS_CONFIG["irsa:crossAccount"]["accountId"]]


# 9. diff: odd bases end cleanly -----------------------------------------------------------------------------------


def commit(repo: Path, message: str) -> None:
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message, "--allow-empty")


AS_PRINTED = "(a plan as --format json prints it)"


def test_diff_against_an_empty_first_commit(tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-rq", "--cached", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "empty", "--allow-empty")
    assert subprocess.run(["git", "ls-tree", "empty"], cwd=repo, capture_output=True, text=True).stdout == ""
    git(repo, "checkout", "-q", "-f", "main")
    monkeypatch.chdir(repo)
    code, out, err = run_cli("diff", "--stack", "dev", "--base", "empty", "--exit-code")
    assert code == 1, err
    assert out.startswith("irsa diff dev against empty: ") and " 0 to remove, 0 to change" in out


@pytest.mark.parametrize(
    "main_py,wrong",
    [
        ('print("not json")', "printed 9 bytes that are not JSON (a plan as --format json prints it)"),
        ('print(\'{"project": "irsa"}\')', f"printed JSON without a list of resources {AS_PRINTED}"),
        ("print('{\"resources\": [1]}')", f"printed JSON without a list of resources {AS_PRINTED}"),
        ("import time; time.sleep(60)", "did not finish within 3 s (raise --timeout, or fix that revision)"),
    ],
)
def test_diff_survives_a_hostile_base(main_py: str, wrong: str, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = (repo / "components" / "__main__.py").read_text()
    (repo / "components" / "__main__.py").write_text(main_py + "\n")
    commit(repo, "hostile")
    git(repo, "branch", "hostile")
    (repo / "components" / "__main__.py").write_text(real)
    commit(repo, "restore")
    monkeypatch.chdir(repo)
    code, out, err = run_cli("diff", "--stack", "dev", "--base", "hostile", "--timeout", "3")
    assert code == 2 and out == ""
    assert contract_lines(err) == [f"at hostile: plan: {wrong}"]


# 13. CI: the comment job trusts only the event -------------------------------------------------------------------


def test_pr_comment_checks_the_number_against_the_event() -> None:
    workflow = yaml.load((ROOT / ".github" / "workflows" / "pr-comment.yml").read_text(), Loader=yaml.BaseLoader)
    [step] = [s for s in workflow["jobs"]["comment"]["steps"] if "run" in s]
    assert step["env"]["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"
    assert step["env"]["HEAD_REPO"] == "${{ github.event.workflow_run.head_repository.full_name }}"
    script = step["run"]
    # the check comes before anything is posted, and a fork's comment says whose code computed it
    assert script.index('"$HEAD_SHA $HEAD_REPO open"') < script.index('"--method"')
    assert "was computed by" in script and "fork's code" in script


def test_hostile_suite_runs_the_real_module() -> None:
    # The in-process runs above use the same entry `python -m components` runs.
    result = subprocess.run(
        [sys.executable, "-m", "components", "plan", "--stack", "dev", "--config", "/dev/zero"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr


# 7-8. doctor --issuer-check against a hostile issuer ---------------------------------------------------------------

ISSUER = DOCTOR_STACK["irsa:cluster"]["issuerUrl"]
DISCOVERY = "/id/0123456789ABCDEF0123456789ABCDEF/.well-known/openid-configuration"
JWKS = "/id/0123456789ABCDEF0123456789ABCDEF/openid/v1/jwks"


@pytest.fixture(scope="module")
def local_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIssuer]:
    local = LocalIssuer([ISSUER], tmp_path_factory.mktemp("issuer")).start()
    yield local
    local.stop()


def answer(data: bytes) -> Callable[[io.BufferedIOBase], None]:
    def write(out: io.BufferedIOBase) -> None:
        out.write(data)

    return write


def json_answer(body: str) -> Callable[[io.BufferedIOBase], None]:
    data = body.encode()
    return answer(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data))


def slow_answer(out: io.BufferedIOBase) -> None:
    """One byte of a status line every 0.1 s, for at most 10 s: every read succeeds, the whole never ends."""
    for _ in range(100):
        out.write(b"H")
        out.flush()
        time.sleep(0.1)


def checked(local: LocalIssuer, tmp_path: Path, token: str | None = None, *extra: str) -> tuple[int, dict[str, Any]]:
    flags = ("--issuer-check", "--connect-to", f"127.0.0.1:{local.port}", "--ca-file", str(local.ca_file))
    token = token or local.token(ISSUER, "production", "s3-writer", ["sts.amazonaws.com"])
    code, report, _ = doctor(tmp_path, token, *flags, *extra)
    return code, report


@pytest.mark.parametrize(
    "path,raw,wrong",
    [
        (DISCOVERY, answer(b"HTTP/1.1 OK-ish\r\n\r\n"), "malformed HTTP answer"),
        (DISCOVERY, answer(b"garbage\r\n\r\n"), "malformed HTTP answer"),
        (DISCOVERY, answer(b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 150 + b"\r\n{}"), "malformed HTTP answer"),
        (DISCOVERY, answer(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"issuer":'), "ended 990 bytes early"),
        (DISCOVERY, json_answer("[" * 100_000), "the body nests 100000 levels deep"),
        (DISCOVERY, json_answer(" " * (1024 * 1024 + 1)), "the body is over 1048576 bytes"),
        (DISCOVERY, json_answer("[]"), "is not a JSON object"),
        (DISCOVERY, answer(b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"), "answered HTTP 500"),
        (JWKS, json_answer("[1, 2]"), "is not a JWKS"),
        (JWKS, json_answer('"keys"'), "is not a JWKS"),
        (JWKS, json_answer('{"keys": [{"kty": "RSA"}]}'), "has no usable key"),
        (JWKS, json_answer('{"keys": "all of them"}'), "is not a JWKS"),
    ],
)
def test_malformed_issuer_answers_are_a_failed_check(
    path: str, raw: Callable[[io.BufferedIOBase], None], wrong: str, local_issuer: LocalIssuer, tmp_path: Path
) -> None:
    local_issuer.raw_answers[path] = raw
    try:
        code, report = checked(local_issuer, tmp_path)
    finally:
        local_issuer.raw_answers.clear()
    assert code == 1 and report["verdict"] == "STS would reject this token"
    [failed] = [c for c in report["checks"] if c["ok"] is False]
    assert failed["name"] == ("discovery" if path == DISCOVERY else "jwks") and wrong in failed["detail"]


def test_a_slow_issuer_meets_one_overall_deadline(local_issuer: LocalIssuer, tmp_path: Path) -> None:
    local_issuer.raw_answers[DISCOVERY] = slow_answer
    started = time.monotonic()
    try:
        code, report = checked(local_issuer, tmp_path, None, "--timeout", "1.5")
    finally:
        local_issuer.raw_answers.clear()
    assert time.monotonic() - started < 5
    assert code == 2 and report["verdict"].startswith("could not check: the issuer did not answer")


def test_no_network_is_could_not_check(local_issuer: LocalIssuer, tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        token = local_issuer.token(ISSUER, "production", "s3-writer", ["sts.amazonaws.com"])
        code, report, _ = doctor(tmp_path, token, "--issuer-check", "--connect-to", f"127.0.0.1:{port}")
    assert code == 2 and report["accepted"] is False and "could not check" in report["verdict"]


def test_alg_that_does_not_fit_the_key_type(local_issuer: LocalIssuer, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    token = local_issuer.token(ISSUER, "production", "s3-writer", ["sts.amazonaws.com"])
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": KID})
    code, report = checked(local_issuer, tmp_path, forged)
    assert code == 1
    failed = {c["name"]: c for c in report["checks"] if c["ok"] is False}
    assert "ES256 needs an EC key" in failed["signature"]["detail"]


def test_issuer_check_never_fetches_the_tokens_own_iss(local_issuer: LocalIssuer, tmp_path: Path) -> None:
    looked_up = write(tmp_path, "lookup.yaml", stack_text(EKS_CONFIG))  # issuer looked up at deploy time
    evil = "https://evil.example.com/"
    token = local_issuer.token(evil, "production", "s3-writer", ["sts.amazonaws.com"])
    token_file = write(tmp_path, "token", token)
    base = ("doctor", "--stack", "t", "--config", str(looked_up), "--workload", "s3-writer", "--token", str(token_file))
    flags = ("--issuer-check", "--connect-to", f"127.0.0.1:{local_issuer.port}", "--ca-file", str(local_issuer.ca_file))

    code, out, err = run_cli(*base, *flags)
    assert code == 2 and out == ""
    assert contract_lines(err)[0].startswith("--issuer-check: the stack's issuer is looked up at deploy time")

    local_issuer.requests.clear()
    code, out, _ = run_cli(*base, *flags, "--issuer", ISSUER, "--format", "json")
    report = json.loads(out)
    assert code == 1 and [c["ok"] for c in report["checks"] if c["name"] == "iss"] == [False]
    assert {host for host, _ in local_issuer.requests} == {"oidc.eks.ap-northeast-2.amazonaws.com"}

    code, out, _ = run_cli(*base)  # offline, no --issuer: iss is not checked, and nothing says accept
    assert code == 0 and "? iss       not checked" in out
    assert out.splitlines()[-1] == "result: claims match; not checked: iss, signature (run with --issuer-check)"


@pytest.mark.parametrize(
    "one_line",
    ['--- {"users": [{"user": {"token": "bearer-0xabc"}}]}', '!!map {users: [{user: {token: bearer-0xabc}}]}',
     '\ufeffapiVersion: v1', '{"users":[{"user":{"token":"bearer-0xabc"}}]}', "users: [{user: {token: bearer-0xabc}}]"],
)  # fmt: skip
def test_a_one_line_kubeconfig_is_contents_never_a_path(one_line: str) -> None:
    from components.core.model import is_kubeconfig_contents

    assert is_kubeconfig_contents(one_line)
    assert not is_kubeconfig_contents("~/.kube/aks-1") and not is_kubeconfig_contents("/etc/kube/config")


def _base_revision(repo: Path, main: str) -> None:
    """Commit a base revision whose `python -m components` is `main`, then restore the working tree's."""
    entry = repo / "components" / "__main__.py"
    ours = entry.read_text()
    entry.write_text(main)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "hostile base")
    entry.write_text(ours)


def test_a_base_that_prints_too_much_is_refused_not_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from components.cli import diff_run

    monkeypatch.setattr(diff_run, "MAX_PLAN_BYTES", 100_000)
    _base_revision(repo, "import sys\nsys.stdout.write('x' * 300_000)\n")
    with pytest.raises(diff_run.PlanFailed, match="printed 300000 bytes, more than a plan"):
        diff_run.run("dev", "HEAD", None, repo)


def test_what_a_base_starts_ends_with_its_timeout(repo: Path, tmp_path: Path) -> None:
    from components.cli import diff_run

    marker = tmp_path / "child.pid"
    _base_revision(repo, f"import subprocess, time\np = subprocess.Popen(['sleep', '120'])\n"
                         f"open({str(marker)!r}, 'w').write(str(p.pid))\ntime.sleep(120)\n")  # fmt: skip
    with pytest.raises(diff_run.PlanFailed, match="did not finish within 3 s"):
        diff_run.run("dev", "HEAD", None, repo, timeout=3)
    _assert_ends(int(marker.read_text()))


@pytest.mark.parametrize("ends", ["by itself", "at its timeout"])
def test_what_a_base_starts_in_a_session_of_its_own_ends_with_it(ends: str, repo: Path, tmp_path: Path) -> None:
    """`setsid` takes a process out of the base's process group; the base's reaper still ends it."""
    from components.cli import diff_run

    marker = tmp_path / "child.pid"
    wait = "time.sleep(120)" if ends == "at its timeout" else "time.sleep(0.2)"
    _base_revision(repo, f"import subprocess, time\np = subprocess.Popen(['sleep', '120'], start_new_session=True)\n"
                         f"open({str(marker)!r}, 'w').write(str(p.pid))\n{wait}\nprint('{{}}')\n")  # fmt: skip
    with pytest.raises(diff_run.PlanFailed):
        diff_run.run("dev", "HEAD", None, repo, timeout=3)
    _assert_ends(int(marker.read_text()))


def _assert_ends(pid: int) -> None:
    """`pid` is gone (or a zombie, ended but not yet reaped) within 5 s."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "Z" not in _state(pid):
        time.sleep(0.1)
    assert "Z" in _state(pid), f"process {pid} still runs"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
    except OSError:
        return "Z"
