/**
 * The address a region's Kafka reports for its external listener, read from the source of truth: the Kafka's
 * `status.listeners` on its own cluster, through that cluster's provider, once the Kafka is Ready (Strimzi 1.2.0 sets
 * Ready only after every listener has its address: a load balancer's from the cloud, an ingress's hosts). Regions on
 * other clusters mirror from this address; no address is guessed.
 *
 * It is read again on every plan: if the load balancer's address changes, the next deploy points the mirrors at it.
 */
import { ITerraformDependable, Lazy } from 'cdktf';
import { DataKubernetesResource } from '@cdktf/provider-kubernetes/lib/data-kubernetes-resource';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';

export interface ExternalAddressProps {
  /** The provider of the Kafka's own cluster. */
  readonly provider: KubernetesProvider;
  /** The `Kafka` resource's name and namespace. */
  readonly cluster: string;
  readonly namespace: string;
  /** The listener's name in `spec.kafka.listeners`. */
  readonly listener: string;
  /**
   * The kubeconfig context of the Kafka's cluster, for the message of a failed read.
   * @default - the current context
   */
  readonly context?: string;
  /** The wait for the Kafka to be Ready: the read happens after it, at apply time. */
  readonly ready: readonly ITerraformDependable[];
}

export class ExternalAddress extends Construct {
  /** `host:port[,host:port]`: the listener's bootstrapServers, as a Terraform expression. */
  readonly bootstrapServers: string;

  constructor(scope: Construct, id: string, props: ExternalAddressProps) {
    super(scope, id);
    const kafka = new DataKubernetesResource(this, 'kafka', {
      provider: props.provider,
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'Kafka',
      metadata: { name: props.cluster, namespace: props.namespace },
      dependsOn: [...props.ready],
    });
    const listener = JSON.stringify(props.listener);
    const addresses = (object: string) =>
      `[for listener in try(${object}.status.listeners, []) : listener.bootstrapServers if listener.name == ${listener} && try(listener.bootstrapServers, "") != ""]`;
    // A Kafka without the address (a listener that never got one) fails the deploy here, naming the Kafka.
    kafka.addOverride('lifecycle.postcondition', [
      {
        condition: `\${length(${addresses('self.object')}) == 1}`,
        error_message: `Kafka ${props.namespace}/${props.cluster} reports no address for its listener ${listener} (status.listeners): regions on other clusters cannot reach it. See "kubectl${props.context ? ` --context ${props.context}` : ''} -n ${props.namespace} get kafka ${props.cluster} -o yaml" and the listener's Services or Ingresses.`,
      },
    ]);
    // A Terraform expression, as a token: manifests escape literal "${" (constructs/manifest.ts), never tokens.
    const expression = `\${one(${addresses(`data.kubernetes_resource.${kafka.friendlyUniqueId}.object`)})}`;
    this.bootstrapServers = Lazy.stringValue({ produce: () => expression });
  }
}
