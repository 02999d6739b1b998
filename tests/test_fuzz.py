"""Fuzz harness over the three untrusted inputs: stack YAML, tokens, issuer answers.

Each example runs the real command line in-process and must end with exit 0, 1 or 2, no exception
escaping, every stderr line contract-shaped, within the hypothesis deadline. The suite runs a small
budget; `.ci/run` runs `make fuzz EXAMPLES=500`, and `make fuzz` (IRSA_FUZZ_EXAMPLES=2000) longer by hand.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import conftest
import pytest
import yaml
from conftest import EKS_CONFIG, ROOT, config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oidc_issuer import LocalIssuer

EXAMPLES = int(os.environ.get("IRSA_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    database=None,
)
ISSUER = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
STACK = config(EKS_CONFIG, **{"irsa:cluster": {"kind": "eks", "name": "dev-cluster", "issuerUrl": ISSUER}})
SHIPPED = [p.read_bytes() for p in sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))]


def run_cli(*args: str) -> tuple[int, str, str]:
    """The shared runner, plus what fuzzing insists on: a contract exit code, and stderr only of warnings
    and problem lines (never a traceback)."""
    code, out, err = conftest.run_cli(*args)
    assert code in (0, 1, 2), code
    for line in err.splitlines():
        assert line.startswith("warning: ") or (": " in line and line.endswith(")")), line
    return code, out, err


@contextlib.contextmanager
def files(**contents: bytes) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="irsa-fuzz-") as tmp:
        paths = {}
        for name, data in contents.items():
            path = Path(tmp) / name
            path.write_bytes(data)
            paths[name] = str(path)
        yield paths


# --- stack YAML ---------------------------------------------------------------------------------------------------

KEYS = ["kind", "name", "namespace", "serviceAccount", "s3", "bucket", "prefix", "access", "irsa:cluster",
        "irsa:workloads", "aws:region", "issuerUrl", "presets", "extraSubjects", "<<", "config"]  # fmt: skip
SCALARS = st.one_of(
    st.sampled_from(["eks", "aks", "read", "write", "read-write", "my-bucket", "uploads/", "*", "~", "null", "1e400",
                     ".nan", "-.inf", "0x10", "!!binary aGk=", "&a x", "*a", "yes", "2001-12-14", "'", '"', "[", "{"]),
    st.text(max_size=12),
    st.integers(),
)  # fmt: skip


def yaml_lines() -> st.SearchStrategy[str]:
    line = st.tuples(st.integers(0, 8), st.sampled_from(["", "- "]), st.sampled_from(KEYS), SCALARS).map(
        lambda t: " " * t[0] + t[1] + f"{t[2]}: {t[3]}"
    )
    return st.lists(line, max_size=25).map(lambda lines: "config:\n" + "\n".join(lines) + "\n")


def mutated_shipped() -> st.SearchStrategy[bytes]:
    def mutate(data: bytes, at: int, insert: bytes, cut: int) -> bytes:
        at %= len(data) + 1
        return data[:at] + insert + data[at + cut :]

    return st.builds(mutate, st.sampled_from(SHIPPED), st.integers(0, 4000), st.binary(max_size=8), st.integers(0, 6))


# Every tag PyYAML's safe loader builds a value for, and some it refuses: a value config cannot hold is a
# problem at its path, never a crash.
TAGGED = st.sampled_from(["!!binary aGk=", "!!set {a: null}", "!!omap [{a: 1}]", "!!pairs [{a: 1}, {a: 2}]",
                          "!!timestamp 2001-12-14t21:59:43.10-05:00", "!!float 1", "!!int '7'", "!!bool yes",
                          "!!null ''", "!!str 1", "!!seq []", "!!map {}", "!!python/object:os.system x", "!local x",
                          "!!binary '!!'", "!!set {}", "!!omap []"])  # fmt: skip


def tagged_shipped() -> st.SearchStrategy[bytes]:
    """A shipped stack file with one value replaced by a tagged one."""

    def retag(data: bytes, which: int, tagged: str) -> bytes:
        lines = data.decode().splitlines(keepends=True)
        values = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
        i = values[which % len(values)]
        lines[i] = lines[i].split(": ", 1)[0] + f": {tagged}\n"
        return "".join(lines).encode()

    return st.builds(retag, st.sampled_from(SHIPPED), st.integers(0, 200), TAGGED)


@FUZZ
@given(st.one_of(st.binary(max_size=300), yaml_lines().map(str.encode), mutated_shipped(), tagged_shipped()))
def test_stack_files_never_crash_plan(data: bytes) -> None:
    with files(stack=data) as paths:
        code, out, _ = run_cli("plan", "--stack", "fuzz", "--config", paths["stack"], "--format", "json")
    if code == 0:
        assert json.loads(out)["resources"]


# --- several clusters ---------------------------------------------------------------------------------------------

AKS_ISSUER = "https://koreacentral.oic.prod-aks.azure.com/0f0f0f0f-0000-4000-8000-000000000001/0f0f/"
GOOD_NAMES = st.sampled_from(["blue", "green", "aks-1"])
ODD_NAMES = st.sampled_from(["", "x" * 101, 7, None, "gren"])
NAMES = st.one_of(GOOD_NAMES, GOOD_NAMES, GOOD_NAMES, ODD_NAMES)
EKS = st.fixed_dictionaries(
    {"name": st.sampled_from(["blue", "green"]), "kind": st.just("eks")},
    optional={"mechanism": st.sampled_from(["irsa", "pod-identity", "both"]), "issuerUrl": st.just(ISSUER)},
)
AKS = st.fixed_dictionaries(
    {"name": st.just("aks-1"), "kind": st.just("aks"), "resourceGroup": st.just("rg")},
    optional={"issuerUrl": st.just(AKS_ISSUER), "audience": st.sampled_from(["sts.amazonaws.com", "api://a"])},
)
ODD = st.fixed_dictionaries(
    {"name": NAMES, "kind": st.sampled_from(["eks", "aks", "gke", None])},
    optional={
        "resourceGroup": st.sampled_from(["rg", "", None]),
        "mechanism": st.sampled_from(["irsa", "pod-identity", "both", "kiam"]),
        "issuerUrl": st.sampled_from([ISSUER, AKS_ISSUER, "http://x", 5]),
    },
)
CLUSTER = st.one_of(EKS, EKS, AKS, ODD)
WORKLOAD = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["app", "web"]),
        "namespace": st.just("apps"),
        "serviceAccount": st.sampled_from(["a", "b"]),
        "s3": st.just([{"bucket": "b-1", "prefix": "p/", "access": "read"}]),
    },
    optional={
        "clusters": st.one_of(st.lists(NAMES, min_size=1, max_size=3, unique=True), st.sampled_from([None, 3, []])),
        "mechanism": st.sampled_from(["irsa", "pod-identity", "both"]),
        "targetRoleArn": st.sampled_from(["arn:aws:iam::210987654321:role/t", "arn:aws:iam::1:root"]),
        "disableSessionTags": st.booleans(),
        "presets": st.sampled_from([["cluster-autoscaler"], []]),
        "extraSubjects": st.just(["system:serviceaccount:apps:other"]),
    },
)


@FUZZ
@given(
    st.one_of(st.lists(CLUSTER, min_size=1, max_size=3), st.sampled_from([None, {}, "x", []])),
    st.lists(WORKLOAD, min_size=1, max_size=2, unique_by=lambda w: (w["name"], w["serviceAccount"])),
)
def test_cluster_lists_never_crash_and_a_valid_one_trusts_each_issuer_pinned(clusters: Any, workloads: Any) -> None:
    from components.cli.plan import run_plan
    from components.core.model import InvalidInput
    from components.core.settings import parse_settings
    from components.core.stack_plan import stack_plans

    raw = {"aws:region": "ap-northeast-2", "irsa:workloads": workloads, "irsa:clusters": clusters}
    try:
        settings = parse_settings(raw, "fuzz")
    except InvalidInput as error:
        assert error.problems and all(": " in str(p) for p in error.problems)
        return
    for plan in stack_plans(settings):
        where = plan.spec.where
        bound = [
            (p, f"arn:aws:iam::123456789012:oidc-provider/h{i}", f"https://h{i}",
             f"arn:aws:eks:ap-northeast-2:123456789012:cluster/{p.cluster_name}")
            for i, p in enumerate(where)
        ]  # fmt: skip
        web = [s for s in plan.trust_in(bound)["Statement"] if "Federated" in s["Principal"]]
        assert len(web) == sum(p.web_identity for p in where)
        for statement, (_, provider, url, _) in zip(web, [b for b in bound if b[0].web_identity], strict=True):
            assert statement["Principal"]["Federated"] == provider
            keys = {k for condition in statement["Condition"].values() for k in condition}
            assert keys == {f"{url[8:]}:sub", f"{url[8:]}:aud"}
    assert run_plan(settings).resources


# --- tokens -------------------------------------------------------------------------------------------------------

JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
JSON = st.recursive(
    JSON_LEAVES,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4),
    max_leaves=8,
)
ODD_NUMBERS = st.sampled_from(["1e400", "-1e400", "NaN", "Infinity", "1" + "0" * 400, "1.5", "-1", "[" * 50 + "]" * 50])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@st.composite
def tokens(draw: st.DrawFn) -> bytes:
    header = draw(st.one_of(JSON, st.fixed_dictionaries({"alg": st.sampled_from(["RS256", "none", "HS256", "ES256"])})))
    claims: dict[str, Any] = {
        "iss": draw(st.sampled_from([ISSUER, ISSUER + "/", "https://x"])),
        "sub": draw(st.sampled_from(["system:serviceaccount:production:s3-writer", "system:serviceaccount:a:b"])),
        "aud": draw(st.sampled_from([["sts.amazonaws.com"], "sts.amazonaws.com", ["a", "b"]])),
    }
    claims.update(draw(st.dictionaries(st.sampled_from(["iss", "sub", "aud", "exp", "nbf", "iat"]), JSON, max_size=3)))
    payload = json.dumps(claims)
    for name in draw(st.lists(st.sampled_from(["exp", "nbf", "iat"]), max_size=2, unique=True)):
        payload = payload[:-1] + f', "{name}": {draw(ODD_NUMBERS)}' + "}"
    text = f"{b64(json.dumps(header).encode())}.{b64(payload.encode())}.{b64(draw(st.binary(max_size=16)))}"
    return draw(
        st.one_of(st.just(text.encode()), st.binary(max_size=200), st.just(text.encode()[: draw(st.integers(0, 60))]))
    )


@FUZZ
@given(tokens())
def test_tokens_never_crash_doctor_and_are_never_accepted_unverified(token: bytes) -> None:
    with files(stack=yaml.safe_dump({"config": STACK}).encode(), token=token) as paths:
        code, out, _ = run_cli(
            "doctor", "--stack", "fuzz", "--config", paths["stack"], "--workload", "s3-writer",
            "--token", paths["token"], "--format", "json",
        )  # fmt: skip
    if out:
        report = json.loads(out)
        assert report["accepted"] is False  # offline the signature is never checked
        assert code == (1 if report["verdict"] == "STS would reject this token" else 0)


# --- issuer answers -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIssuer]:
    local = LocalIssuer([ISSUER], tmp_path_factory.mktemp("fuzz-issuer")).start()
    yield local
    local.stop()


STATUS_LINES = st.sampled_from(
    [b"HTTP/1.1 200 OK", b"HTTP/1.0 200", b"HTTP/1.1 301 Moved", b"HTTP/2 200", b"HTTP/1.1 200 OK\x00", b"", b"\xff"]
)
HEADERS = st.lists(
    st.one_of(
        st.sampled_from([b"Content-Length: 5", b"Content-Length: -1", b"Content-Length: 99999999999",
                         b"Transfer-Encoding: chunked", b"Content-Type: application/json", b"X: " + b"y" * 70000]),
        st.binary(max_size=30),
    ),
    max_size=6,
)  # fmt: skip
BODIES = st.one_of(JSON.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200), st.just(b"[" * 3000))


@st.composite
def answers(draw: st.DrawFn) -> bytes:
    body = draw(BODIES)
    headers = draw(HEADERS)
    if draw(st.booleans()):
        headers.append(b"Content-Length: %d" % len(body))
    return draw(STATUS_LINES) + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body


@FUZZ
@given(st.sampled_from(["discovery", "jwks"]), answers())
def test_issuer_answers_never_crash_doctor(issuer: LocalIssuer, which: str, raw: bytes) -> None:
    base = "/id/0123456789ABCDEF0123456789ABCDEF"
    path = f"{base}/.well-known/openid-configuration" if which == "discovery" else f"{base}/openid/v1/jwks"

    def write(out: io.BufferedIOBase) -> None:
        out.write(raw)

    issuer.raw_answers[path] = write
    token = issuer.token(ISSUER, "production", "s3-writer", ["sts.amazonaws.com"]).encode()
    try:
        with files(stack=yaml.safe_dump({"config": STACK}).encode(), token=token) as paths:
            code, out, _ = run_cli(
                "doctor", "--stack", "fuzz", "--config", paths["stack"], "--workload", "s3-writer",
                "--token", paths["token"], "--format", "json", "--issuer-check", "--timeout", "5",
                "--connect-to", f"127.0.0.1:{issuer.port}", "--ca-file", str(issuer.ca_file),
            )  # fmt: skip
    finally:
        issuer.raw_answers.clear()
    report = json.loads(out)
    assert report["accepted"] is False  # a hostile answer never completes the chain
    assert code in (1, 2)
