/**
 * The Strimzi cluster operator, from its Helm chart, watching the region namespaces of one Kubernetes cluster.
 * There is one per Kubernetes cluster: its CRDs and cluster roles are cluster-wide.
 */
import { TerraformResource } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';

export interface StrimziOperatorProps {
  readonly kubernetesProvider: KubernetesProvider;
  readonly helmProvider: HelmProvider;
  /** Namespace the operator runs in; the construct creates it. */
  readonly namespace: string;
  /** Namespaces the operator watches (the regions'); the construct creates them, before the install. */
  readonly watchNamespaces: readonly string[];
  /** Chart version (= Strimzi version). */
  readonly version: string;
  /** OCI repository holding the `strimzi-kafka-operator` chart. */
  readonly repository: string;
  /**
   * Delete Strimzi's CRDs on destroy, after the operator is uninstalled. Helm installs CRDs from the chart's crds/
   * folder but never deletes them; this runs `kubectl delete crd -l app=strimzi` instead.
   * @default true
   */
  readonly deleteCrdsOnDestroy?: boolean;
  /** kubeconfig file and context for that kubectl call. @default - current context of ~/.kube/config */
  readonly kubeconfig?: string;
  readonly context?: string;
}

export class StrimziOperator extends Construct {
  /** The Helm release; depend on it to use the CRDs. */
  readonly release: Release;
  /** The watched namespaces, by name. */
  readonly watchedNamespaces: ReadonlyMap<string, NamespaceV1>;

  constructor(scope: Construct, id: string, props: StrimziOperatorProps) {
    super(scope, id);

    // Created first and destroyed last: once the operator and the namespaces are gone, remove the CRDs.
    const crdCleanup =
      props.deleteCrdsOnDestroy === false
        ? undefined
        : // Terraform's built-in terraform_data (declared directly: cdktf's DataResource would run `terraform
          // version` at every synth, and fail where only OpenTofu is installed).
          new TerraformResource(this, 'crd-cleanup', {
            terraformResourceType: 'terraform_data',
            terraformGeneratorMetadata: { providerName: 'terraform' },
            provisioners: [
              {
                type: 'local-exec',
                when: 'destroy',
                command: crdDeleteCommand(props.kubeconfig, props.context),
              },
            ],
          });

    const namespace = (id: string, name: string) =>
      new NamespaceV1(this, id, {
        provider: props.kubernetesProvider,
        metadata: { name, labels: { 'app.kubernetes.io/part-of': 'shared-topic-mesh' } },
        ...(crdCleanup ? { dependsOn: [crdCleanup] } : {}),
      });
    const operatorNamespace = namespace('namespace', props.namespace);
    this.watchedNamespaces = new Map(props.watchNamespaces.map((name) => [name, namespace(`namespace-${name}`, name)]));

    this.release = new Release(this, 'release', {
      provider: props.helmProvider,
      name: 'strimzi-cluster-operator',
      namespace: props.namespace,
      repository: props.repository,
      chart: 'strimzi-kafka-operator',
      version: props.version,
      values: [JSON.stringify({ watchNamespaces: [...props.watchNamespaces] }, null, 2)],
      // Ready means the operator's Deployment is available, so the CRDs are served before the mesh is planned.
      wait: true,
      timeout: 600,
      dependsOn: [operatorNamespace, ...this.watchedNamespaces.values()],
    });
  }
}

function crdDeleteCommand(kubeconfig: string | undefined, context: string | undefined): string {
  const flags = [kubeconfig ? `--kubeconfig ${kubeconfig}` : '', context ? `--context ${context}` : ''].filter(Boolean);
  return ['kubectl', ...flags, 'delete crd -l app=strimzi --ignore-not-found --wait'].join(' ');
}
