"""Stand-in for the pulumi-azure-native provider plugin (a test double): answers the AKS lookups irsa makes,
from the test's fixtures, and registers nothing."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plugin import engine_map, fixtures, plain_map, sdk_version, serve, type_of  # noqa: E402
from pulumi.provider.experimental import provider as p  # noqa: E402

VERSION = sdk_version("pulumi_azure_native")


class AzureNativeStandIn(p.Provider):
    async def check(self, request: p.CheckRequest) -> p.CheckResponse:
        refusal = f"the azure-native stand-in registers nothing ({type_of(request)})"
        return p.CheckResponse(failures=[p.CheckFailure("", refusal)])

    async def invoke(self, request: p.InvokeRequest) -> p.InvokeResponse:
        args = plain_map(request.args)
        cluster = fixtures().get("aksClusters", {}).get(str(args.get("resourceName")))
        if cluster is None or cluster.get("resourceGroup") != args.get("resourceGroupName"):
            missing = f"no AKS cluster {args.get('resourceName')!r} in {args.get('resourceGroupName')!r}"
            return p.InvokeResponse(failures=[p.CheckFailure("resourceName", missing)])
        if request.tok == "azure-native:containerservice:getManagedCluster":
            profile = {"enabled": bool(cluster.get("issuer")), "issuerURL": cluster.get("issuer", "")}
            return p.InvokeResponse(engine_map({"name": args["resourceName"], "oidcIssuerProfile": profile}))
        if request.tok == "azure-native:containerservice:listManagedClusterUserCredentials":
            value = base64.b64encode(cluster["kubeconfig"].encode()).decode()
            return p.InvokeResponse(engine_map({"kubeconfigs": [{"name": "clusterUser", "value": value}]}))
        unanswered = f"the azure-native stand-in does not answer {request.tok}"
        return p.InvokeResponse(failures=[p.CheckFailure("", unanswered)])


if __name__ == "__main__":
    serve(AzureNativeStandIn(), VERSION)
