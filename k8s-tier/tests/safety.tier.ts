/**
 * Safe by default, with the real cdktf CLI, Terraform and providers against real API servers: a command touches only
 * its own mesh on its own cluster, and what would delete data stops before it changes anything.
 *
 * Two control planes: the target, where mesh "safety" (four lean regions, no context written, so its providers follow
 * the kubeconfig's current context) is deployed, and a bystander holding what a careless command could wreck: a
 * namespace named like a region, another installation's Strimzi CRDs, its operator's namespace, Deployment and Helm
 * release (as Helm stores it: a Secret).
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { cloneCache, REPO_ROOT } from '../../tier-support/cache';
import { runCommand } from '../../tier-support/commands';
import { tierLog } from '../../tier-support/progress';
import { DEMO_MESH_FILE } from '../../mesh/demo';
import { CdktfProject, CdktfRun } from '../src/cdktf';
import { ControlPlane } from '../src/control-plane';
import { KubeObject } from '../src/kube';
import { figures, recordFigure } from '../src/scenario';
import { StrimziStandIn } from '../src/strimzi-stand-in';
import { ensureTools, Tools } from '../src/tools';
import { BYSTANDER, mergeKubeconfigs, startWorld, STRIMZI_CRDS_DIR, TARGET, World } from '../src/world';

const log = tierLog('k8s-tier');
const RUN_DIR = path.join(cloneCache(path.resolve(__dirname, '..')), 'runs', 'safety');
const REGIONS = ['north-america', 'south-america', 'europe', 'asia-pacific'];

type MeshFile = Record<string, any>;
let tools: Tools;
let world: World;
let standIn: StrimziStandIn;
let project: CdktfProject;
let kubeconfig: string;
let meshFile: string;
let targetUid: string;
let bystanderUid: string;

/** Mesh "safety": four regions, two topics, no apps or UI, charts from the local repository, no context written. */
function safetyMesh(changes: (m: MeshFile) => MeshFile = (m) => m): MeshFile {
  return changes({
    name: 'safety',
    regions: REGIONS.map((name) => ({ name, alias: name.replace('-', '') })),
    topics: [DEMO_MESH_FILE.topics[0], { name: 'LH.SENSORS', partitions: 2, replicas: 2 }],
    apps: { enabled: false },
    ui: { enabled: false },
    operator: { repository: world.charts.url },
  });
}
function write(file: string, mesh: MeshFile): void {
  fs.writeFileSync(file, `# Written by the k8s tier's safety scenarios\n${stringify(mesh)}`);
}
/** Makes `context` the kubeconfig's current one, as `kubectl config use-context` (or kubectx) does. */
function useContext(context: string): void {
  mergeKubeconfigs(kubeconfig, [world.target.kubeconfig, world.bystander.kubeconfig], context);
}
async function deploy(what: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CdktfRun> {
  const run = await project.run(['deploy', '*', '--auto-approve'], extraEnv);
  recordFigure(`safety, ${what}: ${run.seconds.toFixed(1)} s, exit ${run.exitCode}`);
  return run;
}
/** npm run <command> as a user runs it in the project folder, with `input` typed at its prompts. */
async function npmRun(command: string, args: string[], input: string) {
  const r = await runCommand(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'scripts', 'mesh-command.ts'), command, ...args], { cwd: project.dir, env: project.env, input });
  recordFigure(`safety, npm run ${command} ${args.join(' ')}: exit ${r.status}`);
  fs.writeFileSync(path.join(project.dir, `npm-${command}-${Date.now()}.log`), `${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

/** Every object of the kinds a mesh touches, `kind/namespace/name -> resourceVersion`: a cluster as it stands. */
async function snapshot(cluster: ControlPlane): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const paths = [
    '/api/v1/namespaces',
    '/api/v1/secrets',
    '/api/v1/configmaps',
    '/apis/apps/v1/deployments',
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
  ];
  const crds = (await cluster.kube.list('/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).items.map((c) => c.metadata.name);
  for (const plural of ['kafkas', 'kafkanodepools', 'kafkatopics', 'kafkausers', 'kafkamirrormaker2s']) {
    if (crds.includes(`${plural}.kafka.strimzi.io`)) paths.push(`/apis/kafka.strimzi.io/v1/${plural}`);
  }
  for (const p of paths) {
    for (const o of (await cluster.kube.list(p)).items) {
      // Leases and the service account tokens the controllers refresh are not the mesh's business.
      if (o.metadata.namespace === 'kube-system' || o.metadata.namespace === 'kube-node-lease') continue;
      out[`${p.split('/').pop()}/${o.metadata.namespace ?? ''}/${o.metadata.name}`] = o.metadata.resourceVersion ?? '';
    }
  }
  return out;
}
const uidOf = async (cluster: ControlPlane) => (await cluster.kube.get('/api/v1/namespaces/kube-system')).metadata.uid!;
const kafkas = async (cluster: ControlPlane) => (await cluster.kube.list('/apis/kafka.strimzi.io/v1/kafkas')).items.map((k) => k.metadata.namespace).sort();

beforeAll(async () => {
  tools = ensureTools(log);
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  world = await startWorld(RUN_DIR, tools, log);
  // The bystander: another installation's Strimzi (its CRDs, unlabelled; its operator's namespace and Deployment) and
  // a team's namespace that happens to be named like a region.
  const kubectl = path.join(tools.controlPlaneBin, 'kubectl');
  const applied = await runCommand(kubectl, ['--kubeconfig', world.bystander.kubeconfig, 'apply', '--server-side', '--field-manager', 'another-team', '-f', STRIMZI_CRDS_DIR]);
  if (applied.status !== 0) throw new Error(`kubectl apply of the Strimzi CRDs to the bystander failed: ${applied.stderr}`);
  for (const [name, labels] of [['north-america', { team: 'logistics' }], ['strimzi', { team: 'platform' }]] as const) {
    await world.bystander.kube.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }
  // Its Helm release as Helm stores one (a Secret per revision), under the name this stack's release would take.
  await world.bystander.kube.create('/api/v1/namespaces/strimzi/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: { name: 'sh.helm.release.v1.strimzi-cluster-operator.v1', labels: { owner: 'helm', name: 'strimzi-cluster-operator', status: 'deployed', version: '1' } },
    data: { release: Buffer.from('another team\'s release').toString('base64') },
  });
  await world.bystander.kube.create('/apis/apps/v1/namespaces/strimzi/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'strimzi-cluster-operator', labels: { app: 'strimzi' } },
    spec: { replicas: 1, selector: { matchLabels: { name: 'strimzi-cluster-operator' } }, template: { metadata: { labels: { name: 'strimzi-cluster-operator' } }, spec: { containers: [{ name: 'operator', image: 'quay.io/strimzi/operator:0.45.0' }] } } },
  });
  kubeconfig = path.join(RUN_DIR, 'kubeconfig-switching');
  useContext(TARGET);
  meshFile = path.join(RUN_DIR, 'safety.yaml');
  write(meshFile, safetyMesh());
  project = new CdktfProject(path.join(RUN_DIR, 'app'), tools, { KUBECONFIG: kubeconfig, MESH_CONFIG: meshFile }, log);
  standIn = new StrimziStandIn(world.target.kube, { log: (m) => log(`stand-in: ${m}`) });
  await standIn.start();
  [targetUid, bystanderUid] = [await uidOf(world.target), await uidOf(world.bystander)];
  const first = await deploy('first deploy, four regions, the current context (the target)');
  if (first.exitCode !== 0) throw new Error(`the first deploy failed: see ${first.logFile}`);
}, 1_800_000);

afterAll(async () => {
  await standIn?.stop();
  await world?.stop();
  if (figures.length) log(`figures:\n${figures.map((f) => `  ${f}`).join('\n')}`);
});

describe('the cluster is the one it deployed to', () => {
  test('the first deploy put mesh "safety" on the target, its CRDs labelled with the mesh', async () => {
    expect(await kafkas(world.target)).toEqual([...REGIONS].sort());
    const crds = (await world.target.kube.list('/apis/apiextensions.k8s.io/v1/customresourcedefinitions?labelSelector=app%3Dstrimzi')).items;
    expect(crds.length).toBeGreaterThan(5);
    expect(new Set(crds.map((c) => c.metadata.labels?.['shared-topic-mesh.io/mesh']))).toEqual(new Set(['safety']));
  });

  test('with another cluster current, deploy and destroy are refused before they change anything, naming both clusters; both clusters are untouched', async () => {
    const [target, bystander] = [await snapshot(world.target), await snapshot(world.bystander)];
    useContext(BYSTANDER);
    try {
      const deployed = await deploy('deploy with the bystander current');
      expect(deployed.exitCode).not.toBe(0);
      // Terraform wraps the message to its width.
      const said = deployed.output.replace(/\s+/g, ' ');
      expect(said).toContain(`Refused, nothing was changed: stack safety-operator was deployed to the Kubernetes cluster whose kube-system namespace has UID ${targetUid}`);
      expect(said).toContain(`now reaches the cluster whose kube-system UID is ${bystanderUid}`);
      const destroyed = await project.run(['destroy', '*', '--auto-approve']);
      recordFigure(`safety, destroy with the bystander current: ${destroyed.seconds.toFixed(1)} s, exit ${destroyed.exitCode}`);
      expect(destroyed.exitCode).not.toBe(0);
      expect(destroyed.output.replace(/\s+/g, ' ')).toMatch(/Refused, nothing was changed: stack safety-(mesh|operator) was deployed/);
      expect(await snapshot(world.bystander)).toEqual(bystander);
      expect(await snapshot(world.target)).toEqual(target);
      // The state still holds the whole mesh: a refused destroy forgot nothing.
      expect(JSON.parse(fs.readFileSync(project.stateFile('mesh'), 'utf8')).resources.length).toBeGreaterThan(20);
    } finally {
      useContext(TARGET);
    }
  });
});

describe('the mesh is explicit and bound to its state', () => {
  test('MESH_CONFIG forgotten (the built-in demo) or pointed at another mesh: nothing of mesh "safety" is changed or deleted, another installation\'s CRDs are refused', async () => {
    const before = await snapshot(world.target);
    // The demo: its own state, so nothing of "safety" is planned; here its chart repository is unreachable, so its plan fails.
    const demo = await deploy('deploy without MESH_CONFIG', { MESH_CONFIG: '' });
    expect(demo.output).toContain('mesh "demo" (the built-in demo: MESH_CONFIG is not set)');
    expect(demo.exitCode).not.toBe(0);
    // Another mesh file (the demo's regions, the local charts): its own state; the CRD apply, first to touch the
    // cluster, refuses CRDs that mesh did not install.
    const otherFile = path.join(RUN_DIR, 'other.yaml');
    write(otherFile, { ...DEMO_MESH_FILE, name: 'other', apps: { enabled: false }, ui: { enabled: false }, operator: { repository: world.charts.url } });
    const other = await deploy('deploy of another mesh file', { MESH_CONFIG: otherFile });
    expect(other.exitCode).not.toBe(0);
    expect(other.output).toContain('mesh "other" (MESH_CONFIG=');
    expect(other.output).toContain('Strimzi CRDs not applied, nothing was changed: this cluster already has Strimzi CRDs that mesh other did not install');
    expect(other.output).toContain('kafkas.kafka.strimzi.io (shared-topic-mesh.io/mesh=safety');
    expect(await snapshot(world.target)).toEqual(before);
  });

  test('a cluster with another installation\'s Strimzi is refused at the first deploy, before anything is created there', async () => {
    const before = await snapshot(world.bystander);
    const bystanderFile = path.join(RUN_DIR, 'on-bystander.yaml');
    write(bystanderFile, { ...safetyMesh(), name: 'on-bystander', regions: [{ name: 'emea', context: BYSTANDER }, { name: 'apac', context: BYSTANDER }] });
    const run = await deploy('first deploy onto a cluster with another Strimzi', { MESH_CONFIG: bystanderFile });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain('this cluster already has Strimzi CRDs that mesh on-bystander did not install');
    expect(run.output).toContain('managed by another-team');
    expect(await snapshot(world.bystander)).toEqual(before);
  });
});

describe('no data lost without intent', () => {
  const refusedAtSynth = async (what: string, change: (m: MeshFile) => MeshFile, expected: string[]) => {
    const before = await snapshot(world.target);
    write(meshFile, safetyMesh(change));
    const run = await deploy(what);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain('Refused, nothing was synthesized or changed: this change to mesh "safety" would delete data');
    for (const e of expected) expect(run.output).toContain(e);
    expect(await snapshot(world.target)).toEqual(before);
  };

  test('a region removed without retirement: refused, its objects named', () =>
    refusedAtSynth('remove a region, not allowed', (m) => ({ ...m, regions: m.regions.slice(0, 3) }), [
      'region asia-pacific, no longer in regions: namespace asia-pacific (everything in it), Kafka asia-pacific/asia-pacific, KafkaNodePool asia-pacific/dual-role (its brokers and their volumes)',
      'regions: [asia-pacific]',
    ]));

  test('kafka.controllers changed: refused, every dual-role pool named', () =>
    refusedAtSynth('dedicated controllers, not allowed', (m) => ({ ...m, kafka: { controllers: 3 } }), [
      ...REGIONS.map((r) => `KafkaNodePool ${r}/dual-role (its brokers and their volumes)`),
      'nodePools: true',
    ]));

  test('a topic removed: refused; with the intent written, applied, and only that topic goes', async () => {
    await refusedAtSynth('remove a topic, not allowed', (m) => ({ ...m, topics: [m.topics[0]] }), ['canonical topic LH.SENSORS, no longer in topics', 'topics: [LH.SENSORS]']);
    const orders = await Promise.all(REGIONS.map((r) => world.target.kube.get(`/apis/kafka.strimzi.io/v1/namespaces/${r}/kafkatopics/lh.orders`)));
    write(meshFile, safetyMesh((m) => ({ ...m, topics: [m.topics[0]], deploy: { allowDataLoss: { topics: ['LH.SENSORS'] } } })));
    const run = await deploy('remove a topic, allowed');
    expect(run.exitCode).toBe(0);
    for (const [i, r] of REGIONS.entries()) {
      expect(await world.target.kube.find(`/apis/kafka.strimzi.io/v1/namespaces/${r}/kafkatopics/lh.sensors`)).toBeUndefined();
      expect((await world.target.kube.get(`/apis/kafka.strimzi.io/v1/namespaces/${r}/kafkatopics/lh.orders`)).metadata.uid).toBe(orders[i].metadata.uid);
    }
    expect(await kafkas(world.target)).toEqual([...REGIONS].sort());
  });
});

describe('no data lost without intent: node pools', () => {
  const podSet = (r: string, pool: string) => world.target.kube.find(`/apis/core.strimzi.io/v1/namespaces/${r}/strimzipodsets/${r}-${pool}`);
  const claims = async (r: string, pool: string) =>
    (await world.target.kube.list(`/api/v1/namespaces/${r}/persistentvolumeclaims?labelSelector=strimzi.io%2Fpool-name%3D${pool}`)).items.map((c) => c.metadata.name);

  test('kafka.controllers changed with the intent written: applied; the old pools go, and with them (the garbage collector) their pod sets and volumes', async () => {
    // What is at stake: each region's dual-role pool owns its pod set and, with deleteClaim, its brokers' volumes.
    for (const r of REGIONS) {
      expect(await podSet(r, 'dual-role')).toBeDefined();
      expect(await claims(r, 'dual-role')).toHaveLength(3);
    }
    const kafkaUids = await Promise.all(REGIONS.map(async (r) => (await world.target.kube.get(`/apis/kafka.strimzi.io/v1/namespaces/${r}/kafkas/${r}`)).metadata.uid));
    write(meshFile, safetyMesh((m) => ({ ...m, topics: [m.topics[0]], kafka: { controllers: 3 }, deploy: { allowDataLoss: { nodePools: true } } })));
    const run = await deploy('dedicated controllers, allowed');
    expect(run.exitCode).toBe(0);
    for (const [i, r] of REGIONS.entries()) {
      expect(await world.target.kube.find(`/apis/kafka.strimzi.io/v1/namespaces/${r}/kafkanodepools/dual-role`)).toBeUndefined();
      for (const pool of ['controllers', 'brokers']) expect(await world.target.kube.find(`/apis/kafka.strimzi.io/v1/namespaces/${r}/kafkanodepools/${pool}`)).toBeDefined();
      expect((await world.target.kube.get(`/apis/kafka.strimzi.io/v1/namespaces/${r}/kafkas/${r}`)).metadata.uid).toBe(kafkaUids[i]);
    }
    // Nothing deleted them but Kubernetes' garbage collector, following Strimzi's owner references (bounded wait).
    const deadline = Date.now() + 90_000;
    const left = async () => (await Promise.all(REGIONS.map(async (r) => [...((await podSet(r, 'dual-role')) ? [`${r}-dual-role`] : []), ...(await claims(r, 'dual-role'))]))).flat();
    while ((await left()).length && Date.now() < deadline) await new Promise((done) => setTimeout(done, 2000));
    expect(await left()).toEqual([]);
  });
});

describe('scripts that ask', () => {
  const topic = (r: string) => world.target.kube.get<KubeObject & { spec: { config: Record<string, string> } }>(`/apis/kafka.strimzi.io/v1/namespaces/${r}/kafkatopics/lh.orders`);

  test('npm run deploy shows the plan and applies only on "yes"; anything else changes nothing', async () => {
    write(meshFile, safetyMesh((m) => ({ ...m, kafka: { controllers: 3 }, topics: [{ ...m.topics[0], config: { ...m.topics[0].config, 'retention.ms': '86400000' } }] })));
    const no = await npmRun('deploy', [], 'no\n');
    expect(no.stdout.split('\n')[0]).toBe(`mesh "safety" (MESH_CONFIG=${meshFile})`);
    expect(no.stdout).toContain('== stack safety-operator: no changes');
    expect(no.stdout).toContain('retention.ms');
    expect(no.stdout).toContain('== stack safety-mesh: objects: 0 to create, 4 to change, 0 to delete');
    expect(no.stdout).toContain('Apply this plan to stack safety-mesh of mesh "safety"? Only "yes" applies:');
    expect(no.stdout).toContain('stack safety-mesh: not applied; nothing was changed');
    expect(no.status).toBe(1);
    expect((await topic('europe')).spec.config['retention.ms']).toBeUndefined();
    const yes = await npmRun('deploy', [], 'yes\n');
    expect(yes.status).toBe(0);
    for (const r of REGIONS) expect((await topic(r)).spec.config['retention.ms']).toBe('86400000');
  });

  test('npm run plan changes nothing; npm run destroy -- mesh destroys only what cdktf destroy mesh does, asking for the mesh\'s name', async () => {
    const before = await snapshot(world.target);
    const plan = await npmRun('plan', [], '');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('== stack safety-mesh: no changes');
    const refused = await npmRun('destroy', ['operator'], '');
    expect(refused.stderr).toContain('stack safety-mesh is still deployed and needs stack safety-operator');
    const wrong = await npmRun('destroy', ['mesh'], 'yes\n');
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain('Destroy stack safety-mesh of mesh "safety", deleting everything named above? Type the mesh\'s name (safety) to confirm:');
    expect(wrong.stdout).toMatch(/deletes: .*Kafka europe\/europe/);
    expect(await snapshot(world.target)).toEqual(before);
    const mesh = await npmRun('destroy', ['mesh'], 'safety\n');
    expect(mesh.status).toBe(0);
    expect(await kafkas(world.target)).toEqual([]);
    // The operator stack (namespaces, operator, CRDs) is left, as `cdktf destroy mesh` leaves it.
    expect((await world.target.kube.list('/apis/apiextensions.k8s.io/v1/customresourcedefinitions?labelSelector=app%3Dstrimzi')).items.length).toBeGreaterThan(5);
  });

  test('npm run destroy of the rest: the target is empty, the bystander exactly as it was', async () => {
    const bystander = await snapshot(world.bystander);
    const run = await npmRun('destroy', [], 'safety\n');
    expect(run.status).toBe(0);
    const namespaces = (await world.target.kube.list('/api/v1/namespaces')).items.map((n) => n.metadata.name).sort();
    expect(namespaces).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect((await world.target.kube.list('/apis/apiextensions.k8s.io/v1/customresourcedefinitions?labelSelector=app%3Dstrimzi')).items).toEqual([]);
    expect(await snapshot(world.bystander)).toEqual(bystander);
    // No plan file is left with the values it read.
    expect(fs.readdirSync(project.stackDir('mesh')).filter((f) => f.endsWith('.tfplan') || f === 'plan')).toEqual([]);
  });
});
