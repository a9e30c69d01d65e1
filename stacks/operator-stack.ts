/**
 * Deploy phase 1: the region namespaces and, per Kubernetes cluster, the Strimzi operator watching them.
 * The mesh stack's custom resources can only be planned once these CRDs exist.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ClusterProviders } from '../constructs/cluster-providers';
import { StrimziOperator } from '../constructs/strimzi-operator';
import { Topology } from '../mesh/clusters';
import { Mesh } from '../mesh/model';
import { applyStackSettings } from './stack-settings';

export interface OperatorStackProps {
  readonly mesh: Mesh;
  /** The kubeconfig file(s) the providers and the CRD cleanup read (kubeconfigSource in mesh/kubeconfig.ts). */
  readonly kubeconfigPaths: readonly string[];
  /** Which cluster each region lives on (mesh/clusters.ts). @default - every region on the current context's cluster */
  readonly topology?: Topology;
}

export class OperatorStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: OperatorStackProps) {
    super(scope, id);
    const { mesh } = props;
    const topology = props.topology ?? Topology.oneCluster(mesh);
    const contexts = topology.clusters.map((c) => c.context);
    const providers = new ClusterProviders(this, 'providers', { kubeconfigPaths: props.kubeconfigPaths, contexts, helm: true });
    applyStackSettings(this, ['kubernetes', 'helm']);

    for (const cluster of topology.clusters) {
      // One operator per Kubernetes cluster (its CRDs and cluster roles are cluster-wide), not per context name.
      const { context } = cluster;
      new StrimziOperator(this, context === undefined ? 'strimzi' : `strimzi-${context}`, {
        kubernetesProvider: providers.kubernetesFor(context),
        helmProvider: providers.helmFor(context),
        namespace: mesh.operator.namespace,
        watchNamespaces: cluster.regions.map((r) => r.namespace),
        version: mesh.operator.version,
        repository: mesh.operator.repository,
        deleteCrdsOnDestroy: mesh.operator.deleteCrdsOnDestroy,
        kubeconfigPaths: props.kubeconfigPaths,
        ...(context ? { context } : {}),
        clusterIdentity: providers.identityFor(context),
        meshName: mesh.name,
      });
    }
  }
}
