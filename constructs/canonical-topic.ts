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
import { objectManifest } from './manifest';

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
  /** The Kafka cluster (its topic operator must outlive the KafkaTopic, which carries its finalizer). */
  readonly dependsOn: ITerraformDependable[];
}

export class CanonicalTopic extends Construct {
  readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: CanonicalTopicProps) {
    super(scope, id);
    const config = { ...props.topic.config, ...props.configOverrides };
    this.resource = objectManifest(this, 'topic', {
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
      timeout: '5m',
      dependsOn: props.dependsOn,
    });
  }
}
