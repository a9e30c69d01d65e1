/**
 * A region's MirrorMaker 2: runs in the region, targets the region's own cluster, and has one mirror from every
 * other region. Each mirror copies exactly the canonical topics into `<sourceAlias>.<topic>` copies
 * (DefaultReplicationPolicy, "." separator) and keeps their config in sync. There is no checkpoint or heartbeat
 * connector: each region's consumer groups are its own.
 */
import { ITerraformDependable } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { COPY_SEPARATOR, MirrorMakerOptions } from '../mesh/model';
import { KAFKA_CLIENT_DEFAULTS, mirrorFetchBytes } from '../mesh/mirror-settings';
import { MIRROR_MAKER } from '../mesh/names';
import { readyManifest } from './manifest';
import { DEFAULTS } from '../mesh/validate';
import { metricsConfigRef, MIRROR_MAKER_METRICS_KEY } from './metrics-config';

/** How to reach a cluster: alias, TLS listener, CA Secret and SCRAM credentials (all in the MirrorMaker's namespace). */
export interface MirrorEndpoint {
  readonly alias: string;
  readonly bootstrapServers: string;
  /** Secret with the cluster's CA certificate, under `caCertificateKey`. */
  readonly caSecret: string;
  /** @default 'ca.crt' */
  readonly caCertificateKey?: string;
  readonly username: string;
  /** Secret with the user's password, under `passwordKey`. */
  readonly passwordSecret: string;
  /** @default 'password' */
  readonly passwordKey?: string;
}

export interface MirrorMakerProps {
  readonly provider: KubernetesProvider;
  readonly namespace: string;
  /** The region's own cluster: the target of every mirror and home of Kafka Connect's topics. */
  readonly target: MirrorEndpoint;
  /** One per other region. */
  readonly sources: readonly MirrorEndpoint[];
  /** MirrorMaker 2 `topicsPattern`: the canonical topics, and never a copy. */
  readonly topicsPattern: string;
  /** Replication factor of the copies and of MirrorMaker 2's own topics in the target. */
  readonly replicationFactor: number;
  readonly options: MirrorMakerOptions;
  /**
   * Export Prometheus metrics (replication latency, record age, connector and task status).
   * @default false
   */
  readonly metrics?: boolean;
  /** The target's Kafka and user, and the copied source Secrets. */
  readonly dependsOn: ITerraformDependable[];
  /**
   * Seconds the deploy waits for it to be Ready (the mesh file's `deploy.readyTimeoutSeconds`).
   * @default 1200
   */
  readonly readyTimeoutSeconds?: number;
}

/** fetch.max.wait.ms of a mirror's source consumer: 5 s, 10x Kafka's 500 ms (README, "MirrorMaker 2 over long links"). */
export const MIRROR_FETCH_MAX_WAIT_MS = 5000;

/** batch.size of the copies' producer: 128 KiB, 8x Kafka's 16 KiB (see README, "MirrorMaker 2 over long links"). */
export const COPY_BATCH_BYTES = 8 * KAFKA_CLIENT_DEFAULTS.producerBatchSize;

export class MirrorMaker extends Construct {
  readonly resource: Manifest;
  /** The wait for the MirrorMaker 2 to be Ready for its latest generation. */
  readonly ready: ITerraformDependable;

  constructor(scope: Construct, id: string, props: MirrorMakerProps) {
    super(scope, id);
    const { options, target } = props;
    const rf = String(props.replicationFactor);
    const fetchBytes = mirrorFetchBytes(options.wan);
    const connection = (endpoint: MirrorEndpoint) => ({
      alias: endpoint.alias,
      bootstrapServers: endpoint.bootstrapServers,
      tls: { trustedCertificates: [{ secretName: endpoint.caSecret, certificate: endpoint.caCertificateKey ?? 'ca.crt' }] },
      authentication: {
        type: 'scram-sha-512',
        username: endpoint.username,
        passwordSecret: { secretName: endpoint.passwordSecret, password: endpoint.passwordKey ?? 'password' },
      },
    });

    const mirrorMaker = readyManifest(this, 'mirrormaker2', {
      provider: props.provider,
      object: {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaMirrorMaker2',
        metadata: { name: MIRROR_MAKER.name, namespace: props.namespace },
        spec: {
          replicas: options.replicas,
          resources: options.resources,
          ...(props.metrics ? { metricsConfig: metricsConfigRef(MIRROR_MAKER_METRICS_KEY) } : {}),
          // Kafka Connect runs against the local cluster; its group and storage topics live there.
          target: {
            ...connection(target),
            groupId: MIRROR_MAKER.groupId,
            configStorageTopic: MIRROR_MAKER.configStorageTopic,
            offsetStorageTopic: MIRROR_MAKER.offsetStorageTopic,
            statusStorageTopic: MIRROR_MAKER.statusStorageTopic,
            config: {
              // Source offsets are committed every 10 s (Connect's default is 60 s): after a restart, MirrorMaker 2
              // re-sends what it copied since the last commit, so this bounds the duplicates in the copies.
              'offset.flush.interval.ms': '10000',
              'config.storage.replication.factor': rf,
              'offset.storage.replication.factor': rf,
              'status.storage.replication.factor': rf,
            },
          },
          mirrors: props.sources.map((source) => ({
            source: connection(source),
            // Exactly the canonical topics: a pattern that also matched copies would copy copies around the mesh.
            topicsPattern: props.topicsPattern,
            sourceConnector: {
              tasksMax: options.tasksMax,
              // A failed connector or task is restarted by the operator (with back-off); without this Strimzi leaves
              // it failed and the mirror stops until someone restarts it by hand.
              autoRestart: { enabled: true },
              config: {
                // Copies are named <sourceAlias>.<topic>; the alias prefix also stops events looping back.
                'replication.policy.class': 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
                'replication.policy.separator': COPY_SEPARATOR,
                'replication.factor': rf,
                // New canonical topics and partitions at the source are picked up on this interval.
                'refresh.topics.enabled': 'true',
                'refresh.topics.interval.seconds': String(options.refreshTopicsIntervalSeconds),
                // A config change on a canonical topic reaches its copies.
                'sync.topic.configs.enabled': 'true',
                'sync.topic.configs.interval.seconds': String(options.refreshTopicsIntervalSeconds),
                // ACLs come from the KafkaUsers, not from the source cluster.
                'sync.topic.acls.enabled': 'false',
                // Offset syncs go to mm2-offset-syncs.<sourceAlias>.internal in the target: the source stays read-only.
                'offset-syncs.topic.location': 'target',
                'offset-syncs.topic.replication.factor': rf,
                'offset.lag.max': '100',
                // The source consumer over the long link: `consumer.` keys reach MirrorSourceTask's replication consumer
                // (Kafka's MirrorConnectorConfig.sourceConsumerConfig; Strimzi passes this config through verbatim).
                // One fetch per source broker per round trip, with at most this much of a partition: 2x the link's bandwidth-delay product.
                ...(fetchBytes !== KAFKA_CLIENT_DEFAULTS.maxPartitionFetchBytes ? { 'consumer.max.partition.fetch.bytes': String(fetchBytes) } : {}),
                // A fetch response may hold the partitions' fetch sizes together, up to this (only set above Kafka's 50 MiB).
                ...(fetchBytes > KAFKA_CLIENT_DEFAULTS.fetchMaxBytes ? { 'consumer.fetch.max.bytes': String(fetchBytes) } : {}),
                // Kafka's fixed 64 KiB socket buffer caps a connection at 64 KiB per round trip (256 KiB/s at 250 ms); -1: the OS sizes it to the link.
                'consumer.receive.buffer.bytes': '-1',
                // An idle mirror asks each source broker again after every wait (500 ms: a few hundred bytes a second across the link); the first record ends a wait, so a longer one adds no latency.
                'consumer.fetch.max.wait.ms': String(MIRROR_FETCH_MAX_WAIT_MS),
                // The copies' producer (Connect's; `producer.override.` keys, allowed by Connect's default override policy "All", which Strimzi keeps):
                // Connect allows it one request in flight, and a request holds one batch per partition: 16 KiB per round trip to the target is too little.
                'producer.override.batch.size': String(COPY_BATCH_BYTES),
                ...(options.copyCompression !== 'none' ? {
                  // The copies are stored compressed, as the canonical topics are (the consumer hands MirrorMaker 2 the records uncompressed).
                  'producer.override.compression.type': options.copyCompression,
                } : {}),
              },
            },
          })),
        },
      },
      waitFor: 'ready',
      timeoutSeconds: props.readyTimeoutSeconds ?? DEFAULTS.deploy.readyTimeoutSeconds,
      dependsOn: props.dependsOn,
    });
    this.resource = mirrorMaker.manifest;
    this.ready = mirrorMaker.ready;
  }
}
