/**
 * What the commands read from a region, as Kubernetes API paths: the Strimzi resources, the consumer's pod and log,
 * and the Kafka Exporter's metrics (through the API server's pod proxy, so no port-forward is needed).
 */
import { Region } from '../mesh/model';
import { APPS, clusterName, MIRROR_MAKER } from '../mesh/names';
import { KubeApi, KubeError } from './kube-api';

/** Strimzi's API group and version the mesh is deployed with. */
const STRIMZI = '/apis/kafka.strimzi.io/v1';

import { KAFKA_EXPORTER_PORT, kafkaExporterName } from '../mesh/names';
export { KAFKA_EXPORTER_PORT, kafkaExporterName };

/** Condition of a Strimzi resource's status. */
export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

/** A Strimzi custom resource, as far as the checks read it. */
export interface StrimziResource<Status = object> {
  readonly metadata: { readonly name: string; readonly generation?: number; readonly labels?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly status?: Status & { readonly conditions?: readonly Condition[]; readonly observedGeneration?: number };
}

/** A MirrorMaker 2 connector's status, as Kafka Connect's REST API reports it (`GET /connectors/<name>/status`). */
export interface ConnectorStatus {
  readonly name: string;
  readonly connector: { readonly state: string; readonly worker_id?: string; readonly trace?: string };
  readonly tasks: ReadonlyArray<{ readonly id: number; readonly state: string; readonly worker_id?: string; readonly trace?: string }>;
  readonly type?: string;
}

export interface ConsumerPod {
  readonly name: string;
  readonly container: string;
}

interface Pod {
  readonly metadata: { readonly name: string; readonly creationTimestamp?: string; readonly deletionTimestamp?: string };
  readonly spec: { readonly containers: ReadonlyArray<{ readonly name: string }> };
  readonly status?: { readonly phase?: string };
}

/** One region's namespace, read through the API server. */
export class RegionApi {
  constructor(
    readonly region: Region,
    readonly api: KubeApi,
  ) {}

  private get namespace(): string {
    return encodeURIComponent(this.region.namespace);
  }

  kafka(): Promise<StrimziResource<{ kafkaVersion?: string }>> {
    return this.api.getJson(`${STRIMZI}/namespaces/${this.namespace}/kafkas/${encodeURIComponent(clusterName(this.region))}`);
  }

  async kafkaTopics(): Promise<StrimziResource<{ topicName?: string }>[]> {
    return (await this.api.getJson<{ items: StrimziResource<{ topicName?: string }>[] }>(`${STRIMZI}/namespaces/${this.namespace}/kafkatopics`)).items;
  }

  async kafkaUsers(): Promise<StrimziResource[]> {
    return (await this.api.getJson<{ items: StrimziResource[] }>(`${STRIMZI}/namespaces/${this.namespace}/kafkausers`)).items;
  }

  mirrorMaker(): Promise<StrimziResource<{ connectors?: ConnectorStatus[] }>> {
    return this.api.getJson(`${STRIMZI}/namespaces/${this.namespace}/kafkamirrormaker2s/${MIRROR_MAKER.name}`);
  }

  /** The Kafka Exporter's Prometheus text, from its running pod. */
  async kafkaExporterMetrics(): Promise<string> {
    const selector = `strimzi.io/name=${kafkaExporterName(this.region)}`;
    const pod = await this.runningPod(selector, `no running Kafka Exporter pod (label ${selector}): is spec.kafkaExporter set on Kafka ${clusterName(this.region)}?`);
    return this.api.getText(`/api/v1/namespaces/${this.namespace}/pods/${pod.metadata.name}:${KAFKA_EXPORTER_PORT}/proxy/metrics`);
  }

  /** The consumer Deployment's running pod (the newest, as `kubectl logs deployment/consumer` picks one). */
  async consumerPod(): Promise<ConsumerPod> {
    const deployment = await this.api.getJson<{ spec: { selector: { matchLabels?: Record<string, string> } } }>(
      `/apis/apps/v1/namespaces/${this.namespace}/deployments/${APPS.consumer}`,
    );
    const selector = Object.entries(deployment.spec.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    const pod = await this.runningPod(selector, `no running pod of Deployment ${APPS.consumer} (see "kubectl -n ${this.region.namespace} describe deployment ${APPS.consumer}")`);
    return { name: pod.metadata.name, container: pod.spec.containers[0].name };
  }

  /** The consumer's log of the last `sinceSeconds`. */
  async consumerLog(sinceSeconds: number): Promise<string> {
    return this.api.getText(this.logPath(await this.consumerPod(), `sinceSeconds=${sinceSeconds}`));
  }

  /** Follows a consumer pod's log, from its last `tailLines` lines (undefined = all), until the pod stops. */
  followConsumer(pod: ConsumerPod, tailLines: number | undefined, onLine: (line: string) => void): Promise<void> {
    return this.api.streamLines(this.logPath(pod, `follow=true${tailLines === undefined ? '' : `&tailLines=${tailLines}`}`), onLine);
  }

  private logPath(pod: ConsumerPod, query: string): string {
    return `/api/v1/namespaces/${this.namespace}/pods/${encodeURIComponent(pod.name)}/log?container=${encodeURIComponent(pod.container)}&${query}`;
  }

  private async runningPod(selector: string, missing: string): Promise<Pod> {
    const pods = await this.api.getJson<{ items: Pod[] }>(`/api/v1/namespaces/${this.namespace}/pods?labelSelector=${encodeURIComponent(selector)}`);
    const running = pods.items
      .filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)
      .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
    if (running.length === 0) throw new KubeError('not-found', missing);
    return running[0];
  }
}
