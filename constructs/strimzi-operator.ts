/**
 * The Strimzi cluster operator, from its Helm chart, watching the region namespaces of one Kubernetes cluster.
 * There is one per Kubernetes cluster: its CRDs and cluster roles are cluster-wide.
 *
 * The CRDs are applied by the stack, not by Helm: Helm installs a chart's CRDs once and never upgrades them, so a
 * new `version` would run the new operator against the old schemas. The stack reads the chart's CRDs (the Helm
 * provider's `helm_template`) and applies them with kubectl whenever they differ from what it applied last, before
 * the release is installed or upgraded.
 */
import { Fn, TerraformResource } from 'cdktf';
import { DataHelmTemplate } from '@cdktf/provider-helm/lib/data-helm-template';
import { Release } from '@cdktf/provider-helm/lib/release';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { ClusterIdentity } from './cluster-identity';
import { kubectlKubeconfig } from './kubectl';

export interface StrimziOperatorProps {
  readonly kubernetesProvider: KubernetesProvider;
  readonly helmProvider: HelmProvider;
  /** Namespace the operator runs in; the construct creates it. */
  readonly namespace: string;
  /** Namespaces the operator watches (the regions'); the construct creates them, before the install. */
  readonly watchNamespaces: readonly string[];
  /** Chart version (= Strimzi version). */
  readonly version: string;
  /** OCI repository holding the `strimzi-kafka-operator` chart. */
  readonly repository: string;
  /**
   * Delete Strimzi's CRDs on destroy, after the operator is uninstalled. Helm installs CRDs from the chart's crds/
   * folder but never deletes them; this runs `kubectl delete crd -l app=strimzi` instead, only in the cluster the
   * stack deployed to (see `crdCleanup`).
   * @default true
   */
  readonly deleteCrdsOnDestroy?: boolean;
  /** The kubeconfig file(s) the providers read, for that kubectl call. @default ['~/.kube/config'] */
  readonly kubeconfigPaths?: readonly string[];
  /** The kubeconfig context the providers use. @default - the current context */
  readonly context?: string;
  /** The cluster the stack deployed to, as its provider reached it: every kubectl call checks it reaches the same. */
  readonly clusterIdentity: ClusterIdentity;
  /**
   * The mesh that owns this operator: its CRDs carry it in the label `shared-topic-mesh.io/mesh`, the deploy refuses
   * Strimzi CRDs of anyone else, and the destroy deletes only CRDs with this mesh's label.
   */
  readonly meshName: string;
}

/** The label on every object a mesh owns cluster-wide (its CRDs) or per region (its namespaces): the mesh's name. */
export const MESH_LABEL = 'shared-topic-mesh.io/mesh';

export class StrimziOperator extends Construct {
  /** The Helm release; depend on it to use the CRDs. */
  readonly release: Release;
  /** The watched namespaces, by name. */
  readonly watchedNamespaces: ReadonlyMap<string, NamespaceV1>;

  constructor(scope: Construct, id: string, props: StrimziOperatorProps) {
    super(scope, id);

    // Created first and destroyed last: once the operator and the namespaces are gone, remove the CRDs.
    const crdCleanup = props.deleteCrdsOnDestroy === false ? undefined : this.crdCleanup(props);
    const crds = this.crdApply(props, crdCleanup);

    const namespace = (id: string, name: string) =>
      new NamespaceV1(this, id, {
        provider: props.kubernetesProvider,
        metadata: { name, labels: { 'app.kubernetes.io/part-of': 'shared-topic-mesh', [MESH_LABEL]: props.meshName } },
        // After the CRD apply, which refuses another installation's Strimzi: nothing is created in the cluster first.
        dependsOn: [crds],
      });
    const operatorNamespace = namespace('namespace', props.namespace);
    this.watchedNamespaces = new Map(props.watchNamespaces.map((name) => [name, namespace(`namespace-${name}`, name)]));

    this.release = new Release(this, 'release', {
      provider: props.helmProvider,
      name: 'strimzi-cluster-operator',
      namespace: props.namespace,
      repository: props.repository,
      chart: 'strimzi-kafka-operator',
      version: props.version,
      values: [JSON.stringify({ watchNamespaces: [...props.watchNamespaces] }, null, 2)],
      // The CRDs are the stack's (crdApply): Helm would install them once and never upgrade them.
      skipCrds: true,
      // Ready means the operator's Deployment is available, so the CRDs are served before the mesh is planned.
      wait: true,
      timeout: 600,
      dependsOn: [crds, operatorNamespace, ...this.watchedNamespaces.values()],
    });
  }

  /**
   * A `terraform_data` whose destroy runs kubectl to delete Strimzi's CRDs (Terraform's built-in resource, declared
   * directly: cdktf's DataResource would run `terraform version` at every synth, and fail where only OpenTofu is).
   *
   * kubectl does not go through the provider, so it could reach another cluster than the one deployed to (another
   * current context by then, a KUBECONFIG pointing elsewhere). The resource therefore records the deployed cluster's
   * identity (the stack's record, cluster-identity.ts), and the destroy deletes only after kubectl, with the same
   * kubeconfig and context, reports that same kube-system UID.
   */
  private crdCleanup(props: StrimziOperatorProps): TerraformResource {
    const cleanup = new TerraformResource(this, 'crd-cleanup', {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      provisioners: [
        {
          type: 'local-exec',
          when: 'destroy',
          // A destroy provisioner may only use `self`: everything it needs is in the recorded input.
          environment: {
            KUBECONFIG: '${self.input.kubeconfig}',
            CRD_CLEANUP_CONTEXT: '${self.input.context}',
            CRD_CLEANUP_CLUSTER_UID: '${self.input.cluster_uid}',
            CRD_CLEANUP_MESH: '${self.input.mesh}',
          },
          command: CRD_CLEANUP_SCRIPT,
        },
      ],
    });
    cleanup.addOverride('input', {
      cluster_uid: props.clusterIdentity.recordedUid,
      mesh: props.meshName,
      kubeconfig: kubectlKubeconfig(props.kubeconfigPaths),
      context: props.context ?? '',
    });
    return cleanup;
  }

  /**
   * Applies the chart's CRDs (server-side, so that the Kafka CRD's size is no problem) whenever they change: on the
   * first deploy and after every `version` change, before the release. Each CRD travels gzip'd and base64'd in an
   * environment variable of its own (Linux caps one at 128 KiB; Kafka's CRD is 340 KiB as text). Like the cleanup,
   * kubectl must reach the cluster the provider reaches (same kube-system UID), or nothing is applied. A Strimzi CRD
   * that another installation owns (any other team's Strimzi, another mesh's) is never overwritten: the apply refuses
   * before it applies anything, and everything else the stack creates in the cluster waits for it.
   */
  private crdApply(props: StrimziOperatorProps, crdCleanup: TerraformResource | undefined): TerraformResource {
    const chart = new DataHelmTemplate(this, 'chart', {
      provider: props.helmProvider,
      name: 'strimzi-cluster-operator',
      namespace: props.namespace,
      repository: props.repository,
      chart: 'strimzi-kafka-operator',
      version: props.version,
    });
    // One variable per CRD, STRIMZI_CRD_<i> = base64(gzip(<its YAML>)), written as a Terraform expression (cdktf's
    // list iterator renders a for expression over a set, which would lose the order and the index).
    const crds = `data.helm_template.${chart.friendlyUniqueId}.crds`;
    const fixed = {
      // The same expression as kubectlKubeconfig, written as HCL: it sits inside the map expression below.
      KUBECONFIG: `join(":", [${(props.kubeconfigPaths ?? ['~/.kube/config']).map((p) => `pathexpand(${JSON.stringify(p)})`).join(', ')}])`,
      CRD_APPLY_CONTEXT: JSON.stringify(props.context ?? ''),
      CRD_APPLY_CLUSTER_UID: props.clusterIdentity.recordedUidExpression,
      STRIMZI_CRD_COUNT: `tostring(length(${crds}))`,
      STRIMZI_VERSION: JSON.stringify(props.version),
      CRD_APPLY_MESH: JSON.stringify(props.meshName),
    };
    const environment = `\${merge({ for i, crd in ${crds} : format("STRIMZI_CRD_%d", i) => base64gzip(crd) }, { ${Object.entries(fixed).map(([k, v]) => `${k} = ${v}`).join(', ')} })}`;
    const apply = new TerraformResource(this, 'crd-apply', {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      ...(crdCleanup ? { dependsOn: [crdCleanup] } : {}),
      provisioners: [
        {
          type: 'local-exec',
          // A map expression (cdktf passes strings through): Terraform evaluates it to the variables.
          environment: environment as unknown as Record<string, string>,
          command: CRD_APPLY_SCRIPT,
        },
      ],
    });
    // Replaced, so applied again, exactly when the chart's CRDs differ from the ones applied last (or the cluster).
    apply.addOverride('triggers_replace', { crds_sha256: Fn.sha256(Fn.join('\n---\n', chart.crds)), cluster_uid: props.clusterIdentity.recordedUid });
    return apply;
  }
}

/**
 * POSIX sh (local-exec's interpreter). Applies the chart's CRDs only in the cluster the provider reaches; anywhere
 * else it applies nothing and fails the deploy with what to do. Written without "${" so that Terraform reads it as
 * it is.
 */
const CRD_APPLY_SCRIPT = [
  'set -eu',
  'if [ -n "$CRD_APPLY_CONTEXT" ]; then set -- --context "$CRD_APPLY_CONTEXT"; else set --; fi',
  'uid=$(kubectl "$@" get namespace kube-system -o jsonpath="{.metadata.uid}") || { echo "Strimzi CRDs: cannot reach the cluster with KUBECONFIG=$KUBECONFIG; nothing was applied" >&2; exit 1; }',
  'if [ "$uid" != "$CRD_APPLY_CLUSTER_UID" ]; then',
  '  echo "Strimzi CRDs not applied: kubectl (KUBECONFIG=$KUBECONFIG, context $CRD_APPLY_CONTEXT) reaches the cluster whose kube-system namespace has UID $uid, but the providers reach the one with UID $CRD_APPLY_CLUSTER_UID. Point kubectl at the same cluster and deploy again." >&2',
  '  exit 1',
  'fi',
  // Whose is each Strimzi CRD already there: this mesh's (its label), applied by this project before CRDs carried the
  // label (its field manager, no label: adopted), or anyone else's (refused, nothing applied).
  `owners=$(kubectl "$@" get crd -o jsonpath='{range .items[*]}{.metadata.name}|{.metadata.labels.${MESH_LABEL.replace(/\./g, '\\.')}}|{.metadata.managedFields[*].manager}{"\\n"}{end}') || { echo "Strimzi CRDs: cannot list the cluster's CRDs; nothing was applied" >&2; exit 1; }`,
  'foreign=""',
  'while IFS="|" read -r name owner managers; do',
  '  case "$name" in *.strimzi.io) ;; *) continue ;; esac',
  '  if [ "$owner" = "$CRD_APPLY_MESH" ]; then continue; fi',
  '  if [ -z "$owner" ] && printf " %s " "$managers" | grep -q " shared-topic-mesh "; then continue; fi',
  `  foreign="$foreign $name (${MESH_LABEL}=$owner, managed by $managers);"`,
  'done <<EOF',
  '$owners',
  'EOF',
  'if [ -n "$foreign" ]; then',
  '  echo "Strimzi CRDs not applied, nothing was changed: this cluster already has Strimzi CRDs that mesh $CRD_APPLY_MESH did not install:$foreign. A cluster runs one Strimzi (its CRDs and cluster roles are cluster-wide), and this mesh installs its own: deploy it to a cluster without another Strimzi, or remove that installation first (its operator, then its CRDs) if it is no longer used." >&2',
  '  exit 1',
  'fi',
  'i=0',
  'while [ "$i" -lt "$STRIMZI_CRD_COUNT" ]; do',
  '  eval "crd=\\$STRIMZI_CRD_$i"',
  `  printf "%s" "$crd" | base64 -d | gunzip | kubectl label --local -f - "${MESH_LABEL}=$CRD_APPLY_MESH" -o yaml | kubectl "$@" apply --server-side --force-conflicts --field-manager shared-topic-mesh -f -`,
  '  i=$((i + 1))',
  'done',
  `echo "Strimzi $STRIMZI_VERSION: $STRIMZI_CRD_COUNT CRDs applied, labelled ${MESH_LABEL}=$CRD_APPLY_MESH"`,
].join('\n');

/**
 * POSIX sh (local-exec's interpreter). Deletes the CRDs only in the cluster whose kube-system UID was recorded at
 * deploy; anywhere else it leaves them and fails the destroy with what to do.
 */
const CRD_CLEANUP_SCRIPT = [
  'set -eu',
  'set --',
  'if [ -n "$CRD_CLEANUP_CONTEXT" ]; then set -- --context "$CRD_CLEANUP_CONTEXT"; fi',
  'context=$CRD_CLEANUP_CONTEXT',
  'if [ -z "$context" ]; then context=$(kubectl config current-context 2>/dev/null || echo "(none)"); fi',
  'where="context $context of KUBECONFIG=$KUBECONFIG"',
  'uid=$(kubectl "$@" get namespace kube-system -o jsonpath="{.metadata.uid}") || { echo "Strimzi CRD cleanup: cannot reach the cluster ($where); the CRDs were not deleted" >&2; exit 1; }',
  'if [ "$uid" != "$CRD_CLEANUP_CLUSTER_UID" ]; then',
  '  echo "Strimzi CRD cleanup refused: $where reaches the cluster whose kube-system namespace has UID $uid, but this stack deployed to the one with UID $CRD_CLEANUP_CLUSTER_UID. Its CRDs were left in place: point KUBECONFIG (and the context) back at that cluster and run the destroy again." >&2',
  '  exit 1',
  'fi',
  // Only the CRDs this mesh applied (its label): another installation's are never deleted.
  `kubectl "$@" delete crd -l "app=strimzi,${MESH_LABEL}=$CRD_CLEANUP_MESH" --ignore-not-found --wait`,
].join('\n');
