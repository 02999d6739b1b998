// Judge requests against a role's trust policy with cloud-copilot's IAM simulator (an evaluator we did
// not write). Reads [{policy, identity: [policy, ...], session, requests: [{principal, action, resource, account,
// context}]}] as JSON on stdin (identity: the caller's own policies, which a cross-account call needs too;
// session: a session policy limiting them, e.g. a Pod Identity association's);
// prints, for each, the list of decisions ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied").
//
// runSimulation drops context keys of OIDC providers with a path (EKS issuers: host/id/<hex>), and
// runUnsafeSimulation fails on an unnamed resource policy; so this calls the simulator's own engine the
// way runUnsafeSimulation does, with the policy named.
import { readFileSync } from 'node:fs'
import { loadPolicy } from '@cloud-copilot/iam-policy'

const dist = new URL('./node_modules/@cloud-copilot/iam-simulate/dist/esm/', import.meta.url)
const { authorize } = await import(new URL('core_engine/CoreSimulatorEngine.js', dist))
const { AwsRequestImpl } = await import(new URL('request/request.js', dist))
const { RequestContextImpl } = await import(new URL('requestContext.js', dist))
const { DiscoveryContextKeyConstraints } = await import(new URL('context_keys/discoveryContextKeyConstraints.js', dist))

function decide(policy, identity, session, r) {
  const request = new AwsRequestImpl(
    r.principal,
    { resource: r.resource, accountId: r.account },
    r.action,
    new RequestContextImpl(r.context)
  )
  return authorize({
    request,
    sessionPolicy: session ? loadPolicy(session, { name: 'session' }) : undefined,
    identityPolicies: identity.map((p, i) => loadPolicy(p, { name: `identity-${i}` })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: policy ? loadPolicy(policy, { name: 'trust' }) : undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: 'Strict',
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([])
    },
    serviceSettings: { s3: {} }
  }).result
}

const batches = JSON.parse(readFileSync(0, 'utf8'))
console.log(JSON.stringify(batches.map((b) => b.requests.map((r) => decide(b.policy, b.identity ?? [], b.session, r)))))
