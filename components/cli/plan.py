"""Offline plan: run the real `build()` on Pulumi's mock engine and record every registration."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import known_types, rpc
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as runtime_settings

from components import gc_tuning, placeholders
from components.core.aws import role_arn
from components.core.model import Settings
from components.core.summary import workload_rows
from components.core.unknowns import is_unknown, unknown
from components.program import build

SECRET_SIG = rpc._special_sig_key  # marks a serialized secret
SECRET_TEXT = "[secret]"
SDK_CONTAINS_UNKNOWNS = rpc.contains_unknowns  # the SDK's own: offline it is replaced (_acyclic_unknowns_check)


@dataclass
class PlanResult:
    """Everything a stack would register, its lookups and its outputs."""

    project: str
    stack: str
    resources: list[dict[str, Any]] = field(default_factory=list)
    lookups: list[dict[str, Any]] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    summary: list[dict[str, Any]] = field(default_factory=list)
    wiring: dict[str, dict[str, Any]] = field(default_factory=dict)  # per URN: provider, aliases (not in JSON)
    unmodeled: dict[str, str] = field(default_factory=dict)  # stack-file keys applied at deploy, not planned
    default_tags: dict[str, str] = field(default_factory=dict)  # aws:defaultTags: what the provider adds to tags

    def to_dict(self) -> dict[str, Any]:
        shown = {"defaultTags": dict(self.default_tags)} if self.default_tags else {}
        return shown | {
            "project": self.project,
            "stack": self.stack,
            "summary": self.summary,
            "resources": self.resources,
            "outputs": self.outputs,
            "lookups": self.lookups,
            # Beside each resource: its provider (which cluster a Kubernetes object goes to) and its former
            # URNs (aliases): what `diff` needs to tell a rename from a replacement.
            "providers": {urn: w["provider"] for urn, w in sorted(self.wiring.items()) if w["provider"]},
            "unmodeled": dict(self.unmodeled),
            # Resources adopted rather than created: the ID each is imported by (`pulumi up` shows `= import`).
            **({"imports": imports} if (imports := {u: w["import"] for u, w in sorted(self.wiring.items())
                                                   if w.get("import")}) else {}),  # fmt: skip
            "aliases": {
                urn: [former_urn(urn, name) for name in w["aliases"]]
                for urn, w in sorted(self.wiring.items())
                if w["aliases"]
            },
        }


class PlanMocks(pulumi.runtime.Mocks):
    """Answers lookups with explicit `<unknown ...>` placeholders; computes what IAM would name things."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.account = settings.account_id  # irsa:accountId, else a reused provider's account (parse_settings)
        self.lookups: list[dict[str, Any]] = []

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.lookups.append({"token": args.token, "args": _plain(args.args)})
        return self._answer(args.token, args.args), []

    def _answer(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name") or args.get("resourceName") or self.settings.cluster.name)
        if token == "aws:eks/getCluster:getCluster":
            return {
                "name": name,
                "arn": unknown(f"ARN of EKS cluster {name}"),
                "endpoint": unknown(f"API endpoint of EKS cluster {name}"),
                "certificateAuthorities": [{"data": unknown(f"CA data of EKS cluster {name}")}],
                "identities": [{"oidcs": [{"issuer": unknown(f"OIDC issuer URL of EKS cluster {name}")}]}],
            }
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": unknown("account"), "arn": unknown("caller ARN"), "userId": unknown("caller ID")}
        if token == "azure-native:containerservice:getManagedCluster":
            return {
                "name": name,
                "oidcIssuerProfile": {"enabled": True, "issuerURL": unknown(f"OIDC issuer URL of AKS cluster {name}")},
            }
        if token == "azure-native:containerservice:listManagedClusterUserCredentials":
            kubeconfig = unknown(f"user kubeconfig of AKS cluster {name}")
            return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(kubeconfig.encode()).decode()}]}
        raise NotImplementedError(f"plan has no offline answer for lookup {token}")

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        partition = self.settings.partition
        if args.typ == "aws:iam/role:Role":
            role = state.get("name", args.name)
            cross = self.settings.cross_account
            in_other_account = cross is not None and "cross-account" in (args.provider or "")
            account = cross.account_id if cross is not None and in_other_account else self.account
            path = str(state.get("path") or "/")
            where = "" if path == "/" else f" (path {path})"
            state["arn"] = (
                role_arn(partition, account, path, role) if account else unknown(f"ARN of IAM role {role}{where}")
            )
        elif args.typ == "aws:iam/policy:Policy":
            name, path = state.get("name", args.name), state.get("path", "/")
            state["arn"] = (
                f"arn:{partition}:iam::{self.account}:policy{path}{name}"
                if self.account
                else unknown(f"ARN of IAM policy {name}" + ("" if path == "/" else f" (path {path})"))
            )
        elif args.typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            url = str(state.get("url", ""))
            whose = f"cluster {args.name.removesuffix('-oidc-provider')}'s issuer"
            state["arn"] = unknown("ARN of the IAM OIDC provider for " + (whose if is_unknown(url) else url))
        return f"{args.name}-id", state


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Mock monitor that keeps what the engine receives: parent, dependencies, protect, inputs."""

    def __init__(self, mocks: PlanMocks):
        super().__init__(mocks)
        self.records: list[dict[str, Any]] = []
        self.wiring: dict[str, dict[str, Any]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the real engine makes them: the parent's whole type chain, the stack left out."""
        if parent:
            qualified = parent.split("::")[2]
            if qualified != "pulumi:pulumi:Stack":
                type_ = f"{qualified}${type_}"
        return super().make_urn("", type_, name)

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        inputs = rpc.deserialize_properties(request.object) if request.type != "pulumi:pulumi:Stack" else {}
        self.records.append(
            {
                "urn": response.urn,
                "type": request.type,
                "name": request.name,
                "parent": request.parent or None,
                "dependsOn": sorted(set(request.dependencies)),
                "protect": bool(request.protect),
                "inputs": _plain(inputs),
            }
        )
        # Beside the JSON contract: which provider (cluster) each resource goes to, and its former names.
        self.wiring[response.urn] = {
            "provider": request.provider.rsplit("::", 1)[0] if request.provider else None,
            "aliases": _aliases(request),
            "import": request.importId or None,
        }
        return response


def former_urn(urn: str, name: str) -> str:
    """The URN a resource had under a former name (same parent chain and type)."""
    return urn.rsplit("::", 1)[0] + "::" + name


def _aliases(request: Any) -> list[str]:
    """The former names (or URNs) a registration declares: Pulumi matches them against the stack's state."""
    found = []
    for alias in request.aliases:
        found.append(alias.spec.name if alias.WhichOneof("alias") == "spec" else alias.urn)
    return sorted(found)


def _plain(value: Any) -> Any:
    """Engine values as plain JSON data: keys sorted, secrets masked, whole floats as ints."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == rpc._special_secret_sig:
            return SECRET_TEXT
        return {k: _plain(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


async def _resolve(outputs: dict[str, Any], into: dict[str, Any]) -> None:
    """Await every Output in the exports, as the engine's serializer does.

    Not Output.from_input: it would wrap every leaf of every resolved dict in an Output of its own.
    An Output's resolved value is taken as plain data (the program's exports are built that way).
    """

    async def value(v: Any) -> Any:
        if isinstance(v, pulumi.Output):
            return await v.future()
        if isinstance(v, dict):
            return {k: await value(x) for k, x in v.items()}
        return v

    into.update(_plain(await value(outputs)))


def _skip_stack_traces() -> None:
    """Offline, nobody reads the source position the SDK sends with each registration, and walking the
    stack for it (traceback.extract_stack per resource) was a fifth of a plan's time at 100 workloads.
    Only this process's mock runs skip it; `pulumi up` keeps it. Absent from a future SDK: nothing to skip."""
    from pulumi.runtime import resource as runtime_resource
    from pulumi.runtime.proto import source_pb2

    if hasattr(runtime_resource, "_get_stack_trace"):
        empty = source_pb2.StackTrace()
        runtime_resource._get_stack_trace = lambda: empty


def _acyclic_unknowns_check() -> None:
    """The SDK checks every Output's value for unknowns (pulumi 3.260.0, `rpc.contains_unknowns`) with a
    function that refers to itself: each call leaves a reference cycle (function, cell, annotations) only the
    garbage collector frees, four objects for each of a plan's hundreds of thousands of Outputs (a fifth of its
    time at 2,000 workloads, in collections). Offline the same check runs without the cycle. Only while the SDK
    still has that shape; `pulumi up` keeps the SDK's own."""
    nested = [c.co_name for c in SDK_CONTAINS_UNKNOWNS.__code__.co_consts if hasattr(c, "co_name")]
    if nested == ["impl"]:
        rpc.contains_unknowns = contains_unknowns


def contains_unknowns(val: Any) -> bool:
    """Whether an unknown is reachable from `val` through dicts and lists, each container visited once."""
    if not isinstance(val, (dict, list)):
        return known_types.is_unknown(val)
    todo, seen = [val], set()
    while todo:
        item = todo.pop()
        if known_types.is_unknown(item):
            return True
        if isinstance(item, (dict, list)) and id(item) not in seen:
            seen.add(id(item))
            todo.extend(item.values() if isinstance(item, dict) else item)
    return False


def install_mocks(mocks: PlanMocks, project: str, stack: str, offline: bool = True) -> RecordingMonitor:
    """Point the Pulumi runtime at the mock engine, with preview=False so every apply runs (a preview
    leaves unknowns, and applies on them silently never run); returns the monitor recording registrations.
    `offline`: placeholders are expected (the plan); False checks, as `pulumi up` does, that none is deployed."""
    placeholders.set_offline(offline)
    monitor = RecordingMonitor(mocks)
    _skip_stack_traces()
    _acyclic_unknowns_check()
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project, stack, preview=False, monitor=monitor)
    return monitor


def run_plan(settings: Settings) -> PlanResult:
    """Register the stack's resources on the mock engine (preview=False, so every apply runs)."""
    mocks = PlanMocks(settings)
    monitor = install_mocks(mocks, settings.project, settings.stack)
    result = PlanResult(
        settings.project,
        settings.stack,
        summary=workload_rows(settings),
        unmodeled=dict(settings.unmodeled),
        default_tags=dict(settings.default_tags),
    )

    @pulumi.runtime.test
    def program() -> Any:
        return _resolve(build(settings), result.outputs)

    with gc_tuning.collection_paused():
        program()
    result.resources = sorted(monitor.records, key=lambda r: r["urn"])
    result.wiring = monitor.wiring
    result.lookups = sorted(mocks.lookups, key=lambda lk: (lk["token"], repr(lk["args"])))
    return result
