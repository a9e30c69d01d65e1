/**
 * One Kubernetes (and optionally Helm) provider per Kubernetes cluster the regions live on, keyed by kubeconfig
 * context, each with the guard that keeps it on the cluster the stack deployed to (cluster-identity.ts). Regions
 * without a context share the default provider, which uses the kubeconfig's current context.
 */
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { ClusterIdentity } from './cluster-identity';

export interface ClusterProvidersProps {
  /** The kubeconfig file(s), merged as kubectl merges a KUBECONFIG list. */
  readonly kubeconfigPaths: readonly string[];
  /** Contexts to configure; `undefined` stands for the kubeconfig's current context. */
  readonly contexts: readonly (string | undefined)[];
  /**
   * Also configure a Helm provider per context.
   * @default false
   */
  readonly helm?: boolean;
  /** The stack's name, for the cluster guard's message. @default - the scope's construct id */
  readonly stackName?: string;
}

export class ClusterProviders extends Construct {
  private readonly kubernetes = new Map<string | undefined, KubernetesProvider>();
  private readonly helmProviders = new Map<string | undefined, HelmProvider>();
  private readonly identities = new Map<string | undefined, ClusterIdentity>();

  constructor(scope: Construct, id: string, props: ClusterProvidersProps) {
    super(scope, id);
    for (const context of [...new Set(props.contexts)]) {
      // The current context gets the unaliased (default) provider; any other context an alias named after it.
      const alias = context === undefined ? undefined : providerAlias(context);
      const suffix = alias ? `-${alias}` : '';
      this.kubernetes.set(
        context,
        new KubernetesProvider(this, `kubernetes${suffix}`, {
          configPaths: [...props.kubeconfigPaths],
          ...(context ? { configContext: context } : {}),
          ...(alias ? { alias } : {}),
        }),
      );
      this.identities.set(
        context,
        new ClusterIdentity(this, `cluster-identity${suffix}`, {
          provider: this.kubernetes.get(context)!,
          stackName: props.stackName ?? scope.node.id,
          ...(context ? { context } : {}),
          kubeconfigPaths: props.kubeconfigPaths,
        }),
      );
      if (props.helm) {
        this.helmProviders.set(
          context,
          new HelmProvider(this, `helm${suffix}`, {
            kubernetes: { configPaths: [...props.kubeconfigPaths], ...(context ? { configContext: context } : {}) },
            ...(alias ? { alias } : {}),
          }),
        );
      }
    }
  }

  /** The Kubernetes provider of a context (undefined = current context). */
  kubernetesFor(context: string | undefined): KubernetesProvider {
    const provider = this.kubernetes.get(context);
    if (!provider) throw new Error(`no Kubernetes provider for context ${context ?? '(current)'}`);
    return provider;
  }

  /**
   * The identity (kube-system UID) of the cluster the stack deployed to through a context's provider: what every
   * kubectl step checks it reaches before it acts (`recordedUid`).
   */
  identityFor(context: string | undefined): ClusterIdentity {
    const identity = this.identities.get(context);
    if (!identity) throw new Error(`no cluster identity for context ${context ?? '(current)'}`);
    return identity;
  }

  /** The Helm provider of a context (undefined = current context). */
  helmFor(context: string | undefined): HelmProvider {
    const provider = this.helmProviders.get(context);
    if (!provider) throw new Error(`no Helm provider for context ${context ?? '(current)'}`);
    return provider;
  }
}

/** A Terraform provider alias for a kubeconfig context (contexts may hold characters aliases cannot). */
export function providerAlias(context: string): string {
  return `ctx_${context.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}
