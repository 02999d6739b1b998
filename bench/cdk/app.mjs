// AWS CDK's synth of N IRSA ServiceAccounts, each with one prefix-scoped S3 grant (as bench/generate.py's
// stack): node app.mjs N OUTDIR. Run by bench/run.py --cdk, which times it against `plan` of the same N.
import { App, Stack } from 'aws-cdk-lib'
import * as eks from 'aws-cdk-lib/aws-eks'
import * as iam from 'aws-cdk-lib/aws-iam'
import { KubectlV32Layer } from '@aws-cdk/lambda-layer-kubectl-v32'

const n = Number(process.argv[2])
const app = new App({ outdir: process.argv[3] })
const stack = new Stack(app, 'bench', { env: { account: '123456789012', region: 'ap-northeast-2' } })
const issuer = 'oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF'
const cluster = eks.Cluster.fromClusterAttributes(stack, 'cluster', {
  clusterName: 'bench-cluster',
  kubectlRoleArn: 'arn:aws:iam::123456789012:role/bench-kubectl',
  kubectlLayer: new KubectlV32Layer(stack, 'kubectl'),
  openIdConnectProvider: iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(
    stack, 'oidc', `arn:aws:iam::123456789012:oidc-provider/${issuer}`
  )
})
for (let i = 0; i < n; i++) {
  const id = String(i).padStart(4, '0')
  const sa = new eks.ServiceAccount(stack, `w${id}`, {
    cluster, name: `sa${id}`, namespace: `ns${String(i % 20).padStart(2, '0')}`
  })
  const bucket = `arn:aws:s3:::bench-bucket-${String(i % 50).padStart(2, '0')}`
  sa.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
    resources: [`${bucket}/w${id}/*`]
  }))
  sa.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:ListBucket'], resources: [bucket], conditions: { StringLike: { 's3:prefix': [`w${id}/*`] } }
  }))
}
app.synth()
