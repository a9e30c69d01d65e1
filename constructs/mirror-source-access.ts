/**
 * What a region's MirrorMaker 2 needs, in its own namespace, to read another region's cluster: that cluster's CA
 * certificate and the password of the source's `mirror-to-<reader>` KafkaUser. A pod can mount Secrets of its own
 * namespace only, so both are copied (data only) from the source namespace.
 *
 * The copies are read once the source's Kafka and user are Ready (the reads are deferred to apply time by the
 * dependency), so one apply creates everything in order. They are refreshed on every apply: after the operator
 * renews a CA, or a password changes, `cdktf deploy` brings the copies up to date.
 */
import { ITerraformDependable, Fn } from 'cdktf';
import { DataKubernetesSecretV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Construct } from 'constructs';

export interface MirrorSourceAccessProps {
  /** Provider of the source region's Kubernetes cluster. */
  readonly sourceProvider: KubernetesProvider;
  readonly sourceNamespace: string;
  /** Secret, in the source namespace, with the source cluster's CA certificate under `ca.crt`. */
  readonly sourceCaSecret: string;
  /** Secret, in the source namespace, with the source user's password under `password`. */
  readonly sourceUserSecret: string;
  /** The source's Kafka cluster and KafkaUser: the Secrets exist once they are Ready. */
  readonly sourceReady: ITerraformDependable[];
  /** Provider of the reading region's Kubernetes cluster. */
  readonly readerProvider: KubernetesProvider;
  readonly readerNamespace: string;
  /** Names of the copies in the reader's namespace. */
  readonly caSecretName: string;
  readonly credentialsSecretName: string;
}

export class MirrorSourceAccess extends Construct {
  /** The copied Secrets; depend on them before mounting them. */
  readonly secrets: SecretV1[];

  constructor(scope: Construct, id: string, props: MirrorSourceAccessProps) {
    super(scope, id);
    const copy = (copyId: string, from: string, key: string, to: string, purpose: string) => {
      const source = new DataKubernetesSecretV1(this, `${copyId}-source`, {
        provider: props.sourceProvider,
        metadata: { name: from, namespace: props.sourceNamespace },
        dependsOn: props.sourceReady,
      });
      return new SecretV1(this, copyId, {
        provider: props.readerProvider,
        metadata: {
          name: to,
          namespace: props.readerNamespace,
          labels: { 'app.kubernetes.io/part-of': 'shared-topic-mesh' },
          annotations: { 'shared-topic-mesh/copied-from': `${props.sourceNamespace}/${from}`, 'shared-topic-mesh/purpose': purpose },
        },
        data: { [key]: Fn.lookup(source.data, key) },
      });
    };
    this.secrets = [
      copy('ca-certificate', props.sourceCaSecret, 'ca.crt', props.caSecretName, `trust ${props.sourceNamespace}'s cluster CA`),
      copy('credentials', props.sourceUserSecret, 'password', props.credentialsSecretName, `read ${props.sourceNamespace}'s canonical topics`),
    ];
  }
}
