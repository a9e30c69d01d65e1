/**
 * What lives in one region's namespace before any mirroring: the Kafka cluster, the canonical topics and the
 * KafkaUsers with their ACLs.
 */
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { regionUsers } from '../mesh/access';
import { Mesh, Region } from '../mesh/model';
import { clusterName } from '../mesh/names';
import { CanonicalTopic } from './canonical-topic';
import { KafkaCluster } from './kafka-cluster';
import { KafkaUser } from './kafka-user';
import { MetricsConfig } from './metrics-config';

export interface MeshRegionProps {
  readonly provider: KubernetesProvider;
  readonly mesh: Mesh;
  readonly region: Region;
}

export class MeshRegion extends Construct {
  readonly cluster: KafkaCluster;
  /** KafkaTopic resources by topic name. */
  readonly topics: ReadonlyMap<string, Manifest>;
  /** KafkaUser resources by user name. */
  readonly users: ReadonlyMap<string, Manifest>;

  constructor(scope: Construct, id: string, props: MeshRegionProps) {
    super(scope, id);
    const { mesh, region, provider } = props;
    const cluster = clusterName(region);
    const metrics = mesh.metrics.enabled
      ? new MetricsConfig(this, 'metrics', { provider, namespace: region.name, podMonitor: mesh.metrics.podMonitors })
      : undefined;
    this.cluster = new KafkaCluster(this, 'kafka', {
      provider,
      name: cluster,
      namespace: region.name,
      options: mesh.kafka,
      metrics: mesh.metrics.enabled,
      dependsOn: metrics ? [metrics.configMap] : [],
    });
    const ready = [this.cluster.kafka];

    this.topics = new Map(
      mesh.topics.map((topic) => [
        topic.name,
        new CanonicalTopic(this, `topic-${topic.resourceName}`, {
          provider,
          cluster,
          namespace: region.name,
          topic,
          configOverrides: region.topicConfig[topic.name],
          dependsOn: ready,
        }).resource,
      ]),
    );
    this.users = new Map(
      regionUsers(mesh, region).map((user) => [
        user.name,
        new KafkaUser(this, `user-${user.name}`, { provider, cluster, namespace: region.name, user, dependsOn: ready }).resource,
      ]),
    );
  }
}
