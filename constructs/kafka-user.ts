/**
 * A Strimzi `KafkaUser` with SCRAM-SHA-512 credentials and ACLs. The user operator generates its password into a
 * Secret of the same name, in the user's namespace.
 */
import { ITerraformDependable } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { UserSpec } from '../mesh/access';
import { objectManifest } from './manifest';

export interface KafkaUserProps {
  readonly provider: KubernetesProvider;
  readonly cluster: string;
  readonly namespace: string;
  readonly user: UserSpec;
  /** The Kafka cluster (its user operator must outlive the KafkaUser). */
  readonly dependsOn: ITerraformDependable[];
}

export class KafkaUser extends Construct {
  /** Waits for Ready, so the password Secret exists once this is created. */
  readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: KafkaUserProps) {
    super(scope, id);
    this.resource = objectManifest(this, 'user', {
      provider: props.provider,
      object: {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaUser',
        metadata: {
          name: props.user.name,
          namespace: props.namespace,
          labels: { 'strimzi.io/cluster': props.cluster },
          annotations: { 'shared-topic-mesh/purpose': props.user.purpose },
        },
        spec: {
          authentication: { type: 'scram-sha-512' },
          authorization: {
            type: 'simple',
            acls: props.user.acls.map((acl) => ({
              resource: { ...acl.resource },
              operations: [...acl.operations],
            })),
          },
        },
      },
      waitFor: 'ready',
      timeout: '5m',
      dependsOn: props.dependsOn,
    });
  }
}
