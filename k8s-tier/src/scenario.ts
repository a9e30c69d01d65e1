/** What the deploy scenarios share: the collections they record, the figures they print, small cluster queries. */
import { ControlPlane } from './control-plane';
import { Collection } from './recorder';
import { StackResource } from './stack-graph';
import { World } from './world';

const STRIMZI = '/apis/kafka.strimzi.io/v1';

/** Everything a deploy of the mesh creates, by kind (cluster-wide). */
export const COLLECTIONS: readonly Collection[] = [
  { kind: 'Namespace', path: '/api/v1/namespaces' },
  { kind: 'Secret', path: '/api/v1/secrets' },
  { kind: 'ConfigMap', path: '/api/v1/configmaps' },
  { kind: 'Deployment', path: '/apis/apps/v1/deployments' },
  { kind: 'CustomResourceDefinition', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions' },
  { kind: 'Kafka', path: `${STRIMZI}/kafkas` },
  { kind: 'KafkaNodePool', path: `${STRIMZI}/kafkanodepools` },
  { kind: 'KafkaTopic', path: `${STRIMZI}/kafkatopics` },
  { kind: 'KafkaUser', path: `${STRIMZI}/kafkausers` },
  { kind: 'KafkaMirrorMaker2', path: `${STRIMZI}/kafkamirrormaker2s` },
  { kind: 'PodMonitor', path: '/apis/monitoring.coreos.com/v1/podmonitors' },
];

/** Figures the scenarios measured (wall times, sizes), printed at the end of the run. */
export const figures: string[] = [];
export function recordFigure(line: string): void {
  figures.push(line);
}

/** Names of the Strimzi CRDs in a cluster. */
export async function strimziCrds(cluster: ControlPlane): Promise<string[]> {
  const list = await cluster.kube.list('/apis/apiextensions.k8s.io/v1/customresourcedefinitions?labelSelector=app%3Dstrimzi');
  return list.items.map((c) => c.metadata.name).sort();
}

/** The REST path of an object the stacks make (the kinds they declare). */
export function objectPath(o: { kind: string; namespace: string; name: string }): string {
  const ns = (plural: string, base = '/api/v1') => `${base}/namespaces/${o.namespace}/${plural}/${o.name}`;
  switch (o.kind) {
    case 'Namespace': return `/api/v1/namespaces/${o.name}`;
    case 'Secret': return ns('secrets');
    case 'ConfigMap': return ns('configmaps');
    case 'Deployment': return ns('deployments', '/apis/apps/v1');
    case 'PodMonitor': return ns('podmonitors', '/apis/monitoring.coreos.com/v1');
    default: return ns(`${o.kind.toLowerCase()}s`, STRIMZI);
  }
}

/** `address -> resourceVersion` of every object the given resources make, in the target cluster. */
export async function objectVersions(world: World, resources: readonly StackResource[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of resources) {
    if (!r.object) continue;
    const o = await world.target.kube.get(objectPath(r.object));
    out[r.address] = o.metadata.resourceVersion ?? '';
  }
  return out;
}
