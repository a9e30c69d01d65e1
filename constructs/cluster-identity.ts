/**
 * The Kubernetes cluster a stack deployed to, and the guard that keeps it there.
 *
 * A provider without a context follows the kubeconfig's current context, and a context can be pointed at another
 * cluster; either way the next plan would refresh, change or destroy the mesh's objects in a cluster it never
 * deployed to (same-named namespaces relabelled, a Strimzi release there upgraded). So the first deploy records the
 * cluster's identity, the UID of its kube-system namespace as the provider reads it, and every later plan, apply and
 * destroy of the stack compares what the provider reaches now with it and fails before it changes anything.
 *
 * The record is a `terraform_data` whose input is never updated (`ignore_changes`): it keeps the first deploy's UID.
 * The comparison is an output: Terraform evaluates outputs in every plan, and, unlike preconditions (which a destroy
 * only warns about), an output that fails to evaluate also stops `terraform destroy` before its first deletion.
 */
import { TerraformOutput, TerraformResource } from 'cdktf';
import { DataKubernetesNamespaceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';

export interface ClusterIdentityProps {
  readonly provider: KubernetesProvider;
  /** The stack's name, for the message. */
  readonly stackName: string;
  /** Where the provider points, for the message: its context, or undefined for the current context. */
  readonly context?: string;
  /** The kubeconfig file(s) the provider reads, for the message. */
  readonly kubeconfigPaths: readonly string[];
}

/** The identity each provider's stack recorded: what a kubectl step through that provider's kubeconfig checks. */
const IDENTITIES = new WeakMap<KubernetesProvider, ClusterIdentity>();

export class ClusterIdentity extends Construct {
  /** The identity recorded for the cluster a provider reaches, if its stack records one. */
  static of(provider: KubernetesProvider): ClusterIdentity | undefined {
    return IDENTITIES.get(provider);
  }

  /** The UID of the kube-system namespace of the cluster the stack first deployed to (unknown until then). */
  readonly recordedUid: string;
  /** The same, as a bare Terraform expression (for use inside another expression). */
  readonly recordedUidExpression: string;
  /** The UID the provider reaches now. */
  readonly reachedUid: string;

  constructor(scope: Construct, id: string, props: ClusterIdentityProps) {
    super(scope, id);
    IDENTITIES.set(props.provider, this);
    const reached = new DataKubernetesNamespaceV1(this, 'kube-system', { provider: props.provider, metadata: { name: 'kube-system' } });
    this.reachedUid = reached.metadata.uid;

    const record = new TerraformResource(this, 'record', {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      lifecycle: { ignoreChanges: ['input'] },
    });
    record.addOverride('input', this.reachedUid);
    const recordAddress = `${record.terraformResourceType}.${record.friendlyUniqueId}`;
    const reachedUid = `data.${reached.terraformResourceType}.${reached.friendlyUniqueId}.metadata[0].uid`;
    this.recordedUidExpression = `${recordAddress}.output`;
    this.recordedUid = `\${${this.recordedUidExpression}}`;

    const where = props.context === undefined ? `the current context of ${props.kubeconfigPaths.join(':')}` : `context "${props.context}" of ${props.kubeconfigPaths.join(':')}`;
    const refusal = [
      `Refused, nothing was changed: stack ${props.stackName} was deployed to the Kubernetes cluster whose kube-system namespace has UID %s,`,
      `but its provider (${where}) now reaches the cluster whose kube-system UID is %s.`,
      `Point that context back at the mesh's cluster (kubectl config get-contexts; kubectl config use-context NAME) and run the command again.`,
      `Only if that cluster is gone and this one replaces it on purpose: terraform -chdir=cdktf.out/stacks/${props.stackName} state rm ${recordAddress}`,
    ].join(' ');
    // tobool of a sentence fails with the sentence in Terraform's message: the guard's way to stop a destroy too.
    const guard = new TerraformOutput(this, 'guard', {
      description: `The cluster stack ${props.stackName} reaches through this provider: the one it deployed to, or the command fails`,
      value: `\${${this.recordedUidExpression} == ${reachedUid} ? ${reachedUid} : tobool(format(${JSON.stringify(refusal)}, ${this.recordedUidExpression}, ${reachedUid}))}`,
    });
    guard.overrideLogicalId(`cluster-guard${id === 'cluster-identity' ? '' : id.replace(/^cluster-identity/, '')}`);
  }
}
