/**
 * Names and patterns derived from the mesh, each in one place so that the constructs, the tests and the
 * Kafka tier agree on them.
 */
import { COPY_SEPARATOR, EXTERNAL_LISTENER, KafkaOptions, Mesh, Region, TLS_LISTENER_PORT } from './model';

/** The local copy, in another region, of `topic` from the region with alias `sourceAlias`. */
export function copyName(sourceAlias: string, topic: string): string {
  return `${sourceAlias}${COPY_SEPARATOR}${topic}`;
}

/**
 * Replication factor of the topics the mesh creates besides the canonical ones (copies, Kafka's and Connect's own
 * topics): three copies of every record, or one per broker in a smaller cluster.
 */
export function replicationFactor(kafka: KafkaOptions): number {
  return Math.min(3, kafka.brokers);
}

/** Kafka cluster (Strimzi `Kafka` resource) name of a region: the region name. */
export function clusterName(region: Region): string {
  return region.name;
}

/** The KafkaNodePools of a region's Kafka: one dual-role pool, or controllers and brokers (mesh file: kafka.controllers). */
export const NODE_POOLS = { dualRole: 'dual-role', controllers: 'controllers', brokers: 'brokers' } as const;

/**
 * The Service Strimzi 1.2.0 makes for the bootstrap of a region's external listener (any type but `internal`:
 * `ListenersUtils.backwardsCompatibleBootstrapServiceName`, `<cluster>-kafka-<listener name>-bootstrap`). It is the
 * longest name Strimzi derives from the cluster name for the listeners this stack uses; each broker's Service is
 * named as its pod, `<cluster>-<pool>-<node id>` (`backwardsCompatiblePerBrokerServiceName` for `external` on 9094).
 */
export function externalBootstrapServiceName(cluster: string): string {
  return `${cluster}-kafka-${EXTERNAL_LISTENER.name}-bootstrap`;
}

/**
 * Bootstrap address of a region's internal TLS listener, as seen by clients in any namespace of the same Kubernetes
 * cluster. Regions on other clusters use the external listener (mesh/clusters.ts, stacks/mesh-stack.ts).
 */
export function bootstrapAddress(region: Region): string {
  return `${clusterName(region)}-kafka-bootstrap.${region.namespace}.svc:${TLS_LISTENER_PORT}`;
}

/** Secret, made by the operator in the region's namespace, holding the cluster CA certificate (`ca.crt`). */
export function clusterCaSecretName(region: Region): string {
  return `${clusterName(region)}-cluster-ca-cert`;
}

/** KafkaUser names, per region. Each KafkaUser's password is in a Secret of the same name. */
export const USERS = {
  /** The region's own MirrorMaker 2, writing copies into the region (target role). */
  mirrorMaker: 'mirrormaker2',
  producer: 'producer',
  consumer: 'consumer',
} as const;

/**
 * KafkaUser every other region's MirrorMaker 2 reads a region's canonical topics with (read-only). One per region,
 * not one per reader: the mesh has N of these users and N copied Secrets, not N(N-1).
 */
export const MIRROR_SOURCE_USER = 'mirror-source';

/**
 * Secret, in each region's namespace, holding what its MirrorMaker 2 needs to read every other region S:
 * `<S>.ca.crt` (S's cluster CA certificate) and `<S>.password` (the password of S's `mirror-source` user).
 */
export const MIRROR_SOURCES_SECRET = 'mirror-sources';

/** Keys of `MIRROR_SOURCES_SECRET` for one source region. */
export function mirrorSourceKeys(source: Region): { caCertificate: string; password: string } {
  return { caCertificate: `${source.name}.ca.crt`, password: `${source.name}.password` };
}

/** Names of the MirrorMaker 2 resource, its Kafka Connect group and its storage topics (in the target cluster). */
export const MIRROR_MAKER = {
  name: 'mirrormaker2',
  groupId: 'mirrormaker2',
  configStorageTopic: 'mirrormaker2-configs',
  offsetStorageTopic: 'mirrormaker2-offsets',
  statusStorageTopic: 'mirrormaker2-status',
  /** Prefix of the offset-syncs topics, `mm2-offset-syncs.<sourceAlias>.internal`, stored in the target. */
  offsetSyncsTopicPrefix: 'mm2-offset-syncs.',
} as const;

/** The web UI of a region: its Helm release, Service and KafkaUser (whose password is also the UI login's). */
export const UI = { release: 'kafka-ui', service: 'kafka-ui', user: 'kafka-ui', localPort: 8080 } as const;

/** The command that opens a region's web UI on http://localhost:<port>; `context`: its cluster's (undefined = current). */
export function uiPortForwardCommand(region: Region, context: string | undefined): string {
  return `kubectl${context ? ` --context ${context}` : ''} port-forward -n ${region.namespace} service/${UI.service} ${UI.localPort}:80`;
}

/** Strimzi's name of the MirrorMaker 2 connector that mirrors `source` into `target`'s cluster. */
export function mirrorConnectorName(source: Region, target: Region): string {
  return `${source.alias}->${target.alias}.MirrorSourceConnector`;
}

/** The Kafka Exporter Strimzi runs for a Kafka with `spec.kafkaExporter`: Deployment and pod label `strimzi.io/name`. */
export function kafkaExporterName(region: Region): string {
  return `${clusterName(region)}-kafka-exporter`;
}

/** Port of the Kafka Exporter's (and every Strimzi pod's) Prometheus endpoint, `/metrics`. */
export const KAFKA_EXPORTER_PORT = 9404;

/** The demo apps' names (Deployments, KafkaUsers) and the consumer group. */
export const APPS = {
  producer: 'producer',
  consumer: 'consumer',
  consumerGroup: 'loosehanger-consumer',
} as const;

/** Escapes a literal for use inside a Java regular expression. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|]/g, (c) => `\\${c}`);
}

/**
 * MirrorMaker 2 `topicsPattern`: matches exactly the canonical topics (MM2 full-matches it), so never a copy and
 * never a copy of a copy.
 */
export function topicsPattern(mesh: Mesh): string {
  return mesh.topics.map((t) => escapeRegex(t.name)).join('|');
}

/**
 * The consumer's one subscription in `region`: the canonical topic and its copy from every other region, and nothing
 * else (Kafka full-matches subscription patterns).
 */
export function consumerPattern(mesh: Mesh, region: Region, topic: string): string {
  const others = mesh.regions.filter((r) => r.name !== region.name).map((r) => escapeRegex(r.alias + COPY_SEPARATOR));
  return `(${others.join('|')})?${escapeRegex(topic)}`;
}

/** The command that follows a region's consumer output; `context`: its cluster's (undefined = current). */
export function followCommand(region: Region, context: string | undefined): string {
  return `kubectl${context ? ` --context ${context}` : ''} logs -n ${region.namespace} deployment/${APPS.consumer} -f`;
}
