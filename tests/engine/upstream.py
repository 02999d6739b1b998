"""What the providers' own code says they replace on, read from their Go source at the pinned versions.

Independent of components/core/replacement.py (which cites the same files): the Terraform AWS provider's
module and pulumi-kubernetes' provider module come from the Go module proxy (`go mod download`, cached in
GOMODCACHE), and the attributes that force a new resource are parsed out of their schema code. The aws
stand-in replaces on exactly these (conftest passes them in its fixtures), and test_replacing_sources.py
holds the table of the core against them.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from components.core import replacement

# Which file of the Terraform AWS provider declares each resource type irsa registers.
AWS_FILES = {
    "aws:iam/role:Role": "internal/service/iam/role.go",
    "aws:iam/rolePolicy:RolePolicy": "internal/service/iam/role_policy.go",
    "aws:iam/policy:Policy": "internal/service/iam/policy.go",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "internal/service/iam/role_policy_attachment.go",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "internal/service/iam/openid_connect_provider.go",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "internal/service/eks/pod_identity_association.go",
}
KUBERNETES_KINDS = {
    "kubernetes:core/v1:Namespace": ("", "Namespace"),
    "kubernetes:core/v1:ServiceAccount": ("", "ServiceAccount"),
    "kubernetes:core/v1:ConfigMap": ("", "ConfigMap"),
    "kubernetes:batch/v1:Job": ("batch", "Job"),
}


@functools.cache
def module_dir(module_at_version: str) -> Path:
    """A Go module's source as the module proxy serves it (downloaded once into GOMODCACHE)."""
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            ["go", "mod", "download", "-json", module_at_version],
            cwd=scratch, capture_output=True, text=True, timeout=1800,
            env={**os.environ, "GOFLAGS": "-mod=mod", "GO111MODULE": "on"},
        )  # fmt: skip
    found = json.loads(done.stdout or "{}")
    if done.returncode != 0 or "Dir" not in found:
        raise RuntimeError(f"go mod download {module_at_version}: {found.get('Error') or done.stderr.strip()}")
    return Path(found["Dir"])


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.capitalize() for word in rest)


@functools.cache
def _attribute_names(root: Path) -> dict[str, str]:
    """`names.AttrPolicy` → `policy`, from the provider's generated constants."""
    text = (root / "names" / "attr_consts_gen.go").read_text()
    return {f"names.{m[1]}": m[2] for m in re.finditer(r"^\t(Attr\w+)\s*=\s*\"([^\"]+)\"", text, re.M)}


def _blocks(lines: list[str], start: int) -> dict[str, list[str]]:
    """The top-level entries of the Go map literal opened on line `start`: key → the lines of its value."""
    depth = len(lines[start]) - len(lines[start].lstrip("\t")) + 1
    key_line = re.compile(rf"^\t{{{depth}}}(names\.Attr\w+|\"[a-z0-9_]+\"):\s*(.*)$")
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[start + 1 :]:
        if re.match(rf"^\t{{{depth - 1}}}\}}", line):
            break
        matched = key_line.match(line)
        if matched:
            current = found.setdefault(matched[1], [])
        if current is not None:
            current.append(line)
    return found


def terraform_replacing(root: Path, relative: str) -> tuple[set[str], dict[str, str], bool]:
    """Attributes (camelCased) whose change forces a new resource, and their string defaults: `ForceNew: true`
    on the attribute itself (plugin SDK), or a `RequiresReplace()` plan modifier on it (plugin framework); and
    whether `name` is an input (Optional or Required), which pulumi-aws autonames (provider/autonaming.go)."""
    lines = (root / relative).read_text().splitlines()
    names = _attribute_names(root)
    opening = re.compile(r"(map\[string\]\*schema\.Schema\{|Attributes: map\[string\]schema\.Attribute\{)\s*$")
    start = next(i for i, line in enumerate(lines) if opening.search(line))
    replacing, defaults, named = set(), {}, False
    for key, block in _blocks(lines, start).items():
        name = _camel(names.get(key, key.strip('"')))
        own = len(block[0]) - len(block[0].lstrip("\t")) + 1  # the attribute's own fields, not nested ones
        fields = [line.strip() for line in block if len(line) - len(line.lstrip("\t")) == own]
        if "ForceNew: true," in [re.sub(r"\s+", " ", f) for f in fields] or any(
            re.search(r"planmodifier\.RequiresReplace\(\)", line) for line in block
        ):
            replacing.add(name)
        for f in fields:
            if matched := re.fullmatch(r'Default:\s*"([^"]*)",', f):
                defaults[name] = matched[1]
        if name == "name" and any(re.fullmatch(r"(Optional|Required):\s*true,", f) for f in fields):
            named = True
    return replacing, defaults, named


def _go_strings(text: str) -> list[str]:
    return re.findall(r'"(\.[A-Za-z.]+)"', text)


def kubernetes_replacing(root: Path) -> dict[str, set[str]]:
    """Per kind irsa registers, the paths pulumi-kubernetes replaces on (provider/pkg/provider/diff.go), with
    paths below another one left out (a change below `.spec.selector` is a change of it)."""
    text = (root / "pkg" / "provider" / "diff.go").read_text()
    metadata = re.search(r"func metadataForceNewProperties.*?\n\}", text, re.S)
    assert metadata is not None, "diff.go: no metadataForceNewProperties"
    identity = {f"metadata{suffix}" for suffix in re.findall(r'prefix \+ "(\.\w+)"', metadata[0])}
    configmap = re.search(r"clients\.IsConfigMap\(obj\).*?\n(.*?)\n", text, re.S)
    assert configmap is not None and "enableConfigMapMutable" in configmap[0], "diff.go: no ConfigMap rule"
    found: dict[str, set[str]] = {}
    for token, (group, kind) in KUBERNETES_KINDS.items():
        paths = set(identity)
        listed = re.search(rf'"{group}":\s*_versions\{{(.*?)\n\t\}},', text, re.S) if group else None
        variable = re.search(rf'"v1":\s*_kinds\{{"{kind}":\s*(\w+)\}}', listed[1]) if listed else None
        if variable:
            declared = re.search(rf"var {variable[1]} = append\(\s*properties\{{(.*?)\}}", text, re.S)
            assert declared is not None, f"diff.go: no var {variable[1]}"
            paths |= {p.lstrip(".") for p in _go_strings(declared[1])}
        elif not group:
            core = re.search(r"var core = _versions\{(.*?)\n\}", text, re.S)
            assert core is not None, "diff.go: no core kinds"
            assert f'"{kind}":' not in core[1], f"diff.go now lists {kind}: read its fields"
            if kind == "ConfigMap":
                paths |= {p.lstrip(".") for p in _go_strings(configmap[1])}
        found[token] = {p for p in paths if not any(p.startswith(f"{q}.") for q in paths)}
    return found


def replacing_table() -> dict[str, dict[str, object]]:
    """Every type irsa registers → {"inputs": [...], "defaults": {...}}, as the providers' code says."""
    aws = module_dir(replacement.TERRAFORM_AWS)
    table: dict[str, dict[str, object]] = {}
    for token, relative in AWS_FILES.items():
        inputs, defaults, named = terraform_replacing(aws, relative)
        table[token] = {"inputs": sorted(inputs), "defaults": {k: v for k, v in defaults.items() if k in inputs},
                        "deleteFirst": "name" if named and bridge_deletes_named() else ""}  # fmt: skip
    same_name = "same-name" if kubernetes_deletes_same_name(module_dir(replacement.KUBERNETES)) else ""
    for token, paths in kubernetes_replacing(module_dir(replacement.KUBERNETES)).items():
        table[token] = {"inputs": sorted(paths), "defaults": {}, "deleteFirst": same_name}
    return table


def bridge_deletes_named() -> bool:
    """Whether the Terraform bridge's Diff deletes first when an autonamed input was given by the program
    (pkg/tfbridge/provider.go and schema.go at replacement.BRIDGE)."""
    root = module_dir(replacement.BRIDGE)
    provider = (root / "pkg" / "tfbridge" / "provider.go").read_text()
    schema = (root / "pkg" / "tfbridge" / "schema.go").read_text()
    rule = re.search(r"deleteBeforeReplace := len\(replaces\) > 0 &&\s*\(res\.Schema\.DeleteBeforeReplace \|\| "
                     r"nameRequiresDeleteBeforeReplace\(", provider)  # fmt: skip
    named = re.search(r"func nameRequiresDeleteBeforeReplace\(.*?\n\}", schema, re.S)
    return bool(rule and named and "psi.Default.AutoNamed && !hasDefault[key]" in named[0])


def kubernetes_deletes_same_name(root: Path) -> bool:
    """Whether pulumi-kubernetes' Diff deletes first for a replaced, named object keeping its name and namespace."""
    text = (root / "pkg" / "provider" / "provider.go").read_text()
    rule = re.search(r"deleteBeforeReplace := .*?\n\n", text, re.S)
    needed = ("len(replaces) > 0", "metadata.IsNamed(", "!metadata.IsAutonamed(",
              "newInputs.GetName() == oldLive.GetName()", "newInputs.GetNamespace() == oldLive.GetNamespace()")
    return rule is not None and all(n in rule[0] for n in needed)
