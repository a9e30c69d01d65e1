/**
 * A deployed mesh changed over its life, each change one `cdktf deploy '*'` with the real CLI and providers against a
 * real API server: an operator upgrade (Strimzi 1.1.0 to 1.2.0), a region added, a canonical topic added, partitions
 * raised, a topic config changed in one region, app settings changed, a deploy that times out and is retried, a
 * storage change Strimzi refuses (the deploy fails with its warning) and undone, and a region removed. What each deploy may do is read from Terraform's own plan (`terraform show -json`) before it runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { parseAllDocuments, stringify } from 'yaml';
import { cloneCache } from '../../tier-support/cache';
import { runCommand } from '../../tier-support/commands';
import { tierLog } from '../../tier-support/progress';
import { DEMO_MESH_FILE } from '../../mesh/demo';
import { CdktfProject, CdktfRun } from '../src/cdktf';
import { KubeObject } from '../src/kube';
import { COLLECTIONS, figures, recordFigure } from '../src/scenario';
import { Recorder } from '../src/recorder';
import { StandInOptions, StrimziStandIn } from '../src/strimzi-stand-in';
import { ensureTools, Tools } from '../src/tools';
import { CHARTS_DIR, startWorld, TARGET, World } from '../src/world';

const log = tierLog('k8s-tier');
const RUN_DIR = path.join(cloneCache(path.resolve(__dirname, '..')), 'runs', 'changes');
/** The stand-in reports each new generation of a KafkaUser Ready only after this: what needs the user must wait. */
const USER_READY_AFTER_SECONDS = 4;
const STAND_IN: StandInOptions = { readyAfterSeconds: { Kafka: 2, KafkaUser: USER_READY_AFTER_SECONDS } };

type MeshFile = Record<string, any>;
const FOURTH = { name: 'asia-pacific', alias: 'apac', code: 'APAC', warehouses: ['Singapore', 'Sydney'] };

let tools: Tools;
let world: World;
let standIn: StrimziStandIn;
let recorder: Recorder;
let project: CdktfProject;
let meshFile: string;
/** The mesh file as it is now deployed (each scenario starts from the previous one's). */
let current: MeshFile;

/** The demo mesh on the target cluster, charts from the local repository, with `changes` on top. */
function meshOf(changes: (mesh: MeshFile) => MeshFile = (m) => m): MeshFile {
  return changes(structuredClone(current));
}

function writeMesh(mesh: MeshFile): void {
  fs.writeFileSync(meshFile, `# Written by the k8s tier's change scenarios\n${stringify(mesh)}`);
}

async function startStandIn(options: StandInOptions): Promise<void> {
  await standIn?.stop();
  standIn = new StrimziStandIn(world.target.kube, { ...options, log: (m) => log(`stand-in: ${m}`) });
  await standIn.start();
}

/** Terraform's plan of one stack for the mesh file as written: each resource address with its actions. */
async function plan(stack: 'operator' | 'mesh'): Promise<Map<string, string[]>> {
  const dir = project.stackDir(stack);
  const planned = await runCommand(tools.terraform, ['plan', '-input=false', '-no-color', '-out=tier.plan'], { cwd: dir, env: project.env });
  if (planned.status !== 0) throw new Error(`terraform plan of ${stack} failed:\n${planned.stderr}\n${planned.stdout.slice(-3000)}`);
  const shown = await runCommand(tools.terraform, ['show', '-json', 'tier.plan'], { cwd: dir, env: project.env });
  if (shown.status !== 0) throw new Error(`terraform show of ${stack} failed:\n${shown.stderr}`);
  const changes: { address: string; change: { actions: string[] } }[] = JSON.parse(shown.stdout).resource_changes ?? [];
  return new Map(changes.filter((c) => !(c.change.actions.length === 1 && ['no-op', 'read'].includes(c.change.actions[0]))).map((c) => [c.address, c.change.actions]));
}

/** Synthesizes the mesh file as written and plans both stacks (the deploy that follows plans again, the same way). */
async function planBoth(): Promise<{ operator: Map<string, string[]>; mesh: Map<string, string[]> }> {
  const synth = await project.run(['synth']);
  if (synth.exitCode !== 0) throw new Error(`cdktf synth failed:\n${synth.output.slice(-3000)}`);
  return { operator: await plan('operator'), mesh: await plan('mesh') };
}

/** Addresses of resources that make cluster objects (everything but the waits) planned for `action`. */
function touching(planned: Map<string, string[]>, action: 'create' | 'update' | 'delete'): string[] {
  return [...planned].filter(([address, actions]) => actions.includes(action) && !address.startsWith('terraform_data.')).map(([a]) => a).sort();
}

async function deploy(what: string): Promise<CdktfRun> {
  const run = await project.run(['deploy', '*', '--auto-approve']);
  recordFigure(`${what}: ${run.seconds.toFixed(1)} s, exit ${run.exitCode}`);
  return run;
}

const strimzi = (plural: string, ns: string, name: string) => `/apis/kafka.strimzi.io/v1/namespaces/${ns}/${plural}/${name}`;
const get = <T = KubeObject & { spec: any; status?: any }>(p: string) => world.target.kube.get<T>(p);

/** The CRDs of the chart of one Strimzi version, by name: their schemas as the chart ships them. */
async function chartCrds(version: string): Promise<Map<string, unknown>> {
  const dir = path.join(RUN_DIR, `chart-${version}`);
  fs.mkdirSync(dir, { recursive: true });
  const unpacked = await runCommand('tar', ['-xzf', path.join(CHARTS_DIR, `strimzi-kafka-operator-${version}.tgz`), '-C', dir]);
  if (unpacked.status !== 0) throw new Error(unpacked.stderr);
  const crdDir = path.join(dir, 'strimzi-kafka-operator', 'crds');
  const out = new Map<string, unknown>();
  for (const f of fs.readdirSync(crdDir)) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(crdDir, f), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind === 'CustomResourceDefinition') out.set(crd.metadata.name, crd.spec.versions.map((v: any) => v.schema));
    }
  }
  return out;
}

function withoutEmptyMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyMaps);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).filter(([, v]) => !(v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, withoutEmptyMaps(v)]));
}

/** Which chart's CRDs the cluster holds: every Strimzi CRD's schemas compared with each version's chart. */
async function crdsMatch(version: string): Promise<string[]> {
  const expected = await chartCrds(version);
  const mismatched: string[] = [];
  for (const [name, schemas] of expected) {
    const live = await get<any>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    // The API server returns the schema with its keys sorted and without empty maps (Go's omitempty): compare values.
    if (!isDeepStrictEqual(withoutEmptyMaps(live.spec.versions.map((v: any) => v.schema)), withoutEmptyMaps(schemas))) mismatched.push(name);
  }
  return mismatched;
}

/** uid, generation and spec of every Strimzi custom resource in the region namespaces. */
async function customResources(namespaces: string[]): Promise<Record<string, { uid: string; generation: number; spec: unknown }>> {
  const out: Record<string, { uid: string; generation: number; spec: unknown }> = {};
  for (const plural of ['kafkas', 'kafkanodepools', 'kafkatopics', 'kafkausers', 'kafkamirrormaker2s']) {
    for (const ns of namespaces) {
      for (const o of (await world.target.kube.list<KubeObject & { spec: unknown }>(`/apis/kafka.strimzi.io/v1/namespaces/${ns}/${plural}`)).items) {
        out[`${plural}/${ns}/${o.metadata.name}`] = { uid: o.metadata.uid!, generation: Number(o.metadata.generation), spec: o.spec };
      }
    }
  }
  return out;
}

const regionNames = () => (current.regions as { name: string }[]).map((r) => r.name);

beforeAll(async () => {
  tools = ensureTools(log);
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  world = await startWorld(RUN_DIR, tools, log);
  meshFile = path.join(RUN_DIR, 'mesh.yaml');
  current = {
    ...structuredClone(DEMO_MESH_FILE),
    regions: DEMO_MESH_FILE.regions.map((r) => ({ ...r, context: TARGET })),
    // Start on the previous Strimzi release: the first scenario upgrades it.
    operator: { repository: world.charts.url, version: '1.1.0' },
    ui: { repository: world.charts.url },
  };
  writeMesh(current);
  project = new CdktfProject(path.join(RUN_DIR, 'app'), tools, { KUBECONFIG: world.kubeconfig, MESH_CONFIG: meshFile }, log);
  recorder = new Recorder(world.target.kube, log);
  recorder.start(COLLECTIONS);
  await startStandIn(STAND_IN);
  const first = await deploy('first deploy, Strimzi 1.1.0');
  if (first.exitCode !== 0) throw new Error(`the first deploy failed: see ${first.logFile}`);
}, 1_800_000);

afterAll(async () => {
  await standIn?.stop();
  await recorder?.stop();
  await world?.stop();
  if (figures.length) log(`figures:\n${figures.map((f) => `  ${f}`).join('\n')}`);
});

describe('changing a deployed mesh, one `cdktf deploy \'*\'` per change', () => {
  test('upgrade the operator: operator.version 1.1.0 to 1.2.0 brings 1.2.0\'s CRDs, and leaves every custom resource as it was', async () => {
    expect(await crdsMatch('1.1.0')).toEqual([]);
    const before = await customResources(regionNames());
    current = meshOf((m) => ({ ...m, operator: { ...m.operator, version: '1.2.0' } }));
    writeMesh(current);
    const planned = await planBoth();
    // The release is upgraded in place; the CRDs are applied again (their wait is replaced); the mesh is untouched.
    expect(touching(planned.operator, 'delete')).toEqual([]);
    expect(touching(planned.operator, 'update')).toEqual([expect.stringMatching(/^helm_release\.strimzi/)]);
    expect(touching(planned.mesh, 'update')).toEqual([]);
    const run = await deploy('operator upgrade 1.1.0 -> 1.2.0');
    expect(run.exitCode).toBe(0);
    expect(run.output).toMatch(/Strimzi 1\.2\.0: 10 CRDs applied/);
    expect(await crdsMatch('1.2.0')).toEqual([]);
    const release = (await world.target.kube.list(`/api/v1/namespaces/strimzi/secrets?labelSelector=owner%3Dhelm,name%3Dstrimzi-cluster-operator,status%3Ddeployed`)).items;
    expect(release.map((s) => s.metadata.labels?.version)).toEqual(['2']);
    expect(await customResources(regionNames())).toEqual(before);
  });

  test('add a region: created in one deploy, existing MirrorMaker 2s and Secrets updated in place, nothing destroyed or replaced', async () => {
    const before = await customResources(regionNames());
    current = meshOf((m) => ({ ...m, regions: [...m.regions, { ...FOURTH, context: TARGET }] }));
    writeMesh(current);
    const planned = await planBoth();
    for (const stack of [planned.operator, planned.mesh]) expect(touching(stack, 'delete')).toEqual([]);
    expect(touching(planned.operator, 'create')).toEqual([expect.stringMatching(/^kubernetes_namespace_v1\.strimzi[-\w]*_namespace-asia-pacific_/)]);
    // Every object the mesh stack creates is the new region's; what it updates is the other regions' MirrorMaker 2s,
    // copied Secrets, mirror-maker users (the new alias's copies) and consumers (their subscription).
    for (const a of touching(planned.mesh, 'create')) expect(a).toMatch(/[._]region-asia-pacific_|\.asia-pacific-ui-login-password$/);
    const updated = touching(planned.mesh, 'update');
    for (const region of ['north-america', 'south-america', 'europe']) {
      expect(updated).toEqual(expect.arrayContaining([
        expect.stringMatching(new RegExp(`^kubernetes_manifest\\.region-${region}_mirrormaker2_[0-9A-F]{8}$`)),
        expect.stringMatching(new RegExp(`kubernetes_secret_v1\\.region-${region}_mirror-sources_secret_`)),
        expect.stringMatching(new RegExp(`kubernetes_manifest\\.region-${region}_user-mirrormaker2_user_`)),
        expect.stringMatching(new RegExp(`kubernetes_manifest\\.region-${region}_apps_consumer_`)),
      ]));
    }
    expect(updated.every((a) => !a.includes('asia-pacific'))).toBe(true);

    const run = await deploy('add a fourth region');
    expect(run.exitCode).toBe(0);
    // The new mirrors are there, in every region.
    for (const region of regionNames()) {
      const mm2 = await get(strimzi('kafkamirrormaker2s', region, 'mirrormaker2'));
      const aliases = (mm2.spec.mirrors as { source: { alias: string } }[]).map((x) => x.source.alias).sort();
      const expected = (current.regions as { name: string; alias?: string }[]).filter((r) => r.name !== region).map((r) => r.alias ?? r.name.replace(/-/g, '')).sort();
      expect({ region, aliases }).toEqual({ region, aliases: expected });
    }
    // The existing regions' Kafkas and topics are the same objects (UIDs), not recreated.
    const after = await customResources(['north-america', 'south-america', 'europe']);
    for (const [k, v] of Object.entries(before)) expect({ k, uid: after[k]?.uid }).toEqual({ k, uid: v.uid });
  });

  test('ordered updates: each MirrorMaker 2 was changed only after its user\'s new ACLs were Ready (the stand-in delayed them)', () => {
    const at = (kind: string, ns: string, name: string, event: string, generation: number) =>
      standIn.timeline.find((e) => e.kind === kind && e.namespace === ns && e.name === name && e.event === event && e.detail === `generation ${generation}`)?.at;
    for (const region of ['north-america', 'south-america', 'europe']) {
      const userReady = at('KafkaUser', region, 'mirrormaker2', 'ready', 2);
      const mm2Changed = at('KafkaMirrorMaker2', region, 'mirrormaker2', 'seen', 2);
      expect({ region, userReady: userReady !== undefined, mm2Changed: mm2Changed !== undefined }).toEqual({ region, userReady: true, mm2Changed: true });
      expect(mm2Changed!).toBeGreaterThanOrEqual(userReady!);
      const userChanged = at('KafkaUser', region, 'mirrormaker2', 'seen', 2)!;
      expect(userReady! - userChanged).toBeGreaterThanOrEqual(USER_READY_AFTER_SECONDS * 1000 - 500);
    }
  });

  test('add a canonical topic, then raise its partitions: each in place, in every region, exit 0 the first time', async () => {
    current = meshOf((m) => ({ ...m, topics: [...m.topics, { name: 'LH.RETURNS', partitions: 1 }] }));
    writeMesh(current);
    let planned = await planBoth();
    expect(touching(planned.mesh, 'delete')).toEqual([]);
    expect(touching(planned.mesh, 'create')).toHaveLength(regionNames().length);
    for (const a of touching(planned.mesh, 'create')) expect(a).toMatch(/_topic-lhreturns_topic_/);
    expect((await deploy('add a canonical topic')).exitCode).toBe(0);
    for (const region of regionNames()) expect((await get(strimzi('kafkatopics', region, 'lh.returns'))).status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));

    current = meshOf((m) => ({ ...m, topics: m.topics.map((t: any) => (t.name === 'LH.RETURNS' ? { ...t, partitions: 3 } : t)) }));
    writeMesh(current);
    planned = await planBoth();
    expect(touching(planned.mesh, 'delete')).toEqual([]);
    expect(touching(planned.mesh, 'create')).toEqual([]);
    expect(touching(planned.mesh, 'update')).toHaveLength(regionNames().length);
    expect((await deploy('raise partitions')).exitCode).toBe(0);
    for (const region of regionNames()) {
      const topic = await get(strimzi('kafkatopics', region, 'lh.returns'));
      expect({ region, partitions: topic.spec.partitions, observed: topic.status.observedGeneration }).toEqual({ region, partitions: 3, observed: topic.metadata.generation });
    }
  });

  test('change a topic\'s config in one region: exactly that KafkaTopic is updated', async () => {
    current = meshOf((m) => ({ ...m, regions: m.regions.map((r: any) => (r.name === 'europe' ? { ...r, topicConfig: { 'LH.ORDERS': { 'retention.ms': 86400000 } } } : r)) }));
    writeMesh(current);
    const planned = await planBoth();
    expect(touching(planned.mesh, 'update')).toEqual([expect.stringMatching(/^kubernetes_manifest\.region-europe_topic-lhorders_topic_/)]);
    expect(touching(planned.mesh, 'create')).toEqual([]);
    expect(touching(planned.mesh, 'delete')).toEqual([]);
    expect((await deploy('topic config in one region')).exitCode).toBe(0);
    // Topic config values are written as strings (Kafka's own form), whatever the mesh file's YAML type.
    expect((await get(strimzi('kafkatopics', 'europe', 'lh.orders'))).spec.config['retention.ms']).toBe('86400000');
    expect((await get(strimzi('kafkatopics', 'north-america', 'lh.orders'))).spec.config?.['retention.ms']).toBeUndefined();
  });

  test('change app settings (the order interval, the image): only the Deployments, and the deploy exits 0 the first time', async () => {
    current = meshOf((m) => ({ ...m, apps: { ...(m.apps ?? {}), intervalSeconds: 5 } }));
    writeMesh(current);
    let planned = await planBoth();
    const producers = touching(planned.mesh, 'update');
    expect(producers.map((a) => /^kubernetes_manifest\.region-(.+)_apps_producer_[0-9A-F]{8}$/.exec(a)?.[1]).sort()).toEqual([...regionNames()].sort());
    let run = await deploy('apps.intervalSeconds');
    expect(run.exitCode).toBe(0);
    expect(run.output).not.toMatch(/Provider produced inconsistent result/);

    current = meshOf((m) => ({ ...m, apps: { ...m.apps, image: 'quay.io/strimzi/kafka:1.2.0-kafka-4.2.1' } }));
    writeMesh(current);
    planned = await planBoth();
    expect(touching(planned.mesh, 'update')).toHaveLength(2 * regionNames().length);
    expect(touching(planned.mesh, 'update').every((a) => /_apps_(producer|consumer)_/.test(a))).toBe(true);
    run = await deploy('apps.image');
    expect(run.exitCode).toBe(0);
    for (const region of regionNames()) {
      const producer = await get<any>(`/apis/apps/v1/namespaces/${region}/deployments/producer`);
      expect(producer.spec.template.spec.containers[0].image).toBe('quay.io/strimzi/kafka:1.2.0-kafka-4.2.1');
      expect(producer.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    }
  });

  test('retry after a timeout: the deploy fails at the wait, the Kafka stays, and the next deploy keeps it and completes', async () => {
    // A fifth region whose Kafka the operator does not make Ready in time (deploy.readyTimeoutSeconds: 15).
    await startStandIn({ ...STAND_IN, neverReady: [{ kind: 'Kafka', namespace: 'africa' }] });
    current = meshOf((m) => ({ ...m, deploy: { readyTimeoutSeconds: 15 }, regions: [...m.regions, { name: 'africa', context: TARGET, warehouses: ['Lagos'] }] }));
    writeMesh(current);
    const failed = await deploy('deploy that times out');
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toMatch(/kafkas\.kafka\.strimzi\.io africa\/africa: not Ready for its latest generation after 15 s/);
    const kafka = await get(strimzi('kafkas', 'africa', 'africa'));

    // The cause goes away (the operator makes it Ready); the next deploy waits again and replaces nothing that exists.
    await startStandIn(STAND_IN);
    const planned = await planBoth();
    expect(touching(planned.mesh, 'delete')).toEqual([]);
    expect([...planned.mesh].filter(([a, actions]) => actions.includes('delete') && !a.includes('-ready_wait_'))).toEqual([]);
    const retried = await deploy('retry after the cause is fixed');
    expect(retried.exitCode).toBe(0);
    expect((await get(strimzi('kafkas', 'africa', 'africa'))).metadata.uid).toBe(kafka.metadata.uid);
    // No Kafka, topic or user was deleted by the retry.
    const deleted = recorder.sightings.filter((s) => s.deleted !== undefined && ['Kafka', 'KafkaTopic', 'KafkaUser', 'KafkaNodePool'].includes(s.kind));
    expect(deleted.map((s) => `${s.kind} ${s.namespace}/${s.name}`)).toEqual([]);
  });

  test("a storage change Strimzi refuses fails the deploy at once, with Strimzi's warning; undone, the next deploy passes", async () => {
    const before = await customResources(regionNames());
    const kafka = current.kafka;
    // A smaller volume: Strimzi 1.2.0 allows no storage change but a larger persistent volume (StorageDiff).
    current = meshOf((m) => ({ ...m, kafka: { ...(m.kafka ?? {}), storage: { type: 'persistent', size: '5Gi' } } }));
    writeMesh(current);
    const planned = await planBoth();
    const pools = touching(planned.mesh, 'update');
    expect(pools.map((a) => /^kubernetes_manifest\.region-(.+)_kafka_pool-dual-role_[0-9A-F]{8}$/.exec(a)?.[1]).sort()).toEqual([...regionNames()].sort());
    expect(touching(planned.mesh, 'delete')).toEqual([]);
    const refused = await deploy('a storage change Strimzi refuses');
    expect(refused.exitCode).not.toBe(0);
    for (const region of regionNames()) {
      const pool = await get(strimzi('kafkanodepools', region, 'dual-role'));
      expect(refused.output).toContain(
        `kafkanodepools.kafka.strimzi.io ${region}/dual-role: Strimzi refused a requested change and reverted it (generation ${pool.metadata.generation}): KafkaStorage: The desired Kafka storage configuration in the KafkaNodePool resource ${region}/dual-role contains changes which are not allowed.`,
      );
    }
    // Failed on Strimzi's word, not by running out of time (deploy.readyTimeoutSeconds is 15 here).
    expect(refused.output).not.toMatch(/not (Ready|reconciled) for its latest generation after/);

    current = meshOf(({ kafka: _refused, ...m }) => (kafka === undefined ? m : { ...m, kafka }));
    writeMesh(current);
    const undone = await deploy('the refused storage change undone');
    expect(undone.exitCode).toBe(0);
    const after = await customResources(regionNames());
    for (const [k, v] of Object.entries(before)) expect({ k, uid: after[k]?.uid }).toEqual({ k, uid: v.uid });
  });

  test('remove a region: refused until the mesh file allows it, then one deploy, its namespace gone with nothing left Terminating, the others stop mirroring from it', async () => {
    const before = await customResources(regionNames());
    current = meshOf((m) => ({ ...m, deploy: undefined, regions: m.regions.filter((r: any) => r.name !== 'europe') }));
    writeMesh(current);
    // Without the allowance: refused at synth, before Terraform runs, naming what would go and how to allow it.
    const refused = await deploy('remove a region, not allowed');
    expect(refused.exitCode).not.toBe(0);
    expect(refused.output).toContain('would delete data that the mesh file no longer declares');
    expect(refused.output).toContain('region europe, no longer in regions: namespace europe (everything in it), Kafka europe/europe, KafkaNodePool europe/dual-role');
    expect(refused.output).toContain('regions: [europe]');
    expect(await customResources([...regionNames(), 'europe'])).toEqual(before);
    current = meshOf((m) => ({ ...m, deploy: { allowDataLoss: { regions: ['europe'] } } }));
    writeMesh(current);
    const run = await deploy('remove a region, allowed');
    expect(run.exitCode).toBe(0);
    const namespaces = (await world.target.kube.list('/api/v1/namespaces')).items;
    expect(namespaces.map((n) => n.metadata.name)).not.toContain('europe');
    expect(namespaces.filter((n) => (n as any).status?.phase === 'Terminating').map((n) => n.metadata.name)).toEqual([]);
    for (const region of regionNames()) {
      const mm2 = await get(strimzi('kafkamirrormaker2s', region, 'mirrormaker2'));
      expect((mm2.spec.mirrors as { source: { alias: string } }[]).map((x) => x.source.alias)).not.toContain('europe');
      const secret = await get<any>(`/api/v1/namespaces/${region}/secrets/mirror-sources`);
      expect(Object.keys(secret.data).filter((k) => k.startsWith('europe.'))).toEqual([]);
    }
    // A second deploy has nothing left to do.
    const again = await deploy('no-op after removing a region');
    expect(again.exitCode).toBe(0);
    expect(again.output.match(/No changes\. Your infrastructure matches the configuration\./g)?.length).toBe(2);
  });

  test("`cdktf destroy '*'` after all these changes leaves nothing", async () => {
    const run = await project.run(['destroy', '*', '--auto-approve']);
    expect(run.exitCode).toBe(0);
    const namespaces = (await world.target.kube.list('/api/v1/namespaces')).items.map((n) => n.metadata.name).sort();
    expect(namespaces).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const crds = await world.target.kube.list('/apis/apiextensions.k8s.io/v1/customresourcedefinitions?labelSelector=app%3Dstrimzi');
    expect(crds.items).toEqual([]);
  });
});
