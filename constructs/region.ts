/**
 * What lives in one region's namespace before any mirroring: the Kafka cluster, the canonical topics and the
 * KafkaUsers with their ACLs.
 */
import { ITerraformDependable } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { regionUsers } from '../mesh/access';
import { ExternalListener, Mesh, Region } from '../mesh/model';
import { clusterName } from '../mesh/names';
import { CanonicalTopic } from './canonical-topic';
import { KafkaCluster } from './kafka-cluster';
import { KafkaUser } from './kafka-user';
import { MetricsConfig } from './metrics-config';

export interface MeshRegionProps {
  readonly provider: KubernetesProvider;
  readonly mesh: Mesh;
  readonly region: Region;
  /**
   * The listener regions on other Kubernetes clusters read this region through.
   * @default - none (every reader is on the same cluster)
   */
  readonly external?: ExternalListener;
}

export class MeshRegion extends Construct {
  readonly cluster: KafkaCluster;
  /** By topic name, the wait for its KafkaTopic to be Ready (depend on it to use the topic). */
  readonly topics: ReadonlyMap<string, ITerraformDependable>;
  /** By user name, the wait for its KafkaUser to be Ready (its Secret exists, its ACLs are in force). */
  readonly users: ReadonlyMap<string, ITerraformDependable>;

  constructor(scope: Construct, id: string, props: MeshRegionProps) {
    super(scope, id);
    const { mesh, region, provider } = props;
    const cluster = clusterName(region);
    const metrics = mesh.metrics.enabled
      ? new MetricsConfig(this, 'metrics', { provider, namespace: region.namespace, podMonitor: mesh.metrics.podMonitors })
      : undefined;
    this.cluster = new KafkaCluster(this, 'kafka', {
      provider,
      name: cluster,
      namespace: region.namespace,
      options: mesh.kafka,
      metrics: mesh.metrics.enabled,
      ...(props.external ? { external: props.external } : {}),
      dependsOn: metrics ? [metrics.configMap] : [],
      readyTimeoutSeconds: mesh.deploy.readyTimeoutSeconds,
    });
    const ready = [this.cluster.ready];

    this.topics = new Map(
      mesh.topics.map((topic) => [
        topic.name,
        new CanonicalTopic(this, `topic-${topic.resourceName}`, {
          provider,
          cluster,
          namespace: region.namespace,
          topic,
          configOverrides: region.topicConfig[topic.name],
          dependsOn: ready,
          readyTimeoutSeconds: mesh.deploy.readyTimeoutSeconds,
        }).ready,
      ]),
    );
    this.users = new Map(
      regionUsers(mesh, region).map((user) => [
        user.name,
        new KafkaUser(this, `user-${user.name}`, {
          provider,
          cluster,
          namespace: region.namespace,
          user,
          dependsOn: ready,
          readyTimeoutSeconds: mesh.deploy.readyTimeoutSeconds,
        }).ready,
      ]),
    );
  }
}
