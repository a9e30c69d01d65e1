/**
 * What a region's MirrorMaker 2 needs, in its own namespace, to read another region's cluster: that cluster's CA
 * certificate and the password of the source's `mirror-to-<reader>` KafkaUser, in one Secret
 * (`ca.crt`, `password`). A pod can mount Secrets of its own namespace only, so both are copied (data only).
 *
 * The source Secrets are read once the source's Kafka and user are Ready (the dependency defers the reads to apply
 * time), so one apply creates everything in order. They are read again on every plan: after the operator renews a
 * CA, or a password changes, `cdktf deploy` brings the copy up to date.
 */
import { Fn, ITerraformDependable } from 'cdktf';
import { DataKubernetesSecretV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Construct } from 'constructs';

export interface MirrorSourceAccessProps {
  /** Provider of the source region's Kubernetes cluster. */
  readonly sourceProvider: KubernetesProvider;
  readonly sourceNamespace: string;
  /** The source cluster's CA certificate (PEM), e.g. read once per source region with `readSecret`. */
  readonly caCertificate: string;
  /** Secret, in the source namespace, with the source user's password under `password`. */
  readonly sourceUserSecret: string;
  /** The source's KafkaUser: its Secret exists once it is Ready. */
  readonly sourceUserReady: ITerraformDependable[];
  /** Provider of the reading region's Kubernetes cluster. */
  readonly readerProvider: KubernetesProvider;
  readonly readerNamespace: string;
  /** Name of the Secret in the reader's namespace. */
  readonly secretName: string;
}

export class MirrorSourceAccess extends Construct {
  /** The Secret in the reader's namespace; depend on it before mounting it. */
  readonly secret: SecretV1;

  constructor(scope: Construct, id: string, props: MirrorSourceAccessProps) {
    super(scope, id);
    const user = readSecret(this, 'credentials-source', props.sourceProvider, props.sourceNamespace, props.sourceUserSecret, props.sourceUserReady);
    this.secret = new SecretV1(this, 'secret', {
      provider: props.readerProvider,
      metadata: {
        name: props.secretName,
        namespace: props.readerNamespace,
        labels: { 'app.kubernetes.io/part-of': 'shared-topic-mesh' },
        annotations: {
          'shared-topic-mesh/purpose': `MirrorMaker 2 reads ${props.sourceNamespace}'s canonical topics`,
          'shared-topic-mesh/copied-from': `${props.sourceNamespace}/${props.sourceUserSecret} (password), the cluster CA (ca.crt)`,
        },
      },
      data: { 'ca.crt': props.caCertificate, password: Fn.lookup(user.data, 'password') },
    });
  }
}

/** Reads a Secret once `ready` is; returns the data source (its `data` map holds the decoded values). */
export function readSecret(
  scope: Construct,
  id: string,
  provider: KubernetesProvider,
  namespace: string,
  name: string,
  ready: ITerraformDependable[],
): DataKubernetesSecretV1 {
  return new DataKubernetesSecretV1(scope, id, { provider, metadata: { name, namespace }, dependsOn: ready });
}
