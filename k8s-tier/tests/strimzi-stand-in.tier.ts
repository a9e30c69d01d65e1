/**
 * The stand-in for Strimzi's operators (src/strimzi-stand-in.ts), against a real API server with Strimzi 1.2.0's
 * CRDs: what the deploy scenarios, and the scenarios after them, rely on it to write, as STRIMZI-STAND-IN.md documents
 * it. Specified here:
 * - a Kafka with a KafkaNodePool: the four CA Secrets with Strimzi's keys, owned by the Kafka; the Kafka Ready with
 *   its observedGeneration and bootstrap address; the pool's status (no Ready condition); both follow spec changes;
 * - the delay option: a Kafka with `readyAfterSeconds` is `Creating`, not Ready, until the delay is over, then Ready;
 * - the fault option: a `neverReady` KafkaTopic never becomes Ready (reason InjectedFault) while its sibling does;
 * - a SCRAM KafkaUser's Secret (`password`, `sasl.jaas.config`) and status;
 * - a KafkaMirrorMaker2 is NotReady, with Strimzi's message, until every Secret it reads exists with its key;
 * - the topic operator's finalizer is released only while a stand-in runs: stopped, a deleted KafkaTopic stays
 *   Terminating; started again, it goes;
 * - changes Strimzi refuses and reverts: a storage change (a smaller size, another type) and a scale-down of brokers
 *   that hold partitions, each with Strimzi's Warning on the pool and/or the Kafka; and the deploy's wait script, run
 *   with this kubectl against those statuses, fails on them with Strimzi's message;
 * - external listeners (loadbalancer, nodeport, ingress): the Services and Ingresses Strimzi makes, no Ready until
 *   they have addresses (a timeout as Strimzi's without), and the listener status Strimzi writes for each type, with
 *   the load-balancer stand-in (src/load-balancer-stand-in.ts) as the cluster's load balancer and ingress controller.
 * - what holds a pool's data: its StrimziPodSet and PVCs, with Strimzi's names, labels and owner (the pool; the PVC
 *   only with deleteClaim: true); deleting a pool, the real garbage collector deletes them, but not a deleteClaim: false PVC.
 * One control plane for the file; each test (or describe) runs its own stand-in, in its own namespace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createPrivateKey, X509Certificate } from 'crypto';
import { cloneCache } from '../../tier-support/cache';
import { runCommand } from '../../tier-support/commands';
import { reapStaleRuns } from '../../tier-support/processes';
import { sleep, tierLog, waitFor } from '../../tier-support/progress';
import { ControlPlane } from '../src/control-plane';
import { crPath, Kube, KubeObject } from '../src/kube';
import { StandInOptions, StrimziStandIn, TimelineEvent } from '../src/strimzi-stand-in';
import { LoadBalancerStandIn, LoadBalancerStandInOptions } from '../src/load-balancer-stand-in';
import { ensureTools } from '../src/tools';
import { WAIT_SCRIPT } from '../../constructs/ready-wait';
import { STRIMZI_CRDS_DIR } from '../src/world';

const log = tierLog('stand-in');
const RUN_DIR = path.join(cloneCache(path.resolve(__dirname, '..')), 'runs', 'stand-in');
/** Certificates and stores the tests write or read back. */
const FILES = path.join(RUN_DIR, 'files');
const TOPIC_FINALIZER = 'strimzi.io/topic-operator';
/** Per test: generous for a machine that is busy, far below the tier's budget. */
const TEST_TIMEOUT_MS = 60_000;
const WAIT_MS = 20_000;

let plane: ControlPlane | undefined;
let kube: Kube;
/** The control plane's own kubectl build. */
let kubectl: string;
/** Stand-ins still running: stopped after the file even if a test was abandoned midway (a timeout). */
const running = new Set<StrimziStandIn>();

beforeAll(async () => {
  const tools = ensureTools(log);
  reapStaleRuns(RUN_DIR, log); // only processes this file started in an interrupted earlier run
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  fs.mkdirSync(FILES, { recursive: true });
  plane = await ControlPlane.start({ name: 'stand-in', runDir: path.join(RUN_DIR, 'cluster'), bin: tools.controlPlaneBin, kwokStages: tools.kwokStages, log });
  kube = plane.kube;
  kubectl = path.join(tools.controlPlaneBin, 'kubectl');
  const run = (...args: string[]) => runCommand(kubectl, ['--kubeconfig', plane!.kubeconfig, ...args]);
  const applied = await run('apply', '--server-side', '-f', STRIMZI_CRDS_DIR);
  if (applied.status !== 0) throw new Error(`kubectl apply of the Strimzi CRDs failed: ${applied.stderr}`);
  const established = await run('wait', '--for=condition=Established', '--timeout=60s', '-f', STRIMZI_CRDS_DIR);
  if (established.status !== 0) throw new Error(`the Strimzi CRDs were not established: ${established.stderr}`);
  // Established is not yet served: lists answer 429 until each resource's storage is up. Stand-ins start after that.
  for (const kind of Object.keys(PLURALS) as Kind[]) {
    await waitFor(`${kind} listable`, () => kube.list(crPath('kafka.strimzi.io', 'v1', PLURALS[kind])), 60_000, 100);
  }
}, 600_000);

afterAll(async () => {
  for (const s of running) await s.stop();
  await plane?.stop();
});

// ---------------------------------------------------------------- helpers

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

type Resource = KubeObject & {
  spec?: Record<string, any>;
  status?: { conditions?: Condition[]; observedGeneration?: number; [field: string]: any };
  data?: Record<string, string>;
  type?: string;
};

const PLURALS = {
  Kafka: 'kafkas',
  KafkaNodePool: 'kafkanodepools',
  KafkaTopic: 'kafkatopics',
  KafkaUser: 'kafkausers',
  KafkaMirrorMaker2: 'kafkamirrormaker2s',
} as const;
type Kind = keyof typeof PLURALS;

const at = (kind: Kind, ns: string, name?: string) => crPath('kafka.strimzi.io', 'v1', PLURALS[kind], ns, name);
const secretAt = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/secrets${name ? `/${name}` : ''}`;
const get = (kind: Kind, ns: string, name: string) => kube.find<Resource>(at(kind, ns, name));
const getSecret = (ns: string, name: string) => kube.find<Resource>(secretAt(ns, name));
const condition = (o: Resource | undefined, type: string) => o?.status?.conditions?.find((c) => c.type === type);
const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');
const base64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** A condition as asserted: without its transition time. */
const bare = ({ lastTransitionTime: _t, ...c }: Condition) => c;

async function newNamespace(name: string): Promise<string> {
  await kube.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function create(kind: Kind, ns: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Promise<Resource> {
  return kube.create<Resource>(at(kind, ns), { apiVersion: 'kafka.strimzi.io/v1', kind, metadata: { name, namespace: ns, ...metadata }, spec });
}

function createSecret(ns: string, name: string, data: Record<string, string>): Promise<Resource> {
  return kube.create<Resource>(secretAt(ns), { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'Opaque', data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, base64(v)])) });
}

const ofCluster = (cluster: string) => ({ labels: { 'strimzi.io/cluster': cluster } });

/** A single-node cluster shaped as constructs/kafka-cluster.ts makes it: one dual-role pool, one TLS SCRAM listener, both entity operators. */
async function createKafka(ns: string, name: string): Promise<void> {
  await create('KafkaNodePool', ns, 'dual-role', { replicas: 1, roles: ['controller', 'broker'], storage: { type: 'persistent-claim', size: '1Gi', deleteClaim: true } }, ofCluster(name));
  await create('Kafka', ns, name, {
    kafka: {
      listeners: [{ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } }],
      authorization: { type: 'simple' },
      config: { 'default.replication.factor': 1, 'min.insync.replicas': 1 },
    },
    entityOperator: { topicOperator: {}, userOperator: {} },
  });
}

/**
 * The four CA Secrets of cluster `name`, complete (ca.crt, ca.p12, ca.password; ca.key) as an earlier operator would
 * have left them, so that the stand-in has nothing to make (RSA 2048 here: quick); returns the certificates by role.
 */
async function premadeCas(ns: string, name: string): Promise<Record<'cluster' | 'clients', string>> {
  const out = { cluster: '', clients: '' };
  for (const role of ['cluster', 'clients'] as const) {
    const [key, cert] = [path.join(FILES, `${name}-${role}.key`), path.join(FILES, `${name}-${role}.crt`)];
    const made = await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/O=io.strimzi/CN=${role}-ca v0`,
      '-addext', 'basicConstraints=critical,CA:true,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
    const store = path.join(FILES, `${name}-${role}.p12`);
    const password = 'Premade12345';
    const stored = await runCommand('openssl', ['pkcs12', '-export', '-nokeys', '-in', cert, '-out', store, '-passout', `pass:${password}`, '-caname', 'ca.crt']);
    if (stored.status !== 0) throw new Error(`openssl pkcs12: ${stored.stderr}`);
    out[role] = fs.readFileSync(cert, 'utf8');
    await kube.create(secretAt(ns), {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-${role}-ca-cert`, namespace: ns }, type: 'Opaque',
      data: { 'ca.crt': base64(out[role]), 'ca.p12': fs.readFileSync(store).toString('base64'), 'ca.password': base64(password) },
    });
    await createSecret(ns, `${name}-${role}-ca`, { 'ca.key': fs.readFileSync(key, 'utf8') });
  }
  return out;
}

const poll = { everyMs: 100, reportEveryMs: 5000, log };

/** The resource once it is Ready (condition Ready "True") for its current generation. */
function whenReady(kind: Kind, ns: string, name: string): Promise<Resource> {
  return waitFor(`${kind} ${ns}/${name} Ready`, async () => {
    const o = await get(kind, ns, name);
    return o && condition(o, 'Ready')?.status === 'True' && o.status?.observedGeneration === o.metadata.generation ? o : undefined;
  }, WAIT_MS, poll);
}

/** The resource once `test` holds for it. */
function when(kind: Kind, ns: string, name: string, what: string, test: (o: Resource) => unknown): Promise<Resource> {
  return waitFor(`${kind} ${ns}/${name}: ${what}`, async () => {
    const o = await get(kind, ns, name);
    return o && test(o) ? o : undefined;
  }, WAIT_MS, poll);
}

async function startStandIn(label: string, options: StandInOptions): Promise<StrimziStandIn> {
  const standIn = new StrimziStandIn(kube, { ...options, log: (m) => log(`stand-in (${label}): ${m}`) });
  running.add(standIn);
  await standIn.start();
  return standIn;
}

async function stopStandIn(standIn: StrimziStandIn): Promise<void> {
  running.delete(standIn);
  await standIn.stop();
}

/** Runs `fn` with a stand-in of its own (watching `ns` only), and always stops it. */
async function withStandIn<T>(ns: string, options: Omit<StandInOptions, 'namespaces' | 'log'>, fn: (standIn: StrimziStandIn) => Promise<T>): Promise<T> {
  const standIn = await startStandIn(ns, { ...options, namespaces: [ns] });
  try {
    return await fn(standIn);
  } finally {
    await stopStandIn(standIn);
  }
}

const eventOf = (standIn: StrimziStandIn, kind: Kind, name: string, event: TimelineEvent['event']) =>
  standIn.timeline.find((e) => e.kind === kind && e.name === name && e.event === event);

/**
 * The stand-in's first such event, once recorded: it records a write when the API's answer is in, which may be a moment
 * after the API already shows the write to another client.
 */
const recorded = (standIn: StrimziStandIn, kind: Kind, name: string, event: TimelineEvent['event']) =>
  waitFor(`the stand-in's "${event}" of ${kind} ${name}`, () => eventOf(standIn, kind, name, event), WAIT_MS, poll);

// ---------------------------------------------------------------- the specification

describe('a Kafka with a KafkaNodePool (the cluster operator)', () => {
  const ns = 'cluster-op';
  const cluster = 'alpha';
  let standIn: StrimziStandIn;
  let kafka: Resource;

  beforeAll(async () => {
    await newNamespace(ns);
    standIn = await startStandIn(ns, { namespaces: [ns] });
    await createKafka(ns, cluster);
    kafka = await whenReady('Kafka', ns, cluster);
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    if (standIn) await stopStandIn(standIn);
  });

  test('gets the cluster and clients CA Secrets with the keys Strimzi writes (ca.crt, ca.p12, ca.password; ca.key), owned by the Kafka', async () => {
    const owner = [{ apiVersion: 'kafka.strimzi.io/v1', kind: 'Kafka', name: cluster, uid: kafka.metadata.uid, blockOwnerDeletion: true, controller: false }];
    for (const role of ['cluster', 'clients']) {
      const cert = (await getSecret(ns, `${cluster}-${role}-ca-cert`))!;
      const key = (await getSecret(ns, `${cluster}-${role}-ca`))!;
      expect({ role, cert: Object.keys(cert?.data ?? {}).sort(), key: Object.keys(key?.data ?? {}) }).toEqual({ role, cert: ['ca.crt', 'ca.p12', 'ca.password'], key: ['ca.key'] });
      for (const s of [cert, key]) {
        expect(s.type).toBe('Opaque');
        expect(s.metadata.ownerReferences).toEqual(owner);
        expect(s.metadata.labels).toMatchObject({ 'strimzi.io/cluster': cluster, 'strimzi.io/kind': 'Kafka', 'strimzi.io/component-type': 'certificate-authority' });
      }
      expect(cert.metadata.annotations).toEqual({ 'strimzi.io/ca-cert-generation': '0' });
      expect(key.metadata.annotations).toEqual({ 'strimzi.io/ca-key-generation': '0' });
      // A real CA: its certificate, signed by the key next to it, and a PKCS12 truststore holding it under "ca.crt".
      const certificate = new X509Certificate(text(cert.data!['ca.crt']));
      expect(certificate.subject).toBe(`O=io.strimzi\nCN=${role}-ca v0`);
      expect(certificate.ca).toBe(true);
      expect(certificate.checkPrivateKey(createPrivateKey(text(key.data!['ca.key'])))).toBe(true);
      const password = text(cert.data!['ca.password']);
      expect(password).toMatch(/^[A-Za-z][A-Za-z0-9]{11}$/);
      const store = path.join(FILES, `${cluster}-${role}-ca.p12`);
      fs.writeFileSync(store, Buffer.from(cert.data!['ca.p12'], 'base64'));
      const read = await runCommand('openssl', ['pkcs12', '-in', store, '-passin', `pass:${password}`, '-nokeys']);
      expect(read.status).toBe(0);
      expect(read.stdout).toContain('friendlyName: ca.crt');
      expect(new X509Certificate(read.stdout.slice(read.stdout.indexOf('-----BEGIN CERTIFICATE-----'))).fingerprint256).toBe(certificate.fingerprint256);
    }
  });

  test('is Ready for its generation, with the TLS listener\'s bootstrap address <cluster>-kafka-bootstrap.<ns>.svc:9093 and the cluster CA', async () => {
    const clusterCa = text((await getSecret(ns, `${cluster}-cluster-ca-cert`))!.data!['ca.crt']);
    expect(kafka.status!.conditions!.map(bare)).toEqual([{ type: 'Ready', status: 'True' }]);
    expect(kafka.status!.observedGeneration).toBe(kafka.metadata.generation);
    expect(kafka.status!.listeners).toEqual([
      { name: 'tls', addresses: [{ host: `${cluster}-kafka-bootstrap.${ns}.svc`, port: 9093 }], bootstrapServers: `${cluster}-kafka-bootstrap.${ns}.svc:9093`, certificates: [clusterCa] },
    ]);
    expect(kafka.status!.listeners[0].bootstrapServers).toBe('alpha-kafka-bootstrap.cluster-op.svc:9093');
    expect(kafka.status).toMatchObject({ kafkaNodePools: [{ name: 'dual-role' }], operatorLastSuccessfulVersion: '1.2.0', kafkaVersion: '4.3.1', clusterId: expect.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/) });
    expect((await recorded(standIn, 'Kafka', cluster, 'ready')).detail).toBe(`generation ${kafka.metadata.generation}`);
  });

  test('gives the pool a status without a Ready condition: observedGeneration, nodeIds, roles, replicas, the Kafka\'s clusterId', async () => {
    const pool = (await get('KafkaNodePool', ns, 'dual-role'))!;
    const { labelSelector, ...status } = pool.status!;
    expect(status).toEqual({ conditions: [], observedGeneration: pool.metadata.generation, nodeIds: [0], clusterId: kafka.status!.clusterId, roles: ['controller', 'broker'], replicas: 1 });
    expect(String(labelSelector).split(',').sort()).toEqual(['strimzi.io/cluster=alpha', 'strimzi.io/kind=Kafka', 'strimzi.io/name=alpha-kafka', 'strimzi.io/pool-name=dual-role']);
  });

  test('a spec change bumps the generation, and observedGeneration follows (Kafka and pool)', async () => {
    await kube.mergePatch(at('Kafka', ns, cluster), { spec: { kafka: { config: { 'auto.create.topics.enable': false } } } });
    const changed = await whenReady('Kafka', ns, cluster);
    expect(changed.metadata.generation).toBe(kafka.metadata.generation! + 1);
    expect(changed.status!.observedGeneration).toBe(changed.metadata.generation);

    await kube.mergePatch(at('KafkaNodePool', ns, 'dual-role'), { spec: { replicas: 3 } });
    const pool = await when('KafkaNodePool', ns, 'dual-role', 'status of generation 2', (o) => o.metadata.generation === 2 && o.status?.observedGeneration === 2);
    expect(pool.status).toMatchObject({ conditions: [], nodeIds: [0, 1, 2], replicas: 3 });
    expect(condition(pool, 'Ready')).toBeUndefined();
    const after = await whenReady('Kafka', ns, cluster);
    expect(after.status!.conditions!.map(bare)).toEqual([{ type: 'Ready', status: 'True' }]);
  }, TEST_TIMEOUT_MS);
});

test('with readyAfterSeconds { Kafka: 2 }, a new Kafka is Creating, not Ready, until 2 s after the stand-in saw it, then Ready at once', async () => {
  const ns = await newNamespace('delayed');
  const delayMs = 2000;
  // Its CAs are made beforehand (and kept by the stand-in): making them takes the stand-in seconds on a busy machine
  // (RSA 4096), which would outlast the delay; this way, Ready comes from the delay running out.
  const cas = await premadeCas(ns, 'slow');
  await withStandIn(ns, { readyAfterSeconds: { Kafka: delayMs / 1000 } }, async (standIn) => {
    await createKafka(ns, 'slow');
    const seen = await recorded(standIn, 'Kafka', 'slow', 'seen');

    // Half-way through the delay, the API shows what Strimzi shows while it deploys a new cluster.
    await sleep(Math.max(0, seen.at + delayMs / 2 - Date.now()));
    const during = (await get('Kafka', ns, 'slow'))!;
    expect(Date.now()).toBeLessThan(seen.at + delayMs); // else this machine is too slow for the check to mean anything
    expect(during.status?.conditions?.map(bare)).toEqual([{ type: 'NotReady', status: 'True', reason: 'Creating', message: 'Kafka cluster is being deployed' }]);
    expect(during.status?.observedGeneration).toBe(0);

    const ready = await whenReady('Kafka', ns, 'slow');
    expect(ready.status!.conditions!.map(bare)).toEqual([{ type: 'Ready', status: 'True' }]);
    const readyAt = (await recorded(standIn, 'Kafka', 'slow', 'ready')).at;
    expect(readyAt - seen.at).toBeGreaterThanOrEqual(delayMs);
    // And at once: when the delay ran out, or (on a machine too busy for that) when the rest of the reconcile, which
    // ends with the pool's status, was done.
    const poolAt = (await recorded(standIn, 'KafkaNodePool', 'dual-role', 'ready')).at;
    expect(readyAt - Math.max(seen.at + delayMs, poolAt)).toBeLessThan(1500);
    // The CAs it found were kept.
    expect(text((await getSecret(ns, 'slow-cluster-ca-cert'))!.data!['ca.crt'])).toBe(cas.cluster);
    expect(text((await getSecret(ns, 'slow-clients-ca-cert'))!.data!['ca.crt'])).toBe(cas.clients);
  });
}, TEST_TIMEOUT_MS);

test('a KafkaMirrorMaker2 is NotReady with Strimzi\'s message while a Secret it reads is missing (or lacks the key), Ready once it holds the key', async () => {
  const ns = await newNamespace('mirror');
  const caPem = fs.readFileSync(path.join(RUN_DIR, 'cluster', 'pki', 'ca.crt'), 'utf8'); // any real X.509 certificate
  const endpoint = (alias: string, caSecret: string, caKey: string, username: string, passwordSecret: string, passwordKey: string) => ({
    alias,
    bootstrapServers: `${alias}-kafka-bootstrap.${alias}.svc:9093`,
    tls: { trustedCertificates: [{ secretName: caSecret, certificate: caKey }] },
    authentication: { type: 'scram-sha-512', username, passwordSecret: { secretName: passwordSecret, password: passwordKey } },
  });
  await withStandIn(ns, {}, async () => {
    // As the mesh stack does: the target's own CA and user Secrets, and every source's in the copied mirror-sources.
    await createSecret(ns, 'here-cluster-ca-cert', { 'ca.crt': caPem });
    await createSecret(ns, 'mirror-target', { password: 'target-password' });
    await create('KafkaMirrorMaker2', ns, 'mirrormaker2', {
      replicas: 1,
      target: { ...endpoint('here', 'here-cluster-ca-cert', 'ca.crt', 'mirror-target', 'mirror-target', 'password'), groupId: 'mirrormaker2', configStorageTopic: 'mm2-configs', offsetStorageTopic: 'mm2-offsets', statusStorageTopic: 'mm2-status' },
      mirrors: [{ source: endpoint('there', 'mirror-sources', 'there.ca.crt', 'mirror-source', 'mirror-sources', 'there.password'), topicsPattern: 'orders', sourceConnector: { tasksMax: 1 } }],
    });
    const notReady = (message: string) => [{ type: 'NotReady', status: 'True', reason: 'InvalidConfigurationException', message }];

    const missing = await when('KafkaMirrorMaker2', ns, 'mirrormaker2', 'a status', (o) => o.status);
    expect(missing.status!.conditions!.map(bare)).toEqual(notReady(`Secret mirror-sources not found in namespace ${ns}`));
    expect(missing.status!.observedGeneration).toBe(missing.metadata.generation);
    expect(missing.status!.connectors).toBeUndefined();

    await createSecret(ns, 'mirror-sources', { 'there.ca.crt': caPem });
    const noKey = await when('KafkaMirrorMaker2', ns, 'mirrormaker2', 'a new status', (o) => !condition(o, 'NotReady')?.message?.includes('not found'));
    expect(noKey.status!.conditions!.map(bare)).toEqual(notReady('Items with key(s) [there.password] are missing in Secret mirror-sources'));

    await kube.mergePatch(secretAt(ns, 'mirror-sources'), { data: { 'there.password': base64('source-password') } });
    const ready = await whenReady('KafkaMirrorMaker2', ns, 'mirrormaker2');
    const worker = `mirrormaker2-mirrormaker2-0.mirrormaker2-mirrormaker2.${ns}.svc:8083`;
    expect(ready.status).toEqual({
      conditions: [expect.objectContaining({ type: 'Ready', status: 'True' })],
      observedGeneration: ready.metadata.generation,
      url: `http://mirrormaker2-mirrormaker2-api.${ns}.svc:8083`,
      connectors: [{ name: 'there->here.MirrorSourceConnector', connector: { state: 'RUNNING', worker_id: worker }, tasks: [{ id: 0, state: 'RUNNING', worker_id: worker }], type: 'source' }],
      labelSelector: expect.any(String),
      replicas: 1,
    });
  });
}, TEST_TIMEOUT_MS);

describe('the topic and user operators of a Ready Kafka', () => {
  const ns = 'entity-op';
  const cluster = 'beta';

  beforeAll(async () => {
    await newNamespace(ns);
    await withStandIn(ns, {}, async () => {
      await createKafka(ns, cluster);
      await whenReady('Kafka', ns, cluster);
    });
  }, TEST_TIMEOUT_MS);

  test('a neverReady KafkaTopic never gets Ready "True" (reason InjectedFault), while its sibling does', async () => {
    await withStandIn(ns, { neverReady: [{ kind: 'KafkaTopic', namespace: ns, name: 'broken' }] }, async (standIn) => {
      await create('KafkaTopic', ns, 'healthy', { topicName: 'orders', partitions: 1, replicas: 1 }, ofCluster(cluster));
      await create('KafkaTopic', ns, 'broken', { topicName: 'payments', partitions: 1, replicas: 1 }, ofCluster(cluster));

      const healthy = await whenReady('KafkaTopic', ns, 'healthy');
      expect(healthy.status).toEqual({
        conditions: [expect.objectContaining({ type: 'Ready', status: 'True' })],
        observedGeneration: healthy.metadata.generation,
        topicName: 'orders',
        topicId: expect.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/),
      });

      const fault = (o: Resource) => condition(o, 'Ready');
      const broken = await when('KafkaTopic', ns, 'broken', 'a Ready condition', fault);
      expect(bare(fault(broken)!)).toEqual({ type: 'Ready', status: 'False', reason: 'InjectedFault', message: expect.stringMatching(/injected fault.*KafkaTopic entity-op\/broken never becomes Ready/i) });
      // Reconciled again (a spec change), it is still not Ready, for the new generation too.
      await kube.mergePatch(at('KafkaTopic', ns, 'broken'), { spec: { partitions: 2 } });
      const again = await when('KafkaTopic', ns, 'broken', 'status of generation 2', (o) => o.status?.observedGeneration === 2);
      expect(bare(fault(again)!)).toMatchObject({ status: 'False', reason: 'InjectedFault' });
      expect(eventOf(standIn, 'KafkaTopic', 'broken', 'ready')).toBeUndefined();
      await recorded(standIn, 'KafkaTopic', 'healthy', 'ready');
    });
  }, TEST_TIMEOUT_MS);

  test('a SCRAM-SHA-512 KafkaUser gets a Secret with password and sasl.jaas.config, and status username and secret', async () => {
    await withStandIn(ns, {}, async () => {
      const created = await create('KafkaUser', ns, 'producer', {
        authentication: { type: 'scram-sha-512' },
        authorization: { type: 'simple', acls: [{ resource: { type: 'topic', name: 'orders', patternType: 'literal' }, operations: ['Write', 'Describe'] }] },
      }, ofCluster(cluster));
      const user = await whenReady('KafkaUser', ns, 'producer');
      expect(user.status).toEqual({ conditions: [expect.objectContaining({ type: 'Ready', status: 'True' })], observedGeneration: user.metadata.generation, username: 'producer', secret: 'producer' });

      const secret = (await getSecret(ns, 'producer'))!;
      expect(secret.type).toBe('Opaque');
      expect(Object.keys(secret.data ?? {}).sort()).toEqual(['password', 'sasl.jaas.config']);
      const password = text(secret.data!.password);
      expect(password).toMatch(/^[A-Za-z][A-Za-z0-9]{31}$/);
      expect(text(secret.data!['sasl.jaas.config'])).toBe(`org.apache.kafka.common.security.scram.ScramLoginModule required username="producer" password="${password}";`);
      expect(secret.metadata.labels).toEqual({ 'strimzi.io/cluster': cluster, 'strimzi.io/kind': 'KafkaUser' });
      expect(secret.metadata.ownerReferences).toEqual([{ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaUser', name: 'producer', uid: created.metadata.uid, blockOwnerDeletion: true, controller: false }]);
    });
  }, TEST_TIMEOUT_MS);

  test('the topic operator\'s finalizer is released only while a stand-in runs: stopped, a deleted KafkaTopic stays Terminating; started again, it goes', async () => {
    await withStandIn(ns, {}, async (standIn) => {
      await create('KafkaTopic', ns, 'held', { partitions: 1, replicas: 1 }, ofCluster(cluster));
      const topic = await whenReady('KafkaTopic', ns, 'held');
      expect(topic.metadata.finalizers).toEqual([TOPIC_FINALIZER]);
      expect((await recorded(standIn, 'KafkaTopic', 'held', 'finalizer-added')).detail).toBe(TOPIC_FINALIZER);
    });

    expect(await kube.delete(at('KafkaTopic', ns, 'held'))).toBe(true);
    await sleep(3000);
    const terminating = await get('KafkaTopic', ns, 'held');
    expect(terminating?.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect(terminating?.metadata.finalizers).toEqual([TOPIC_FINALIZER]);

    await withStandIn(ns, {}, async (standIn) => {
      await waitFor('KafkaTopic held gone', async () => !(await get('KafkaTopic', ns, 'held')), WAIT_MS, poll);
      expect((await recorded(standIn, 'KafkaTopic', 'held', 'finalizer-removed')).detail).toBe(TOPIC_FINALIZER);
    });
  }, TEST_TIMEOUT_MS);
});

// ---------------------------------------------------------------- changes Strimzi refuses (and reverts)

describe('changes Strimzi refuses: it reverts them and says so only in a Warning condition', () => {
  const STORAGE_MESSAGE = (ns: string) =>
    `The desired Kafka storage configuration in the KafkaNodePool resource ${ns}/dual-role contains changes which are not allowed. As a result, all storage changes will be ignored. Use DEBUG level logging for more information about the detected changes.`;
  const warnings = (o: Resource) => (o.status?.conditions ?? []).filter((c) => c.type === 'Warning').map(bare);
  const poolAt = (ns: string, generation: number) =>
    when('KafkaNodePool', ns, 'dual-role', `status of generation ${generation}`, (o) => o.metadata.generation === generation && o.status?.observedGeneration === generation);
  /** The Kafka once its status says `test` (it is written after the pools', at the end of the reconcile). */
  const kafkaWhen = (ns: string, name: string, what: string, test: (o: Resource) => unknown) => when('Kafka', ns, name, what, (o) => condition(o, 'Ready')?.status === 'True' && test(o));

  /** The deploy's wait (constructs/ready-wait.ts) for one object, run as Terraform runs it, with the control plane's kubectl. */
  async function runWait(kind: 'Kafka' | 'KafkaNodePool', ns: string, name: string, cluster: string) {
    const env = {
      PATH: `${path.dirname(kubectl)}:${process.env.PATH}`,
      // kubectl's discovery cache: in the run's folder, never in the clone (without HOME it would use the cwd).
      KUBECACHEDIR: path.join(RUN_DIR, 'kube-cache'),
      KUBECONFIG: plane!.kubeconfig,
      WAIT_CONTEXT: '',
      WAIT_FOR: kind === 'Kafka' ? 'ready' : 'pool',
      WAIT_RESOURCE: `${PLURALS[kind]}.kafka.strimzi.io`,
      WAIT_NAMESPACE: ns,
      WAIT_NAME: name,
      WAIT_KAFKA: cluster,
      WAIT_TIMEOUT_SECONDS: '6',
    };
    const started = Date.now();
    const result = await runCommand('sh', ['-c', WAIT_SCRIPT], { env });
    return { ...result, seconds: (Date.now() - started) / 1000 };
  }

  test('storage: a larger persistent volume is applied; a smaller one or another type is refused (Warning KafkaStorage on the pool and its Kafka, the pool\'s generation observed); undone, the Warning goes', async () => {
    const ns = await newNamespace('refused-storage');
    const cluster = 'gamma';
    await premadeCas(ns, cluster);
    await withStandIn(ns, {}, async () => {
      await createKafka(ns, cluster);
      const first = await whenReady('Kafka', ns, cluster);
      const storage = (patch: Record<string, unknown>) => kube.mergePatch(at('KafkaNodePool', ns, 'dual-role'), { spec: { storage: patch } });

      await storage({ size: '2Gi' });
      expect(warnings(await poolAt(ns, 2))).toEqual([]);

      await storage({ size: '1536Mi' }); // smaller than 2Gi
      const shrunk = await poolAt(ns, 3);
      const warning = { type: 'Warning', status: 'True', reason: 'KafkaStorage', message: STORAGE_MESSAGE(ns) };
      expect(shrunk.status!.conditions!.map(bare)).toEqual([warning]);
      const kafka = await kafkaWhen(ns, cluster, 'the pool\'s warning', (o) => warnings(o).length > 0);
      expect(kafka.status!.conditions!.map(bare)).toEqual([warning, { type: 'Ready', status: 'True' }]);
      // The Kafka's own generation did not move; only the pool's did.
      expect(kafka.metadata.generation).toBe(first.metadata.generation);
      expect(kafka.status!.observedGeneration).toBe(kafka.metadata.generation);

      // The deploy's waits fail on it, at once, with Strimzi's message.
      for (const kind of ['KafkaNodePool', 'Kafka'] as const) {
        const wait = await runWait(kind, ns, kind === 'Kafka' ? cluster : 'dual-role', cluster);
        expect({ kind, status: wait.status }).toEqual({ kind, status: 1 });
        expect(wait.seconds).toBeLessThan(5);
        expect(wait.stderr).toContain(`Strimzi refused a requested change and reverted it`);
        expect(wait.stderr).toContain(`KafkaStorage: ${STORAGE_MESSAGE(ns)}`);
      }

      await storage({ size: '2Gi' }); // undone: the storage it kept
      expect(warnings(await poolAt(ns, 4))).toEqual([]);
      await kafkaWhen(ns, cluster, 'no warning', (o) => warnings(o).length === 0);
      for (const kind of ['KafkaNodePool', 'Kafka'] as const) expect((await runWait(kind, ns, kind === 'Kafka' ? cluster : 'dual-role', cluster)).status).toBe(0);

      await kube.mergePatch(at('KafkaNodePool', ns, 'dual-role'), { spec: { storage: { type: 'ephemeral', size: null, deleteClaim: null } } });
      expect((await poolAt(ns, 5)).status!.conditions!.map(bare)).toEqual([warning]);
    });
  }, TEST_TIMEOUT_MS);

  test('scale-down: allowed while no topic exists; with a topic, reverted (the pool keeps its nodes, Warning ScaleDownPreventionCheck on the Kafka only); skipped by strimzi.io/skip-broker-scaledown-check', async () => {
    const ns = await newNamespace('refused-scale-down');
    const cluster = 'delta';
    await premadeCas(ns, cluster);
    await withStandIn(ns, {}, async () => {
      await createKafka(ns, cluster);
      await whenReady('Kafka', ns, cluster);
      const replicas = (n: number) => kube.mergePatch(at('KafkaNodePool', ns, 'dual-role'), { spec: { replicas: n } });

      await replicas(3);
      expect((await poolAt(ns, 2)).status).toMatchObject({ nodeIds: [0, 1, 2], replicas: 3 });
      await replicas(1); // no topic: no broker holds partitions
      expect((await poolAt(ns, 3)).status).toMatchObject({ nodeIds: [0], replicas: 1 });
      await replicas(3);
      await poolAt(ns, 4);

      await create('KafkaTopic', ns, 'orders', { topicName: 'orders', partitions: 3, replicas: 1 }, ofCluster(cluster));
      await whenReady('KafkaTopic', ns, 'orders');
      await replicas(1);
      const kept = await poolAt(ns, 5);
      expect(kept.status).toMatchObject({ conditions: [], nodeIds: [0, 1, 2], replicas: 3 });
      expect(kept.spec!.replicas).toBe(1);
      const scaleDown = { type: 'Warning', status: 'True', reason: 'ScaleDownPreventionCheck', message: 'Reverting scale-down of KafkaNodePool dual-role by changing number of replicas to 3' };
      const kafka = await kafkaWhen(ns, cluster, 'the scale-down warning', (o) => warnings(o).length > 0);
      expect(kafka.status!.conditions!.map(bare)).toEqual([scaleDown, { type: 'Ready', status: 'True' }]);

      for (const kind of ['KafkaNodePool', 'Kafka'] as const) {
        const wait = await runWait(kind, ns, kind === 'Kafka' ? cluster : 'dual-role', cluster);
        expect({ kind, status: wait.status }).toEqual({ kind, status: 1 });
        expect(wait.stderr).toContain(`ScaleDownPreventionCheck: ${scaleDown.message}`);
      }

      await kube.mergePatch(at('Kafka', ns, cluster), { metadata: { annotations: { 'strimzi.io/skip-broker-scaledown-check': 'true' } } });
      const removed = await when('KafkaNodePool', ns, 'dual-role', 'one node', (o) => o.status?.replicas === 1);
      expect(removed.status).toMatchObject({ conditions: [], nodeIds: [0], observedGeneration: 5 });
      await kafkaWhen(ns, cluster, 'no warning', (o) => warnings(o).length === 0);
    });
  }, 2 * TEST_TIMEOUT_MS);
});

// ---------------------------------------------------------------- external listeners (loadbalancer, nodeport, ingress)

describe('external listeners: the Kafka is Ready only once its listener has an address, and its status carries that address as Strimzi writes it', () => {
  /** The internal TLS listener the stack always has, and an external one on 9094 as the stack adds it across clusters. */
  const external = (type: string, configuration?: Record<string, unknown>) => ({
    name: 'external', port: 9094, type, tls: true, authentication: { type: 'scram-sha-512' }, ...(configuration ? { configuration } : {}),
  });
  const tlsListener = { name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } };

  async function createKafkaWith(ns: string, name: string, listeners: unknown[], brokers = 1): Promise<void> {
    await create('KafkaNodePool', ns, 'dual-role', { replicas: brokers, roles: ['controller', 'broker'], storage: { type: 'ephemeral' } }, ofCluster(name));
    await create('Kafka', ns, name, {
      kafka: { listeners, config: { 'default.replication.factor': 1, 'min.insync.replicas': 1 } },
      entityOperator: { topicOperator: {}, userOperator: {} },
    });
  }

  const service = (ns: string, name: string) => kube.find<Resource>(`/api/v1/namespaces/${ns}/services/${name}`);
  const ingress = (ns: string, name: string) => kube.find<Resource>(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${name}`);
  const externalStatus = (k: Resource) => (k.status!.listeners as Record<string, unknown>[]).find((l) => l.name === 'external');
  const running: LoadBalancerStandIn[] = [];
  afterEach(async () => {
    for (const lb of running.splice(0)) await lb.stop();
  });
  async function startLoadBalancers(options: Omit<LoadBalancerStandInOptions, 'log'>): Promise<LoadBalancerStandIn> {
    const lb = new LoadBalancerStandIn(kube, { ...options, log: (m) => log(`load-balancer stand-in: ${m}`) });
    running.push(lb);
    await lb.start();
    return lb;
  }

  test('loadbalancer: with no load balancer the reconcile times out as Strimzi\'s does; once one assigns an address, the listener is <address>:9094', async () => {
    const ns = await newNamespace('ext-lb');
    await premadeCas(ns, 'lb');
    await withStandIn(ns, { operationTimeoutSeconds: 3 }, async () => {
      await createKafkaWith(ns, 'lb', [tlsListener, external('loadbalancer')]);
      // Strimzi's Services: the bootstrap one and one per broker, of type LoadBalancer, owned by the Kafka and the pool.
      const bootstrap = await waitFor('the bootstrap Service', () => service(ns, 'lb-kafka-external-bootstrap'), WAIT_MS, poll);
      expect(bootstrap.spec).toMatchObject({ type: 'LoadBalancer', ports: [{ name: 'tcp-external', port: 9094, targetPort: 'tcp-external', protocol: 'TCP' }], externalTrafficPolicy: 'Cluster' });
      expect(bootstrap.metadata.ownerReferences?.map((o) => o.kind)).toEqual(['Kafka']);
      expect((await service(ns, 'lb-dual-role-0'))?.metadata.ownerReferences?.map((o) => o.kind)).toEqual(['KafkaNodePool']);
      const timedOut = await when('Kafka', ns, 'lb', 'not ready with a timeout', (o) => condition(o, 'NotReady')?.reason === 'StrimziTimeoutException');
      expect(bare(condition(timedOut, 'NotReady')!).message).toBe(`Exceeded timeout of 3000ms while waiting for Service resource lb-kafka-external-bootstrap in namespace ${ns} to be addressable`);
      expect(condition(timedOut, 'Ready')).toBeUndefined();

      // A load balancer controller arrives: the retried reconcile finds both addresses.
      const lb = await startLoadBalancers({ subnet: '198.51.100' });
      const ready = await whenReady('Kafka', ns, 'lb');
      const address = (await service(ns, 'lb-kafka-external-bootstrap'))!.status!.loadBalancer.ingress[0].ip;
      expect(address).toMatch(/^198\.51\.100\.\d+$/);
      const clusterCa = text((await getSecret(ns, 'lb-cluster-ca-cert'))!.data!['ca.crt']);
      expect(ready.status!.listeners.map((l: { name: string }) => l.name)).toEqual(['tls', 'external']);
      expect(externalStatus(ready)).toEqual({ name: 'external', addresses: [{ host: address, port: 9094 }], bootstrapServers: `${address}:9094`, certificates: [clusterCa] });
      expect(lb.timeline.filter((e) => e.event === 'address-assigned').map((e) => e.name).sort()).toEqual(['lb-dual-role-0', 'lb-kafka-external-bootstrap']);

      // A load balancer's Service, deleted (by garbage collection after its Kafka or pool, or with its namespace), goes
      // only once the controller has let go of its load balancer: its finalizer.
      expect((await service(ns, 'lb-kafka-external-bootstrap'))!.metadata.finalizers).toEqual(['service.kubernetes.io/load-balancer-cleanup']);
      await kube.delete(at('Kafka', ns, 'lb'));
      await kube.delete(at('KafkaNodePool', ns, 'dual-role'));
      // Deleted here rather than left to garbage collection, whose discovery may not know the new Strimzi kinds yet.
      for (const name of ['lb-kafka-external-bootstrap', 'lb-dual-role-0']) await kube.delete(`/api/v1/namespaces/${ns}/services/${name}`);
      await waitFor('the Services gone', async () => !(await service(ns, 'lb-kafka-external-bootstrap')) && !(await service(ns, 'lb-dual-role-0')), WAIT_MS, poll);
      expect(lb.timeline.filter((e) => e.event === 'address-released').map((e) => e.name).sort()).toEqual(['lb-dual-role-0', 'lb-kafka-external-bootstrap']);
    });
  }, TEST_TIMEOUT_MS);

  test('loadbalancer with a class: the default controller leaves it alone; a hostname (as some clouds give) wins over an IP', async () => {
    const ns = await newNamespace('ext-lb-class');
    await premadeCas(ns, 'elb');
    await startLoadBalancers({ subnet: '198.51.100' }); // no class: not this listener's controller
    await withStandIn(ns, {}, async () => {
      await createKafkaWith(ns, 'elb', [tlsListener, external('loadbalancer', { class: 'example.com/elb' })]);
      const bootstrap = await waitFor('the bootstrap Service', () => service(ns, 'elb-kafka-external-bootstrap'), WAIT_MS, poll);
      expect(bootstrap.spec!.loadBalancerClass).toBe('example.com/elb');
      await sleep(2000);
      expect((await service(ns, 'elb-kafka-external-bootstrap'))!.status?.loadBalancer?.ingress).toBeUndefined();
      expect(condition((await get('Kafka', ns, 'elb'))!, 'Ready')).toBeUndefined();
      // This test plays the class's controller.
      for (const name of ['elb-kafka-external-bootstrap', 'elb-dual-role-0']) {
        const s = (await service(ns, name))!;
        await kube.replace(`/api/v1/namespaces/${ns}/services/${name}/status`, { ...s, status: { loadBalancer: { ingress: [{ hostname: `${name}.elb.example`, ip: '203.0.113.9' }] } } });
      }
      const ready = await whenReady('Kafka', ns, 'elb');
      expect(externalStatus(ready)).toMatchObject({ addresses: [{ host: 'elb-kafka-external-bootstrap.elb.example', port: 9094 }], bootstrapServers: 'elb-kafka-external-bootstrap.elb.example:9094' });
    });
  }, TEST_TIMEOUT_MS);

  test('nodeport: NodePort Services (the bootstrap one on the requested port); each broker at its advertised host, else its node\'s address, on the bootstrap node port', async () => {
    const ns = await newNamespace('ext-np');
    await premadeCas(ns, 'np');
    await withStandIn(ns, {}, async () => {
      await createKafkaWith(ns, 'np', [
        tlsListener,
        external('nodeport', { bootstrap: { nodePort: 31094, alternativeNames: ['kafka.np.example'] }, advertisedHostTemplate: 'broker-{nodeId}.kafka.np.example' }),
        { name: 'plainnp', port: 9095, type: 'nodeport', tls: false },
      ], 3);
      const ready = await whenReady('Kafka', ns, 'np');
      const bootstrap = (await service(ns, 'np-kafka-external-bootstrap'))!;
      expect(bootstrap.spec).toMatchObject({ type: 'NodePort', ports: [{ name: 'tcp-external', port: 9094, nodePort: 31094 }] });
      for (const id of [0, 1, 2]) expect((await service(ns, `np-dual-role-${id}`))!.spec!.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
      const hosts = [0, 1, 2].map((id) => `broker-${id}.kafka.np.example`);
      const ext = externalStatus(ready) as { addresses: { host: string; port: number }[]; bootstrapServers: string };
      expect(ext.addresses.map((a) => a.host).sort()).toEqual(hosts);
      expect(ext.addresses.every((a) => a.port === 31094)).toBe(true);
      expect(ext.bootstrapServers).toBe(hosts.map((h) => `${h}:31094`).join(','));
      // No advertised host: the address of the node the brokers run on (kwok's InternalIP), once (a set), on the allocated port.
      const allocated = (await service(ns, 'np-kafka-plainnp-bootstrap'))!.spec!.ports[0].nodePort;
      const node = (await kube.list<Resource>('/api/v1/nodes')).items[0];
      const internalIp = node.status!.addresses.find((a: { type: string }) => a.type === 'InternalIP').address;
      expect((ready.status!.listeners as Record<string, unknown>[]).find((l) => l.name === 'plainnp')).toEqual({ name: 'plainnp', addresses: [{ host: internalIp, port: allocated }], bootstrapServers: `${internalIp}:${allocated}` });
      expect(ready.status!.listeners.map((l: { name: string }) => l.name)).toEqual(['tls', 'external', 'plainnp']);
    });
  }, TEST_TIMEOUT_MS);

  test('ingress: Ingresses per bootstrap and broker, Ready once the ingress controller published them; the listener is bootstrap.host:443', async () => {
    const ns = await newNamespace('ext-ing');
    await premadeCas(ns, 'ing');
    await withStandIn(ns, {}, async () => {
      await createKafkaWith(ns, 'ing', [tlsListener, external('ingress', { bootstrap: { host: 'kafka.ing.example' }, hostTemplate: 'broker-{nodeId}.kafka.ing.example', class: 'nginx' })]);
      const bootstrap = await waitFor('the bootstrap Ingress', () => ingress(ns, 'ing-kafka-bootstrap'), WAIT_MS, poll);
      expect(bootstrap.spec).toEqual({
        ingressClassName: 'nginx',
        rules: [{ host: 'kafka.ing.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'ing-kafka-external-bootstrap', port: { number: 9094 } } } }] } }],
        tls: [{ hosts: ['kafka.ing.example'] }],
      });
      expect((await ingress(ns, 'ing-dual-role-0'))!.spec!.rules[0].host).toBe('broker-0.kafka.ing.example');
      expect((await service(ns, 'ing-kafka-external-bootstrap'))!.spec!.type).toBe('ClusterIP');
      await sleep(2000);
      expect(condition((await get('Kafka', ns, 'ing'))!, 'Ready')).toBeUndefined(); // no ingress controller yet

      const lb = await startLoadBalancers({ subnet: '192.0.2', ingressClasses: ['nginx'] });
      const ready = await whenReady('Kafka', ns, 'ing');
      expect((await ingress(ns, 'ing-kafka-bootstrap'))!.status!.loadBalancer.ingress).toEqual([{ ip: lb.ingressAddress }]);
      expect(externalStatus(ready)).toMatchObject({ addresses: [{ host: 'kafka.ing.example', port: 443 }], bootstrapServers: 'kafka.ing.example:443' });
      expect(ready.status!.conditions!.map(bare)).toContainEqual({ type: 'Warning', status: 'True', reason: 'DeprecatedObjects', message: 'ingress type listeners are deprecated.' });
    });
  }, TEST_TIMEOUT_MS);
});

describe('what a pool\'s data lives in: its StrimziPodSet and PVCs, owned by the pool, so that deleting the pool has the garbage collector delete them', () => {
  const ns = 'pool-gc';
  const cluster = 'gamma';
  /** Bounded: the real garbage collector, then the pvc-protection controller for a PVC, on a machine that may be busy. */
  const GONE_MS = 45_000;
  const podSetAt = (name?: string) => `/apis/core.strimzi.io/v1/namespaces/${ns}/strimzipodsets${name ? `/${name}` : ''}`;
  const pvcAt = (name?: string) => `/api/v1/namespaces/${ns}/persistentvolumeclaims${name ? `/${name}` : ''}`;
  const owner = (pool: Resource) => [{ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaNodePool', name: pool.metadata.name, uid: pool.metadata.uid, blockOwnerDeletion: true, controller: false }];
  const pools: Record<string, Resource> = {};
  let standIn: StrimziStandIn;

  /** Polls until the object is gone (404), bounded by GONE_MS. */
  const gone = (what: string, at: string) => waitFor(`${what} gone`, async () => ((await kube.find(at)) ? undefined : true), GONE_MS, poll);

  beforeAll(async () => {
    await newNamespace(ns);
    await premadeCas(ns, cluster);
    standIn = await startStandIn(ns, { namespaces: [ns] });
    // Name order is the API's list order, hence the node IDs: brokers 0, 1; controllers 2; kept 3.
    const persistent = (deleteClaim: boolean) => ({ type: 'persistent-claim', size: '2Gi', class: 'fast', deleteClaim });
    pools.brokers = await create('KafkaNodePool', ns, 'brokers', { replicas: 2, roles: ['broker'], storage: persistent(true) }, { labels: { 'strimzi.io/cluster': cluster, team: 'data' } });
    pools.controllers = await create('KafkaNodePool', ns, 'controllers', { replicas: 1, roles: ['controller'], storage: persistent(true) }, ofCluster(cluster));
    pools.kept = await create('KafkaNodePool', ns, 'kept', { replicas: 1, roles: ['broker'], storage: persistent(false) }, ofCluster(cluster));
    await create('Kafka', ns, cluster, { kafka: { listeners: [{ name: 'tls', port: 9093, type: 'internal', tls: true }] } });
    await whenReady('Kafka', ns, cluster);
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    if (standIn) await stopStandIn(standIn);
  });

  test('each pool has a StrimziPodSet <cluster>-<pool> and per node a PVC data-<cluster>-<pool>-<node id>, owned by the pool (the PVC only with deleteClaim: true), with Strimzi\'s labels', async () => {
    const nodeIds = Object.fromEntries(await Promise.all(Object.keys(pools).map(async (p) => [p, (await get('KafkaNodePool', ns, p))!.status!.nodeIds])));
    expect(nodeIds).toEqual({ brokers: [0, 1], controllers: [2], kept: [3] });
    const selector = (pool: string) => ({ 'strimzi.io/cluster': cluster, 'strimzi.io/name': `${cluster}-kafka`, 'strimzi.io/kind': 'Kafka', 'strimzi.io/pool-name': pool });
    const labels = (pool: string) => ({ ...selector(pool), 'strimzi.io/component-type': 'kafka', 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': cluster, 'app.kubernetes.io/part-of': `strimzi-${cluster}`, 'app.kubernetes.io/managed-by': 'strimzi-cluster-operator' });
    for (const [name, pool] of Object.entries(pools)) {
      const podSet = (await kube.find<Resource>(podSetAt(`${cluster}-${name}`)))!;
      expect({ name, ownerReferences: podSet?.metadata.ownerReferences }).toEqual({ name, ownerReferences: owner(pool) });
      expect(podSet.metadata.labels).toEqual({ ...labels(name), ...(name === 'brokers' ? { team: 'data' } : {}) });
      expect(podSet.spec).toEqual({ selector: { matchLabels: selector(name) }, pods: [] });
    }
    const pvcs = (await kube.list<Resource>(pvcAt())).items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    expect(pvcs.map((p) => p.metadata.name)).toEqual([`data-${cluster}-brokers-0`, `data-${cluster}-brokers-1`, `data-${cluster}-controllers-2`, `data-${cluster}-kept-3`]);
    for (const pvc of pvcs) {
      const pool = pvc.metadata.labels!['strimzi.io/pool-name'];
      expect({ pvc: pvc.metadata.name, ownerReferences: pvc.metadata.ownerReferences }).toEqual({ pvc: pvc.metadata.name, ...(pool === 'kept' ? {} : { ownerReferences: owner(pools[pool]) }) });
      expect(pvc.metadata.annotations).toEqual({ 'strimzi.io/delete-claim': String(pool !== 'kept') });
      expect(pvc.metadata.labels).toMatchObject(labels(pool));
      expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, storageClassName: 'fast', volumeMode: 'Filesystem' });
      expect(pvc.status?.phase).toBe('Pending'); // nothing provisions volumes here
    }
  }, TEST_TIMEOUT_MS);

  test('deleting a pool with deleteClaim: true (as Terraform does when its block goes): the garbage collector deletes its StrimziPodSet and PVCs; the other pools\' stay', async () => {
    // Terraform's kubernetes_manifest deletes with the API's default propagation (background for custom resources).
    expect(await kube.delete(at('KafkaNodePool', ns, 'brokers'))).toBe(true);
    await gone('StrimziPodSet gamma-brokers', podSetAt(`${cluster}-brokers`));
    await gone('PVC data-gamma-brokers-0', pvcAt(`data-${cluster}-brokers-0`));
    await gone('PVC data-gamma-brokers-1', pvcAt(`data-${cluster}-brokers-1`));
    // The stand-in, reconciling the Kafka again, has not made them anew.
    await when('Kafka', ns, cluster, 'status without the pool', (o) => condition(o, 'Ready')?.status === 'True' && o.status?.kafkaNodePools?.length === 2);
    await sleep(1000);
    expect(await kube.find(podSetAt(`${cluster}-brokers`))).toBeUndefined();
    expect(await kube.find(pvcAt(`data-${cluster}-brokers-0`))).toBeUndefined();
    for (const name of ['controllers', 'kept']) expect(await kube.find(podSetAt(`${cluster}-${name}`))).toBeDefined();
    expect((await kube.find<Resource>(pvcAt(`data-${cluster}-controllers-2`)))?.metadata.deletionTimestamp).toBeUndefined();
  }, TEST_TIMEOUT_MS);

  test('deleting a pool with deleteClaim: false: its StrimziPodSet goes, its PVC (no owner reference) survives', async () => {
    expect(await kube.delete(at('KafkaNodePool', ns, 'kept'))).toBe(true);
    await gone('StrimziPodSet gamma-kept', podSetAt(`${cluster}-kept`));
    // The collector has acted on the pool's deletion (its PodSet is gone); a moment more, and the PVC is still there.
    await sleep(3000);
    const pvc = await kube.find<Resource>(pvcAt(`data-${cluster}-kept-3`));
    // Asserted whole: a PVC already gone would otherwise pass for one without an owner.
    expect({ exists: !!pvc, ownerReferences: pvc?.metadata.ownerReferences, deleting: !!pvc?.metadata.deletionTimestamp }).toEqual({ exists: true, ownerReferences: undefined, deleting: false });
  }, TEST_TIMEOUT_MS);
});
