/**
 * What a region's MirrorMaker 2 needs, in its own namespace, to read every other region's cluster: each source's
 * cluster CA certificate and the password of each source's read-only `mirror-source` KafkaUser, in one Secret
 * (`<source>.ca.crt`, `<source>.password`). A pod can mount Secrets of its own namespace only, so they are copied
 * (data only) from the source namespaces.
 *
 * The source Secrets are read once the source's Kafka and user are Ready (the dependency defers the reads to apply
 * time), so one apply creates everything in order. They are read again on every plan: after the operator renews a
 * CA, or a password changes, `cdktf deploy` brings the copies up to date.
 */
import { Fn, ITerraformDependable } from 'cdktf';
import { DataKubernetesSecretV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Construct } from 'constructs';

/** One source region, as its readers see it. */
export interface MirrorSource {
  readonly namespace: string;
  /** Its cluster CA certificate (PEM) and its mirror-source user's password, e.g. from `SourceSecrets`. */
  readonly caCertificate: string;
  readonly password: string;
  /** Keys of the two values in the reader's Secret. */
  readonly caCertificateKey: string;
  readonly passwordKey: string;
}

export interface MirrorSourceAccessProps {
  readonly provider: KubernetesProvider;
  readonly namespace: string;
  readonly secretName: string;
  readonly sources: readonly MirrorSource[];
}

/** The Secret, in the reader's namespace, with every source's CA certificate and password. */
export class MirrorSourceAccess extends Construct {
  /** Depend on it before mounting it. */
  readonly secret: SecretV1;

  constructor(scope: Construct, id: string, props: MirrorSourceAccessProps) {
    super(scope, id);
    this.secret = new SecretV1(this, 'secret', {
      provider: props.provider,
      metadata: {
        name: props.secretName,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/part-of': 'shared-topic-mesh' },
        annotations: {
          'shared-topic-mesh/purpose': `MirrorMaker 2 of ${props.namespace} reads ${props.sources.map((s) => s.namespace).join(', ')}`,
        },
      },
      data: Object.fromEntries(
        props.sources.flatMap((s) => [
          [s.caCertificateKey, s.caCertificate],
          [s.passwordKey, s.password],
        ]),
      ),
    });
  }
}

export interface SourceSecretsProps {
  readonly provider: KubernetesProvider;
  readonly namespace: string;
  /** Secret with the cluster CA certificate under `ca.crt`, and what makes it exist (the Kafka cluster). */
  readonly caSecret: string;
  readonly caReady: ITerraformDependable[];
  /** Secret of the mirror-source KafkaUser (`password`), and what makes it exist (the KafkaUser). */
  readonly userSecret: string;
  readonly userReady: ITerraformDependable[];
}

/** Reads, once per source region, the two values its readers copy. */
export class SourceSecrets extends Construct {
  readonly caCertificate: string;
  readonly password: string;

  constructor(scope: Construct, id: string, props: SourceSecretsProps) {
    super(scope, id);
    const read = (readId: string, name: string, ready: ITerraformDependable[]) =>
      new DataKubernetesSecretV1(this, readId, {
        provider: props.provider,
        metadata: { name, namespace: props.namespace },
        dependsOn: ready,
      });
    this.caCertificate = Fn.lookup(read('cluster-ca-certificate', props.caSecret, props.caReady).data, 'ca.crt');
    this.password = Fn.lookup(read('mirror-source-password', props.userSecret, props.userReady).data, 'password');
  }
}

