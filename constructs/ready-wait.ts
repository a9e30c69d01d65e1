/**
 * The deploy's wait for an object to work: a Strimzi resource Ready for its latest generation, or a Deployment
 * rolled out. It is a resource of its own, beside the object, and what needs the object depends on it.
 *
 * Why not the provider's own `wait` (hashicorp/kubernetes 2.38.0, `kubernetes_manifest`):
 * - a wait that times out on create fails the object itself, Terraform taints it, and the next deploy deletes and
 *   recreates it: a slow first start of a Kafka cluster would cost the cluster. Here only the wait fails; the next
 *   deploy replaces the tainted wait, which waits again for the same object.
 * - its condition wait ignores `observedGeneration` (manifest/provider/waiter.go), so after an update the previous
 *   generation's `Ready=True` passes at once. Here Ready counts only once `status.observedGeneration` equals
 *   `metadata.generation`, and the wait is replaced whenever its object changes, so it runs after every update.
 * - a rollout wait re-reads the Deployment after the rollout, when the controller has raised its
 *   `deployment.kubernetes.io/revision` annotation, and Terraform rejects the apply as inconsistent.
 *
 * The wait runs kubectl, with the kubeconfig file(s) and context of the object's provider, so it reads the same
 * cluster the object was applied to.
 */
import { TerraformResource } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { kubectlKubeconfig } from './kubectl';
import type { KubernetesObject } from './manifest';

export type ReadyCondition = 'ready' | 'rollout';

export interface ReadyWaitProps {
  /** The provider the object was applied with: its kubeconfig file(s) and context are the ones kubectl uses. */
  readonly provider: KubernetesProvider;
  /** The object's resource: the wait runs after it is applied, and again after every change to it. */
  readonly manifest: Manifest;
  readonly object: KubernetesObject;
  /** `ready`: the `Ready` condition is True for the latest generation. `rollout`: a Deployment's rollout is complete. */
  readonly condition: ReadyCondition;
  /** Seconds to wait before the deploy fails. */
  readonly timeoutSeconds: number;
}

/** Declares the wait for one object (construct id `<id>`); depend on `resource` to run after the object works. */
export class ReadyWait extends Construct {
  readonly resource: TerraformResource;

  constructor(scope: Construct, id: string, props: ReadyWaitProps) {
    super(scope, id);
    const { object } = props;
    const [group] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : [''];
    // kubectl's resource name: plural, lowercase, with the API group (Strimzi's plurals are the kind + "s").
    const resource = props.condition === 'rollout' ? 'deployment' : `${object.kind.toLowerCase()}s.${group}`;
    this.resource = new TerraformResource(this, 'wait', {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      dependsOn: [props.manifest],
      provisioners: [
        {
          type: 'local-exec',
          environment: {
            KUBECONFIG: kubectlKubeconfig(props.provider.configPaths),
            WAIT_CONTEXT: props.provider.configContext ?? '',
            WAIT_FOR: props.condition,
            WAIT_RESOURCE: resource,
            WAIT_NAMESPACE: object.metadata.namespace ?? '',
            WAIT_NAME: object.metadata.name,
            WAIT_TIMEOUT_SECONDS: String(props.timeoutSeconds),
          },
          command: WAIT_SCRIPT,
        },
      ],
    });
    // Wait again whenever the object is updated or replaced: its new generation must become Ready. (A plain
    // reference: cdktf's lifecycle.replaceTriggeredBy writes "${...}", which Terraform refuses there.)
    this.resource.addOverride('lifecycle.replace_triggered_by', [`${props.manifest.terraformResourceType}.${props.manifest.friendlyUniqueId}`]);
    this.resource.addOverride('input', { object: `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`, condition: props.condition });
  }
}

/**
 * POSIX sh (local-exec's interpreter). Strimzi sets `status.observedGeneration` to the generation it last
 * reconciled, with the `Ready` condition of that reconciliation; `kubectl rollout status` already compares a
 * Deployment's observedGeneration. Written without "${" so that Terraform reads it as it is.
 */
const WAIT_SCRIPT = [
  'set -eu',
  'if [ -n "$WAIT_CONTEXT" ]; then set -- --context "$WAIT_CONTEXT"; else set --; fi',
  'what="$WAIT_RESOURCE $WAIT_NAMESPACE/$WAIT_NAME"',
  'if [ "$WAIT_FOR" = rollout ]; then',
  '  exec kubectl "$@" --namespace "$WAIT_NAMESPACE" rollout status "deployment/$WAIT_NAME" --timeout "$WAIT_TIMEOUT_SECONDS"s',
  'fi',
  'deadline=$(( $(date +%s) + WAIT_TIMEOUT_SECONDS ))',
  'while :; do',
  '  if state=$(kubectl "$@" --namespace "$WAIT_NAMESPACE" get "$WAIT_RESOURCE" "$WAIT_NAME" -o jsonpath=\'{.metadata.generation};{.status.observedGeneration};{.status.conditions[?(@.type=="Ready")].status}\' 2>&1); then',
  '    IFS=";" read -r generation observed ready <<EOF',
  '$state',
  'EOF',
  '    if [ "$ready" = True ] && [ "$observed" = "$generation" ]; then echo "$what: Ready (generation $generation)"; exit 0; fi',
  '    state="generation $generation, observedGeneration $observed, Ready=$ready"',
  '  fi',
  '  if [ "$(date +%s)" -ge "$deadline" ]; then',
  '    conditions=$(kubectl "$@" --namespace "$WAIT_NAMESPACE" get "$WAIT_RESOURCE" "$WAIT_NAME" -o jsonpath=\'{.status.conditions}\' 2>&1 || true)',
  '    echo "$what: not Ready for its latest generation after $WAIT_TIMEOUT_SECONDS s ($state; conditions: $conditions). The object is kept: fix the cause, then deploy again and the deploy waits again (deploy.readyTimeoutSeconds sets how long)." >&2',
  '    exit 1',
  '  fi',
  '  sleep 2',
  'done',
].join('\n');
