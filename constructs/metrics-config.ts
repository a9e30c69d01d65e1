/**
 * Prometheus metrics of a region: the JMX exporter rules Strimzi's Kafka and MirrorMaker 2 pods load from a
 * ConfigMap, and optionally a PodMonitor for a Prometheus operator. Metrics are served on each pod's
 * `tcp-prometheus` port (9404), also by the Kafka Exporter (topic, partition and consumer-group lag metrics).
 */
import { ITerraformDependable } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { objectManifest } from './manifest';

export const METRICS_CONFIG_MAP = 'strimzi-metrics';
export const KAFKA_METRICS_KEY = 'kafka-metrics.yaml';
export const MIRROR_MAKER_METRICS_KEY = 'mirrormaker2-metrics.yaml';

type Rule = { pattern: string; name: string; type: 'GAUGE' | 'COUNTER'; labels?: Record<string, string>; value?: number };

/** Brokers: throughput per topic, replication health, request latency, log size. */
const KAFKA_RULES: Rule[] = [
  { pattern: 'kafka.server<type=BrokerTopicMetrics, name=(BytesInPerSec|BytesOutPerSec|MessagesInPerSec), topic=(.+)><>Count', name: 'kafka_server_brokertopicmetrics_$1_total', type: 'COUNTER', labels: { topic: '$2' } },
  { pattern: 'kafka.server<type=BrokerTopicMetrics, name=(BytesInPerSec|BytesOutPerSec|MessagesInPerSec)><>Count', name: 'kafka_server_brokertopicmetrics_$1_total', type: 'COUNTER' },
  { pattern: 'kafka.server<type=ReplicaManager, name=(UnderReplicatedPartitions|UnderMinIsrPartitionCount|OfflineReplicaCount|PartitionCount|LeaderCount)><>Value', name: 'kafka_server_replicamanager_$1', type: 'GAUGE' },
  { pattern: 'kafka.controller<type=KafkaController, name=(ActiveControllerCount|OfflinePartitionsCount|GlobalTopicCount|GlobalPartitionCount)><>Value', name: 'kafka_controller_kafkacontroller_$1', type: 'GAUGE' },
  { pattern: 'kafka.network<type=RequestMetrics, name=TotalTimeMs, request=(Produce|FetchConsumer|FetchFollower)><>(50|99)thPercentile', name: 'kafka_network_requestmetrics_totaltimems', type: 'GAUGE', labels: { request: '$1', quantile: '0.$2' } },
  { pattern: 'kafka.log<type=Log, name=Size, topic=(.+), partition=(\\d+)><>Value', name: 'kafka_log_log_size', type: 'GAUGE', labels: { topic: '$1', partition: '$2' } },
];

/** MirrorMaker 2: per copied partition replication latency, record age, rates; connector and task health. */
const MIRROR_MAKER_RULES: Rule[] = [
  { pattern: 'kafka.connect.mirror<type=MirrorSourceConnector, target=(.+), topic=(.+), partition=(\\d+)><>(replication-latency-ms|record-age-ms)(-avg|-max|-min)?', name: 'kafka_connect_mirror_source_connector_$4$5', type: 'GAUGE', labels: { target: '$1', topic: '$2', partition: '$3' } },
  { pattern: 'kafka.connect.mirror<type=MirrorSourceConnector, target=(.+), topic=(.+), partition=(\\d+)><>(record-count|byte-count)', name: 'kafka_connect_mirror_source_connector_$4_total', type: 'COUNTER', labels: { target: '$1', topic: '$2', partition: '$3' } },
  { pattern: 'kafka.connect.mirror<type=MirrorSourceConnector, target=(.+), topic=(.+), partition=(\\d+)><>(record-rate|byte-rate)', name: 'kafka_connect_mirror_source_connector_$4', type: 'GAUGE', labels: { target: '$1', topic: '$2', partition: '$3' } },
  { pattern: 'kafka.connect<type=connector-metrics, connector=(.+)><>status: ([a-z-]+)', name: 'kafka_connect_connector_status', type: 'GAUGE', value: 1, labels: { connector: '$1', status: '$2' } },
  { pattern: 'kafka.connect<type=connector-task-metrics, connector=(.+), task=(\\d+)><>status: ([a-z-]+)', name: 'kafka_connect_connector_task_status', type: 'GAUGE', value: 1, labels: { connector: '$1', task: '$2', status: '$3' } },
  { pattern: 'kafka.connect<type=source-task-metrics, connector=(.+), task=(\\d+)><>(source-record-poll-rate|source-record-write-rate|source-record-active-count)', name: 'kafka_connect_source_task_$3', type: 'GAUGE', labels: { connector: '$1', task: '$2' } },
];

/** The JMX exporter config (YAML) for a rule set. */
export function jmxExporterConfig(rules: Rule[]): string {
  return stringify({ lowercaseOutputName: true, lowercaseOutputLabelNames: true, rules }, { lineWidth: 0 });
}

/** `metricsConfig` of a Strimzi resource, pointing at one key of the metrics ConfigMap. */
export function metricsConfigRef(key: string): Record<string, unknown> {
  return { type: 'jmxPrometheusExporter', valueFrom: { configMapKeyRef: { name: METRICS_CONFIG_MAP, key } } };
}

export interface MetricsConfigProps {
  readonly provider: KubernetesProvider;
  readonly namespace: string;
  /**
   * Declare a PodMonitor (monitoring.coreos.com/v1) for the region's Kafka, Kafka Exporter and MirrorMaker 2 pods.
   * @default false
   */
  readonly podMonitor?: boolean;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

export class MetricsConfig extends Construct {
  /** The ConfigMap; Kafka and MirrorMaker 2 depend on it. */
  readonly configMap: Manifest;

  constructor(scope: Construct, id: string, props: MetricsConfigProps) {
    super(scope, id);
    const labels = { 'app.kubernetes.io/part-of': 'shared-topic-mesh' };
    this.configMap = objectManifest(this, 'rules', {
      provider: props.provider,
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: METRICS_CONFIG_MAP, namespace: props.namespace, labels },
        data: { [KAFKA_METRICS_KEY]: jmxExporterConfig(KAFKA_RULES), [MIRROR_MAKER_METRICS_KEY]: jmxExporterConfig(MIRROR_MAKER_RULES) },
      },
      dependsOn: props.dependsOn,
    });
    if (props.podMonitor) {
      objectManifest(this, 'pod-monitor', {
        provider: props.provider,
        object: {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'PodMonitor',
          metadata: { name: 'shared-topic-mesh', namespace: props.namespace, labels },
          spec: {
            selector: { matchExpressions: [{ key: 'strimzi.io/kind', operator: 'In', values: ['Kafka', 'KafkaMirrorMaker2'] }] },
            namespaceSelector: { matchNames: [props.namespace] },
            podMetricsEndpoints: [{ port: 'tcp-prometheus', path: '/metrics' }],
          },
        },
        dependsOn: props.dependsOn,
      });
    }
  }
}
