"""Plan output: a preview-like text tree with the rendered IAM JSON and manifests, or JSON/YAML."""

from __future__ import annotations

import json
from typing import Any

import yaml

IAM_DOCUMENT_INPUTS = {"aws:iam/role:Role": "assumeRolePolicy", "aws:iam/rolePolicy:RolePolicy": "policy"}


def is_manifest(resource: dict[str, Any]) -> bool:
    """Whether a planned resource is a Kubernetes object (not the provider)."""
    return resource["type"].startswith("kubernetes:") and "providers" not in resource["type"]


def manifests(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The Kubernetes objects of a plan, as they would be applied."""
    return [r["inputs"] for r in plan["resources"] if is_manifest(r)]


def iam_documents(plan: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(resource, parsed document) for every IAM policy document in a plan."""
    docs = []
    for r in plan["resources"]:
        key = IAM_DOCUMENT_INPUTS.get(r["type"])
        if key and isinstance(r["inputs"].get(key), str):
            docs.append((r, json.loads(r["inputs"][key])))
    return docs


TOP_LEVEL_ORDER = ("apiVersion", "kind", "metadata")


class _Dumper(yaml.SafeDumper):
    """YAML dumper that prints multi-line strings (scripts, JSON) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def manifest_yaml(obj: dict[str, Any]) -> str:
    """A Kubernetes object as YAML, apiVersion/kind/metadata first."""
    ordered = {k: obj[k] for k in TOP_LEVEL_ORDER if k in obj}
    ordered.update({k: obj[k] for k in sorted(obj) if k not in ordered})
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, width=120)


def to_json(plan: dict[str, Any]) -> str:
    return json.dumps(plan, indent=2, sort_keys=False) + "\n"


def to_yaml(plan: dict[str, Any]) -> str:
    return yaml.safe_dump(plan, sort_keys=False, width=120)


def to_text(plan: dict[str, Any]) -> str:
    """A `pulumi preview`-like tree, then outputs, IAM documents and manifests."""
    resources = plan["resources"]
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in resources:
        children.setdefault(r["parent"], []).append(r)
    lines = [
        f"Plan of {plan['project']}/{plan['stack']} (offline: mock engine, no cloud calls)",
        "",
        "     Type                                                    Name",
    ]

    def walk(parent: str | None, prefix: str) -> None:
        kids = children.get(parent, [])
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            branch = "" if parent is None else ("└─ " if last else "├─ ")
            flag = "  [protect]" if r["protect"] else ""
            lines.append(
                f" +   {prefix}{branch}{r['type']:<{max(1, 56 - len(prefix) - len(branch))}} {r['name']}{flag}"
            )
            walk(r["urn"], prefix + ("" if parent is None else ("   " if last else "│  ")))

    walk(None, "")
    lines += ["", f"Resources:\n    + {len(resources)} to create", ""]
    if plan.get("lookups"):
        lines.append("Lookups (answered with <unknown ...> placeholders offline):")
        lines += [f"    {lk['token']} {json.dumps(lk['args'], sort_keys=True)}" for lk in plan["lookups"]]
        lines.append("")
    lines.append("Outputs:")
    lines += ["    " + line for line in yaml.safe_dump(plan["outputs"], sort_keys=True, width=120).splitlines()]
    for r, doc in iam_documents(plan):
        lines += ["", f"--- {r['type']} {r['name']} ({IAM_DOCUMENT_INPUTS[r['type']]})", json.dumps(doc, indent=2)]
    for r in resources:
        if r["type"] == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            lines += ["", f"--- {r['type']} {r['name']}", yaml.safe_dump(r["inputs"], sort_keys=True).rstrip()]
    for r in resources:
        if is_manifest(r):
            lines += ["", f"--- {r['type']} {r['name']}", manifest_yaml(r["inputs"]).rstrip()]
    return "\n".join(lines) + "\n"


FORMATS = {"text": to_text, "json": to_json, "yaml": to_yaml}
