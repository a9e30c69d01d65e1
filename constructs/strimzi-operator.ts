/**
 * The Strimzi cluster operator, from its Helm chart, watching the region namespaces of one Kubernetes cluster.
 * There is one per Kubernetes cluster: its CRDs and cluster roles are cluster-wide.
 */
import { Fn, TerraformResource } from 'cdktf';
import { DataKubernetesNamespaceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-namespace-v1';
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
   * folder but never deletes them; this runs `kubectl delete crd -l app=strimzi` instead, only in the cluster the
   * stack deployed to (see `crdCleanup`).
   * @default true
   */
  readonly deleteCrdsOnDestroy?: boolean;
  /** The kubeconfig file(s) the providers read, for that kubectl call. @default ['~/.kube/config'] */
  readonly kubeconfigPaths?: readonly string[];
  /** The kubeconfig context the providers use. @default - the current context */
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
    const crdCleanup = props.deleteCrdsOnDestroy === false ? undefined : this.crdCleanup(props);

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

  /**
   * A `terraform_data` whose destroy runs kubectl to delete Strimzi's CRDs (Terraform's built-in resource, declared
   * directly: cdktf's DataResource would run `terraform version` at every synth, and fail where only OpenTofu is).
   *
   * kubectl does not go through the provider, so it could reach another cluster than the one deployed to (another
   * current context by then, a KUBECONFIG pointing elsewhere). The resource therefore records the deployed cluster's
   * identity, the UID of its kube-system namespace as read through this stack's provider, and the destroy deletes
   * only after kubectl, with the same kubeconfig and context, reports that same UID.
   */
  private crdCleanup(props: StrimziOperatorProps): TerraformResource {
    const kubeSystem = new DataKubernetesNamespaceV1(this, 'cluster-identity', {
      provider: props.kubernetesProvider,
      metadata: { name: 'kube-system' },
    });
    const cleanup = new TerraformResource(this, 'crd-cleanup', {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      provisioners: [
        {
          type: 'local-exec',
          when: 'destroy',
          // A destroy provisioner may only use `self`: everything it needs is in the recorded input.
          environment: {
            KUBECONFIG: '${self.input.kubeconfig}',
            CRD_CLEANUP_CONTEXT: '${self.input.context}',
            CRD_CLEANUP_CLUSTER_UID: '${self.input.cluster_uid}',
          },
          command: CRD_CLEANUP_SCRIPT,
        },
      ],
    });
    cleanup.addOverride('input', {
      cluster_uid: kubeSystem.metadata.uid,
      // pathexpand: kubectl does not expand "~" in KUBECONFIG.
      kubeconfig: Fn.join(':', (props.kubeconfigPaths ?? ['~/.kube/config']).map((p) => Fn.pathexpand(p))),
      context: props.context ?? '',
    });
    return cleanup;
  }
}

/**
 * POSIX sh (local-exec's interpreter). Deletes the CRDs only in the cluster whose kube-system UID was recorded at
 * deploy; anywhere else it leaves them and fails the destroy with what to do.
 */
const CRD_CLEANUP_SCRIPT = [
  'set -eu',
  'set --',
  'if [ -n "$CRD_CLEANUP_CONTEXT" ]; then set -- --context "$CRD_CLEANUP_CONTEXT"; fi',
  'context=$CRD_CLEANUP_CONTEXT',
  'if [ -z "$context" ]; then context=$(kubectl config current-context 2>/dev/null || echo "(none)"); fi',
  'where="context $context of KUBECONFIG=$KUBECONFIG"',
  'uid=$(kubectl "$@" get namespace kube-system -o jsonpath="{.metadata.uid}") || { echo "Strimzi CRD cleanup: cannot reach the cluster ($where); the CRDs were not deleted" >&2; exit 1; }',
  'if [ "$uid" != "$CRD_CLEANUP_CLUSTER_UID" ]; then',
  '  echo "Strimzi CRD cleanup refused: $where reaches the cluster whose kube-system namespace has UID $uid, but this stack deployed to the one with UID $CRD_CLEANUP_CLUSTER_UID. Its CRDs were left in place: point KUBECONFIG (and the context) back at that cluster and run the destroy again." >&2',
  '  exit 1',
  'fi',
  'kubectl "$@" delete crd -l app=strimzi --ignore-not-found --wait',
].join('\n');
