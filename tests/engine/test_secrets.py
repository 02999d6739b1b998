"""A kubeconfig set with `pulumi config set --secret` reaches the Kubernetes provider, and its clear text appears
nowhere: not in what the CLI prints, not in state, not in outputs, not in the rendered manifests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from harness import Project

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: payments-cluster
  cluster: {server: "https://payments.example.invalid"}
users:
- name: deployer
  user: {token: kubeconfig-bearer-7c1f0e5a9d}
contexts:
- name: payments
  context: {cluster: payments-cluster, user: deployer}
current-context: payments
"""
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"


def test_a_secret_kubeconfig_reaches_the_provider_and_never_shows(project: Project) -> None:
    project.init("payments")
    project.pulumi("config", "set", "--secret", "--path", "irsa:cluster.kubeconfig", KUBECONFIG, "--stack", "payments")
    assert "kubeconfig-bearer" not in project.stack_file("payments").read_text()
    printed = [
        project.pulumi("preview", "--stack", "payments", "--diff"),
        project.pulumi("up", "--yes", "--stack", "payments", "--diff"),
        project.pulumi("stack", "output", "--json", "--stack", "payments"),
        project.pulumi("preview", "--stack", "payments", "--diff", "--expect-no-changes"),
    ]
    received = project.received.read_text().split()
    assert received and set(received) == {hashlib.sha256(KUBECONFIG.encode()).hexdigest()}

    state = project.state("payments")
    (provider,) = [r for r in state["deployment"]["resources"] if r["type"] == "pulumi:providers:kubernetes"]
    assert provider["inputs"]["kubeconfig"][SECRET_SIGNATURE] == "1b47061264138c4ac30d75fd1eb44270"
    assert "ciphertext" in provider["inputs"]["kubeconfig"]

    backend = project.env["PULUMI_BACKEND_URL"].removeprefix("file://")
    stored = [p.read_bytes() for p in Path(backend).rglob("*") if p.is_file()]
    rendered = [p.read_bytes() for p in project.render_dir.rglob("*") if p.is_file()]
    assert stored and rendered
    for text in [r.stdout + r.stderr for r in printed] + [json.dumps(state)]:
        assert "kubeconfig-bearer" not in text and "payments.example.invalid" not in text
    for blob in stored + rendered:
        assert b"kubeconfig-bearer" not in blob and b"payments.example.invalid" not in blob
