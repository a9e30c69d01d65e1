/**
 * One canonical topic in one region, as a Strimzi `KafkaTopic`. Its copies in other regions are not declared:
 * MirrorMaker 2 creates them and keeps their config in sync, and the topic operator only manages KafkaTopics,
 * so the two never fight over a copy.
 */
import { ITerraformDependable } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { CanonicalTopic as Topic, ConfigValue } from '../mesh/model';
import { readyManifest } from './manifest';
import { DEFAULTS } from '../mesh/validate';

export interface CanonicalTopicProps {
  readonly provider: KubernetesProvider;
  readonly cluster: string;
  readonly namespace: string;
  readonly topic: Topic;
  /**
   * This region's config overrides, merged over the topic's config.
   * @default - none
   */
  readonly configOverrides?: Readonly<Record<string, ConfigValue>>;
  /** The Kafka cluster (its topic operator must outlive the KafkaTopic: it deletes the topic in Kafka). */
  readonly dependsOn: ITerraformDependable[];
  /**
   * Seconds the deploy waits for it to work (the mesh file's `deploy.readyTimeoutSeconds`).
   * @default 1200
   */
  readonly readyTimeoutSeconds?: number;
}

export class CanonicalTopic extends Construct {
  readonly resource: Manifest;
  /** The wait for the topic to be Ready for its latest generation: depend on it to use the topic. */
  readonly ready: ITerraformDependable;

  constructor(scope: Construct, id: string, props: CanonicalTopicProps) {
    super(scope, id);
    const config = { ...props.topic.config, ...props.configOverrides };
    const topic = readyManifest(this, 'topic', {
      provider: props.provider,
      object: {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaTopic',
        metadata: { name: props.topic.resourceName, namespace: props.namespace, labels: { 'strimzi.io/cluster': props.cluster } },
        spec: {
          topicName: props.topic.name,
          partitions: props.topic.partitions,
          replicas: props.topic.replicas,
          ...(Object.keys(config).length ? { config } : {}),
        },
      },
      waitFor: 'ready',
      timeoutSeconds: props.readyTimeoutSeconds ?? DEFAULTS.deploy.readyTimeoutSeconds,
      dependsOn: props.dependsOn,
    });
    this.resource = topic.manifest;
    this.ready = topic.ready;
  }
}
