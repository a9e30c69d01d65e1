/**
 * What Strimzi 1.2.0 writes, as pure functions: resource names, labels, conditions, the statuses of Kafka,
 * KafkaNodePool, KafkaTopic, KafkaUser and KafkaMirrorMaker2, node IDs, connector names, passwords and Kafka IDs.
 * The stand-in (strimzi-stand-in.ts) applies them to the API server; STRIMZI-STAND-IN.md cites, for each fact, the
 * Strimzi source file it comes from. Nothing here talks to the API server, so all of it can be unit-tested.
 */
import { randomInt, randomUUID, X509Certificate } from 'crypto';
import { parse as parseYaml } from 'yaml';
import { KubeObject } from './kube';

export const STRIMZI_VERSION = '1.2.0';
export const GROUP = 'kafka.strimzi.io';
export const API_VERSION = 'v1';

export const KINDS = ['Kafka', 'KafkaNodePool', 'KafkaTopic', 'KafkaUser', 'KafkaMirrorMaker2'] as const;
export type Kind = (typeof KINDS)[number];

export const PLURALS: Record<Kind, string> = {
  Kafka: 'kafkas',
  KafkaNodePool: 'kafkanodepools',
  KafkaTopic: 'kafkatopics',
  KafkaUser: 'kafkausers',
  KafkaMirrorMaker2: 'kafkamirrormaker2s',
};

export const LABEL_CLUSTER = 'strimzi.io/cluster';
export const LABEL_KIND = 'strimzi.io/kind';
export const TOPIC_FINALIZER = 'strimzi.io/topic-operator';
export const ANNO_CA_CERT_GENERATION = 'strimzi.io/ca-cert-generation';
export const ANNO_CA_KEY_GENERATION = 'strimzi.io/ca-key-generation';

/** kafka-versions.yaml of 1.2.0: the supported versions and their default KRaft metadata version. */
export const KAFKA_VERSIONS: Readonly<Record<string, string>> = {
  '4.2.0': '4.2-IV1',
  '4.2.1': '4.2-IV1',
  '4.3.0': '4.3-IV0',
  '4.3.1': '4.3-IV0',
};
export const DEFAULT_KAFKA_VERSION = '4.3.1';

/** Tells a resource's reconcile apart from Strimzi's own: the reason of every condition the stand-in injects. */
export const INJECTED_FAULT = 'InjectedFault';

export interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export type Status = Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number };
export type Obj = KubeObject & { spec?: Record<string, any>; status?: Status; data?: Record<string, string>; type?: string };

/** A reconcile that ends in a NotReady condition: `reason` is what Strimzi puts there (an exception's class name). */
export class ReconcileFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- time, conditions, status comparison

/** Java's DateTimeFormatter.ISO_INSTANT, which StatusUtils.iso8601 uses: no fraction when it is zero. */
export function iso8601(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function condition(type: string, status: string, reason?: string, message?: string): Condition {
  return { type, status, lastTransitionTime: iso8601(), ...(reason ? { reason } : {}), ...(message !== undefined ? { message } : {}) };
}

/** StatusUtils.buildWarningCondition. */
export function warning(reason: string, message: string): Condition {
  return condition('Warning', 'True', reason, message);
}

/**
 * StatusDiff: statuses are the same when only `/conditions/N/lastTransitionTime` differs. Strimzi writes a status only
 * when they differ, so a condition keeps the time it was first written.
 */
export function sameStatus(current: unknown, desired: unknown): boolean {
  return deepEqual(withoutTransitionTimes(current), withoutTransitionTimes(desired));
}

function withoutTransitionTimes(status: unknown): unknown {
  if (!status || typeof status !== 'object') return status ?? {};
  const s = status as Status;
  if (!Array.isArray(s.conditions)) return s;
  return { ...s, conditions: s.conditions.map(({ lastTransitionTime: _t, ...rest }) => rest) };
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The condition a resource's readiness is read from, and whether it says Ready. */
export function isReady(status: Status | undefined): boolean {
  return !!status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

// ---------------------------------------------------------------- Java collections, IDs, passwords

/** Java's String.hashCode (UTF-16 code units, 32-bit overflow). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The iteration order of a java.util.HashMap with these keys (inserted in this order) and this table size: by bucket
 * (the spread hash masked by the table size), then by insertion within a bucket; resizes keep that order.
 */
export function javaHashMapOrder(keys: readonly string[], capacity: number): string[] {
  return javaHashOrder([...new Set(keys)], javaStringHash, capacity);
}

/** The same for any distinct items with a Java hashCode. */
export function javaHashOrder<T>(items: readonly T[], hash: (item: T) => number, capacity: number): T[] {
  const bucket = (item: T) => {
    const h = hash(item);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return items.map((k, i) => ({ k, i, b: bucket(k) })).sort((x, y) => x.b - y.b || x.i - y.i).map((e) => e.k);
}

/** The table size a java.util.HashMap built with `new HashMap<>()` and then filled with `size` entries ends at. */
export function javaDefaultHashMapCapacity(size: number): number {
  let capacity = 16;
  while (size > capacity * 0.75) capacity *= 2;
  return capacity;
}

/**
 * Labels.toSelectorString of Labels.strimziSelectorLabels(): the selector labels (inserted cluster, name, kind, pool)
 * end in a HashMap copied by the Labels constructor, whose table has 8 slots for 3 or 4 entries.
 */
export function selectorString(labels: ReadonlyArray<readonly [string, string]>): string {
  const values = new Map(labels);
  return javaHashMapOrder(labels.map(([k]) => k), 8)
    .map((k) => `${k}=${values.get(k)}`)
    .join(',');
}

/** org.apache.kafka.common.Uuid.randomUuid().toString(): a random (v4) UUID, URL-safe base64 without padding, never starting with '-'. */
export function kafkaUuid(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LETTERS_AND_DIGITS = LETTERS + '0123456789';

/** PasswordGenerator: first character a letter (JAAS parsing), the rest letters or digits. */
export function generatePassword(length: number): string {
  let s = LETTERS[randomInt(LETTERS.length)];
  for (let i = 1; i < length; i++) s += LETTERS_AND_DIGITS[randomInt(LETTERS_AND_DIGITS.length)];
  return s;
}

/** Cluster operator's password length for CA PKCS12 stores (Main), user operator's for SCRAM passwords (UserOperatorConfig). */
export const CA_STORE_PASSWORD_LENGTH = 12;
export const SCRAM_PASSWORD_LENGTH = 32;

// ---------------------------------------------------------------- labels and owner references

const LABELS_EXCLUSION = /^(app\.kubernetes\.io\/(?!part-of).*|kustomize\.toolkit\.fluxcd\.io.*)$/;

/** Labels.fromResource: the resource's labels minus app.kubernetes.io/* (but part-of); other strimzi.io/* labels are refused. */
export function labelsFromResource(obj: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (LABELS_EXCLUSION.test(k)) continue;
    if (k.startsWith('strimzi.io/') && !k.startsWith(LABEL_CLUSTER)) {
      throw new ReconcileFailure(
        'IllegalArgumentException',
        'Labels starting with strimzi.io/ are not allowed in Custom Resources, such labels should be removed.',
      );
    }
    out[k] = v;
  }
  return out;
}

/** Util.mergeLabelsOrAnnotations with a user template: template keys win, but none may be strimzi.io/*. */
export function mergeTemplate(base: Record<string, string>, template: Record<string, string> | undefined): Record<string, string> {
  if (!template) return base;
  const banned = Object.keys(template).filter((k) => k.startsWith('strimzi.io/'));
  if (banned.length) {
    throw new ReconcileFailure('InvalidResourceException', `User provided labels or annotations includes a Strimzi annotation: [${banned.join(', ')}]`);
  }
  return { ...base, ...template };
}

/** Labels.withKubernetesInstance / withKubernetesPartOf: at most 63 characters, no trailing '.', '-' or '_'. */
function labelValue(s: string): string {
  return s.slice(0, 63).replace(/[._-]+$/, '');
}

/** Labels.generateDefaultLabels. */
export function defaultLabels(owner: Obj, strimziName: string, componentType: string): Record<string, string> {
  const name = owner.metadata.name;
  return {
    ...labelsFromResource(owner),
    [LABEL_KIND]: owner.kind,
    'strimzi.io/name': strimziName,
    [LABEL_CLUSTER]: name,
    'strimzi.io/component-type': componentType,
    'app.kubernetes.io/name': componentType,
    'app.kubernetes.io/instance': labelValue(name),
    'app.kubernetes.io/part-of': labelValue(`strimzi-${name}`),
    'app.kubernetes.io/managed-by': 'strimzi-cluster-operator',
  };
}

/** The owner reference Strimzi puts on what it creates for a custom resource: blocks deletion, not a controller. */
export function ownerReference(owner: Obj) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid!,
    blockOwnerDeletion: true,
    controller: false,
  };
}

// ---------------------------------------------------------------- Kafka: CAs

export type CaRole = 'cluster' | 'clients';

/** KafkaResources: `<cluster>-cluster-ca-cert` / `<cluster>-cluster-ca`, `<cluster>-clients-ca-cert` / `<cluster>-clients-ca`. */
export function caSecretNames(cluster: string, role: CaRole): { cert: string; key: string } {
  return { cert: `${cluster}-${role}-ca-cert`, key: `${cluster}-${role}-ca` };
}

/** Ca.CaRole.caCommonName plus the key generation (InternalCa.nextCaSubject), organisation io.strimzi. */
export function caSubject(role: CaRole, keyGeneration: number): string {
  return `/O=io.strimzi/CN=${role}-ca v${keyGeneration}`;
}

export interface CaConfig {
  generate: boolean;
  ownerReference: boolean;
  validityDays: number;
}

/** CaConfig: spec.clusterCa / spec.clientsCa with CertificateAuthority's defaults (365 days). */
export function caConfig(kafka: Obj, role: CaRole): CaConfig {
  const ca = (role === 'cluster' ? kafka.spec?.clusterCa : kafka.spec?.clientsCa) ?? {};
  return {
    generate: ca.generateCertificateAuthority !== false,
    ownerReference: ca.generateSecretOwnerReference !== false,
    validityDays: ca.validityDays > 0 ? ca.validityDays : 365,
  };
}

/** The CA certificate Secret's and key Secret's metadata (CaProvider.createCaCertSecret / createCaSecret). */
export function caSecretMetadata(kafka: Obj, role: CaRole, which: 'cert' | 'key', generation: number) {
  const base = defaultLabels(kafka, 'strimzi', 'certificate-authority');
  const template = kafka.spec?.kafka?.template?.clusterCaCert?.metadata;
  const forClusterCert = role === 'cluster' && which === 'cert';
  const annotation = which === 'cert' ? ANNO_CA_CERT_GENERATION : ANNO_CA_KEY_GENERATION;
  return {
    name: caSecretNames(kafka.metadata.name, role)[which],
    namespace: kafka.metadata.namespace!,
    labels: forClusterCert ? mergeTemplate(base, template?.labels) : base,
    annotations: forClusterCert
      ? mergeTemplate({ [annotation]: String(generation) }, template?.annotations)
      : { [annotation]: String(generation) },
    ownerReferences: caConfig(kafka, role).ownerReference ? [ownerReference(kafka)] : [],
  };
}

// ---------------------------------------------------------------- Kafka: versions, node pools, listeners, warnings

export interface KafkaVersionInfo {
  version: string;
  metadataVersion: string;
}

/** KafkaVersion.Lookup.supportedVersion plus the metadata version in use (spec.kafka.metadataVersion or the default). */
export function kafkaVersion(kafka: Obj): KafkaVersionInfo {
  const requested: string | undefined = kafka.spec?.kafka?.version;
  const version = requested ?? DEFAULT_KAFKA_VERSION;
  if (!KAFKA_VERSIONS[version]) {
    throw new ReconcileFailure(
      'UnsupportedKafkaVersionException',
      `Unsupported Kafka.spec.kafka.version: ${requested}. Supported versions are: [${Object.keys(KAFKA_VERSIONS).sort().join(', ')}]`,
    );
  }
  const spec: string | undefined = kafka.spec?.kafka?.metadataVersion;
  const byMinor = Object.values(KAFKA_VERSIONS).find((m) => spec !== undefined && m.startsWith(`${spec}-`));
  return { version, metadataVersion: spec === undefined ? KAFKA_VERSIONS[version] : (byMinor ?? spec) };
}

/** NodePoolUtils.validateNodePools (the checks that need no running Kafka). */
export function validateNodePools(kafka: Obj, pools: readonly Obj[]): void {
  const replicas = (p: Obj) => Number(p.spec?.replicas ?? 0);
  if (!pools.length || !pools.some((p) => replicas(p) > 0)) {
    throw new ReconcileFailure(
      'InvalidResourceException',
      `KafkaNodePools are enabled, but KafkaNodePools for Kafka cluster ${kafka.metadata.name} either don't exist or have 0 replicas. ` +
        'Please make sure at least one KafkaNodePool resource exists, is in the same namespace as the Kafka resource, has at least one replica, and has the strimzi.io/cluster label set to the name of the Kafka resource.',
    );
  }
  const errors: string[] = [];
  let broker = false;
  let controller = false;
  for (const p of pools) {
    const roles: string[] = p.spec?.roles ?? [];
    if (!roles.length) errors.push(`KafkaNodePool ${p.metadata.name} has no role defined in .spec.roles`);
    else if (replicas(p) > 0) {
      broker ||= roles.includes('broker');
      controller ||= roles.includes('controller');
    }
  }
  if (!broker) errors.push('At least one KafkaNodePool with the broker role and at least one replica is required when KRaft mode is enabled');
  if (!controller) errors.push('At least one KafkaNodePool with the controller role and at least one replica is required when KRaft mode is enabled');
  if (errors.length) throw new ReconcileFailure('InvalidResourceException', `The Kafka cluster ${kafka.metadata.name} is invalid: [${errors.join(', ')}]`);
}

export interface PoolAssignment {
  pool: Obj;
  nodeIds: number[];
  roles: string[];
  /** The storage the reconcile uses: the spec's, or the previous one when Strimzi refused the change. @default the spec's */
  storage?: Record<string, any>;
  /** The pool's own warnings (KafkaPool.warningConditions). @default none */
  warnings?: Condition[];
}

/**
 * NodeIdAssignor: pools keep the IDs in their status; a scale-up takes the lowest unused IDs (filling gaps), a
 * scale-down drops the highest; a new pool is all scale-up. Pools are taken in the order given (the API's list order).
 * (The strimzi.io/next-node-ids and remove-node-ids annotations are not honoured.)
 */
export function assignNodeIds(pools: readonly Obj[]): PoolAssignment[] {
  const inUse = new Set<number>();
  for (const p of pools) for (const id of (p.status?.nodeIds as number[] | undefined) ?? []) inUse.add(id);
  const nextUnused = () => {
    let id = 0;
    while (inUse.has(id)) id++;
    inUse.add(id);
    return id;
  };
  return pools.map((pool) => {
    const desired = [...((pool.status?.nodeIds as number[] | undefined) ?? [])].sort((a, b) => a - b);
    const replicas = Number(pool.spec?.replicas ?? 0);
    while (desired.length > replicas) desired.pop();
    while (desired.length < replicas) desired.push(nextUnused());
    return { pool, nodeIds: desired.sort((a, b) => a - b), roles: sortedRoles(pool.spec?.roles ?? []) };
  });
}

/** ProcessRoles enum order: controller before broker. */
function sortedRoles(roles: readonly string[]): string[] {
  return ['controller', 'broker'].filter((r) => roles.includes(r));
}

// ---------------------------------------------------------------- Kafka: a pool's StrimziPodSet and PVCs

export const PODSET_API_VERSION = 'core.strimzi.io/v1';

/**
 * KafkaPool's constructor: the labels of everything made per pool — the pool's own (Labels.fromResource), the
 * cluster's selector labels (strimzi.io/name is `<cluster>-kafka` so KafkaCluster's selector still matches), the
 * component type and the pool's name.
 */
export function poolLabels(kafka: Obj, pool: Obj): Record<string, string> {
  const cluster = kafka.metadata.name;
  return {
    ...labelsFromResource(pool),
    ...kafkaSelectorLabels(cluster),
    'strimzi.io/component-type': 'kafka',
    'strimzi.io/pool-name': pool.metadata.name,
    'app.kubernetes.io/name': 'kafka',
    'app.kubernetes.io/instance': labelValue(cluster),
    'app.kubernetes.io/part-of': labelValue(`strimzi-${cluster}`),
    'app.kubernetes.io/managed-by': 'strimzi-cluster-operator',
  };
}

/**
 * KafkaCluster.generatePodSets / WorkloadUtils.createPodSet: one StrimziPodSet per pool, `<cluster>-<pool>`
 * (KafkaPool.componentName), owned by the pool (NodePoolUtils.createKafkaPools passes
 * ModelUtils.createOwnerReference(nodePool, false)), selecting by Labels.strimziSelectorLabels. The stand-in runs no
 * pods, so `pods` is empty (Strimzi puts a full Pod per node there) and its annotations are left out.
 */
export function poolPodSet(kafka: Obj, a: PoolAssignment): Obj {
  const labels = poolLabels(kafka, a.pool);
  const selector = Object.fromEntries(['strimzi.io/cluster', 'strimzi.io/name', 'strimzi.io/kind', 'strimzi.io/pool-name'].map((k) => [k, labels[k]]));
  return {
    apiVersion: PODSET_API_VERSION,
    kind: 'StrimziPodSet',
    metadata: { name: `${kafka.metadata.name}-${a.pool.metadata.name}`, namespace: kafka.metadata.namespace, labels, ownerReferences: [ownerReference(a.pool) as never] },
    spec: { selector: { matchLabels: selector }, pods: [] },
  };
}

/**
 * KafkaCluster.generatePersistentVolumeClaims / PersistentVolumeClaimUtils.createPersistentVolumeClaims: per node of
 * the pool one PVC per persistent-claim volume, `data-<pod>` (in JBOD `data-<volume id>-<pod>`, VolumeUtils.
 * createVolumePrefix), the pod being `<cluster>-<pool>-<node id>`. The owner reference (the pool's, as for the
 * PodSet) is set only with deleteClaim: true; the strimzi.io/delete-claim annotation says which. Ephemeral volumes
 * have none. `storage` is the one the reconcile uses (a refused change keeps the previous one).
 */
export function poolPvcs(kafka: Obj, a: PoolAssignment): Obj[] {
  const storage = a.storage ?? a.pool.spec?.storage;
  const volumes: { prefix: string; v: Record<string, any> }[] =
    storage?.type === 'jbod'
      ? ((storage.volumes ?? []) as Record<string, any>[]).map((v) => ({ prefix: `data-${v.id}`, v }))
      : storage ? [{ prefix: 'data', v: storage }] : [];
  const labels = poolLabels(kafka, a.pool);
  const out: Obj[] = [];
  for (const { prefix, v } of volumes.filter((x) => x.v.type === 'persistent-claim')) {
    for (const nodeId of a.nodeIds) {
      const deleteClaim = v.deleteClaim === true;
      out.push({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: `${prefix}-${kafka.metadata.name}-${a.pool.metadata.name}-${nodeId}`,
          namespace: kafka.metadata.namespace,
          labels,
          annotations: { 'strimzi.io/delete-claim': String(deleteClaim) },
          ownerReferences: deleteClaim ? [ownerReference(a.pool) as never] : [],
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: String(v.size) } },
          ...(v.class != null ? { storageClassName: v.class } : {}),
          ...(v.volumeAttributesClass != null ? { volumeAttributesClassName: v.volumeAttributesClass } : {}),
          ...(v.selector && Object.keys(v.selector).length ? { selector: { matchLabels: v.selector } } : {}),
          volumeMode: 'Filesystem',
        },
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- Kafka: changes Strimzi refuses and reverts

/** StorageDiff.IGNORABLE_PATHS: what a storage change may touch besides a larger persistent volume. */
const STORAGE_PATHS_ALLOWED = new Set(['deleteClaim', 'kraftMetadata', 'volumeAttributesClass']);

/** StorageUtils.convertToMillibytes / memoryFactor (a Kubernetes quantity; "K" is Strimzi's kilo). */
export function storageMillibytes(size: string): number {
  const factors: Record<string, number> = { '': 1e3, m: 1, K: 1e6, M: 1e9, G: 1e12, T: 1e15, P: 1e18, E: 1e21 };
  for (const [suffix, power] of [['Ki', 1], ['Mi', 2], ['Gi', 3], ['Ti', 4], ['Pi', 5], ['Ei', 6]] as const) factors[suffix] = 1024 ** power * 1e3;
  const match = /^([0-9.e+-]*?)([A-Za-z]*)$/.exec(size);
  if (!match || !(match[2] in factors)) throw new Error(`Invalid memory suffix: ${size}`);
  return Number(match[1]) * factors[match[2]];
}

/**
 * StorageDiff.issuesDetected for a pool's storage: a change other than deleteClaim, kraftMetadata,
 * volumeAttributesClass or a larger persistent-claim size is refused (type, class, a smaller size, an ephemeral
 * sizeLimit, a selector...); for JBOD the same per volume ID (volumes may be added and removed), and duplicate volume
 * IDs or more than one KRaft metadata volume are refused.
 */
export function storageChangeRefused(current: Record<string, any> | undefined, desired: Record<string, any> | undefined): boolean {
  if (current?.type === 'jbod' && desired?.type === 'jbod') {
    const volumes: Record<string, any>[] = desired.volumes ?? [];
    const ids = volumes.map((v) => v.id);
    if (new Set(ids).size !== ids.length || volumes.filter((v) => v.kraftMetadata !== undefined).length > 1) return true;
    const byId = (list: Record<string, any>[] | undefined, id: unknown) => (list ?? []).find((v) => v.id === id);
    const all = new Set([...(current.volumes ?? []), ...volumes].map((v) => v.id));
    // A volume only on one side diffs against nothing, which StorageDiff ignores (its whole-document path).
    return [...all].some((id) => byId(current.volumes, id) && byId(volumes, id) && storageChangeRefused(byId(current.volumes, id), byId(volumes, id)));
  }
  if (!current || !desired) return false;
  const keys = new Set([...Object.keys(current), ...Object.keys(desired)]);
  for (const key of keys) {
    if (STORAGE_PATHS_ALLOWED.has(key) || deepEqual(current[key], desired[key])) continue;
    const persistent = current.type === 'persistent-claim' && desired.type === 'persistent-claim';
    if (key === 'size' && persistent && storageMillibytes(String(desired.size)) >= storageMillibytes(String(current.size))) continue;
    return true;
  }
  return false;
}

/** KafkaPool.fromCrd's warning when the storage change is refused (the previous storage is kept). */
export function storageRefusedWarning(pool: Obj): Condition {
  return warning(
    'KafkaStorage',
    `The desired Kafka storage configuration in the KafkaNodePool resource ${pool.metadata.namespace}/${pool.metadata.name} contains changes which are not allowed. As a ` +
      'result, all storage changes will be ignored. Use DEBUG level logging for more information about the detected changes.',
  );
}

/** ResourceAnnotations.ANNO_STRIMZI_IO_SKIP_BROKER_SCALEDOWN_CHECK. */
export const SKIP_SCALEDOWN_CHECK = 'strimzi.io/skip-broker-scaledown-check';

/**
 * KafkaClusterCreator.prepareKafkaCluster / brokerRemovalCheck / revertScaleDown: when a node being removed is a
 * broker that holds partition replicas (and the Kafka does not skip the check), every broker pool whose spec asks for
 * fewer replicas than its status has nodes is reverted to that many, with one warning each. Undefined: no revert.
 */
export function revertedScaleDown(kafka: Obj, pools: readonly Obj[], brokerInUse: (nodeId: number) => boolean): { pools: Obj[]; warnings: Condition[] } | undefined {
  if (kafka.metadata.annotations?.[SKIP_SCALEDOWN_CHECK] === 'true') return undefined;
  const removed = assignNodeIds(pools).flatMap((a) => ((a.pool.status?.nodeIds as number[] | undefined) ?? []).filter((id) => !a.nodeIds.includes(id)).map((id) => ({ id, pool: a.pool })));
  const brokerWasRemoved = removed.some(({ id, pool }) => ((pool.status?.roles as string[] | undefined) ?? []).includes('broker') && brokerInUse(id));
  if (!brokerWasRemoved) return undefined;
  const warnings: Condition[] = [];
  const reverted = pools.map((pool) => {
    const nodeIds = pool.status?.nodeIds as number[] | undefined;
    if (!((pool.status?.roles as string[] | undefined) ?? []).includes('broker') || !nodeIds || Number(pool.spec?.replicas ?? 0) >= nodeIds.length) return pool;
    warnings.push(warning('ScaleDownPreventionCheck', `Reverting scale-down of KafkaNodePool ${pool.metadata.name} by changing number of replicas to ${nodeIds.length}`));
    return { ...pool, spec: { ...pool.spec, replicas: nodeIds.length } };
  });
  return { pools: reverted, warnings };
}

/** KafkaPool.generateNodePoolStatus plus the observed generation KafkaReconciler.updateNodePoolStatuses adds. */
export function nodePoolStatus(kafka: Obj, a: PoolAssignment, clusterId: string): Status {
  const name = kafka.metadata.name;
  return {
    conditions: a.warnings ?? [],
    observedGeneration: a.pool.metadata.generation,
    nodeIds: a.nodeIds,
    clusterId,
    roles: a.roles,
    replicas: a.nodeIds.length,
    labelSelector: selectorString([
      [LABEL_CLUSTER, name],
      ['strimzi.io/name', `${name}-kafka`],
      [LABEL_KIND, 'Kafka'],
      ['strimzi.io/pool-name', a.pool.metadata.name],
    ]),
  };
}

/** NodePoolUtils.getOrGenerateKRaftClusterId: the Kafka's status, else any pool's status, else a new one (a Kafka Uuid). */
export function clusterIdOf(kafka: Obj, pools: readonly Obj[], generate: () => string = kafkaUuid): string {
  const fromStatus = (kafka.status?.clusterId as string | undefined) ?? pools.map((p) => p.status?.clusterId as string | undefined).find((id) => id);
  return fromStatus ?? generate();
}

// ---------------------------------------------------------------- Kafka: listeners

/** The listener types the stand-in emulates (route and tlsroute need OpenShift / Gateway API objects; it has none). */
const SUPPORTED_LISTENER_TYPES = ['internal', 'cluster-ip', 'loadbalancer', 'nodeport', 'ingress'];
/** Types whose addresses come from objects outside the operator (a load balancer, a node port, an ingress controller). */
export const EXTERNAL_LISTENER_TYPES = ['loadbalancer', 'nodeport', 'ingress'] as const;
export type ExternalListenerType = (typeof EXTERNAL_LISTENER_TYPES)[number];

/** KafkaCluster.INGRESS_PORT: an ingress listener is reached on 443 (TLS passthrough). */
export const INGRESS_PORT = 443;

export type Listener = Record<string, any> & { name: string; port: number; type: string; tls?: boolean; configuration?: Record<string, any> };

export function kafkaListeners(kafka: Obj): Listener[] {
  return kafka.spec?.kafka?.listeners ?? [];
}

export function isExternal(l: Listener): l is Listener & { type: ExternalListenerType } {
  return (EXTERNAL_LISTENER_TYPES as readonly string[]).includes(l.type);
}

/** ListenersUtils.backwardsCompatibleBootstrapServiceName. */
export function bootstrapServiceName(cluster: string, l: Listener): string {
  return l.type === 'internal' ? `${cluster}-kafka-bootstrap` : `${cluster}-kafka-${l.name}-bootstrap`;
}

/** ListenersUtils.backwardsCompatibleBootstrapRouteOrIngressName: listener `external` on 9094 keeps the old name. */
export function bootstrapIngressName(cluster: string, l: Listener): string {
  return l.port === 9094 && l.name === 'external' ? `${cluster}-kafka-bootstrap` : `${cluster}-kafka-${l.name}-bootstrap`;
}

/** ListenersUtils.backwardsCompatiblePerBrokerServiceName (base: the pool's component name `<cluster>-<pool>`); also the per-broker Ingress's name. */
export function perBrokerName(poolComponent: string, nodeId: number, l: Listener): string {
  return l.port === 9094 && l.name === 'external' ? `${poolComponent}-${nodeId}` : `${poolComponent}-${l.name}-${nodeId}`;
}

/** ListenersUtils.backwardsCompatiblePortName. */
export function listenerPortName(l: Listener): string {
  if (l.type === 'internal' && l.port === 9092 && l.name === 'plain') return 'tcp-clients';
  if (l.type === 'internal' && l.port === 9093 && l.name === 'tls') return 'tcp-clientstls';
  if (l.port === 9094 && l.name === 'external') return 'tcp-external';
  return `tcp-${l.name}`;
}

/** A broker node: its ID, pod name `<cluster>-<pool>-<id>` (KafkaPool.nodeRef) and pool. */
export interface BrokerNode {
  nodeId: number;
  podName: string;
  pool: Obj;
}

/** The broker nodes of the cluster, pool by pool (KafkaCluster.brokerNodes). */
export function brokerNodes(kafka: Obj, assignments: readonly PoolAssignment[]): BrokerNode[] {
  return assignments
    .filter((a) => a.roles.includes('broker'))
    .flatMap((a) => a.nodeIds.map((nodeId) => ({ nodeId, podName: `${kafka.metadata.name}-${a.pool.metadata.name}-${nodeId}`, pool: a.pool })));
}

/** ModelUtils.renderTemplate: `{nodeId}` and `{nodePodName}`. */
function renderTemplate(template: string, node: BrokerNode): string {
  return template.split('{nodeId}').join(String(node.nodeId)).split('{nodePodName}').join(node.podName);
}

/** ListenersUtils.brokerAdvertisedHost: `brokers[].advertisedHost` of the node, else `advertisedHostTemplate`. */
export function brokerAdvertisedHost(l: Listener, node: BrokerNode): string | undefined {
  const c = l.configuration;
  if (!c) return undefined;
  const own = (c.brokers ?? []).find((b: Record<string, any>) => b?.broker === node.nodeId && b.advertisedHost != null)?.advertisedHost;
  return own ?? (c.advertisedHostTemplate != null ? renderTemplate(c.advertisedHostTemplate, node) : undefined);
}

/** ListenersUtils.brokerHost: `brokers[].host` of the node, else `hostTemplate` (ingress hosts). */
export function brokerHost(l: Listener, node: BrokerNode): string | undefined {
  const c = l.configuration;
  if (!c) return undefined;
  const own = (c.brokers ?? []).find((b: Record<string, any>) => b?.broker === node.nodeId && b.host != null)?.host;
  return own ?? (c.hostTemplate != null ? renderTemplate(c.hostTemplate, node) : undefined);
}

/** ListenersUtils.skipCreateBootstrapService: a loadbalancer listener with `createBootstrapService: false`. */
export function skipsBootstrapService(l: Listener): boolean {
  return l.type === 'loadbalancer' && l.configuration?.createBootstrapService === false;
}

/** ListenersUtils.serviceType. */
function serviceType(l: Listener): string {
  return l.type === 'nodeport' ? 'NodePort' : l.type === 'loadbalancer' ? 'LoadBalancer' : 'ClusterIP';
}

/** A Service or Ingress the cluster operator makes for an external listener, as the stand-in writes it. */
export interface DesiredObject {
  kind: 'Service' | 'Ingress';
  /** The listener it belongs to. */
  listener: string;
  /** For a broker's object, its node ID; undefined for the bootstrap one. */
  nodeId?: number;
  object: Obj;
}

/** KafkaCluster's labels (`<cluster>-kafka`, component type `kafka`), by which its Services are selected (getSelectorLabels). */
export function kafkaSelectorLabels(cluster: string): Record<string, string> {
  return { [LABEL_CLUSTER]: cluster, 'strimzi.io/name': `${cluster}-kafka`, [LABEL_KIND]: 'Kafka' };
}

/**
 * The Services and Ingresses of the external listeners (loadbalancer, nodeport, ingress): per listener a bootstrap
 * Service (type LoadBalancer, NodePort or ClusterIP) and one per broker (KafkaCluster.generateExternalBootstrapServices,
 * generatePerPodServices, ServiceUtils.createService); for ingress listeners also a bootstrap Ingress and one per
 * broker, TLS passthrough to those Services (generateExternalBootstrapIngresses, generateExternalIngresses). Labels are
 * the selector labels plus the component's; bootstrap objects are owned by the Kafka, per-broker ones by their pool.
 * Left out: templates, per-listener labels and annotations, externalIPs, ipFamilies.
 */
export function externalListenerObjects(kafka: Obj, assignments: readonly PoolAssignment[]): DesiredObject[] {
  const cluster = kafka.metadata.name;
  const ns = kafka.metadata.namespace!;
  const out: DesiredObject[] = [];
  const clusterLabels = { ...labelsFromResource(kafka), ...kafkaSelectorLabels(cluster), 'strimzi.io/component-type': 'kafka', 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': cluster, 'app.kubernetes.io/part-of': `strimzi-${cluster}`, 'app.kubernetes.io/managed-by': 'strimzi-cluster-operator' };
  const owner = ownerReference(kafka);
  const service = (name: string, labels: Record<string, string>, ownerRef: unknown, l: Listener, nodePort: number | undefined, selector: Record<string, string>, loadBalancerIP: string | undefined): Obj => {
    const type = serviceType(l);
    const c = l.configuration ?? {};
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, labels, ownerReferences: [ownerRef as never], ...(type === 'LoadBalancer' && c.finalizers?.length ? { finalizers: c.finalizers } : {}) },
      spec: {
        type,
        selector,
        ports: [{ name: listenerPortName(l), port: l.port, targetPort: listenerPortName(l), protocol: 'TCP', ...(nodePort != null && type !== 'ClusterIP' ? { nodePort } : {}) }],
        ...(type === 'LoadBalancer' && c.class != null ? { loadBalancerClass: c.class } : {}),
        ...(type === 'LoadBalancer' && loadBalancerIP != null ? { loadBalancerIP } : {}),
        ...(type === 'LoadBalancer' && c.loadBalancerSourceRanges?.length ? { loadBalancerSourceRanges: c.loadBalancerSourceRanges } : {}),
        ...(type === 'LoadBalancer' && c.allocateLoadBalancerNodePorts != null ? { allocateLoadBalancerNodePorts: c.allocateLoadBalancerNodePorts } : {}),
        ...(type !== 'ClusterIP' ? { externalTrafficPolicy: c.externalTrafficPolicy ?? 'Cluster' } : {}),
        ...(c.publishNotReadyAddresses != null ? { publishNotReadyAddresses: c.publishNotReadyAddresses } : {}),
      },
    };
  };
  const ingress = (name: string, labels: Record<string, string>, ownerRef: unknown, l: Listener, host: string | undefined, backend: string): Obj => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: ns,
      labels,
      // KafkaCluster.generateInternalIngressAnnotations: TLS passthrough for ingress-nginx.
      annotations: { 'ingress.kubernetes.io/ssl-passthrough': 'true', 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true', 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' },
      ownerReferences: [ownerRef as never],
    },
    spec: {
      ...(l.configuration?.class != null ? { ingressClassName: l.configuration.class } : {}),
      rules: [{ ...(host != null ? { host } : {}), http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend, port: { number: l.port } } } }] } }],
      tls: [{ hosts: host != null ? [host] : [] }],
    },
  });
  const brokers = brokerNodes(kafka, assignments);
  for (const l of kafkaListeners(kafka).filter(isExternal)) {
    const c = l.configuration ?? {};
    if (!skipsBootstrapService(l)) {
      const name = bootstrapServiceName(cluster, l);
      const selector = { ...kafkaSelectorLabels(cluster), 'strimzi.io/broker-role': 'true' };
      out.push({ kind: 'Service', listener: l.name, object: service(name, clusterLabels, owner, l, c.bootstrap?.nodePort, selector, c.bootstrap?.loadBalancerIP) });
    }
    for (const node of brokers) {
      const poolComponent = `${cluster}-${node.pool.metadata.name}`;
      const name = perBrokerName(poolComponent, node.nodeId, l);
      const labels = poolLabels(kafka, node.pool);
      const selector = { ...kafkaSelectorLabels(cluster), 'strimzi.io/pool-name': node.pool.metadata.name, 'strimzi.io/pod-name': node.podName };
      const broker = (c.brokers ?? []).find((b: Record<string, any>) => b?.broker === node.nodeId) ?? {};
      out.push({ kind: 'Service', listener: l.name, nodeId: node.nodeId, object: service(name, labels, ownerReference(node.pool), l, broker.nodePort, selector, broker.loadBalancerIP) });
      if (l.type === 'ingress') out.push({ kind: 'Ingress', listener: l.name, nodeId: node.nodeId, object: ingress(name, labels, ownerReference(node.pool), l, brokerHost(l, node), name) });
    }
    if (l.type === 'ingress') {
      out.push({ kind: 'Ingress', listener: l.name, object: ingress(bootstrapIngressName(cluster, l), clusterLabels, owner, l, c.bootstrap?.host, bootstrapServiceName(cluster, l)) });
    }
  }
  return out;
}

/**
 * ServiceOperator.isIngressAddressReady / IngressOperator.isIngressAddressReady, then the address the listener
 * reconciler reads: the first `status.loadBalancer.ingress` entry's hostname, else its IP.
 */
export function loadBalancerAddress(o: Obj | undefined): string | undefined {
  const first = (o?.status as { loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] } } | undefined)?.loadBalancer?.ingress?.[0];
  return first?.hostname ?? first?.ip ?? undefined;
}

/** ServiceOperator.isNodePortReady: every port has a node port; the first one's. */
export function nodePortOf(o: Obj | undefined): number | undefined {
  const ports: { nodePort?: number }[] = (o?.spec as { ports?: { nodePort?: number }[] } | undefined)?.ports ?? [];
  return ports.length && ports.every((p) => p.nodePort != null) ? ports[0].nodePort : undefined;
}

/** NodeUtils.findAddress: the preferred type if present, else ExternalDNS, ExternalIP, InternalDNS, InternalIP, Hostname (first of each type). */
export function nodeAddress(addresses: readonly { type: string; address: string }[] | undefined, preferred?: string): string | undefined {
  if (!addresses) return undefined;
  const byType = new Map<string, string>();
  for (const a of addresses) if (!byType.has(a.type)) byType.set(a.type, a.address);
  if (preferred && byType.has(preferred)) return byType.get(preferred);
  for (const t of ['ExternalDNS', 'ExternalIP', 'InternalDNS', 'InternalIP', 'Hostname']) if (byType.has(t)) return byType.get(t);
  return undefined;
}

/** What the external listeners' objects say, per listener name: what the listener statuses are made of. */
export interface ExternalAddresses {
  /** loadbalancer: the bootstrap Service's address (or, without a bootstrap Service, each broker Service's). */
  loadBalancer?: Record<string, string[]>;
  /** nodeport: the bootstrap Service's node port, and per broker node its advertised host or its worker node's address. */
  nodePort?: Record<string, { port: number; hosts: (string | undefined)[] }>;
}

export interface ListenerAddress {
  host: string | undefined;
  port: number;
}

/** Lombok's hashCode of ListenerAddress (fields host, port, additionalProperties; prime 59, null 43). */
function listenerAddressHash(a: ListenerAddress): number {
  let h = 1;
  h = (Math.imul(h, 59) + (a.host == null ? 43 : javaStringHash(a.host))) | 0;
  h = (Math.imul(h, 59) + a.port) | 0;
  return (Math.imul(h, 59) + 43) | 0;
}

/**
 * KafkaReconciler.nodePortExternalListenerStatus: one address per broker, host = its advertised host, else its worker
 * node's address, port = the bootstrap node port; gathered in a `new HashSet<>(brokers)`, so duplicates go and the
 * order is the set's (brokers are visited in node ID order: a HashMap<Integer, ...> of small IDs).
 */
export function nodePortAddresses(port: number, hosts: readonly (string | undefined)[]): ListenerAddress[] {
  const items: ListenerAddress[] = [];
  for (const host of hosts) if (!items.some((a) => a.host === host && a.port === port)) items.push({ host, port });
  // HashSet(n): a table of tableSizeFor(n) slots (at least 1), doubled whenever the size passes 3/4 of it.
  let capacity = 1;
  while (capacity < hosts.length) capacity *= 2;
  for (let size = 1; size <= items.length; size++) if (size > capacity * 0.75) capacity *= 2;
  return javaHashOrder(items, listenerAddressHash, capacity);
}

/**
 * KafkaListenersReconciler.reconcile: one status per listener, in the order of its ...Ready steps: internal,
 * loadbalancer, nodeport, (route, tlsroute,) ingress, cluster-ip. Hosts: the bootstrap Service's DNS name (internal,
 * cluster-ip), the load balancer's address with the listener's port (loadbalancer), the node port addresses
 * (nodeport, filled in by KafkaReconciler.nodePortExternalListenerStatus), `bootstrap.host` on 443 (ingress).
 * `bootstrapServers` as ListenerStatus.setAddresses makes it (distinct `host:port`, sorted, comma-separated); the
 * certificates the cluster CA (TLS listeners only; addCertificatesToListenerStatuses).
 */
export function listenerStatuses(kafka: Obj, clusterCaPem: string, external: ExternalAddresses = {}): Record<string, unknown>[] {
  const listeners = kafkaListeners(kafka);
  checkListenerTypes(kafka);
  const ns = kafka.metadata.namespace!;
  const cluster = kafka.metadata.name;
  const byType = (type: string) => listeners.filter((l) => l.type === type);
  const status = (l: Listener, addresses: ListenerAddress[]) => {
    const servers = [...new Set(addresses.map((a) => `${a.host}:${a.port}`))].sort(javaCompare);
    return {
      name: l.name,
      ...(addresses.length ? { addresses: addresses.map((a) => (a.host == null ? { port: a.port } : { host: a.host, port: a.port })) } : {}),
      ...(addresses.length ? { bootstrapServers: servers.join(',') } : {}),
      ...(l.tls ? { certificates: [clusterCaPem] } : {}),
    };
  };
  const serviceHost = (l: Listener) => {
    const service = bootstrapServiceName(cluster, l);
    return l.configuration?.useServiceDnsDomain ? `${service}.${ns}.svc.cluster.local` : `${service}.${ns}.svc`;
  };
  const needed = <T>(value: T | undefined, l: Listener): T => {
    if (value === undefined) throw new Error(`listener ${l.name} (${l.type}): its addresses were not gathered`);
    return value;
  };
  return [
    ...byType('internal').map((l) => status(l, [{ host: serviceHost(l), port: l.port }])),
    ...byType('loadbalancer').map((l) => status(l, needed(external.loadBalancer?.[l.name], l).map((host) => ({ host, port: l.port })))),
    ...byType('nodeport').map((l) => {
      const np = needed(external.nodePort?.[l.name], l);
      return status(l, nodePortAddresses(np.port, np.hosts));
    }),
    ...byType('ingress').map((l) => status(l, [{ host: l.configuration?.bootstrap?.host, port: INGRESS_PORT }])),
    ...byType('cluster-ip').map((l) => status(l, [{ host: serviceHost(l), port: l.port }])),
  ];
}

/** Refuses listener types the stand-in cannot emulate (route, tlsroute), with reason StandInUnsupported. */
export function checkListenerTypes(kafka: Obj): void {
  const unsupported = kafkaListeners(kafka).filter((l) => !SUPPORTED_LISTENER_TYPES.includes(l.type));
  if (unsupported.length) {
    throw new ReconcileFailure(
      'StandInUnsupported',
      `The Strimzi stand-in cannot emulate listeners of type ${[...new Set(unsupported.map((l) => l.type))].join(', ')} (they need OpenShift Routes or Gateway API TLSRoutes)`,
    );
  }
}

/** Java's String.compareTo (UTF-16 code units), as `sorted()` on strings uses. */
function javaCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function usesEphemeral(storage: Record<string, any> | undefined): boolean {
  if (!storage) return false;
  if (storage.type === 'ephemeral') return true;
  return storage.type === 'jbod' && (storage.volumes ?? []).some((v: Record<string, any>) => v.type === 'ephemeral');
}

/** KafkaSpecChecker.run: the warnings that depend on the spec alone, in its order. */
export function kafkaWarnings(kafka: Obj, assignments: readonly PoolAssignment[], version: KafkaVersionInfo): Condition[] {
  const config: Record<string, unknown> = kafka.spec?.kafka?.config ?? {};
  const nodes = (role: string) => assignments.filter((a) => a.roles.includes(role)).flatMap((a) => a.nodeIds.map(() => ({ spec: { storage: a.storage ?? a.pool.spec?.storage } })));
  const brokers = nodes('broker');
  const controllers = nodes('controller');
  const out: Condition[] = [];
  const unreliable = 'It defaults to 1 which does not guarantee reliability and availability. You should configure this option in .spec.kafka.config.';
  if (config['default.replication.factor'] === undefined && brokers.length > 1) {
    out.push(warning('KafkaDefaultReplicationFactor', `default.replication.factor option is not configured. ${unreliable}`));
  }
  if (config['min.insync.replicas'] === undefined && brokers.length > 1) {
    out.push(warning('KafkaMinInsyncReplicas', `min.insync.replicas option is not configured. ${unreliable}`));
  }
  if (brokers.length === 1 && usesEphemeral(brokers[0].spec?.storage)) {
    out.push(warning('KafkaStorage', 'A Kafka cluster with a single broker node and ephemeral storage will lose topic messages after any restart or rolling update.'));
  }
  if (controllers.length === 1 && usesEphemeral(controllers[0].spec?.storage)) {
    out.push(warning('KafkaStorage', 'A Kafka cluster with a single controller node and ephemeral storage will lose data after any restart or rolling update.'));
  }
  if (controllers.length === 2) {
    out.push(
      warning(
        'KafkaKRaftControllerNodeCount',
        'Running KRaft controller quorum with two nodes is not advisable as both nodes will be needed to avoid downtime. It is recommended that a minimum of three nodes are used.',
      ),
    );
  } else if (controllers.length % 2 === 0) {
    out.push(warning('KafkaKRaftControllerNodeCount', 'Running KRaft controller quorum with an odd number of nodes is recommended.'));
  }
  const minor = /^(\d+\.\d+).*/.exec(version.metadataVersion);
  if (minor && !version.version.startsWith(minor[1])) {
    out.push(warning('KafkaMetadataVersion', 'Metadata version is older than the Kafka version used by the cluster, which suggests that an upgrade is incomplete.'));
  }
  if (config['inter.broker.protocol.version'] !== undefined) {
    out.push(
      warning('KafkaInterBrokerProtocolVersionInKRaft', 'inter.broker.protocol.version is not used in KRaft-based Kafka clusters and should be removed from the Kafka custom resource.'),
    );
  }
  if (config['log.message.format.version'] !== undefined) {
    out.push(
      warning('KafkaLogMessageFormatVersionInKRaft', 'log.message.format.version is not used in KRaft-based Kafka clusters and should be removed from the Kafka custom resource.'),
    );
  }
  if ((kafka.spec?.kafka?.listeners ?? []).some((l: Record<string, unknown>) => l.type === 'ingress')) {
    out.push(warning('DeprecatedObjects', 'ingress type listeners are deprecated.'));
  }
  return out;
}

/** KafkaClusterSecurityContext.toStatus for a cluster whose status has none yet (else the status's is kept). */
export function clusterSecurity(kafka: Obj): unknown {
  return kafka.status?.clusterSecurity ?? { authentication: { type: 'strimzi-mtls' }, encryption: { type: 'strimzi-tls' } };
}

/**
 * The fields KafkaAssemblyOperator.createOrUpdate copies from the current status into a status whose reconcile did not
 * get far enough to set them (a failed reconcile keeps what the last good one reported).
 */
export function carriedOver(kafka: Obj): Status {
  const s = kafka.status ?? {};
  const keep = ['clusterId', 'operatorLastSuccessfulVersion', 'kafkaVersion', 'kafkaMetadataVersion'] as const;
  return Object.fromEntries(keep.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
}

/** The ConfigMap a JMX Prometheus Exporter metrics configuration reads (spec.kafka.metricsConfig, spec.metricsConfig). */
export function metricsConfigMapRef(metricsConfig: Record<string, any> | undefined): { name: string; key: string } | undefined {
  const ref = metricsConfig?.type === 'jmxPrometheusExporter' ? metricsConfig.valueFrom?.configMapKeyRef : undefined;
  return ref?.name ? { name: ref.name, key: ref.key } : undefined;
}

/** JmxPrometheusExporterModel.metricsJson: the ConfigMap must exist and hold the key, as YAML. */
export function metricsConfigProblem(ref: { name: string; key: string }, configMap: Obj | undefined): ReconcileFailure | undefined {
  const fail = (message: string) => new ReconcileFailure('InvalidConfigurationException', message);
  if (!configMap) return fail(`ConfigMap ${ref.name} does not exist`);
  const data = (configMap.data ?? {})[ref.key];
  if (data === undefined) return fail(`ConfigMap ${ref.name} does not contain specified key ${ref.key}`);
  try {
    parseYaml(data);
  } catch {
    return fail('Failed to parse metrics configuration');
  }
  return undefined;
}

// ---------------------------------------------------------------- entity operator (topic and user operators)

export interface EntityOperator {
  kafka: Obj;
  watchedNamespace: string;
}

/** EntityTopicOperator / EntityUserOperator: deployed when listed in spec.entityOperator; they watch their Kafka's namespace unless told otherwise. */
export function entityOperator(kafka: Obj, which: 'topicOperator' | 'userOperator'): EntityOperator | undefined {
  const spec = kafka.spec?.entityOperator?.[which];
  if (!spec) return undefined;
  return { kafka, watchedNamespace: spec.watchedNamespace ?? kafka.metadata.namespace! };
}

/** STRIMZI_USE_FINALIZERS (default true), settable through the entity operator's topic-operator container env. */
export function topicOperatorUsesFinalizers(kafka: Obj): boolean {
  const env: { name: string; value?: string }[] = kafka.spec?.entityOperator?.template?.topicOperatorContainer?.env ?? [];
  return env.find((e) => e.name === 'STRIMZI_USE_FINALIZERS')?.value !== 'false';
}

// ---------------------------------------------------------------- KafkaTopic

/** TopicOperatorUtil.topicName: spec.topicName, else the resource name. */
export function topicName(topic: Obj): string {
  return topic.spec?.topicName ?? topic.metadata.name;
}

/** TopicOperatorUtil.isManaged: unless annotated strimzi.io/managed: "false". */
export function topicManaged(topic: Obj): boolean {
  return topic.metadata.annotations?.['strimzi.io/managed'] !== 'false';
}

/** TopicOperatorException reasons: ResourceConflict, NotSupported, KafkaError, InternalError. */
export class TopicError extends Error {
  constructor(
    readonly reason: 'ResourceConflict' | 'NotSupported' | 'KafkaError' | 'InternalError' | typeof INJECTED_FAULT,
    message: string,
  ) {
    super(message);
  }
}

/** Kafka's InvalidReplicationFactorException, as Strimzi's own system tests (TopicST) expect it per Kafka version. */
export function replicationFactorError(replicas: number, brokers: number, kafkaVersionString: string): TopicError {
  const [major, minor] = kafkaVersionString.split('.').map(Number);
  const cordoned = major > 4 || (major === 4 && minor >= 3) ? ' or some brokers have all their log directories cordoned' : '';
  return new TopicError(
    'KafkaError',
    `org.apache.kafka.common.errors.InvalidReplicationFactorException: Unable to replicate the partition ${replicas} time(s): ` +
      `The target replication factor of ${replicas} cannot be reached because only ${brokers} broker(s) are registered${cordoned}.`,
  );
}

/** BatchingTopicController.updateStatusForSuccess / updateStatusForException. */
export function topicStatus(topic: Obj, outcome: { error?: TopicError; topicId?: string; name?: string }): Status {
  const managed = topicManaged(topic);
  const conditions = outcome.error
    ? [condition('Ready', 'False', outcome.error.reason, outcome.error.message)]
    : [condition(managed ? 'Ready' : 'Unmanaged', 'True')];
  const { topicName: _n, topicId: _i, conditions: _c, observedGeneration: _g, replicasChange, ...kept } = topic.status ?? {};
  return {
    // A success sets replicasChange to the batch's (none: no Cruise Control here); a failure keeps the current one.
    ...(outcome.error && replicasChange !== undefined ? { replicasChange } : {}),
    ...kept,
    conditions,
    observedGeneration: topic.metadata.generation,
    ...(managed ? { topicName: outcome.name ?? topicName(topic) } : {}),
    ...(managed && outcome.topicId ? { topicId: outcome.topicId } : {}),
  };
}

// ---------------------------------------------------------------- KafkaUser

/** KafkaUserModel.getSaslJsonConfig. */
export function scramJaasConfig(username: string, password: string): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`;
}

/** KafkaUserModel.createSecret: the user's labels plus strimzi.io/kind, the template's labels and annotations, owned by the user. */
export function userSecretMetadata(user: Obj, secretName: string) {
  const template = user.spec?.template?.secret?.metadata;
  return {
    name: secretName,
    namespace: user.metadata.namespace!,
    labels: mergeTemplate({ ...labelsFromResource(user), [LABEL_KIND]: 'KafkaUser' }, template?.labels),
    annotations: mergeTemplate({}, template?.annotations),
    ownerReferences: [ownerReference(user)],
  };
}

// ---------------------------------------------------------------- KafkaMirrorMaker2

/** KafkaMirrorMaker2Resources: component, API service and its URL on the REST port 8083. */
export function mirrorMakerNames(name: string, namespace: string) {
  const component = `${name}-mirrormaker2`;
  return {
    component,
    url: `http://${name}-mirrormaker2-api.${namespace}.svc:8083`,
    labelSelector: selectorString([
      [LABEL_CLUSTER, name],
      ['strimzi.io/name', component],
      [LABEL_KIND, 'KafkaMirrorMaker2'],
    ]),
  };
}

interface CertSource {
  secretName: string;
  certificate?: string;
  pattern?: string;
}

interface ClusterSpec {
  alias: string;
  tls?: { trustedCertificates?: CertSource[] };
  authentication?: { type: string; passwordSecret?: { secretName: string; password: string } };
}

/** The target, then each mirror's source (KafkaMirrorMaker2Cluster.clusters). */
function mirrorMakerClusters(mm2: Obj): ClusterSpec[] {
  return [mm2.spec?.target, ...(mm2.spec?.mirrors ?? []).map((m: Record<string, any>) => m.source)].filter(Boolean);
}

/**
 * The first problem KafkaMirrorMaker2AssemblyOperator finds with the Secrets it reads, or undefined: the trusted
 * certificates first (per key of a HashMap: `ca.crt` for the target's, `<alias>-ca.crt` per cluster; the first failed
 * source in its list), then each cluster's SCRAM/plain password (target first). Messages from ReconcilerUtils.
 */
export function mirrorMakerSecretProblem(mm2: Obj, secret: (name: string) => Obj | undefined): ReconcileFailure | undefined {
  const ns = mm2.metadata.namespace!;
  const clusters = mirrorMakerClusters(mm2);
  const trusted = new Map<string, CertSource[] | undefined>();
  const target = clusters[0];
  if (target?.tls?.trustedCertificates) trusted.set('ca.crt', target.tls.trustedCertificates);
  for (const c of clusters) if (c.tls?.trustedCertificates) trusted.set(`${c.alias}-ca.crt`, c.tls.trustedCertificates);
  for (const key of javaHashMapOrder([...trusted.keys()], javaDefaultHashMapCapacity(trusted.size))) {
    for (const source of trusted.get(key) ?? []) {
      const problem = certificateProblem(ns, source, secret(source.secretName));
      if (problem) return problem;
    }
  }
  for (const c of clusters) {
    const auth = c.authentication;
    if (!auth || !auth.passwordSecret || !['scram-sha-256', 'scram-sha-512', 'plain'].includes(auth.type)) continue;
    const problem = missingItems(ns, auth.passwordSecret.secretName, secret(auth.passwordSecret.secretName), [auth.passwordSecret.password]);
    if (problem) return problem;
  }
  return undefined;
}

/** ReconcilerUtils.validatedSecret. */
function missingItems(ns: string, name: string, s: Obj | undefined, items: readonly string[]): ReconcileFailure | undefined {
  if (!s) return new ReconcileFailure('InvalidConfigurationException', `Secret ${name} not found in namespace ${ns}`);
  const missing = items.filter((i) => !(i in (s.data ?? {})));
  return missing.length ? new ReconcileFailure('InvalidConfigurationException', `Items with key(s) [${missing.join(', ')}] are missing in Secret ${name}`) : undefined;
}

/** ReconcilerUtils.getTrustedCertificateAsync: the key (or every key matching the glob pattern) must hold an X.509 certificate. */
function certificateProblem(ns: string, source: CertSource, s: Obj | undefined): ReconcileFailure | undefined {
  const missing = missingItems(ns, source.secretName, s, source.certificate !== undefined ? [source.certificate] : []);
  if (missing) return missing;
  const keys = source.certificate !== undefined ? [source.certificate] : Object.keys(s!.data ?? {}).filter((k) => globMatch(source.pattern ?? '', k));
  for (const k of keys) {
    try {
      new X509Certificate(Buffer.from(s!.data![k], 'base64'));
    } catch {
      return new ReconcileFailure('RuntimeException', `Failed to load certificate from Secret ${source.secretName} from namespace ${ns}`);
    }
  }
  return undefined;
}

/** A glob (`*`, `?`, `[...]`, `{a,b}`) as Java's PathMatcher reads it, for one file name. */
function globMatch(glob: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',' && re.includes('(?:')) re += '|';
    else if (c === '[' || c === ']') re += c;
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(name);
}

/**
 * What KafkaMirrorMaker2AssemblyOperator puts in status.connectors: the Connect REST API's status of each connector,
 * named `<sourceAlias>-><targetAlias>.Mirror{Source,Checkpoint}Connector` (KafkaMirrorMaker2Connectors), sorted by
 * name (KafkaMirrorMaker2Status.addConnector). Tasks: tasksMax of them, spread over the pods' advertised REST
 * addresses (kafka_connect_run.sh: `<pod>.<headless service>.<namespace>.svc:8083`).
 */
export function mirrorMakerConnectors(mm2: Obj): Record<string, unknown>[] {
  const { component } = mirrorMakerNames(mm2.metadata.name, mm2.metadata.namespace!);
  const replicas = Math.max(1, Number(mm2.spec?.replicas ?? 1));
  const worker = (i: number) => `${component}-${i % replicas}.${component}.${mm2.metadata.namespace}.svc:8083`;
  const targetAlias: string = mm2.spec?.target?.alias;
  const out: Record<string, unknown>[] = [];
  for (const mirror of (mm2.spec?.mirrors ?? []) as Record<string, any>[]) {
    for (const [field, suffix] of [
      ['sourceConnector', '.MirrorSourceConnector'],
      ['checkpointConnector', '.MirrorCheckpointConnector'],
    ] as const) {
      const spec = mirror[field];
      if (!spec) continue;
      const state = spec.state === 'paused' ? 'PAUSED' : spec.state === 'stopped' ? 'STOPPED' : 'RUNNING';
      const tasks = state === 'STOPPED' ? 0 : Number(spec.tasksMax ?? 1);
      out.push({
        name: `${mirror.source?.alias}->${targetAlias}${suffix}`,
        connector: { state, worker_id: worker(0) },
        tasks: Array.from({ length: tasks }, (_, id) => ({ id, state, worker_id: worker(id) })),
        type: 'source',
      });
    }
  }
  // Java's String.compareTo, like JavaScript's < and >, compares UTF-16 code units.
  return out.sort((a, b) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0));
}

/** KafkaMirrorMaker2AssemblyOperator.createOrUpdate's status: conditions, observed generation, url, connectors, replicas, selector. */
export function mirrorMakerStatus(mm2: Obj, failure: ReconcileFailure | undefined): Status {
  const replicas = Number(mm2.spec?.replicas ?? 0);
  const names = mirrorMakerNames(mm2.metadata.name, mm2.metadata.namespace!);
  const connectors = !failure && replicas > 0 ? mirrorMakerConnectors(mm2) : [];
  return {
    conditions: [failure ? condition('NotReady', 'True', failure.reason, failure.message) : condition('Ready', 'True')],
    observedGeneration: mm2.metadata.generation,
    ...(replicas > 0 ? { url: names.url } : {}),
    ...(connectors.length ? { connectors } : {}),
    labelSelector: names.labelSelector,
    replicas,
  };
}

/** StatusUtils.setStatusConditionAndObservedGeneration: one condition, Ready or NotReady with the failure. */
export function simpleStatus(obj: Obj, failure: ReconcileFailure | undefined, extra: Status = {}): Status {
  return {
    conditions: [failure ? condition('NotReady', 'True', failure.reason, failure.message) : condition('Ready', 'True')],
    observedGeneration: obj.metadata.generation,
    ...extra,
  };
}

/** Secret names referenced by a KafkaMirrorMaker2 (to re-check it when one of them changes). */
export function mirrorMakerSecretNames(mm2: Obj): Set<string> {
  const names = new Set<string>();
  for (const c of mirrorMakerClusters(mm2)) {
    for (const s of c.tls?.trustedCertificates ?? []) names.add(s.secretName);
    if (c.authentication?.passwordSecret) names.add(c.authentication.passwordSecret.secretName);
  }
  return names;
}
