"""Stand-in for the pulumi-aws provider plugin (a test double): IAM in moto, lookups from the test's fixtures.

Check refuses any resource type, input property or nested field the installed pulumi-aws SDK's generated
input types do not declare, so a hand-made registration that drifts from the SDK fails here as it would
against the real provider. IAM roles, inline and managed policies, attachments and OIDC providers are
created in a moto server on 127.0.0.1 (its URL in the fixtures), where a test reads them back; EKS Pod
Identity associations live only in the engine's state.
"""

from __future__ import annotations

import collections.abc
import functools
import hashlib
import importlib
import json
import re
import sys
import typing
import urllib.parse
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3  # noqa: E402
import pulumi  # noqa: E402
from plugin import (  # noqa: E402
    INPUTS_KEY,
    UNKNOWN,
    engine_map,
    failures,
    fixtures,
    plain_map,
    property_diff,
    sdk_version,
    secret_keys,
    serve,
    type_of,
)
from pulumi import _types  # noqa: E402
from pulumi.provider.experimental import provider as p  # noqa: E402


@functools.cache
def replacing(token: str) -> tuple[frozenset[str], dict[str, Any]]:
    """The inputs whose change makes the real provider replace a resource, and their defaults: parsed from the
    Terraform AWS provider's code by tests/engine/upstream.py and passed in the fixtures (not our table)."""
    table = fixtures().get("replacing")
    assert isinstance(table, dict), "the fixtures carry no `replacing` table (tests/engine/conftest.py)"
    entry = table.get(token) or {"inputs": [], "defaults": {}}
    return frozenset(entry["inputs"]), dict(entry["defaults"])


def deletes_first(token: str, news: Mapping[str, Any]) -> bool:
    """As the Terraform bridge decides for a replacement (the fixtures' table, from its code): delete first when
    the program gave the input pulumi-aws autonames. This stand-in never autonames, so a present `name` is given."""
    entry = (fixtures().get("replacing") or {}).get(token) or {}
    return entry.get("deleteFirst") == "name" and news.get("name") is not None


ACCOUNT_FALLBACK = "123456789012"  # moto's default account


def _module(type_token: str) -> Any:
    module = type_token.split(":")[1].split("/")[0]
    return importlib.import_module("pulumi_aws" if module == "index" else f"pulumi_aws.{module}")


@functools.cache
def args_class(token: str) -> type | None:
    """The SDK's generated input type for a resource token, or None when the SDK has no such resource."""
    try:
        module = _module(token)
    except ImportError:
        return None
    name = token.rsplit(":", 1)[1]
    resource = getattr(module, name, None)
    if resource is None or pulumi.get_type_token(resource) != token:
        return None
    return getattr(module, f"{name}Args", None)


def _resolve(annotation: Any, module: Any) -> Any:
    if isinstance(annotation, str):
        namespace = {**vars(typing), **vars(pulumi), **vars(module), "pulumi": pulumi}
        return eval(annotation, namespace)  # noqa: S307 - the SDK's own annotations
    if isinstance(annotation, typing.ForwardRef):
        return _resolve(annotation.__forward_arg__, module)
    return annotation


def undeclared(value: Any, annotation: Any, path: str, module: Any) -> list[tuple[str, str]]:
    """Where `value` uses a field or type the SDK's annotation does not declare (empty when it fits)."""
    annotation = _resolve(annotation, module)
    if value is None or value is UNKNOWN or annotation is Any:
        return []
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        # pulumi.Input[T] is Union[T, Awaitable[T], Output[T]]: only T says what a resolved value may be.
        options = [a for a in typing.get_args(annotation) if a is not type(None) and not _is_wrapper(a)]
        found = [undeclared(value, a, path, module) for a in options]
        return [] if not found or any(not f for f in found) else found[0]
    if _is_wrapper(annotation):
        return undeclared(value, (typing.get_args(annotation) or (Any,))[0], path, module)
    if origin in (Sequence, list, tuple, typing.Sequence) or annotation in (list, tuple):
        if not isinstance(value, list):
            return [(path, f"is {type(value).__name__}, not a list")]
        item = (typing.get_args(annotation) or (Any,))[0]
        return [problem for i, v in enumerate(value) for problem in undeclared(v, item, f"{path}[{i}]", module)]
    if origin in (Mapping, dict, typing.Mapping) or annotation in (dict,):
        if not isinstance(value, dict):
            return [(path, f"is {type(value).__name__}, not a map")]
        item = (typing.get_args(annotation) or (Any, Any))[-1]
        return [problem for k, v in value.items() for problem in undeclared(v, item, f"{path}.{k}", module)]
    if isinstance(annotation, type) and _types.is_input_type(annotation):
        return fields_undeclared(value, annotation, path)
    if not isinstance(annotation, type):
        return [(path, f"has a type the stand-in cannot check: {annotation!r}")]
    if annotation is float and isinstance(value, int):
        return []
    if isinstance(value, annotation) or (annotation is int and isinstance(value, int)):
        return []
    return [(path, f"is {type(value).__name__}, where the SDK declares {annotation.__name__}")]


def _is_wrapper(annotation: Any) -> bool:
    origin = typing.get_origin(annotation) or annotation
    return origin in (typing.Awaitable, collections.abc.Awaitable) or (
        isinstance(origin, type) and issubclass(origin, pulumi.Output)
    )


def fields_undeclared(value: Any, cls: type, path: str) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return [(path, f"is {type(value).__name__}, where the SDK declares {cls.__name__}")]
    module = sys.modules[cls.__module__]
    declared = {pulumi_name: prop for _, pulumi_name, prop in _types._py_properties(cls)}
    found = []
    for key, item in sorted(value.items()):
        where = f"{path}.{key}" if path else key
        if key not in declared:
            found.append((where, f"is not an input of {cls.__name__} in pulumi-aws {VERSION}"))
            continue
        annotation = declared[key].fget.__annotations__.get("return", Any)
        found.extend(undeclared(item, annotation, where, module))
    return found


ACCOUNT: list[str] = []  # the one account this provider instance may act in (allowedAccountIds), if it names one


def _iam() -> Any:
    client = boto3.client(
        "iam",
        endpoint_url=fixtures()["motoUrl"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's
    )
    if ACCOUNT:  # moto keeps one IAM per account; this header picks it
        client.meta.events.register(
            "before-sign.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", ACCOUNT[0])
        )
    return client


def _schema() -> dict[str, Any]:
    """The aws resources irsa's schema refers to (without properties), and the provider's inputs with the types
    the installed SDK declares (a YAML program configures an explicit provider: CrossAccountRole's example)."""
    version = sdk_version("pulumi_aws")
    prefix = f"/aws/v{version}/schema.json#/resources/"
    irsa = json.loads((Path(__file__).resolve().parents[3] / "provider" / "schema.json").read_text())
    tokens = sorted(urllib.parse.unquote(t) for t in set(re.findall(re.escape(prefix) + r'([^"]+)"', json.dumps(irsa))))
    types: dict[str, Any] = {}
    provider = importlib.import_module("pulumi_aws.provider").ProviderArgs
    return {
        "name": "aws",
        "version": version,
        "meta": {"moduleFormat": "(.*)(?:/[^/]*)"},  # as pulumi-aws's: iam/role → module iam (SDKs' import paths)
        "provider": {"inputProperties": _properties(provider, types)},
        "resources": {token: {"properties": {}} for token in tokens},
        "types": types,
    }


def _properties(cls: type, types: dict[str, Any]) -> dict[str, Any]:
    module = sys.modules[cls.__module__]
    return {
        name: _schema_type(prop.fget.__annotations__.get("return", Any), module, types)
        for _, name, prop in _types._py_properties(cls)
    }


def _schema_type(annotation: Any, module: Any, types: dict[str, Any]) -> dict[str, Any]:
    """A schema type for an SDK annotation, as `undeclared` reads them (an Input of T is T)."""
    annotation = _resolve(annotation, module)
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        options = [a for a in typing.get_args(annotation) if a is not type(None) and not _is_wrapper(a)]
        return _schema_type(options[0], module, types) if options else {"$ref": "pulumi.json#/Any"}
    if origin in (Sequence, list, tuple, typing.Sequence):
        return {"type": "array", "items": _schema_type(typing.get_args(annotation)[0], module, types)}
    if origin in (Mapping, dict, typing.Mapping):
        return {"type": "object", "additionalProperties": _schema_type(typing.get_args(annotation)[-1], module, types)}
    if isinstance(annotation, type) and _types.is_input_type(annotation):
        name = annotation.__name__.removesuffix("Args")
        token = f"aws:index/{name[0].lower()}{name[1:]}:{name}"
        if token not in types:
            types[token] = {"type": "object"}
            types[token]["properties"] = _properties(annotation, types)
        return {"$ref": f"#/types/{token}"}
    scalar = {str: "string", bool: "boolean", int: "integer", float: "number"}.get(annotation)
    return {"type": scalar} if scalar else {"$ref": "pulumi.json#/Any"}


def _tags(inputs: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((inputs.get("tags") or {}).items())]


class AwsStandIn(p.Provider):
    """IAM in moto; lookups from fixtures; everything else this project registers, in state."""

    async def check_config(self, request: p.CheckRequest) -> p.CheckResponse:
        return p.CheckResponse(inputs=request.new_inputs)

    async def configure(self, request: p.ConfigureRequest) -> p.ConfigureResponse:
        # Provider config arrives as the SDK sends it: a list as its JSON text.
        allowed = json.loads(request.variables.get("aws:config:allowedAccountIds") or "[]")
        if len(allowed) == 1:  # an explicit provider for another account (irsa's cross-account provider)
            ACCOUNT[:] = [str(allowed[0])]
        return await super().configure(request)

    async def get_schema(self, request: p.GetSchemaRequest) -> p.GetSchemaResponse:
        """What a Pulumi YAML program's host needs: irsa's typed outputs bound, an explicit provider checked."""
        return p.GetSchemaResponse(json.dumps(_schema()))

    async def check(self, request: p.CheckRequest) -> p.CheckResponse:
        cls = args_class(type_of(request))
        if cls is None:
            return failures(("", f"{type_of(request)} is not a resource of pulumi-aws {VERSION}"))
        problems = fields_undeclared(plain_map(request.new_inputs), cls, "")
        if type_of(request) == "aws:eks/podIdentityAssociation:PodIdentityAssociation":
            problems += session_policy_problems(plain_map(request.new_inputs))
        if problems:
            return failures(*problems)
        # As the bridge does: an absent input the schema defaults is checked to its default (role path "/").
        defaults = {k: v for k, v in replacing(type_of(request))[1].items() if k not in request.new_inputs}
        return p.CheckResponse(inputs={**request.new_inputs, **engine_map(defaults)})

    async def diff(self, request: p.DiffRequest) -> p.DiffResponse:
        old_inputs = json.loads(str(plain_map(request.old_state).get(INPUTS_KEY) or "{}"))
        news = {k: v for k, v in plain_map(request.new_inputs).items() if v is not None}
        found = property_diff(old_inputs, news, replacing(type_of(request))[0])
        found.delete_before_replace = bool(found.replaces) and deletes_first(type_of(request), news)
        return found

    async def create(self, request: p.CreateRequest) -> p.CreateResponse:
        inputs = {k: v for k, v in plain_map(request.properties).items() if v is not None}
        if request.preview:
            outputs = {**inputs, **{k: UNKNOWN for k in _computed(type_of(request))}}
            return p.CreateResponse(properties=engine_map(outputs, secret_keys(request.properties)))
        resource_id, outputs = _create(type_of(request), request.name, inputs)
        outputs = {**inputs, **outputs, INPUTS_KEY: json.dumps(inputs, sort_keys=True)}
        return p.CreateResponse(resource_id, engine_map(outputs, secret_keys(request.properties)))

    async def update(self, request: p.UpdateRequest) -> p.UpdateResponse:
        olds = plain_map(request.olds)
        news = {k: v for k, v in plain_map(request.news).items() if v is not None}
        if request.preview:
            return p.UpdateResponse(engine_map({**olds, **news}, secret_keys(request.news)))
        _update(type_of(request), request.resource_id, json.loads(str(olds.get(INPUTS_KEY) or "{}")), news)
        kept = {k: v for k, v in olds.items() if k in _computed(type_of(request))}
        outputs = {**news, **kept, INPUTS_KEY: json.dumps(news, sort_keys=True)}
        if "tags" in news or "tagsAll" in kept:
            outputs["tagsAll"] = news.get("tags") or {}
        return p.UpdateResponse(engine_map(outputs, secret_keys(request.news)))

    async def delete(self, request: p.DeleteRequest) -> None:
        _delete(type_of(request), request.resource_id, plain_map(request.properties))

    async def read(self, request: p.ReadRequest) -> p.ReadResponse:
        if request.properties:  # a refresh of what this stand-in made: its state is what moto holds
            return p.ReadResponse(request.resource_id, request.properties, request.inputs)
        # An import: the resource as moto holds it, as inputs the way the Terraform bridge reads them back.
        found = _read(type_of(request), request.resource_id)
        if found is None:
            return p.ReadResponse()
        outputs, inputs = found
        state = {**inputs, **outputs, INPUTS_KEY: json.dumps(inputs, sort_keys=True)}
        return p.ReadResponse(request.resource_id, engine_map(state), engine_map(inputs))

    async def invoke(self, request: p.InvokeRequest) -> p.InvokeResponse:
        args = plain_map(request.args)
        if request.tok == "aws:eks/getCluster:getCluster":
            cluster = fixtures().get("eksClusters", {}).get(args.get("name"))
            if cluster is None:
                return p.InvokeResponse(failures=[p.CheckFailure("name", f"no EKS cluster {args.get('name')!r}")])
            return p.InvokeResponse(engine_map(_eks_cluster(args["name"], cluster)))
        if request.tok == "aws:index/getCallerIdentity:getCallerIdentity":
            found = boto3.client(
                "sts", endpoint_url=fixtures()["motoUrl"], region_name="us-east-1",
                aws_access_key_id="testing", aws_secret_access_key="testing",  # noqa: S106 - moto's
            ).get_caller_identity()  # fmt: skip
            identity = {"accountId": found["Account"], "arn": found["Arn"], "userId": found["UserId"], "id": "x"}
            return p.InvokeResponse(engine_map(identity))
        return p.InvokeResponse(failures=[p.CheckFailure("", f"the aws stand-in does not answer {request.tok}")])


SESSION_POLICY_MAX = 2048


def session_policy_problems(inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What EKS refuses of an association's session policy (CreatePodIdentityAssociation: `policy` at most 2,048
    characters, and only with `disableSessionTags` true), as the pulumi-aws SDK documents both."""
    policy = inputs.get("policy")
    if policy is None:
        return []
    found = []
    if inputs.get("disableSessionTags") is not True:
        found.append(("disableSessionTags", "must be true when policy is given"))
    if policy is UNKNOWN:  # known at deploy: checked then
        return found
    if not isinstance(policy, str) or len(policy) > SESSION_POLICY_MAX:
        found.append(("policy", f"is over {SESSION_POLICY_MAX} characters"))
    else:
        try:
            document = json.loads(policy)
        except ValueError:
            document = None
        if not isinstance(document, dict) or not document.get("Statement"):
            found.append(("policy", "is not an IAM policy with statements"))
    return found


def _eks_cluster(name: str, cluster: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "id": name,
        "arn": cluster["arn"],
        "endpoint": cluster["endpoint"],
        "certificateAuthorities": [{"data": cluster["caData"]}],
        "identities": [{"oidcs": [{"issuer": cluster["issuer"]}]}],
    }


def _computed(token: str) -> tuple[str, ...]:
    return {
        "aws:iam/role:Role": ("arn", "createDate", "tagsAll", "uniqueId", "id"),
        "aws:iam/policy:Policy": ("arn", "attachmentCount", "policyId", "tagsAll", "id"),
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("arn", "tagsAll", "id"),
        "aws:eks/podIdentityAssociation:PodIdentityAssociation": (
            "associationArn", "associationId", "externalId", "tagsAll", "id",
        ),
    }.get(token, ("id",))  # fmt: skip


def _create(token: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    iam = _iam()
    if token == "aws:iam/role:Role":
        role_name = inputs.get("name") or f"{name}-{uuid.uuid4().hex[:7]}"
        args: dict[str, Any] = {
            "RoleName": role_name,
            "AssumeRolePolicyDocument": inputs["assumeRolePolicy"],
            "Path": inputs.get("path", "/"),
            "Tags": _tags(inputs),
        }
        if "description" in inputs:
            args["Description"] = inputs["description"]
        if "maxSessionDuration" in inputs:
            args["MaxSessionDuration"] = inputs["maxSessionDuration"]
        if "permissionsBoundary" in inputs:
            args["PermissionsBoundary"] = inputs["permissionsBoundary"]
        role = iam.create_role(**args)["Role"]
        outputs = {"name": role_name, "arn": role["Arn"], "uniqueId": role["RoleId"], "tagsAll": inputs.get("tags", {})}
        return role_name, {**outputs, "createDate": role["CreateDate"].isoformat()}
    if token == "aws:iam/rolePolicy:RolePolicy":
        iam.put_role_policy(RoleName=inputs["role"], PolicyName=inputs["name"], PolicyDocument=inputs["policy"])
        return f"{inputs['role']}:{inputs['name']}", {}
    if token == "aws:iam/policy:Policy":
        policy = iam.create_policy(
            PolicyName=inputs["name"], Path=inputs.get("path", "/"), PolicyDocument=inputs["policy"],
            Description=inputs.get("description", ""), Tags=_tags(inputs),
        )["Policy"]  # fmt: skip
        outputs = {"arn": policy["Arn"], "policyId": policy["PolicyId"], "attachmentCount": 0}
        return policy["Arn"], {**outputs, "tagsAll": inputs.get("tags", {})}
    if token == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        iam.attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
        digest = hashlib.sha256(f"{inputs['role']}|{inputs['policyArn']}".encode()).hexdigest()[:8]
        return f"{inputs['role']}-{digest}", {}
    if token == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        args = {"Url": inputs["url"], "ClientIDList": inputs.get("clientIdLists", []), "Tags": _tags(inputs)}
        if inputs.get("thumbprintLists"):
            args["ThumbprintList"] = inputs["thumbprintLists"]
        arn = iam.create_open_id_connect_provider(**args)["OpenIDConnectProviderArn"]
        return arn, {"arn": arn, "tagsAll": inputs.get("tags", {})}
    if token == "aws:eks/podIdentityAssociation:PodIdentityAssociation":
        association = f"a-{uuid.uuid4().hex[:17]}"
        account = ACCOUNT[0] if ACCOUNT else ACCOUNT_FALLBACK
        arn = f"arn:aws:eks:{fixtures().get('region', 'us-east-1')}:{account}:podidentityassociation/"
        arn += f"{inputs['clusterName']}/{association}"
        outputs = {"associationArn": arn, "associationId": association, "externalId": str(uuid.uuid4())}
        return f"{inputs['clusterName']},{association}", {**outputs, "tagsAll": inputs.get("tags", {})}
    return f"{name}-{uuid.uuid4().hex[:8]}", {}


def _read(token: str, resource_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(outputs, inputs) of a resource that exists in moto, for an import; None when it does not."""
    iam = _iam()
    try:
        if token == "aws:iam/role:Role":
            role = iam.get_role(RoleName=resource_id)["Role"]
            inputs: dict[str, Any] = {
                "name": role["RoleName"],
                "path": role["Path"],
                "assumeRolePolicy": json.dumps(role["AssumeRolePolicyDocument"]),
                "maxSessionDuration": role.get("MaxSessionDuration", 3600),
            }
            if role.get("Description"):
                inputs["description"] = role["Description"]
            if role.get("PermissionsBoundary"):
                inputs["permissionsBoundary"] = role["PermissionsBoundary"]["PermissionsBoundaryArn"]
            tags = {t["Key"]: t["Value"] for t in role.get("Tags", [])}
            if tags:
                inputs["tags"] = tags
            outputs = {"arn": role["Arn"], "uniqueId": role["RoleId"], "tagsAll": tags,
                       "createDate": role["CreateDate"].isoformat()}  # fmt: skip
            return outputs, inputs
        if token == "aws:iam/rolePolicy:RolePolicy":
            role_name, policy_name = resource_id.split(":", 1)
            found = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)
            inputs = {"role": role_name, "name": policy_name, "policy": json.dumps(found["PolicyDocument"])}
            return {}, inputs
        if token == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=resource_id)
            tags = {t["Key"]: t["Value"] for t in provider.get("Tags", [])}
            inputs = {"url": "https://" + provider["Url"], "clientIdLists": provider.get("ClientIDList", [])}
            if provider.get("ThumbprintList"):
                inputs["thumbprintLists"] = provider["ThumbprintList"]
            if tags:
                inputs["tags"] = tags
            return {"arn": resource_id, "tagsAll": tags}, inputs
    except iam.exceptions.NoSuchEntityException:
        return None
    raise NotImplementedError(f"the aws stand-in cannot import {token}")


def _update(token: str, resource_id: str, olds: dict[str, Any], news: dict[str, Any]) -> None:
    iam = _iam()
    if token == "aws:iam/role:Role":
        if olds.get("assumeRolePolicy") != news.get("assumeRolePolicy"):
            iam.update_assume_role_policy(RoleName=resource_id, PolicyDocument=news["assumeRolePolicy"])
        update = {}
        if "description" in news:
            update["Description"] = news["description"]
        if "maxSessionDuration" in news:
            update["MaxSessionDuration"] = news["maxSessionDuration"]
        iam.update_role(RoleName=resource_id, **update)
        if news.get("permissionsBoundary") != olds.get("permissionsBoundary"):
            if news.get("permissionsBoundary"):
                iam.put_role_permissions_boundary(RoleName=resource_id, PermissionsBoundary=news["permissionsBoundary"])
            else:
                iam.delete_role_permissions_boundary(RoleName=resource_id)
        if olds.get("tags") != news.get("tags"):
            if olds.get("tags"):
                iam.untag_role(RoleName=resource_id, TagKeys=list(olds["tags"]))
            if news.get("tags"):
                iam.tag_role(RoleName=resource_id, Tags=_tags(news))
    elif token == "aws:iam/rolePolicy:RolePolicy":
        iam.put_role_policy(RoleName=news["role"], PolicyName=news["name"], PolicyDocument=news["policy"])
    elif token == "aws:iam/policy:Policy" and olds.get("policy") != news.get("policy"):
        for version in iam.list_policy_versions(PolicyArn=resource_id)["Versions"]:
            if not version["IsDefaultVersion"]:
                iam.delete_policy_version(PolicyArn=resource_id, VersionId=version["VersionId"])
        iam.create_policy_version(PolicyArn=resource_id, PolicyDocument=news["policy"], SetAsDefault=True)
    elif token == "aws:iam/openIdConnectProvider:OpenIdConnectProvider" and olds != news:
        # AWS updates client IDs, thumbprints and tags in place (AddClientIDToOpenIDConnectProvider, …); moto
        # 5.2.5 has no client-ID calls, so the stand-in rewrites the provider under the same ARN (its URL).
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=resource_id)
        args: dict[str, Any] = {"Url": news["url"], "ClientIDList": news.get("clientIdLists", []), "Tags": _tags(news)}
        if news.get("thumbprintLists"):
            args["ThumbprintList"] = news["thumbprintLists"]
        assert iam.create_open_id_connect_provider(**args)["OpenIDConnectProviderArn"] == resource_id


def _delete(token: str, resource_id: str, state: dict[str, Any]) -> None:
    iam = _iam()
    if token == "aws:iam/role:Role":
        iam.delete_role(RoleName=resource_id)
    elif token == "aws:iam/rolePolicy:RolePolicy":
        iam.delete_role_policy(RoleName=state["role"], PolicyName=state["name"])
    elif token == "aws:iam/policy:Policy":
        iam.delete_policy(PolicyArn=resource_id)
    elif token == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        iam.detach_role_policy(RoleName=state["role"], PolicyArn=state["policyArn"])
    elif token == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=resource_id)


VERSION = sdk_version("pulumi_aws")

if __name__ == "__main__":
    serve(AwsStandIn(), VERSION)
