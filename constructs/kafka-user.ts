/**
 * A Strimzi `KafkaUser` with SCRAM-SHA-512 credentials and ACLs. The user operator generates its password into a
 * Secret of the same name, in the user's namespace.
 */
import { ITerraformDependable } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { UserSpec } from '../mesh/access';
import { readyManifest } from './manifest';
import { DEFAULTS } from '../mesh/validate';

export interface KafkaUserProps {
  readonly provider: KubernetesProvider;
  readonly cluster: string;
  readonly namespace: string;
  readonly user: UserSpec;
  /** The Kafka cluster (its user operator must outlive the KafkaUser). */
  readonly dependsOn: ITerraformDependable[];
  /**
   * Seconds the deploy waits for it to work (the mesh file's `deploy.readyTimeoutSeconds`).
   * @default 1200
   */
  readonly readyTimeoutSeconds?: number;
}

export class KafkaUser extends Construct {
  readonly resource: Manifest;
  /** The wait for the user to be Ready for its latest generation: its password Secret exists, its ACLs are in force. */
  readonly ready: ITerraformDependable;

  constructor(scope: Construct, id: string, props: KafkaUserProps) {
    super(scope, id);
    const user = readyManifest(this, 'user', {
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
      timeoutSeconds: props.readyTimeoutSeconds ?? DEFAULTS.deploy.readyTimeoutSeconds,
      dependsOn: props.dependsOn,
    });
    this.resource = user.manifest;
    this.ready = user.ready;
  }
}
