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
 * cluster the object was applied to (and, given the cluster's identity, refuses any other). It tells "not yet" from
 * "never": kubectl errors that no retry can cure, and changes Strimzi refused, fail it at once (see WAIT_SCRIPT).
 */
import { TerraformLocal, TerraformResource, TerraformStack } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { ClusterIdentity } from './cluster-identity';
import { kubectlKubeconfig } from './kubectl';
import type { KubernetesObject } from './manifest';

/**
 * `ready`: the `Ready` condition is True for the latest generation. `rollout`: a Deployment's rollout is complete.
 * `pool`: a KafkaNodePool's latest generation is reconciled (Strimzi 1.2.0 gives pools no Ready condition).
 */
export type ReadyCondition = 'ready' | 'rollout' | 'pool';

export interface ReadyWaitProps {
  /** The provider the object was applied with: its kubeconfig file(s) and context are the ones kubectl uses. */
  readonly provider: KubernetesProvider;
  /** The object's resource: the wait runs after it is applied, and again after every change to it. */
  readonly manifest: Manifest;
  readonly object: KubernetesObject;
  readonly condition: ReadyCondition;
  /** Seconds to wait before the deploy fails. */
  readonly timeoutSeconds: number;
  /**
   * The UID of the `kube-system` namespace of the cluster the object belongs to: the wait refuses to run against
   * any other cluster (a kubeconfig whose context now points elsewhere).
   * @default - the UID its provider's stack recorded (cluster-identity.ts), if it records one; else no check
   */
  readonly clusterUid?: string;
  /**
   * Other objects whose changes this wait must see: it is replaced (so it runs again) when any of them changes.
   * A Kafka's pools: a pool change does not move the Kafka's generation, yet Strimzi reports its outcome on the Kafka.
   * @default - none
   */
  readonly alsoAfterChangesTo?: Manifest[];
  /** Waits this one runs after (a Kafka's wait after its pools'). @default - none */
  readonly after?: TerraformResource[];
}

/** Declares the wait for one object (construct id `<id>`); depend on `resource` to run after the object works. */
export class ReadyWait extends Construct {
  readonly resource: TerraformResource;

  constructor(scope: Construct, id: string, props: ReadyWaitProps) {
    super(scope, id);
    const clusterUid = props.clusterUid ?? ClusterIdentity.of(props.provider)?.recordedUid;
    const { object } = props;
    const [group] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : [''];
    // kubectl's resource name: plural, lowercase, with the API group (Strimzi's plurals are the kind + "s").
    const resource = props.condition === 'rollout' ? 'deployment' : `${object.kind.toLowerCase()}s.${group}`;
    const cluster = object.metadata.labels?.['strimzi.io/cluster'];
    if (props.condition === 'pool' && !cluster) throw new Error(`KafkaNodePool ${object.metadata.name}: a pool's wait needs its strimzi.io/cluster label (the Kafka that reports on it)`);
    this.resource = new TerraformResource(this, 'wait', {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      dependsOn: [props.manifest, ...(props.after ?? [])],
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
            ...(props.condition === 'pool' ? { WAIT_KAFKA: cluster! } : {}),
            ...(clusterUid ? { WAIT_CLUSTER_UID: clusterUid } : {}),
          },
          // One copy of the script per stack, a local every wait runs: the synthesized stack stays readable.
          command: waitScriptOf(this),
        },
      ],
    });
    // Wait again whenever the object (or one it must see) is updated or replaced: its new generation must become
    // Ready. (A plain reference: cdktf's lifecycle.replaceTriggeredBy writes "${...}", which Terraform refuses there.)
    const address = (m: Manifest) => `${m.terraformResourceType}.${m.friendlyUniqueId}`;
    this.resource.addOverride('lifecycle.replace_triggered_by', [props.manifest, ...(props.alsoAfterChangesTo ?? [])].map(address));
    this.resource.addOverride('input', { object: `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`, condition: props.condition });
  }
}

/**
 * POSIX sh (local-exec's interpreter), written without "${" (and "%{") so that Terraform reads it as it is.
 *
 * Ready: Strimzi sets `status.observedGeneration` to the generation it last reconciled, with the `Ready` condition
 * of that reconciliation; `kubectl rollout status` compares a Deployment's observedGeneration itself.
 *
 * Refused changes (Strimzi 1.2.0): a change it will not make is reverted, the reconcile goes on (Ready, generation
 * observed), and only a `Warning` condition says so. The two that mean "refused" (README, "Changing a deployed mesh"):
 * - reason `KafkaStorage` with "contains changes which are not allowed" (model/KafkaPool.fromCrd, from StorageDiff),
 *   on the KafkaNodePool (KafkaPool.generateNodePoolStatus) and on its Kafka (KafkaCluster.getWarningConditions).
 *   KafkaSpecChecker also uses reason `KafkaStorage` for a harmless advice (one broker on ephemeral storage), hence
 *   the message test.
 * - reason `ScaleDownPreventionCheck` (KafkaClusterCreator.revertScaleDown / revertRoleChange), on the Kafka only;
 *   the pool's status then keeps its old nodes (`status.replicas` differs from `spec.replicas`).
 * Every other Warning (deprecations, replication advice) is left alone. A Kafka's status is written at the end of a
 * reconcile, its pools' in the middle, and a pool change does not move the Kafka's generation: so a refusal on a Kafka
 * counts only while one of its pools shows it for that pool's current generation (else it is the last reconcile's).
 *
 * kubectl errors: a 403, a 401, an unknown resource type or context, an unreadable kubeconfig fail at once with
 * kubectl's message and what to do; anything else (connection refused, timeouts, NotFound before the object is seen,
 * 5xx, 429) is retried until the deadline. Each call is bounded by --request-timeout.
 */
export const WAIT_SCRIPT = String.raw`set -eu
what="$WAIT_RESOURCE $WAIT_NAMESPACE/$WAIT_NAME"
if [ -n "$WAIT_CONTEXT" ]; then where="context $WAIT_CONTEXT of KUBECONFIG=$KUBECONFIG"; else where="the current context of KUBECONFIG=$KUBECONFIG"; fi
deadline=$(( $(date +%s) + WAIT_TIMEOUT_SECONDS ))
REFUSED='^(ScaleDownPreventionCheck: |KafkaStorage: .*contains changes which are not allowed)'

if ! command -v kubectl >/dev/null 2>&1; then
  echo "$what: kubectl is not on PATH (the deploy runs it to wait for each object): install kubectl, then deploy again." >&2
  exit 1
fi

# kubectl with the provider's context; one request may take 20 s at most, so a hung connection is retried.
kc() {
  if [ -n "$WAIT_CONTEXT" ]; then set -- --context "$WAIT_CONTEXT" "$@"; fi
  kubectl --request-timeout=20s "$@" 2>&1
}

# kubectl failed with $1: give up at once when no retry can help; else return, to try again.
give_up_if_permanent() {
  case "$1" in
    *"(Forbidden)"*|*" is forbidden: "*) advice="the credentials of $where may not read it: grant them get on $WAIT_RESOURCE in namespace $WAIT_NAMESPACE, or use a context that may" ;;
    *"(Unauthorized)"*) advice="the credentials of $where are missing, expired or invalid: log in again (renew the kubeconfig's token or certificate)" ;;
    *"the server doesn't have a resource type"*) advice="the cluster that $where reaches has no such resource type: check it is the cluster the providers deploy to, and that the operator stack (Strimzi's CRDs) is deployed" ;;
    *"Error in configuration: "*|*"error loading config file"*|*"no configuration has been provided"*) advice="kubectl read $where: fix KUBECONFIG or the region's context in the mesh file so that kubectl reaches the cluster the providers use" ;;
    *) return 0 ;;
  esac
  echo "$what: kubectl failed, and trying again will not help: $1" >&2
  echo "What to do: $advice; then deploy again." >&2
  exit 1
}

refused() {
  echo "$what: Strimzi refused a requested change and reverted it (generation $1): $2" >&2
  echo "What to do: undo that change in the mesh file (README, \"Changing a deployed mesh\", says which changes Strimzi refuses), then deploy again." >&2
  exit 1
}

# Whether a pool of Kafka $WAIT_NAME shows a refusal for its current generation (see above).
pool_shows_refusal() {
  pools=$(kc --namespace "$WAIT_NAMESPACE" get kafkanodepools.kafka.strimzi.io -l "strimzi.io/cluster=$WAIT_NAME" -o jsonpath='{range .items[*]}{.metadata.generation};{.status.observedGeneration};{.spec.replicas};{.status.replicas};{.status.conditions[?(@.reason=="KafkaStorage")].message}{"\n"}{end}') || return 1
  printf '%s\n' "$pools" | awk -F';' '$1 != "" && $1 == $2 && ($3 != $4 || $5 ~ /contains changes which are not allowed/) { found = 1 } END { exit !found }'
}

# Each check returns 0 when the object works, 1 (with $state) when not yet; it exits when it never will.
check_ready() {
  out=$(kc --namespace "$WAIT_NAMESPACE" get "$WAIT_RESOURCE" "$WAIT_NAME" -o jsonpath='{.metadata.generation};{.status.observedGeneration};{.status.conditions[?(@.type=="Ready")].status}{"\n"}{range .status.conditions[?(@.type=="Warning")]}{.reason}: {.message}{"\n"}{end}') || { give_up_if_permanent "$out"; state=$out; return 1; }
  IFS=";" read -r generation observed ready <<EOF
$out
EOF
  refusal=$(printf '%s\n' "$out" | sed 1d | grep -E "$REFUSED" || true)
  state="generation $generation, observedGeneration $observed, Ready=$ready"
  if [ "$observed" = "$generation" ] && [ -n "$refusal" ]; then
    if [ "$WAIT_RESOURCE" != kafkas.kafka.strimzi.io ] || pool_shows_refusal; then refused "$generation" "$refusal"; fi
    state="$state; a Warning of the last reconcile, no pool shows it now: $refusal"
    return 1
  fi
  if [ "$ready" = True ] && [ "$observed" = "$generation" ]; then echo "$what: Ready (generation $generation)"; return 0; fi
  return 1
}

check_pool() {
  out=$(kc --namespace "$WAIT_NAMESPACE" get "$WAIT_RESOURCE" "$WAIT_NAME" -o jsonpath='{.metadata.generation};{.status.observedGeneration};{.spec.replicas};{.status.replicas}{"\n"}{range .status.conditions[?(@.type=="Warning")]}{.reason}: {.message}{"\n"}{end}') || { give_up_if_permanent "$out"; state=$out; return 1; }
  IFS=";" read -r generation observed wanted replicas <<EOF
$out
EOF
  state="generation $generation, observedGeneration $observed"
  if [ "$observed" != "$generation" ]; then return 1; fi
  refusal=$(printf '%s\n' "$out" | sed 1d | grep -E "$REFUSED" || true)
  if [ -n "$refusal" ]; then refused "$generation" "$refusal"; fi
  if [ "$replicas" != "$wanted" ]; then
    # Strimzi kept the pool's nodes; why is on the Kafka, once its reconcile ends.
    out=$(kc --namespace "$WAIT_NAMESPACE" get kafkas.kafka.strimzi.io "$WAIT_KAFKA" -o jsonpath='{range .status.conditions[?(@.reason=="ScaleDownPreventionCheck")]}{.reason}: {.message}{"\n"}{end}') || { give_up_if_permanent "$out"; state=$out; return 1; }
    refusal=$(printf '%s\n' "$out" | grep -F "KafkaNodePool $WAIT_NAME " || true)
    if [ -n "$refusal" ]; then refused "$generation" "$refusal"; fi
    state="$state, $replicas of $wanted replicas (waiting for Kafka $WAIT_KAFKA to say why)"
    return 1
  fi
  echo "$what: reconciled (generation $generation, $replicas replicas)"
  return 0
}

check_rollout() {
  if out=$(kc --namespace "$WAIT_NAMESPACE" rollout status "deployment/$WAIT_NAME" --watch=false); then
    case "$out" in *"successfully rolled out"*) echo "$out"; return 0 ;; esac
  else
    case "$out" in *"exceeded its progress deadline"*) echo "$what: $out: see kubectl describe, fix the cause, then deploy again." >&2; exit 1 ;; esac
    give_up_if_permanent "$out"
  fi
  state=$out
  return 1
}

# The cluster's identity first: kubectl must read the cluster the object was deployed to.
cluster_uid=$(printenv WAIT_CLUSTER_UID || true)
if [ -n "$cluster_uid" ]; then
  until uid=$(kc get namespace kube-system -o jsonpath='{.metadata.uid}'); do
    give_up_if_permanent "$uid"
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "$what: could not read the cluster's identity within $WAIT_TIMEOUT_SECONDS s: $uid" >&2; exit 1; fi
    sleep 2
  done
  if [ "$uid" != "$cluster_uid" ]; then
    echo "$what: refusing to wait on the wrong cluster: $where reaches the cluster whose kube-system namespace has UID $uid, but the object was deployed to the one with UID $cluster_uid." >&2
    echo "What to do: point KUBECONFIG and the context at that cluster, then deploy again." >&2
    exit 1
  fi
fi

state="no answer yet"
while :; do
  if "check_$WAIT_FOR"; then exit 0; fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    if [ "$WAIT_FOR" = pool ]; then goal="reconciled"; else goal="Ready"; fi
    if [ "$WAIT_FOR" = rollout ]; then
      echo "$what: not rolled out after $WAIT_TIMEOUT_SECONDS s ($state). The Deployment is kept: fix the cause, then deploy again and the deploy waits again (deploy.readyTimeoutSeconds sets how long)." >&2
    else
      conditions=$(kc --namespace "$WAIT_NAMESPACE" get "$WAIT_RESOURCE" "$WAIT_NAME" -o jsonpath='{.status.conditions}' || true)
      echo "$what: not $goal for its latest generation after $WAIT_TIMEOUT_SECONDS s ($state; conditions: $conditions). The object is kept: fix the cause, then deploy again and the deploy waits again (deploy.readyTimeoutSeconds sets how long)." >&2
    fi
    exit 1
  fi
  sleep 2
done`;

/** The stack's one local holding WAIT_SCRIPT (created with its first wait), as the expression that reads it. */
function waitScriptOf(scope: Construct): string {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(WAIT_SCRIPT_LOCAL);
  const local = existing instanceof TerraformLocal ? existing : new TerraformLocal(stack, WAIT_SCRIPT_LOCAL, WAIT_SCRIPT);
  return local.asString;
}
const WAIT_SCRIPT_LOCAL = 'ready-wait-script';
