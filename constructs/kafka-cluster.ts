/**
 * A region's Kafka cluster: a Strimzi `Kafka` (KRaft) and its `KafkaNodePool`s, with an internal listener that
 * requires TLS and SCRAM-SHA-512 (and, when regions on other Kubernetes clusters read it, an external listener that
 * requires the same), the simple authorizer, no topic auto-creation, and the entity operator so that KafkaTopic and
 * KafkaUser resources are reconciled.
 */
import { ITerraformDependable } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { EXTERNAL_LISTENER, ExternalListener, KafkaOptions, KafkaStorage, TLS_LISTENER_PORT } from '../mesh/model';
import { NODE_POOLS, replicationFactor } from '../mesh/names';
import { readyManifest } from './manifest';
import { DEFAULTS } from '../mesh/validate';
import { KAFKA_METRICS_KEY, metricsConfigRef } from './metrics-config';

export interface KafkaClusterProps {
  readonly provider: KubernetesProvider;
  /** Cluster name (the `Kafka` resource's name). */
  readonly name: string;
  readonly namespace: string;
  readonly options: KafkaOptions;
  /**
   * Export Prometheus metrics (rules from the region's metrics ConfigMap) and run a Kafka Exporter.
   * @default false
   */
  readonly metrics?: boolean;
  /**
   * The listener regions on other Kubernetes clusters read through (TLS + SCRAM-SHA-512).
   * @default - none: only clients in the same cluster reach it
   */
  readonly external?: ExternalListener;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Seconds the deploy waits for it to work (the mesh file's `deploy.readyTimeoutSeconds`).
   * @default 1200
   */
  readonly readyTimeoutSeconds?: number;
}

export class KafkaCluster extends Construct {
  /** The `Kafka` resource. */
  readonly kafka: Manifest;
  /** The wait for the Kafka to be Ready for its latest generation: depend on it to have a cluster that accepts clients. */
  readonly ready: ITerraformDependable;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const { options } = props;
    const metadata = (name: string) => ({
      name,
      namespace: props.namespace,
      labels: { 'strimzi.io/cluster': props.name },
    });
    const timeoutSeconds = props.readyTimeoutSeconds ?? DEFAULTS.deploy.readyTimeoutSeconds;
    // Each pool has a wait (`<pool id>-ready`): Strimzi reverts a storage change or a scale-down it refuses, and only
    // says so in a Warning condition; the wait fails the deploy on it.
    const pool = (poolId: string, name: string, replicas: number, roles: string[]) =>
      readyManifest(this, poolId, {
        provider: props.provider,
        object: {
          apiVersion: 'kafka.strimzi.io/v1',
          kind: 'KafkaNodePool',
          metadata: metadata(name),
          spec: { replicas, roles, storage: storageSpec(options.storage), resources: options.resources },
        },
        dependsOn: props.dependsOn,
        waitFor: 'pool',
        timeoutSeconds,
      });

    // Without dedicated controllers, every broker is also a KRaft controller ("dual-role" nodes).
    const pools =
      options.controllers === 0
        ? [pool('pool-dual-role', NODE_POOLS.dualRole, options.brokers, ['controller', 'broker'])]
        : [
            pool('pool-controllers', NODE_POOLS.controllers, options.controllers, ['controller']),
            pool('pool-brokers', NODE_POOLS.brokers, options.brokers, ['broker']),
          ];

    const replication = replicationFactor(options);
    const kafka = readyManifest(this, 'kafka', {
      provider: props.provider,
      object: {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'Kafka',
        metadata: { name: props.name, namespace: props.namespace },
        spec: {
          kafka: {
            ...(options.version ? { version: options.version } : {}),
            listeners: [
              // In-cluster: TLS-encrypted, every client authenticated.
              { name: 'tls', port: TLS_LISTENER_PORT, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } },
              // For regions on other clusters: the same security, with certificates valid for the names they use.
              ...(props.external ? [externalListenerSpec(props.external)] : []),
            ],
            // Only what a KafkaUser's ACLs grant is allowed.
            authorization: { type: 'simple' },
            config: {
              // Topics exist only as declared (canonical topics) or created by MirrorMaker 2 (copies).
              'auto.create.topics.enable': false,
              'default.replication.factor': replication,
              'min.insync.replicas': Math.min(2, replication),
              'offsets.topic.replication.factor': replication,
              'transaction.state.log.replication.factor': replication,
              'transaction.state.log.min.isr': Math.min(2, replication),
              // Kafka's fixed 100 KiB send buffer caps each remote MirrorMaker 2 fetch at 100 KiB per round trip; -1: the OS sizes it to the link.
              'socket.send.buffer.bytes': -1,
              // Without it (Kafka's default 0) a SCRAM session lives as long as its connection, so a rotated or removed
              // password never stops it. Unprefixed, it applies to every SASL listener (Strimzi 1.2.0 forbids no prefix of it).
              'connections.max.reauth.ms': options.reauthenticationSeconds * 1000,
            },
            ...(props.metrics ? { metricsConfig: metricsConfigRef(KAFKA_METRICS_KEY) } : {}),
          },
          // Topic operator for the KafkaTopics, user operator for the KafkaUsers of this namespace.
          entityOperator: {
            topicOperator: {},
            userOperator: {},
            // No finalizers on KafkaTopics: deleting a region deletes its namespace, and a finalizer would hold the
            // namespace in Terminating once the topic operator went down with it. The topic operator still deletes
            // a topic whose KafkaTopic is deleted while it runs (Strimzi 1.2.0, STRIMZI_USE_FINALIZERS).
            template: { topicOperatorContainer: { env: [{ name: 'STRIMZI_USE_FINALIZERS', value: 'false' }] } },
          },
          // Topic, partition and consumer-group lag metrics, for every topic (canonical topics and copies).
          ...(props.metrics ? { kafkaExporter: { topicRegex: '.*', groupRegex: '.*' } } : {}),
        },
      },
      waitFor: 'ready',
      timeoutSeconds,
      // Created after its pools, and deleted before them.
      dependsOn: pools.map((p) => p.manifest),
      // Strimzi reports a pool change's outcome on the Kafka too, whose generation does not move: wait again then.
      waitAlsoAfterChangesTo: pools.map((p) => p.manifest),
      waitAfter: pools.map((p) => p.ready),
    });
    this.kafka = kafka.manifest;
    this.ready = kafka.ready;
  }
}

/**
 * Strimzi's listener for regions on other clusters. Strimzi 1.2.0 (KafkaListenersReconciler) puts a load balancer's
 * address and an ingress's hosts into the broker certificates itself; the names the mesh file gives (a DNS name for
 * the bootstrap, the address others use, advertised broker names) are added as alternative names and advertised hosts.
 */
export function externalListenerSpec(external: ExternalListener): Record<string, unknown> {
  const addressHosts = (external.bootstrapServers ?? '').split(',').map((a) => a.trim().replace(/:[0-9]+$/, '')).filter((h) => h !== '');
  const names = (exclude?: string) => [...new Set([external.bootstrapHost, ...addressHosts])].filter((h): h is string => h !== undefined && h !== exclude);
  const alternativeNames = (exclude?: string) => (names(exclude).length ? { alternativeNames: names(exclude) } : {});
  const cls = external.class !== undefined ? { class: external.class } : {};
  const common = { name: EXTERNAL_LISTENER.name, port: EXTERNAL_LISTENER.port, type: external.type, tls: true, authentication: { type: 'scram-sha-512' } };
  switch (external.type) {
    case 'ingress':
      // One Ingress per broker and one for the bootstrap, each with its host, TLS passed through to the broker (443).
      return { ...common, configuration: { ...cls, bootstrap: { host: external.bootstrapHost, ...alternativeNames(external.bootstrapHost) }, hostTemplate: external.brokerHostTemplate } };
    case 'nodeport':
      // The bootstrap's node port is fixed so that its address is known; brokers advertise DNS names, not node IPs.
      return { ...common, configuration: { bootstrap: { nodePort: external.bootstrapNodePort, ...alternativeNames() }, advertisedHostTemplate: external.brokerHostTemplate } };
    case 'loadbalancer': {
      // A load balancer per broker and one for the bootstrap; the cloud gives them addresses, Strimzi certifies those.
      const configuration = {
        ...cls,
        ...(external.sourceRanges ? { loadBalancerSourceRanges: [...external.sourceRanges] } : {}),
        ...(names().length ? { bootstrap: alternativeNames() } : {}),
        ...(external.brokerHostTemplate ? { advertisedHostTemplate: external.brokerHostTemplate } : {}),
      };
      return { ...common, ...(Object.keys(configuration).length ? { configuration } : {}) };
    }
  }
}

function storageSpec(storage: KafkaStorage): Record<string, unknown> {
  if (storage.type === 'ephemeral') {
    return { type: 'ephemeral', ...(storage.size ? { sizeLimit: storage.size } : {}) };
  }
  return {
    type: 'persistent-claim',
    size: storage.size,
    ...(storage.storageClass ? { class: storage.storageClass } : {}),
    // Destroy leaves nothing behind: the volumes go with the cluster.
    deleteClaim: true,
  };
}
