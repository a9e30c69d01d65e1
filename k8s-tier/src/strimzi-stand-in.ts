/**
 * A stand-in for Strimzi 1.2.0's operators (cluster operator, topic operator, user operator) for a Kubernetes API
 * server where no container runs: it writes, through the real API, what our stack relies on Strimzi to write — the
 * CA Secrets and statuses of Kafka clusters, the statuses of node pools, the topic operator's finalizer and topic
 * statuses, the user operator's SCRAM Secrets and user statuses, and MirrorMaker 2 statuses that check the Secrets
 * MirrorMaker 2 reads; for external listeners (loadbalancer, nodeport, ingress) the Services and Ingresses Strimzi
 * makes, waiting for their addresses (given by a load balancer / ingress controller: in the tier, the load-balancer
 * stand-in) before the Kafka is Ready; per node pool its StrimziPodSet (no pods) and PVCs, owned as Strimzi owns them,
 * so that the real garbage collector decides what a pool's deletion takes. It runs no Kafka. Each behaviour, with the
 * Strimzi source it comes from: STRIMZI-STAND-IN.md.
 *
 * Run it in-process (`new StrimziStandIn(kube, options).start()`) or as a CLI: `npx tsx k8s-tier/src/strimzi-stand-in.ts --help`.
 */
import { setMaxListeners } from 'events';
import { ApiError, crPath, Kube, KubeObject, WatchEvent } from './kube';
import { generateCa, renewCaCert, truststore } from './strimzi-ca';
import {
  API_VERSION,
  assignNodeIds,
  storageChangeRefused,
  storageRefusedWarning,
  CA_STORE_PASSWORD_LENGTH,
  caConfig,
  CaRole,
  caSecretMetadata,
  caSecretNames,
  caSubject,
  carriedOver,
  checkListenerTypes,
  clusterIdOf,
  clusterSecurity,
  Condition,
  condition,
  deepEqual,
  entityOperator,
  EntityOperator,
  generatePassword,
  GROUP,
  INJECTED_FAULT,
  isReady,
  kafkaUuid,
  kafkaVersion,
  kafkaListeners,
  kafkaSelectorLabels,
  kafkaWarnings,
  ExternalAddresses,
  externalListenerObjects,
  isExternal,
  Kind,
  brokerAdvertisedHost,
  brokerNodes,
  loadBalancerAddress,
  nodeAddress,
  nodePortOf,
  skipsBootstrapService,
  bootstrapServiceName,
  bootstrapIngressName,
  perBrokerName,
  PoolAssignment,
  PODSET_API_VERSION,
  poolPodSet,
  poolPvcs,
  revertedScaleDown,
  KINDS,
  LABEL_CLUSTER,
  LABEL_KIND,
  listenerStatuses,
  metricsConfigMapRef,
  metricsConfigProblem,
  mirrorMakerSecretNames,
  mirrorMakerSecretProblem,
  mirrorMakerStatus,
  nodePoolStatus,
  Obj,
  PLURALS,
  ReconcileFailure,
  replicationFactorError,
  sameStatus,
  SCRAM_PASSWORD_LENGTH,
  scramJaasConfig,
  simpleStatus,
  Status,
  STRIMZI_VERSION,
  TOPIC_FINALIZER,
  TopicError,
  topicManaged,
  topicName,
  topicOperatorUsesFinalizers,
  topicStatus,
  userSecretMetadata,
  validateNodePools,
} from './strimzi-model';

export type { Kind } from './strimzi-model';

export interface TimelineEvent {
  /** ms since the epoch */
  at: number;
  kind: Kind;
  namespace: string;
  name: string;
  event: 'seen' | 'ready' | 'not-ready' | 'finalizer-added' | 'finalizer-removed' | 'secret-written';
  detail?: string;
}

/** A resource that never becomes Ready (a fault to inject); unset fields match every namespace / name. */
export interface NeverReady {
  kind: Kind;
  namespace?: string;
  name?: string;
}

export interface StandInOptions {
  /** Per kind, seconds from when the stand-in first handles a resource's generation until it reports it Ready. @default 0 */
  readyAfterSeconds?: Partial<Record<Kind, number>>;
  /** Resources that never become Ready: they get a not-ready condition whose message says it is an injected fault. */
  neverReady?: NeverReady[];
  /** Namespaces to watch. @default - all */
  namespaces?: string[];
  /** Every resource is reconciled again this often, like Strimzi's periodic reconciliation. @default 120 */
  resyncSeconds?: number;
  /**
   * How long a Kafka's reconcile waits for its external listeners' addresses (a load balancer's, an Ingress's, a node
   * port) before it fails with Strimzi's timeout (STRIMZI_OPERATION_TIMEOUT_MS, 300 s). @default 300
   */
  operationTimeoutSeconds?: number;
  /** @default - lines on stdout */
  log?: (m: string) => void;
}

type Resource = Kind | 'Secret';
const RESOURCES: readonly Resource[] = [...KINDS, 'Secret'];

/** A topic as the stand-in's imaginary Kafka cluster holds it (there is no Kafka). */
interface KafkaSideTopic {
  topicId: string;
  partitions: number;
  replicas: number;
  config: Record<string, unknown>;
}

const MAX_WRITE_ATTEMPTS = 6;

export class StrimziStandIn {
  readonly timeline: TimelineEvent[] = [];
  private readonly log: (m: string) => void;
  private readonly caches = new Map<Resource, Map<string, Obj>>(RESOURCES.map((r) => [r, new Map()]));
  private readonly abort = new AbortController();
  private readonly watches: Promise<void>[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private readonly handledSince = new Map<string, number>();
  private readonly seenGenerations = new Set<string>();
  /** Cluster IDs chosen but not yet visible in a status, so that one Kafka never gets two. */
  private readonly clusterIds = new Map<string, string>();
  /** Per Kafka (uid): its topics, by topic name. */
  private readonly kafkaSide = new Map<string, Map<string, KafkaSideTopic>>();
  /**
   * Per KafkaNodePool (uid): the storage its nodes were last reconciled with (Strimzi keeps it in the StrimziPodSet's
   * strimzi.io/storage annotation, KafkaAssemblyOperator.getOldStorage; the stand-in's PodSets carry no annotations). After a restart
   * the first storage seen is taken as it.
   */
  private readonly poolStorage = new Map<string, Record<string, any>>();
  private resync: NodeJS.Timeout | undefined;
  /** Whether every first list is in; until then reconciles are held back. */
  private synced = false;
  private readonly held = new Map<string, [Kind, string, string]>();
  private stopped = false;

  constructor(
    private readonly kube: Kube,
    private readonly options: StandInOptions = {},
  ) {
    this.log = options.log ?? ((m) => process.stdout.write(`[strimzi-stand-in ${new Date().toISOString()}] ${m}\n`));
    // Every watch (and its request) listens to this one signal: two per watched resource and namespace.
    setMaxListeners(0, this.abort.signal);
  }

  /** Lists every watched resource, reconciles what it finds, and keeps watching; resolves once the first lists are in. */
  async start(): Promise<void> {
    const scopes = this.options.namespaces?.length ? this.options.namespaces : [undefined];
    const firstLists: Promise<void>[] = [];
    for (const resource of RESOURCES) {
      for (const ns of scopes) {
        let listed!: () => void;
        firstLists.push(new Promise<void>((r) => (listed = r)));
        this.watches.push(this.watchLoop(resource, ns, listed));
      }
    }
    await Promise.all(firstLists);
    // Only now, with every cache filled, is a decision safe (a topic seen before its Kafka's pools would count no brokers).
    this.synced = true;
    for (const [kind, ns, name] of this.held.values()) this.schedule(kind, ns, name);
    this.held.clear();
    const every = (this.options.resyncSeconds ?? 120) * 1000;
    this.resync = setInterval(() => this.reconcileAll(), every);
    this.log(`started (namespaces: ${this.options.namespaces?.join(', ') || 'all'})`);
  }

  /** Stops watching and waits for the reconciles in flight; afterwards nothing changes (a deleted KafkaTopic stays Terminating). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    if (this.resync) clearInterval(this.resync);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled(this.watches);
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
    this.log('stopped');
  }

  /**
   * The status fields the installed CRD's schema has, as an operator of that release writes them (and as the API
   * server would keep them: it prunes the rest). The stand-in follows Strimzi 1.2.0, whose Kafka status has fields
   * 1.1.0's CRD lacks (clusterSecurity); against 1.1.0's CRDs it writes 1.1.0's fields. Read on every write, so that a
   * CRD upgrade mid-run is followed.
   */
  private async knownToCrd(kind: Kind, status: Status): Promise<Status> {
    const crd = await this.kube.find<Obj>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${PLURALS[kind]}.${GROUP}`);
    const version = crd?.spec?.versions?.find((v: { name: string }) => v.name === API_VERSION);
    const known = version?.schema?.openAPIV3Schema?.properties?.status?.properties as Record<string, unknown> | undefined;
    if (!known) return status;
    return Object.fromEntries(Object.entries(status).filter(([k]) => k in known)) as Status;
  }

  // ---------------------------------------------------------------- watching

  private path(resource: Resource, ns?: string, name?: string): string {
    if (resource === 'Secret') return `/api/v1${ns ? `/namespaces/${ns}` : ''}/secrets${name ? `/${name}` : ''}`;
    return crPath(GROUP, API_VERSION, PLURALS[resource], ns, name);
  }

  /** List, then watch from the list's version; on a 410 Gone (or any error) list again. Never throws. */
  private async watchLoop(resource: Resource, ns: string | undefined, listed: () => void): Promise<void> {
    let lastError = '';
    let backoff = 500;
    while (!this.stopped) {
      try {
        const list = await this.kube.list<Obj>(this.path(resource, ns));
        this.replaceAll(resource, ns, list.items);
        listed();
        lastError = '';
        backoff = 500;
        let version = list.metadata.resourceVersion;
        while (!this.stopped) {
          await this.kube.watch<Obj>(this.path(resource, ns), version, (e) => {
            version = this.onWatchEvent(resource, e) ?? version;
          }, this.abort.signal);
        }
      } catch (e) {
        // No such kind yet (its CRD is not installed): that is a first list, of nothing. Any other failure (429 while
        // a new CRD's storage starts, a refused connection) is not: the stand-in stays unsynced until a list succeeds.
        if (e instanceof ApiError && e.status === 404) listed();
        if (this.stopped) {
          listed();
          return;
        }
        const message = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
        // A 410 Gone is routine (the version is too old): list again at once, without noise.
        if (!(e instanceof GoneError) && message !== lastError) this.log(`watch of ${resource} ${ns ?? '(all namespaces)'}: ${message}; retrying`);
        lastError = message;
        if (!(e instanceof GoneError)) await this.sleep((backoff = Math.min(backoff * 2, 5000)));
      }
    }
  }

  /** Applies one watch event; returns the resource version to resume from. */
  private onWatchEvent(resource: Resource, e: WatchEvent<Obj>): string | undefined {
    if (e.type === 'ERROR') {
      const status = e.object as unknown as { code?: number; message?: string };
      throw status.code === 410 ? new GoneError() : new Error(`watch error: ${status.message ?? JSON.stringify(status)}`);
    }
    if (e.type !== 'BOOKMARK') this.apply(resource, e.type, e.object);
    return e.object.metadata?.resourceVersion;
  }

  private replaceAll(resource: Resource, ns: string | undefined, items: Obj[]): void {
    const cache = this.caches.get(resource)!;
    const listed = new Set(items.map(key));
    for (const [k, old] of cache) if ((!ns || old.metadata.namespace === ns) && !listed.has(k)) this.apply(resource, 'DELETED', old);
    for (const item of items) this.apply(resource, 'MODIFIED', item);
  }

  private apply(resource: Resource, type: WatchEvent['type'], obj: Obj): void {
    if (resource !== 'Secret') {
      obj.apiVersion ??= `${GROUP}/${API_VERSION}`;
      obj.kind ??= resource;
    }
    const cache = this.caches.get(resource)!;
    if (type === 'DELETED') {
      cache.delete(key(obj));
      this.onDeleted(resource, obj);
    } else {
      cache.set(key(obj), obj);
      this.onChanged(resource, obj);
    }
  }

  private onChanged(resource: Resource, obj: Obj): void {
    const ns = obj.metadata.namespace!;
    if (resource === 'Secret') return this.onSecret(obj);
    const generation = `${obj.metadata.uid}/${obj.metadata.generation}`;
    if (!this.seenGenerations.has(generation)) {
      this.seenGenerations.add(generation);
      this.record(resource, obj, 'seen', `generation ${obj.metadata.generation}`);
      // The cluster operator starts on these at once; topics and users wait for their entity operator (see pendingUntil).
      if (resource !== 'KafkaTopic' && resource !== 'KafkaUser') this.handledSince.set(generation, Date.now());
    }
    if (resource === 'KafkaNodePool') {
      // KafkaAssemblyOperator.nodePoolEventHandler: a pool's change reconciles its Kafka.
      const cluster = obj.metadata.labels?.[LABEL_CLUSTER];
      if (cluster && this.caches.get('Kafka')!.has(`${ns}/${cluster}`)) this.schedule('Kafka', ns, cluster);
      return;
    }
    this.schedule(resource, ns, obj.metadata.name);
    if (resource === 'Kafka') this.scheduleClients(obj.metadata.name);
  }

  private onDeleted(resource: Resource, obj: Obj): void {
    const ns = obj.metadata.namespace!;
    if (resource === 'Secret') return this.onSecret(obj);
    if (resource === 'Kafka') {
      // The cluster, and with it its topics, is gone; its entity operator goes with it (garbage collection).
      this.kafkaSide.delete(obj.metadata.uid!);
      this.clusterIds.delete(obj.metadata.uid!);
      this.scheduleClients(obj.metadata.name);
    } else if (resource === 'KafkaNodePool') {
      const cluster = obj.metadata.labels?.[LABEL_CLUSTER];
      if (cluster && this.caches.get('Kafka')!.has(`${ns}/${cluster}`)) this.schedule('Kafka', ns, cluster);
    } else if (resource === 'KafkaUser') {
      void this.guard(`KafkaUser/${key(obj)}`, () => this.userDeleted(obj));
    } else if (resource === 'KafkaTopic') {
      void this.guard(`KafkaTopic/${key(obj)}`, () => this.topicGone(obj));
    }
  }

  /** A Secret changed: re-check the MirrorMaker 2s that read it, and the KafkaUser it belongs to. */
  private onSecret(secret: Obj): void {
    const ns = secret.metadata.namespace!;
    for (const mm2 of this.inNamespace('KafkaMirrorMaker2', ns)) {
      if (mirrorMakerSecretNames(mm2).has(secret.metadata.name)) this.schedule('KafkaMirrorMaker2', ns, mm2.metadata.name);
    }
    if (secret.metadata.labels?.[LABEL_KIND] === 'KafkaUser') {
      for (const user of this.inNamespace('KafkaUser', ns)) {
        const uo = this.activeOperator(user, 'userOperator');
        if (uo && userSecretName(uo, user) === secret.metadata.name) this.schedule('KafkaUser', ns, user.metadata.name);
      }
    }
  }

  /** Topics and users of a cluster: whether their operator runs depends on their Kafka. */
  private scheduleClients(cluster: string): void {
    for (const kind of ['KafkaTopic', 'KafkaUser'] as const) {
      for (const obj of this.caches.get(kind)!.values()) {
        if (obj.metadata.labels?.[LABEL_CLUSTER] === cluster) this.schedule(kind, obj.metadata.namespace!, obj.metadata.name);
      }
    }
  }

  private reconcileAll(): void {
    for (const kind of KINDS) for (const obj of this.caches.get(kind)!.values()) this.schedule(kind, obj.metadata.namespace!, obj.metadata.name);
  }

  private inNamespace(kind: Kind, ns: string): Obj[] {
    return [...this.caches.get(kind)!.values()].filter((o) => o.metadata.namespace === ns);
  }

  // ---------------------------------------------------------------- work queue: one reconcile per resource at a time

  private schedule(kind: Kind, ns: string, name: string): void {
    if (this.stopped) return;
    const k = `${kind}/${ns}/${name}`;
    if (!this.synced) {
      this.held.set(k, [kind, ns, name]);
      return;
    }
    if (this.running.has(k)) {
      this.dirty.add(k);
      return;
    }
    const run = (async () => {
      do {
        this.dirty.delete(k);
        await this.reconcileOne(kind, ns, name);
      } while (this.dirty.has(k) && !this.stopped);
    })().finally(() => this.running.delete(k));
    this.running.set(k, run);
  }

  private async reconcileOne(kind: Kind, ns: string, name: string): Promise<void> {
    const obj = this.caches.get(kind)!.get(`${ns}/${name}`);
    if (!obj) return;
    const k = `${kind}/${ns}/${name}`;
    const ok = await this.guard(k, () => this.reconcile(kind, obj));
    if (ok) {
      this.failures.delete(k);
    } else {
      // One bad object never stops the others: retry it later, backing off.
      const n = (this.failures.get(k) ?? 0) + 1;
      this.failures.set(k, n);
      this.later(`retry ${k}`, Math.min(1000 * 2 ** (n - 1), 30_000), () => this.schedule(kind, ns, name));
    }
  }

  /** Runs `fn`, logging (not throwing) what it throws; resolves whether it succeeded. */
  private async guard(what: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      if (!this.stopped) this.log(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  private reconcile(kind: Kind, obj: Obj): Promise<void> {
    switch (kind) {
      case 'Kafka':
        return this.reconcileKafka(obj);
      case 'KafkaNodePool':
        return Promise.resolve(); // reconciled with its Kafka
      case 'KafkaTopic':
        return this.reconcileTopic(obj);
      case 'KafkaUser':
        return this.reconcileUser(obj);
      case 'KafkaMirrorMaker2':
        return this.reconcileMirrorMaker(obj);
    }
  }

  private later(id: string, ms: number, fn: () => void): void {
    if (this.stopped || this.timers.has(id)) return;
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        fn();
      }, ms),
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      const wake = () => {
        clearTimeout(t);
        this.abort.signal.removeEventListener('abort', wake);
        done();
      };
      const t = setTimeout(wake, ms);
      this.abort.signal.addEventListener('abort', wake, { once: true });
    });
  }

  // ---------------------------------------------------------------- options: delays and injected faults

  /**
   * When a delayed resource may become Ready, or undefined if now; schedules its reconcile for then. The delay runs
   * from when the stand-in saw the generation (Kafka, pools, MirrorMaker 2) or first handled it (topics and users,
   * whose operator only runs once their Kafka is Ready).
   */
  private pendingUntil(kind: Kind, obj: Obj): number | undefined {
    const seconds = this.options.readyAfterSeconds?.[kind] ?? 0;
    if (seconds <= 0) return undefined;
    const generation = `${obj.metadata.uid}/${obj.metadata.generation}`;
    if (!this.handledSince.has(generation)) this.handledSince.set(generation, Date.now());
    const until = this.handledSince.get(generation)! + seconds * 1000;
    const wait = until - Date.now();
    if (wait <= 0) return undefined;
    this.later(`ready ${kind}/${key(obj)}/${generation}`, wait, () => this.schedule(kind, obj.metadata.namespace!, obj.metadata.name));
    return until;
  }

  private injectedFault(kind: Kind, obj: Obj): string | undefined {
    const ns = obj.metadata.namespace;
    const name = obj.metadata.name;
    const hit = (this.options.neverReady ?? []).some((f) => f.kind === kind && (!f.namespace || f.namespace === ns) && (!f.name || f.name === name));
    return hit ? `Injected fault (Strimzi stand-in option neverReady): ${kind} ${ns}/${name} never becomes Ready` : undefined;
  }

  // ---------------------------------------------------------------- Kafka (cluster operator)

  private async reconcileKafka(kafka: Obj): Promise<void> {
    if (kafka.metadata.deletionTimestamp) return;
    if (!kafka.status) {
      // KafkaAssemblyOperator.initialStatus: a new cluster says it is being deployed.
      const initial = { conditions: [condition('NotReady', 'True', 'Creating', 'Kafka cluster is being deployed')], observedGeneration: 0 };
      if (await this.writeStatus('Kafka', kafka, initial)) this.record('Kafka', kafka, 'not-ready', 'Creating: Kafka cluster is being deployed');
    }
    const partial: Status = {};
    let warnings: Condition[] = [];
    let desired: Status;
    try {
      const [clusterCaPem] = await Promise.all([this.reconcileCa(kafka, 'cluster'), this.reconcileCa(kafka, 'clients')]);
      const version = kafkaVersion(kafka);
      const pools = this.poolsOf(kafka);
      validateNodePools(kafka, pools);
      const clusterId = this.clusterIdFor(kafka, pools);
      // KafkaClusterCreator.prepareKafkaCluster: a scale-down that would remove brokers holding partitions is reverted.
      const scaleDown = revertedScaleDown(kafka, pools, () => this.holdsPartitions(kafka));
      const assignments = assignNodeIds(scaleDown?.pools ?? pools).map((a) => this.withStorage(a));
      // Its warnings first (added to the status before the reconcile), then the model's, then the pools' (modelWarnings).
      warnings = [...(scaleDown?.warnings ?? []), ...kafkaWarnings(kafka, assignments, version), ...assignments.flatMap((a) => a.warnings ?? [])];
      await this.reconcilePvcs(kafka, assignments); // KafkaReconciler.pvcs, before the pools' statuses
      await this.writePoolStatuses(kafka, assignments, clusterId);
      partial.kafkaNodePools = pools.map((p) => ({ name: p.metadata.name })).sort((a, b) => (a.name < b.name ? -1 : 1));
      checkListenerTypes(kafka); // before anything is made for the listeners
      const external = await this.reconcileExternalListeners(kafka, assignments);
      if (this.stopped) return;
      await this.reconcilePodSets(kafka, assignments); // KafkaReconciler.podSet, after the listeners
      const listeners = listenerStatuses(kafka, clusterCaPem, external);
      const metricsProblem = await this.metricsProblem(kafka, kafka.spec?.kafka?.metricsConfig);
      if (metricsProblem) throw metricsProblem;
      const fault = this.injectedFault('Kafka', kafka);
      if (fault) throw new ReconcileFailure(INJECTED_FAULT, fault);
      if (this.pendingUntil('Kafka', kafka)) return; // still "deploying": the status stays as it is
      desired = {
        conditions: [...warnings, condition('Ready', 'True')],
        observedGeneration: kafka.metadata.generation,
        listeners,
        ...partial,
        clusterId,
        operatorLastSuccessfulVersion: STRIMZI_VERSION,
        kafkaVersion: version.version,
        kafkaMetadataVersion: version.metadataVersion,
        clusterSecurity: clusterSecurity(kafka),
      };
    } catch (e) {
      if (!(e instanceof ReconcileFailure)) throw e;
      desired = {
        conditions: [...warnings, condition('NotReady', 'True', e.reason, e.message)],
        observedGeneration: kafka.metadata.generation,
        ...partial,
        ...carriedOver(kafka),
        clusterSecurity: clusterSecurity(kafka),
      };
    }
    await this.writeAndRecord('Kafka', kafka, desired);
  }

  /** KafkaPool.fromCrd: a refused storage change keeps the previous storage, with a warning on the pool (and its Kafka). */
  private withStorage(a: PoolAssignment): PoolAssignment {
    const uid = a.pool.metadata.uid!;
    const previous = this.poolStorage.get(uid);
    const desired = a.pool.spec?.storage;
    if (previous && storageChangeRefused(previous, desired)) return { ...a, storage: previous, warnings: [storageRefusedWarning(a.pool)] };
    this.poolStorage.set(uid, desired);
    return { ...a, storage: desired };
  }

  /**
   * BrokersInUseCheck (Kafka's describe of every topic's partitions): the stand-in places no replicas, so it counts
   * every broker as holding some once the cluster has a topic.
   */
  private holdsPartitions(kafka: Obj): boolean {
    return this.kafkaTopics(kafka).size > 0;
  }

  /** The pools of a Kafka: same namespace, strimzi.io/cluster label naming it, in the API's (name) order. */
  private poolsOf(kafka: Obj): Obj[] {
    return this.inNamespace('KafkaNodePool', kafka.metadata.namespace!)
      .filter((p) => p.metadata.labels?.[LABEL_CLUSTER] === kafka.metadata.name && !p.metadata.deletionTimestamp)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  /** The cluster ID in a status, else the one this stand-in chose before (its statuses may not be in the cache yet). */
  private clusterIdFor(kafka: Obj, pools: readonly Obj[]): string {
    const uid = kafka.metadata.uid!;
    const id = clusterIdOf(kafka, pools, () => this.clusterIds.get(uid) ?? kafkaUuid());
    this.clusterIds.set(uid, id);
    return id;
  }

  /** KafkaReconciler.updateNodePoolStatuses: written early, before the cluster is ready; conditions only the pool's warnings. */
  private async writePoolStatuses(kafka: Obj, assignments: ReturnType<typeof assignNodeIds>, clusterId: string): Promise<void> {
    for (const a of assignments) {
      if (this.injectedFault('KafkaNodePool', a.pool) || this.pendingUntil('KafkaNodePool', a.pool)) continue;
      const status = nodePoolStatus(kafka, a, clusterId);
      if (await this.writeStatus('KafkaNodePool', a.pool, status)) this.record('KafkaNodePool', a.pool, 'ready', `status: nodeIds [${a.nodeIds.join(', ')}], roles ${a.roles.join(', ')}`);
    }
  }

  /**
   * CaReconciler / InternalCaProvider: the CA's certificate Secret (ca.crt, ca.p12, ca.password) and key Secret
   * (ca.key). A missing key makes a new CA; a missing certificate renews it from the key (generation + 1); a missing
   * PKCS12 store is added. Returns the CA certificate (PEM).
   */
  private async reconcileCa(kafka: Obj, role: CaRole): Promise<string> {
    const ns = kafka.metadata.namespace!;
    const names = caSecretNames(kafka.metadata.name, role);
    const config = caConfig(kafka, role);
    const [certSecret, keySecret] = await Promise.all([this.kube.find<Obj>(this.path('Secret', ns, names.cert)), this.kube.find<Obj>(this.path('Secret', ns, names.key))]);
    if (!config.generate) {
      // CustomCaProvider: the user brings the CA.
      if (!certSecret || !keySecret) {
        throw new ReconcileFailure('InvalidResourceException', `${role === 'cluster' ? 'Cluster CA' : 'Clients CA'} should not be generated, but the secrets were not found.`);
      }
      return decode(certSecret.data?.['ca.crt']);
    }
    let certGeneration = Number(certSecret?.metadata.annotations?.['strimzi.io/ca-cert-generation'] ?? 0);
    const keyGeneration = Number(keySecret?.metadata.annotations?.['strimzi.io/ca-key-generation'] ?? 0);
    let certData: Record<string, string> = { ...certSecret?.data };
    let keyData: Record<string, string> = keySecret?.data?.['ca.key'] ? { 'ca.key': keySecret.data['ca.key'] } : {};
    if (!keyData['ca.key']) {
      const ca = await generateCa(caSubject(role, keyGeneration), config.validityDays);
      certData = await this.caCertData(ca.certPem);
      keyData = { 'ca.key': encode(ca.keyPem) };
      this.log(`Kafka ${ns}/${kafka.metadata.name}: generated the ${role} CA`);
    } else if (!certData['ca.crt']) {
      certGeneration++;
      certData = await this.caCertData(await renewCaCert(decode(keyData['ca.key']), caSubject(role, keyGeneration), config.validityDays));
      this.log(`Kafka ${ns}/${kafka.metadata.name}: renewed the ${role} CA certificate`);
    } else if (!certData['ca.p12']) {
      const password = certData['ca.password'] ? decode(certData['ca.password']) : generatePassword(CA_STORE_PASSWORD_LENGTH);
      certData = { ...certData, 'ca.p12': (await truststore(decode(certData['ca.crt']), 'ca.crt', password)).toString('base64'), 'ca.password': encode(password) };
    }
    await this.applySecret(kafka, { metadata: caSecretMetadata(kafka, role, 'cert', certGeneration), data: certData });
    await this.applySecret(kafka, { metadata: caSecretMetadata(kafka, role, 'key', keyGeneration), data: keyData });
    return decode(certData['ca.crt']);
  }

  private async caCertData(certPem: string): Promise<Record<string, string>> {
    const password = generatePassword(CA_STORE_PASSWORD_LENGTH);
    const p12 = await truststore(certPem, 'ca.crt', password);
    return { 'ca.crt': encode(certPem), 'ca.p12': p12.toString('base64'), 'ca.password': encode(password) };
  }

  /**
   * KafkaListenersReconciler for the external listener types: makes their Services and Ingresses (services(),
   * ingresses(): batchReconcile, so objects of the cluster's that are no longer wanted go), then waits, polling every
   * second as Strimzi does, until each load balancer Service and Ingress has an address
   * (loadBalancerServicesReady, ingressesReady; status.loadBalancer.ingress is written by whatever provides load
   * balancers or ingress, in the tier the load-balancer stand-in) and each NodePort Service its node port
   * (nodePortServicesReady; allocated by the API server). Past the operation timeout the reconcile fails with
   * Strimzi's StrimziTimeoutException message (ResourceSupport.waitFor). Returns what the listener statuses are made of.
   */
  private async reconcileExternalListeners(kafka: Obj, assignments: PoolAssignment[]): Promise<ExternalAddresses> {
    const ns = kafka.metadata.namespace!;
    const cluster = kafka.metadata.name;
    const desired = externalListenerObjects(kafka, assignments);
    const paths = { Service: `/api/v1/namespaces/${ns}/services`, Ingress: `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses` };
    for (const kind of ['Service', 'Ingress'] as const) {
      const wanted = desired.filter((d) => d.kind === kind);
      for (const d of wanted) await this.applyObject(`${paths[kind]}/${d.object.metadata.name}`, paths[kind], d.object);
      const selector = Object.entries(kafkaSelectorLabels(cluster)).map(([k, v]) => `${k}=${v}`).join(',');
      const existing = kind === 'Ingress' && !wanted.length ? [] : (await this.kube.list<Obj>(`${paths[kind]}?labelSelector=${encodeURIComponent(selector)}`)).items;
      for (const o of existing) {
        if (!wanted.some((d) => d.object.metadata.name === o.metadata.name) && (await this.kube.delete(`${paths[kind]}/${o.metadata.name}`))) {
          this.log(`Kafka ${ns}/${cluster}: deleted ${kind} ${o.metadata.name} (no longer wanted)`);
        }
      }
    }
    const listeners = kafkaListeners(kafka).filter(isExternal);
    if (!listeners.length) return {};
    const brokers = brokerNodes(kafka, assignments).sort((a, b) => a.nodeId - b.nodeId);
    const timeoutMs = (this.options.operationTimeoutSeconds ?? 300) * 1000;
    const deadline = Date.now() + timeoutMs;
    /** Polls `read` every second until it gives a value; past the deadline, Strimzi's timeout. */
    const waitFor = async <T>(kind: 'Service' | 'Ingress', name: string, state: string, read: (o: Obj | undefined) => T | undefined): Promise<T> => {
      for (;;) {
        const value = read(await this.kube.find<Obj>(`${paths[kind]}/${name}`));
        if (value !== undefined) return value;
        if (this.stopped) throw new Error('stopped while waiting for the external listeners');
        if (Date.now() >= deadline) {
          throw new ReconcileFailure('StrimziTimeoutException', `Exceeded timeout of ${timeoutMs}ms while waiting for ${kind} resource ${name} in namespace ${ns} to be ${state}`);
        }
        await this.sleep(Math.min(1000, deadline - Date.now()));
      }
    };
    const out: Required<ExternalAddresses> = { loadBalancer: {}, nodePort: {} };
    const perBroker = (l: (typeof listeners)[number], nodeId: number, pool: Obj) => perBrokerName(`${cluster}-${pool.metadata.name}`, nodeId, l);
    for (const l of listeners.filter((x) => x.type === 'loadbalancer')) {
      const addresses: string[] = [];
      if (!skipsBootstrapService(l)) addresses.push(await waitFor('Service', bootstrapServiceName(cluster, l), 'addressable', loadBalancerAddress));
      for (const b of brokers) {
        const address = await waitFor('Service', perBroker(l, b.nodeId, b.pool), 'addressable', loadBalancerAddress);
        if (skipsBootstrapService(l)) addresses.push(address);
      }
      out.loadBalancer[l.name] = addresses;
    }
    for (const l of listeners.filter((x) => x.type === 'nodeport')) {
      const port = await waitFor('Service', bootstrapServiceName(cluster, l), 'ready', nodePortOf);
      for (const b of brokers) await waitFor('Service', perBroker(l, b.nodeId, b.pool), 'ready', nodePortOf);
      // No broker pod runs here: each is taken to run on the cluster's first node (the tier's one kwok node).
      const node = (await this.kube.list<Obj>('/api/v1/nodes')).items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))[0];
      const nodeHost = nodeAddress((node?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses, l.configuration?.preferredNodePortAddressType);
      out.nodePort[l.name] = { port, hosts: brokers.map((b) => brokerAdvertisedHost(l, b) ?? nodeHost) };
    }
    for (const l of listeners.filter((x) => x.type === 'ingress')) {
      await waitFor('Ingress', bootstrapIngressName(cluster, l), 'addressable', loadBalancerAddress);
      for (const b of brokers) await waitFor('Ingress', perBroker(l, b.nodeId, b.pool), 'addressable', loadBalancerAddress);
    }
    return out;
  }

  /**
   * Creates the object, or brings what the operator sets of it (labels, annotations, owners, and unless `metadataOnly`
   * the spec) to the desired values.
   */
  private async applyObject(path: string, collection: string, desired: Obj, metadataOnly = false): Promise<void> {
    const current = await this.kube.find<Obj>(path);
    if (!current) {
      await this.kube.create(collection, desired);
      return;
    }
    // Finalizers are set on creation only: a load balancer controller adds its own.
    const { name: _n, namespace: _ns, finalizers: _f, ...meta } = desired.metadata;
    const spec = metadataOnly ? undefined : desired.spec;
    if (covers(current.metadata, meta) && covers(current.spec, spec)) return;
    await this.kube.mergePatch(path, { metadata: meta, ...(spec ? { spec } : {}) });
  }

  /** Whether the pool is still in the cache, not being deleted: else what is made for it would outlive it. */
  private poolLive(pool: Obj): boolean {
    const cached = this.caches.get('KafkaNodePool')!.get(key(pool));
    return cached?.metadata.uid === pool.metadata.uid && !cached?.metadata.deletionTimestamp;
  }

  /**
   * KafkaReconciler.pvcs / PvcReconciler.resizeAndReconcilePvcs: each pool's PVCs (strimzi-model poolPvcs). An
   * existing PVC gets only its metadata brought up to date (a deleteClaim change adds or drops the owner reference):
   * the API server refuses spec changes to an unbound claim and nothing binds them here, so no resizing. PVCs no longer
   * wanted (a scale-down, a removed pool) are not deleted: for a removed pool the garbage collector does it, through
   * the owner reference, only when deleteClaim was true.
   */
  private async reconcilePvcs(kafka: Obj, assignments: readonly PoolAssignment[]): Promise<void> {
    const collection = `/api/v1/namespaces/${kafka.metadata.namespace}/persistentvolumeclaims`;
    for (const a of assignments) {
      for (const pvc of poolPvcs(kafka, a)) {
        if (!this.poolLive(a.pool)) break;
        await this.applyObject(`${collection}/${pvc.metadata.name}`, collection, pvc, true);
      }
    }
  }

  /**
   * KafkaReconciler.podSet: each pool's StrimziPodSet (strimzi-model poolPodSet), with no pods. Strimzi's
   * batchReconcile also deletes the PodSets of pools that are gone; the stand-in leaves that to the garbage collector
   * (the PodSet is owned by its pool), which is what removes it when the pool is deleted.
   */
  private async reconcilePodSets(kafka: Obj, assignments: readonly PoolAssignment[]): Promise<void> {
    const collection = `/apis/${PODSET_API_VERSION}/namespaces/${kafka.metadata.namespace}/strimzipodsets`;
    for (const a of assignments) {
      const podSet = poolPodSet(kafka, a);
      if (this.poolLive(a.pool)) await this.applyObject(`${collection}/${podSet.metadata.name}`, collection, podSet);
    }
  }

  /**
   * MetricsAndLoggingUtils: the metrics ConfigMap is read at each reconcile (not watched), so one created after its
   * Kafka or MirrorMaker 2 is noticed at the next periodic reconcile, as with Strimzi.
   */
  private async metricsProblem(owner: Obj, metricsConfig: Record<string, any> | undefined): Promise<ReconcileFailure | undefined> {
    const ref = metricsConfigMapRef(metricsConfig);
    if (!ref) return undefined;
    const configMap = await this.kube.find<Obj>(`/api/v1/namespaces/${owner.metadata.namespace}/configmaps/${ref.name}`);
    return metricsConfigProblem(ref, configMap);
  }

  // ---------------------------------------------------------------- entity operator: whether it runs

  /**
   * The topic or user operator that handles `obj`: the one of the Kafka its strimzi.io/cluster label names, if that
   * Kafka lists it, watches `obj`'s namespace, and has been deployed — the cluster operator deploys the entity
   * operator once the cluster runs, which the stand-in reads from status.operatorLastSuccessfulVersion (set by the
   * first successful reconcile and kept). A Kafka being deleted has none (its Deployment is garbage-collected).
   */
  private activeOperator(obj: Obj, which: 'topicOperator' | 'userOperator'): EntityOperator | undefined {
    const cluster = obj.metadata.labels?.[LABEL_CLUSTER];
    if (!cluster) return undefined;
    for (const kafka of this.caches.get('Kafka')!.values()) {
      if (kafka.metadata.name !== cluster || kafka.metadata.deletionTimestamp || !kafka.status?.operatorLastSuccessfulVersion) continue;
      const eo = entityOperator(kafka, which);
      if (eo && eo.watchedNamespace === obj.metadata.namespace) return eo;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- KafkaTopic (topic operator)

  private async reconcileTopic(topic: Obj): Promise<void> {
    const to = this.activeOperator(topic, 'topicOperator');
    if (!to) return; // no topic operator runs for it: nothing happens (a deleted one stays Terminating)
    if (topic.metadata.deletionTimestamp) return this.deleteTopic(topic, to);
    if (!topicManaged(topic)) return this.writeTopicStatus(topic, topicStatus(topic, {}));
    const name = topicName(topic);
    // BatchingTopicController.validateUnchangedTopicName, then validateSingleManagingResource.
    const before = topic.status?.topicName as string | undefined;
    if (before && before !== name) {
      return this.writeTopicStatus(topic, topicStatus(topic, { error: new TopicError('NotSupported', 'Changing spec.topicName is not supported'), name: before }));
    }
    const conflict = this.topicConflict(topic);
    if (conflict) return this.writeTopicStatus(topic, topicStatus(topic, { error: conflict, name }));
    const current = await this.setTopicFinalizer(topic, topicOperatorUsesFinalizers(to.kafka));
    if (!current) return;
    const fault = this.injectedFault('KafkaTopic', current);
    const side = this.kafkaTopics(to.kafka);
    if (fault) return this.writeTopicStatus(current, topicStatus(current, { error: new TopicError(INJECTED_FAULT, fault), topicId: side.get(name)?.topicId }));
    if (this.pendingUntil('KafkaTopic', current)) return;
    const outcome = this.applyToKafka(current, to.kafka, side);
    await this.writeTopicStatus(current, topicStatus(current, { ...outcome, name }));
  }

  /** What createTopics / createPartitions / alterConfigs / checkReplicasChanges do to the topic in Kafka; the first error wins. */
  private applyToKafka(topic: Obj, kafka: Obj, side: Map<string, KafkaSideTopic>): { error?: TopicError; topicId?: string } {
    const name = topicName(topic);
    const spec = topic.spec ?? {};
    const config: Record<string, unknown> = kafka.spec?.kafka?.config ?? {};
    let t = side.get(name);
    if (!t && topic.status?.topicId && topic.status.topicName === name) {
      // Created before this stand-in started: keep its ID (restarting changes nothing).
      t = { topicId: topic.status.topicId as string, partitions: spec.partitions ?? 1, replicas: spec.replicas ?? 1, config: spec.config ?? {} };
      side.set(name, t);
    }
    if (!t) {
      const replicas = Number(spec.replicas ?? config['default.replication.factor'] ?? 1);
      const brokers = this.brokerCount(kafka);
      if (replicas > brokers) return { error: replicationFactorError(replicas, brokers, String(kafka.status?.kafkaVersion ?? kafkaVersion(kafka).version)) };
      side.set(name, { topicId: kafkaUuid(), partitions: Number(spec.partitions ?? config['num.partitions'] ?? 1), replicas, config: spec.config ?? {} });
      return { topicId: side.get(name)!.topicId };
    }
    let error: TopicError | undefined;
    const requested = spec.partitions ?? -1;
    if (requested > t.partitions) t.partitions = requested;
    else if (requested !== -1 && requested < t.partitions) error = new TopicError('NotSupported', 'Decreasing partitions not supported');
    t.config = spec.config ?? {};
    if (!error && spec.replicas !== undefined && spec.replicas !== t.replicas) {
      const partitions = Array.from({ length: t.partitions }, (_, i) => i);
      error = new TopicError('NotSupported', `Replication factor change not supported, but required for partitions [${partitions.join(', ')}]`);
    }
    return { error, topicId: t.topicId };
  }

  /** The number of broker nodes of a Kafka, from its pools. */
  private brokerCount(kafka: Obj): number {
    return assignNodeIds(this.poolsOf(kafka))
      .filter((a) => a.roles.includes('broker'))
      .reduce((n, a) => n + a.nodeIds.length, 0);
  }

  /** BatchingTopicController.validateSingleManagingResource: of the KafkaTopics for one topic, only the oldest manages it. */
  private topicConflict(topic: Obj): TopicError | undefined {
    const name = topicName(topic);
    const cluster = topic.metadata.labels?.[LABEL_CLUSTER];
    const refs = this.inNamespace('KafkaTopic', topic.metadata.namespace!)
      .filter((t) => t.metadata.labels?.[LABEL_CLUSTER] === cluster && topicManaged(t) && !t.metadata.deletionTimestamp && topicName(t) === name)
      .sort((a, b) => created(a) - created(b));
    if (refs.length < 2) return undefined;
    const [oldest, next] = refs;
    const isOldest = oldest.metadata.uid === topic.metadata.uid;
    if (isOldest && (created(next) !== created(oldest) || isReady(topic.status))) return undefined;
    return new TopicError('ResourceConflict', `Managed by Ref{namespace='${oldest.metadata.namespace}', name='${oldest.metadata.name}'}`);
  }

  /** BatchingTopicController.deleteInternal: delete the topic in Kafka (managed topics only), then drop the finalizer. */
  private async deleteTopic(topic: Obj, to: EntityOperator): Promise<void> {
    if (!topic.metadata.finalizers?.includes(TOPIC_FINALIZER)) return;
    if (topicManaged(topic)) {
      const before = topic.status?.topicName as string | undefined;
      if (before && before !== topicName(topic)) {
        return this.writeTopicStatus(topic, topicStatus(topic, { error: new TopicError('NotSupported', 'Changing spec.topicName is not supported'), name: before }));
      }
      this.kafkaTopics(to.kafka).delete(topicName(topic));
      this.log(`KafkaTopic ${key(topic)}: deleted topic ${topicName(topic)} in Kafka ${key(to.kafka)}`);
    }
    await this.setTopicFinalizer(topic, false);
  }

  /** A KafkaTopic left the API (no finalizer held it): with finalizers off, the topic operator still deletes the topic. */
  private async topicGone(topic: Obj): Promise<void> {
    const to = this.activeOperator(topic, 'topicOperator');
    if (to && topicManaged(topic) && !topicOperatorUsesFinalizers(to.kafka)) this.kafkaTopics(to.kafka).delete(topicName(topic));
  }

  private kafkaTopics(kafka: Obj): Map<string, KafkaSideTopic> {
    const uid = kafka.metadata.uid!;
    if (!this.kafkaSide.has(uid)) this.kafkaSide.set(uid, new Map());
    return this.kafkaSide.get(uid)!;
  }

  private async writeTopicStatus(topic: Obj, status: Status): Promise<void> {
    await this.writeAndRecord('KafkaTopic', topic, status);
  }

  /** KubernetesHandler.addFinalizer / removeFinalizer; returns the topic as it is now (undefined if it is gone). */
  private async setTopicFinalizer(topic: Obj, present: boolean): Promise<Obj | undefined> {
    let current: Obj | undefined = topic;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS && current; attempt++) {
      const finalizers = current.metadata.finalizers ?? [];
      if (finalizers.includes(TOPIC_FINALIZER) === present) return current;
      const wanted = present ? [...finalizers, TOPIC_FINALIZER] : finalizers.filter((f) => f !== TOPIC_FINALIZER);
      try {
        // The resource version makes it a compare-and-set: a concurrent change gets a 409 and a fresh read.
        const updated = await this.kube.mergePatch<Obj>(this.path('KafkaTopic', current.metadata.namespace, current.metadata.name), {
          metadata: { resourceVersion: current.metadata.resourceVersion, finalizers: wanted },
        });
        this.record('KafkaTopic', current, present ? 'finalizer-added' : 'finalizer-removed', TOPIC_FINALIZER);
        return updated;
      } catch (e) {
        if (!isStatus(e, 409, 404)) throw e;
        if (isStatus(e, 404)) return undefined;
        current = await this.kube.find<Obj>(this.path('KafkaTopic', topic.metadata.namespace, topic.metadata.name));
      }
    }
    if (current) throw new Error(`KafkaTopic ${key(topic)}: the finalizer kept conflicting`);
    return undefined;
  }

  // ---------------------------------------------------------------- KafkaUser (user operator)

  private async reconcileUser(user: Obj): Promise<void> {
    const uo = this.activeOperator(user, 'userOperator');
    if (!uo || user.metadata.deletionTimestamp) return;
    const fault = this.injectedFault('KafkaUser', user);
    if (fault) return this.writeAndRecord('KafkaUser', user, simpleStatus(user, new ReconcileFailure(INJECTED_FAULT, fault)));
    if (this.pendingUntil('KafkaUser', user)) return;
    const secretName = userSecretName(uo, user);
    let status: Status;
    try {
      status = await this.userCredentials(user, secretName);
    } catch (e) {
      if (!(e instanceof ReconcileFailure)) throw e;
      status = simpleStatus(user, e);
    }
    await this.writeAndRecord('KafkaUser', user, status);
  }

  /** KafkaUserOperator.createOrUpdate for SCRAM-SHA-512 users and users without authentication. */
  private async userCredentials(user: Obj, secretName: string): Promise<Status> {
    const ns = user.metadata.namespace!;
    const name = user.metadata.name;
    const auth = user.spec?.authentication;
    if (!auth) {
      // No authentication: no Secret (an old one is deleted), the username is the name.
      if (await this.kube.delete(this.path('Secret', ns, secretName))) this.log(`KafkaUser ${ns}/${name}: deleted Secret ${secretName}`);
      return simpleStatus(user, undefined, { username: name });
    }
    if (auth.type !== 'scram-sha-512') {
      throw new ReconcileFailure('StandInUnsupported', `The Strimzi stand-in does not emulate ${auth.type} user authentication (only scram-sha-512 and none)`);
    }
    const password = await this.scramPassword(user, secretName);
    await this.applySecret(user, {
      metadata: userSecretMetadata(user, secretName),
      data: { password: encode(password), 'sasl.jaas.config': encode(scramJaasConfig(name, password)) },
    });
    return simpleStatus(user, undefined, { username: name, secret: secretName });
  }

  /** KafkaUserModel.maybeGeneratePassword: the requested one, else the one in the user's Secret, else a new one. */
  private async scramPassword(user: Obj, secretName: string): Promise<string> {
    const ns = user.metadata.namespace!;
    const requested = user.spec?.authentication?.password;
    if (requested) {
      const ref = requested.valueFrom?.secretKeyRef;
      if (!ref?.name || !ref?.key) throw new ReconcileFailure('InvalidResourceException', "Resource requests custom SCRAM-SHA-512 password but doesn't specify the secret name and/or key");
      const s = await this.kube.find<Obj>(this.path('Secret', ns, ref.name));
      if (!s) throw new ReconcileFailure('InvalidResourceException', `Secret ${ref.name} in namespace ${ns} not found`);
      const value = s.data?.[ref.key];
      if (value === undefined) throw new ReconcileFailure('InvalidResourceException', `Secret ${ref.name} does not contain the key ${ref.key} with requested user password.`);
      if (value === '') throw new ReconcileFailure('InvalidResourceException', 'The requested user password is empty.');
      return decode(value);
    }
    const existing = (await this.kube.find<Obj>(this.path('Secret', ns, secretName)))?.data?.password;
    return existing ? decode(existing) : generatePassword(SCRAM_PASSWORD_LENGTH);
  }

  /** KafkaUserOperator.delete: the user's Secret goes with it. */
  private async userDeleted(user: Obj): Promise<void> {
    const uo = this.activeOperator(user, 'userOperator');
    if (!uo) return;
    const secretName = userSecretName(uo, user);
    if (await this.kube.delete(this.path('Secret', user.metadata.namespace, secretName))) this.log(`KafkaUser ${key(user)}: deleted Secret ${secretName}`);
  }

  // ---------------------------------------------------------------- KafkaMirrorMaker2

  private async reconcileMirrorMaker(mm2: Obj): Promise<void> {
    if (mm2.metadata.deletionTimestamp) return;
    const fault = this.injectedFault('KafkaMirrorMaker2', mm2);
    const secrets = this.caches.get('Secret')!;
    let problem = fault ? new ReconcileFailure(INJECTED_FAULT, fault) : mirrorMakerSecretProblem(mm2, (name) => secrets.get(`${mm2.metadata.namespace}/${name}`));
    problem ??= await this.metricsProblem(mm2, mm2.spec?.metricsConfig);
    if (!problem && this.pendingUntil('KafkaMirrorMaker2', mm2)) return;
    await this.writeAndRecord('KafkaMirrorMaker2', mm2, mirrorMakerStatus(mm2, problem));
  }

  // ---------------------------------------------------------------- writing

  /** Writes a status if it differs (StatusDiff), and puts Ready / not Ready in the timeline. */
  private async writeAndRecord(kind: Kind, obj: Obj, status: Status): Promise<void> {
    if (!(await this.writeStatus(kind, obj, status))) return;
    const problem = status.conditions?.find((c) => (c.type === 'Ready' && c.status === 'False') || (c.type === 'NotReady' && c.status === 'True'));
    if (problem) {
      this.record(kind, obj, 'not-ready', `${problem.reason}: ${problem.message}`);
      this.log(`${kind} ${key(obj)}: not ready (${problem.reason}: ${problem.message})`);
    } else if (isReady(status)) {
      this.record(kind, obj, 'ready', `generation ${obj.metadata.generation}`);
      this.log(`${kind} ${key(obj)}: Ready (generation ${obj.metadata.generation})`);
    }
  }

  /**
   * Replaces the status through the /status subresource when it differs from the current one in more than the
   * conditions' transition times; a conflict reads the resource again. Resolves whether it wrote.
   */
  private async writeStatus(kind: Kind, obj: Obj, wanted: Status): Promise<boolean> {
    const path = this.path(kind, obj.metadata.namespace, obj.metadata.name);
    const status = await this.knownToCrd(kind, wanted);
    let current: Obj | undefined = obj;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      if (!current || current.metadata.uid !== obj.metadata.uid) return false;
      if (sameStatus(current.status, status)) return false;
      try {
        // The cache is left to the watch: it may already hold something newer than this answer.
        await this.kube.replace<Obj>(`${path}/status`, { ...current, status });
        return true;
      } catch (e) {
        if (isStatus(e, 404)) return false;
        if (!isStatus(e, 409)) throw e;
        current = await this.kube.find<Obj>(path);
      }
    }
    throw new Error(`${kind} ${key(obj)}: the status kept conflicting`);
  }

  /** Creates or updates a Secret Strimzi owns so that its labels, annotations, owners, type and data are as desired. */
  private async applySecret(owner: Obj, desired: { metadata: Obj['metadata'] & { namespace: string }; data: Record<string, string> }): Promise<void> {
    const path = this.path('Secret', desired.metadata.namespace, desired.metadata.name);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      // An owner deleted meanwhile would get a Secret that only garbage collection removes again.
      if (this.caches.get(owner.kind as Kind)!.get(key(owner))?.metadata.uid !== owner.metadata.uid) return;
      const current = await this.kube.find<Obj>(path);
      try {
        if (!current) {
          await this.kube.create(this.path('Secret', desired.metadata.namespace), { apiVersion: 'v1', kind: 'Secret', metadata: desired.metadata, type: 'Opaque', data: desired.data });
        } else if (secretMatches(current, desired)) {
          return;
        } else {
          const m = desired.metadata;
          const metadata = { ...current.metadata, labels: m.labels, annotations: m.annotations, ownerReferences: m.ownerReferences };
          await this.kube.replace(path, { ...current, metadata, type: 'Opaque', data: desired.data });
        }
        this.record(owner.kind as Kind, owner, 'secret-written', `Secret ${desired.metadata.name}`);
        return;
      } catch (e) {
        if (!isStatus(e, 409)) throw e;
      }
    }
    throw new Error(`Secret ${desired.metadata.namespace}/${desired.metadata.name}: kept conflicting`);
  }

  private record(kind: Kind, obj: Obj, event: TimelineEvent['event'], detail?: string): void {
    this.timeline.push({ at: Date.now(), kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name, event, ...(detail ? { detail } : {}) });
  }
}

class GoneError extends Error {
  constructor() {
    super('410 Gone');
  }
}

function key(obj: KubeObject): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}

function created(obj: Obj): number {
  return Date.parse(obj.metadata.creationTimestamp ?? '') || 0;
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function decode(base64: string | undefined): string {
  return Buffer.from(base64 ?? '', 'base64').toString('utf8');
}

function isStatus(e: unknown, ...codes: number[]): boolean {
  return e instanceof ApiError && codes.includes(e.status);
}

/** EntityUserOperator: the Secret of a user is `<secretPrefix><user name>` (no prefix by default). */
function userSecretName(uo: EntityOperator, user: Obj): string {
  return `${uo.kafka.spec?.entityOperator?.userOperator?.secretPrefix ?? ''}${user.metadata.name}`;
}

/** Whether `have` holds everything `want` sets (objects by key, arrays element by element); what the API server added is ignored. */
function covers(have: unknown, want: unknown): boolean {
  if (want === undefined) return true;
  if (Array.isArray(want)) return Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(have[i], w));
  if (want && typeof want === 'object') {
    return !!have && typeof have === 'object' && Object.entries(want).every(([k, w]) => covers((have as Record<string, unknown>)[k], w));
  }
  return have === want;
}

function secretMatches(current: Obj, desired: { metadata: Obj['metadata']; data: Record<string, string> }): boolean {
  const c = current.metadata;
  const d = desired.metadata;
  return (
    current.type === 'Opaque' &&
    deepEqual(c.labels ?? {}, d.labels ?? {}) &&
    deepEqual(c.annotations ?? {}, d.annotations ?? {}) &&
    deepEqual(c.ownerReferences ?? [], d.ownerReferences ?? []) &&
    deepEqual(current.data ?? {}, desired.data)
  );
}

// ---------------------------------------------------------------- CLI

const HELP = `Usage: npx tsx k8s-tier/src/strimzi-stand-in.ts --kubeconfig FILE [options]

Does, against a real Kubernetes API server, what Strimzi 1.2.0's operators do for our stack (CA Secrets, statuses,
the topic operator's finalizer, KafkaUser Secrets, MirrorMaker 2's Secret checks), with no Kafka. Runs until
SIGINT/SIGTERM. See k8s-tier/STRIMZI-STAND-IN.md.

Options:
  --kubeconfig FILE             kubeconfig to connect with (required)
  --context NAME                its context (default: the current context)
  --namespace NS                watch only this namespace (repeatable; default: all)
  --ready-after Kind=SECONDS    report resources of this kind Ready only SECONDS after first handling each
                                generation (repeatable)
  --never-ready Kind[/namespace[/name]]
                                these resources never become Ready: a not-ready condition says it is an injected
                                fault (repeatable)
  --resync-seconds N            reconcile everything again every N seconds (default 120, like Strimzi)
  --help                        this text

Kinds: ${KINDS.join(', ')}`;

export function parseArgs(argv: readonly string[]): { kubeconfig: string; context?: string; options: StandInOptions } | 'help' {
  const options: StandInOptions = {};
  let kubeconfig: string | undefined;
  let context: string | undefined;
  const kind = (s: string): Kind => {
    if (!(KINDS as readonly string[]).includes(s)) throw new Error(`unknown kind "${s}" (kinds: ${KINDS.join(', ')})`);
    return s as Kind;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--kubeconfig') kubeconfig = value();
    else if (arg === '--context') context = value();
    else if (arg === '--namespace') (options.namespaces ??= []).push(value());
    else if (arg === '--resync-seconds') {
      options.resyncSeconds = Number(value());
      if (!(options.resyncSeconds > 0)) throw new Error('--resync-seconds takes a positive number');
    }
    else if (arg === '--ready-after') {
      const m = /^(\w+)=(\d+(?:\.\d+)?)$/.exec(value());
      if (!m) throw new Error('--ready-after takes Kind=SECONDS');
      (options.readyAfterSeconds ??= {})[kind(m[1])] = Number(m[2]);
    } else if (arg === '--never-ready') {
      const [k, namespace, name] = value().split('/');
      (options.neverReady ??= []).push({ kind: kind(k), ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!kubeconfig) throw new Error('--kubeconfig is required');
  return { kubeconfig, context, options };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${HELP}\n`);
    process.exit(2);
  }
  if (parsed === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const standIn = new StrimziStandIn(Kube.fromKubeconfig(parsed.kubeconfig, parsed.context), parsed.options);
  const shutdown = () => {
    standIn.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await standIn.start();
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
