"""The real Pulumi engine for tests: the pinned CLI on a temporary file backend, passphrase secrets, a copy of
the project, and the stand-in provider plugins (test doubles) installed in a temporary PULUMI_HOME.

Nothing here predicts what the engine does: a scenario runs the CLI and reads what it reports (`--json`), what
it kept in state (`pulumi stack export`), what the Kubernetes provider rendered, and what moto holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
STANDINS = Path(__file__).resolve().parent / "standins"
sys.path.insert(0, str(STANDINS))
sys.path.insert(0, str(ROOT / "tests"))

from moto_server import moto_server as local_moto_server  # noqa: E402
from plugin import sdk_version  # noqa: E402

PASSPHRASE = "irsa-engine-tests"
ACCOUNT = "123456789012"  # moto's default account


def pinned_version() -> str:
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.startswith("pulumi=="):
            return line.split("==", 1)[1].split()[0]
    raise AssertionError("requirements.lock locks no pulumi==<version>")


def engine_dir() -> Path:
    """Where `make engine` put the CLI, the language host and the Kubernetes provider."""
    base = os.environ.get("IRSA_ENGINE_HOME") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "irsa" / "engine"
    )
    return Path(base) / pinned_version()


PARTS = ("bin", "kubernetes", "yaml")


def engine_problem(found: Path) -> str | None:
    """Why the cache `make engine` filled must not run, or None: each part is a directory only this user can
    change (components/cli/owned.py, as build.sh checks it) and every binary its .stamp lists has that SHA-256."""
    from components.cli.owned import NotPrivate, check_entries, open_private

    for part in PARTS:
        try:
            fd = open_private(found / part)
            try:
                check_entries(fd, found / part)
            finally:
                os.close(fd)
        except (NotPrivate, OSError) as error:
            return str(error)
        lines = (found / part / ".stamp").read_text().splitlines()[1:] if (found / part / ".stamp").exists() else []
        if not lines and part != "bin":  # bin may hold links to an installed CLI instead
            return f"{found / part}/.stamp lists no binary: run `make engine`"
        for line in lines:
            digest, name = line.split("  ", 1)
            if hashlib.sha256((found / part / name).read_bytes()).hexdigest() != digest:
                return f"{found / part / name}: is not the binary `make engine` built (its SHA-256 differs)"
    return None


def moto_server() -> Any:
    """moto on 127.0.0.1 with AWS's managed policies loaded (the shipped stacks attach some), an assumed role's
    session policy applied (tests/moto_session_policies.py: moto alone ignores it)."""
    return local_moto_server(managed_policies=True, session_policies=True)


def install_plugins(home: Path, engine: Path) -> None:
    """The stand-ins for aws and azure-native, the real Kubernetes provider behind its render proxy, and the YAML
    and Python language hosts, where the engine looks for the versions the SDKs request."""
    plugins = home / "plugins"
    for name, script, package in (
        ("aws", "aws.py", "pulumi_aws"),
        ("azure-native", "azure_native.py", "pulumi_azure_native"),
    ):
        folder = plugins / f"resource-{name}-v{sdk_version(package)}"
        folder.mkdir(parents=True, exist_ok=True)
        launcher = folder / f"pulumi-resource-{name}"
        launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{STANDINS / script}" "$@"\n')
        launcher.chmod(0o755)
    # The real Kubernetes provider; Pulumi YAML's language host (the normal installer ships it beside the CLI),
    # and the Python one, which the YAML host starts itself to load a Python component package's schema.
    module = (Path(__file__).resolve().parent / "build" / "yaml" / "go.mod").read_text()
    yaml_version = re.search(r"github.com/pulumi/pulumi-yaml (v[\d.]+)", module).group(1)  # type: ignore[union-attr]
    kubernetes = engine / "kubernetes"
    for folder, binaries in (
        (plugins / f"resource-kubernetes-v{sdk_version('pulumi_kubernetes')}",
         [kubernetes / "pulumi-resource-kubernetes", kubernetes / "pulumi-resource-kubernetes-real",
          kubernetes / "schema.json"]),
        (plugins / f"language-yaml-{yaml_version}", [engine / "yaml" / "pulumi-language-yaml"]),
        (plugins / f"language-python-v{pinned_version()}",
         [engine / "bin" / "pulumi-language-python", engine / "bin" / "pulumi-language-python-exec"]),
    ):  # fmt: skip
        folder.mkdir(parents=True, exist_ok=True)
        for binary in binaries:
            if not (folder / binary.name).exists():
                (folder / binary.name).symlink_to(binary)


def eks_fixture(name: str, region: str) -> dict[str, str]:
    """What an EKS cluster looks like to the aws stand-in's getCluster: deterministic per name."""
    digest = hashlib.md5(name.encode()).hexdigest()  # noqa: S324 - a name, not a secret
    return {
        "arn": f"arn:aws:eks:{region}:{ACCOUNT}:cluster/{name}",
        "endpoint": f"https://{digest.upper()}.gr7.{region}.eks.amazonaws.com",
        "caData": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
        "issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{digest.upper()}",
    }


def aks_fixture(name: str, resource_group: str | None) -> dict[str, str | None]:
    """What an AKS cluster looks like to the azure-native stand-in's lookups: deterministic per name."""
    digest = hashlib.md5(name.encode()).hexdigest()  # noqa: S324 - a name, not a secret
    return {
        "resourceGroup": resource_group,
        "issuer": f"https://koreacentral.oic.prod-aks.azure.com/{digest[:8]}-0000-0000-0000-000000000000/"
        f"{digest[8:20]}-0000-0000-0000-000000000000/",
        "kubeconfig": f"apiVersion: v1\nkind: Config\nclusters: []\n# {name}\n",
    }


def standin_fixtures(region: str, moto_url: str) -> dict[str, Any]:
    """Everything the stand-ins answer from: the shipped stacks' clusters, moto's address, and the replacement
    rules read from the Terraform AWS provider's code (not from our table)."""
    import upstream

    return {**cluster_fixtures(region), "motoUrl": moto_url, "replacing": upstream.replacing_table()}


def cluster_fixtures(region: str) -> dict[str, Any]:
    """The clusters of every shipped stack, as the stand-ins' lookups answer for them."""
    from components.cli.stackfile import known_stacks, load_settings

    eks: dict[str, Any] = {}
    aks: dict[str, Any] = {}
    for stack in known_stacks():
        settings = load_settings(stack)
        for cluster in settings.clusters:
            if cluster.kind == "eks":
                eks[cluster.name] = eks_fixture(cluster.name, settings.region)
            else:
                aks[cluster.name] = aks_fixture(cluster.name, cluster.resource_group)
    return {"region": region, "eksClusters": eks, "aksClusters": aks}


def moto_iam(url: str, account: str | None = None) -> Any:
    """An IAM client on moto, in `account` (moto keeps one IAM per account; the default is ACCOUNT)."""
    import boto3

    client = boto3.client(
        "iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    if account is not None:
        client.meta.events.register(
            "before-sign.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
        )
    return client


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Project:
    """A copy of the project on its own file backend, run with the real CLI."""

    root: Path
    env: dict[str, str]
    render_dir: Path
    received: Path
    runs: list[list[str]] = field(default_factory=list)

    def pulumi(self, *args: str, check: bool = True, timeout: float = 600) -> Result:
        self.runs.append(list(args))
        done = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        result = Result(done.returncode, done.stdout, done.stderr)
        if check and done.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return result

    def stack_file(self, stack: str) -> Path:
        return self.root / "stacks" / f"Pulumi.{stack}.yaml"

    def init(self, stack: str) -> None:
        self.pulumi("stack", "init", stack)

    def set_stack_config(self, stack: str, config: dict[str, Any]) -> None:
        """Rewrite a stack file's config, keeping what `stack init` added (the passphrase salt)."""
        document = yaml.safe_load(self.stack_file(stack).read_text()) or {}
        document["config"] = config
        self.stack_file(stack).write_text(yaml.safe_dump(document, sort_keys=False))

    def state(self, stack: str) -> dict[str, Any]:
        return self.pulumi("stack", "export", "--stack", stack).json()

    def state_text(self, stack: str) -> str:
        return self.pulumi("stack", "export", "--stack", stack).stdout

    def rendered(self) -> dict[str, dict[str, Any]]:
        """The manifests the real Kubernetes provider wrote, by `<kind>/<namespace>/<name>`."""
        found: dict[str, dict[str, Any]] = {}
        for path in sorted(self.render_dir.rglob("*.yaml")):
            for document in yaml.safe_load_all(path.read_text()):
                if document:
                    meta = document.get("metadata", {})
                    found[f"{document['kind']}/{meta.get('namespace', '')}/{meta['name']}"] = document
        return found


def program_beside(project: Project, folder: str, document: dict[str, Any] | None = None) -> Project:
    """A Pulumi project in `folder` of the copied checkout, on the same backend: examples/<folder> copied, or
    `document` written as its Pulumi.yaml. A program that names plugins gets irsa's component package
    (provider/) beside it; Python runs in the repository's virtualenv."""
    root = project.root / folder
    if document is None:
        shutil.copytree(ROOT / folder, root, ignore=shutil.ignore_patterns("__pycache__", "venv"))
    else:
        root.mkdir(parents=True)
        (root / "Pulumi.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    program = yaml.safe_load((root / "Pulumi.yaml").read_text())
    if program.get("plugins") and not (project.root / "provider").exists():
        skip = shutil.ignore_patterns("__pycache__", "venv")
        shutil.copytree(ROOT / "provider", project.root / "provider", ignore=skip)
        plugin = yaml.safe_load((project.root / "provider" / "PulumiPlugin.yaml").read_text())
        plugin["runtime"]["options"]["virtualenv"] = str(ROOT / ".venv")
        (project.root / "provider" / "PulumiPlugin.yaml").write_text(yaml.safe_dump(plugin, sort_keys=False))
    if isinstance(program["runtime"], dict) and program["runtime"]["name"] == "python":
        program["runtime"]["options"]["virtualenv"] = str(ROOT / ".venv")
        (root / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    return Project(root, project.env, project.render_dir, project.received)


def make_project(base: Path, engine: Path, home: Path, fixtures: Path) -> Project:
    """Copy the program, its stacks and the policy pack to `base`, with the repository's virtualenv."""
    root = base / "project"
    root.mkdir(parents=True)
    venv = ROOT / ".venv"
    program = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    program["runtime"]["options"]["virtualenv"] = str(venv)
    (root / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    shutil.copy(ROOT / "__main__.py", root / "__main__.py")
    shutil.copytree(ROOT / "components", root / "components", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "stacks", root / "stacks")
    shutil.copytree(ROOT / "policy", root / "policy", ignore=shutil.ignore_patterns("venv", "__pycache__"))
    pack = yaml.safe_load((root / "policy" / "PulumiPolicy.yaml").read_text())
    pack["runtime"]["options"]["virtualenv"] = str(venv)
    (root / "policy" / "PulumiPolicy.yaml").write_text(yaml.safe_dump(pack, sort_keys=False))
    state = base / "state"
    state.mkdir()
    render = base / "rendered"
    render.mkdir()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "AWS_", "KUBE", "IRSA_", "ARM_"))}
    env = {
        **keep,
        "PATH": f"{engine / 'bin'}{os.pathsep}{keep.get('PATH', '')}",
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
        "IRSA_STANDIN_FIXTURES": str(fixtures),
        "IRSA_K8S_RENDER_DIR": str(render),
        "IRSA_K8S_RECEIVED": str(base / "kubeconfig-received.txt"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "HOME": str(base),
    }
    return Project(root, env, render, base / "kubeconfig-received.txt")
