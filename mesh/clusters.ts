/**
 * Which Kubernetes cluster each region lives on, decided at synth: each region's kubeconfig context is resolved to
 * the cluster it reaches (the cluster's API server URL), so regions that reach the same cluster share one Strimzi
 * operator and one set of providers, and only regions on different clusters talk over an external listener.
 * Pure: the kubeconfig is read by the caller (ops/kubeconfig.ts) and seen here through `KubeconfigView`.
 */
import { ExternalListener, Mesh, Region } from './model';
import { MeshConfigError } from './validate';

/** What the resolution needs of a kubeconfig (merged as kubectl merges a KUBECONFIG list). */
export interface KubeconfigView {
  /** The file(s), for messages. */
  readonly description: string;
  readonly currentContext?: string;
  readonly contextNames: readonly string[];
  /** The API server URL of the cluster a context names; undefined if the context names no cluster with a server. */
  serverOf(context: string): string | undefined;
}

/** One Kubernetes cluster of the mesh and the regions on it. */
export interface KubeCluster {
  /**
   * The context the cluster's providers use: the context of the first region on this cluster, in mesh-file order,
   * that writes one (a context written in the mesh file is always used as written, even the current one, so the
   * cluster stays bound to it when another context becomes current); undefined = the kubeconfig's current context,
   * when no region on the cluster writes one.
   */
  readonly context?: string;
  /** The API server URL; undefined when no region names a context (the kubeconfig is then not read at synth). */
  readonly server?: string;
  readonly regions: readonly Region[];
}

/** The mesh's regions, grouped by the cluster they live on. */
export class Topology {
  private constructor(
    readonly clusters: readonly KubeCluster[],
    private readonly byRegion: ReadonlyMap<string, KubeCluster>,
  ) {}

  /** Every region on the cluster of the current context: what a mesh without contexts is (else use `resolve`). */
  static oneCluster(mesh: Mesh): Topology {
    if (mesh.regions.some((r) => r.context !== undefined)) {
      throw new Error('the mesh names kubeconfig contexts: resolve them to clusters with Topology.resolve');
    }
    const cluster: KubeCluster = { regions: mesh.regions };
    return new Topology([cluster], new Map(mesh.regions.map((r) => [r.name, cluster])));
  }

  /**
   * Resolves every region's context through the kubeconfig (read only if a region names a context). Throws a
   * MeshConfigError naming each region whose context, namespace or external listener cannot be used.
   */
  static resolve(mesh: Mesh, kubeconfig: () => KubeconfigView): Topology {
    const topology = mesh.regions.some((r) => r.context !== undefined) ? group(mesh, readView(mesh, kubeconfig)) : Topology.oneCluster(mesh);
    const problems = topology.check(mesh);
    if (problems.length) throw new MeshConfigError(problems);
    return topology;
  }

  clusterOf(region: Region): KubeCluster {
    const cluster = this.byRegion.get(region.name);
    if (!cluster) throw new Error(`region ${region.name} is not in the mesh`);
    return cluster;
  }

  /** More than one cluster: every Kafka has readers on another cluster and gets an external listener. */
  get multiCluster(): boolean {
    return this.clusters.length > 1;
  }

  sameCluster(a: Region, b: Region): boolean {
    return this.clusterOf(a) === this.clusterOf(b);
  }

  /**
   * The external listener of a region's Kafka: the mesh file's, or a load balancer (what a managed cloud cluster
   * serves without setup); undefined in a mesh on one cluster, where no region needs one.
   */
  externalListener(region: Region): ExternalListener | undefined {
    if (!this.multiCluster) return undefined;
    return region.external ?? { type: 'loadbalancer' };
  }

  /** Problems that need the grouping: namespaces per cluster, external listeners a one-cluster mesh never uses. */
  private check(mesh: Mesh): string[] {
    const problems: string[] = [];
    const index = (region: Region) => mesh.regions.indexOf(region);
    for (const cluster of this.clusters) {
      const seen = new Map<string, Region>();
      for (const region of cluster.regions) {
        const other = seen.get(region.namespace);
        if (other) {
          problems.push(
            `regions[${index(region)}].namespace: ${JSON.stringify(region.namespace)} is also the namespace of regions[${index(other)}] (${other.name}) on the same Kubernetes cluster${describe(cluster)}; namespaces must be unique per cluster (set regions[${index(region)}].namespace)`,
          );
        } else {
          seen.set(region.namespace, region);
        }
      }
    }
    if (!this.multiCluster) {
      for (const region of mesh.regions.filter((r) => r.external !== undefined)) {
        problems.push(
          `regions[${index(region)}].external: every region is on one Kubernetes cluster${describe(this.clusters[0])}, so no region reads this one over an external listener; remove it, or put regions on other clusters with \`context\``,
        );
      }
    }
    return problems;
  }

  /** @internal */
  static of(clusters: KubeCluster[]): Topology {
    return new Topology(clusters, new Map(clusters.flatMap((c) => c.regions.map((r) => [r.name, c] as const))));
  }
}

/** The kubeconfig, or a MeshConfigError naming the first region with a context if it cannot be read. */
function readView(mesh: Mesh, kubeconfig: () => KubeconfigView): KubeconfigView {
  try {
    return kubeconfig();
  } catch (e) {
    const first = mesh.regions.findIndex((r) => r.context !== undefined);
    throw new MeshConfigError([`regions[${first}].context: ${JSON.stringify(mesh.regions[first].context)} cannot be resolved to a cluster: ${(e as Error).message}`]);
  }
}

/**
 * Groups the regions by the API server their context reaches (a region without one: the current context's).
 * Throws a MeshConfigError naming every region whose context cannot be resolved.
 */
function group(mesh: Mesh, view: KubeconfigView): Topology {
  const problems: string[] = [];
  const byServer = new Map<string, { contexts: (string | undefined)[]; regions: Region[] }>();
  const known = view.contextNames.length ? view.contextNames.join(', ') : 'none';
  mesh.regions.forEach((region, i) => {
    const context = region.context;
    const name = context ?? view.currentContext;
    if (name === undefined) {
      problems.push(`regions[${i}].context: unset, and the kubeconfig ${view.description} has no current context; set regions[${i}].context (contexts there: ${known}), or pick one with "kubectl config use-context <name>"`);
      return;
    }
    if (!view.contextNames.includes(name)) {
      problems.push(`regions[${i}].context: ${JSON.stringify(name)} is not a context in the kubeconfig ${view.description}; contexts there: ${known}`);
      return;
    }
    const server = view.serverOf(name);
    if (server === undefined) {
      problems.push(`regions[${i}].context: ${JSON.stringify(name)} names a cluster that the kubeconfig ${view.description} does not define with a server; fix the kubeconfig`);
      return;
    }
    const key = normalizeServer(server);
    const entry = byServer.get(key) ?? { contexts: [], regions: [] };
    entry.contexts.push(context);
    entry.regions.push(region);
    byServer.set(key, entry);
  });
  if (problems.length) throw new MeshConfigError(problems);
  const clusters = [...byServer.entries()].map(([server, { contexts, regions }]) => ({
    ...(contexts.some((c) => c !== undefined) ? { context: contexts.find((c) => c !== undefined) } : {}),
    server,
    regions,
  }));
  return Topology.of(clusters);
}

/** An API server URL as an identity: lowercase scheme and host, no trailing slash, the default port made explicit. */
export function normalizeServer(server: string): string {
  try {
    const url = new URL(server);
    const port = url.port || (url.protocol === 'http:' ? '80' : '443');
    return `${url.protocol}//${url.hostname}:${port}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return server.trim().replace(/\/+$/, '').toLowerCase();
  }
}

function describe(cluster: KubeCluster): string {
  return cluster.server ? ` (${cluster.server})` : '';
}

/**
 * The address regions on other clusters use for `region`'s Kafka when the mesh file makes it known: its
 * `bootstrapServers`, or the node port's DNS name and port. Undefined = read the address the Kafka reports.
 */
export function knownExternalAddress(external: ExternalListener): string | undefined {
  if (external.bootstrapServers !== undefined) return external.bootstrapServers;
  if (external.type === 'nodeport' && external.bootstrapHost && external.bootstrapNodePort) {
    return `${external.bootstrapHost}:${external.bootstrapNodePort}`;
  }
  return undefined;
}
