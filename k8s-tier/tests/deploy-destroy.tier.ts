/**
 * The project's main job, for real: `cdktf deploy '*'` of the three-region demo on an empty cluster, a second deploy
 * that changes nothing, and `cdktf destroy '*'` that leaves nothing, with the real CLI, the real providers, the real
 * charts and a real API server. What the cluster must hold is read from the synthesized stacks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { STACK_KINDS } from '../../main';
import { cloneCache } from '../../tier-support/cache';
import { runCommand } from '../../tier-support/commands';
import { tierLog } from '../../tier-support/progress';
import { resolveMesh } from '../../mesh/validate';
import { DEMO_MESH_FILE } from '../../mesh/demo';
import { clusterCaSecretName, MIRROR_SOURCE_USER, MIRROR_SOURCES_SECRET, mirrorSourceKeys } from '../../mesh/names';
import { CdktfProject, CdktfRun } from '../src/cdktf';
import { KubeObject } from '../src/kube';
import { Recorder } from '../src/recorder';
import { readStack, StackResource } from '../src/stack-graph';
import { StrimziStandIn } from '../src/strimzi-stand-in';
import { ensureTools, Tools } from '../src/tools';
import { BYSTANDER, startWorld, STRIMZI_CRDS_DIR, TARGET, World, writeDemoMeshFile } from '../src/world';
import { COLLECTIONS, figures, objectVersions, recordFigure, strimziCrds } from '../src/scenario';

const log = tierLog('k8s-tier');
const RUN_DIR = path.join(cloneCache(path.resolve(__dirname, '..')), 'runs', 'deploy-destroy');
/** The stand-in reports Kafka Ready this long after it appears: the deploy must wait for it, not race it. */
const KAFKA_READY_AFTER_SECONDS = 3;

const demo = resolveMesh(DEMO_MESH_FILE);
let tools: Tools;
let world: World;
let standIn: StrimziStandIn;
let recorder: Recorder;
let project: CdktfProject;
let stacks: Record<'operator' | 'mesh', Map<string, StackResource>>;
let firstDeploy: CdktfRun;
/** Every secret value Strimzi wrote for the mesh (user passwords, JAAS configs, CA store passwords), while deployed. */
const secretValues = new Set<string>();

beforeAll(async () => {
  tools = ensureTools(log);
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  world = await startWorld(RUN_DIR, tools, log);
  // The bystander cluster has Strimzi's CRDs of its own: the destroy must leave them.
  const applied = await runCommand(path.join(tools.controlPlaneBin, 'kubectl'), ['--kubeconfig', world.bystander.kubeconfig, 'apply', '--server-side', '-f', STRIMZI_CRDS_DIR]);
  if (applied.status !== 0) throw new Error(`kubectl apply of the Strimzi CRDs to the bystander failed: ${applied.stderr}`);
  const meshFile = path.join(RUN_DIR, 'mesh.yaml');
  writeDemoMeshFile(meshFile, world.charts.url, TARGET);
  project = new CdktfProject(path.join(RUN_DIR, 'app'), tools, { KUBECONFIG: world.kubeconfig, MESH_CONFIG: meshFile }, log);
  recorder = new Recorder(world.target.kube, log);
  recorder.start(COLLECTIONS);
  standIn = new StrimziStandIn(world.target.kube, { readyAfterSeconds: { Kafka: KAFKA_READY_AFTER_SECONDS }, log: (m) => log(`stand-in: ${m}`) });
  await standIn.start();
}, 1_800_000);

afterAll(async () => {
  await standIn?.stop();
  await recorder?.stop();
  await world?.stop();
  if (figures.length) log(`figures:\n${figures.map((f) => `  ${f}`).join('\n')}`);
});

describe("the three-region demo, with the real cdktf CLI against a real API server", () => {
  test("`cdktf deploy '*'` on an empty cluster succeeds in one command", async () => {
    firstDeploy = await project.run(['deploy', '*', '--auto-approve']);
    expect(firstDeploy.exitCode).toBe(0);
    const readable = await runCommand(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'readable-plan.cjs')], { input: firstDeploy.output });
    recordFigure(`first deploy: ${firstDeploy.seconds.toFixed(1)} s, ${firstDeploy.output.split('\n').length} lines printed, ${readable.stdout.split('\n').length} through scripts/readable-plan.cjs (npm run deploy)`);
    stacks = {
      operator: readStack(path.join(project.stackDir('operator'), 'cdk.tf.json')),
      mesh: readStack(path.join(project.stackDir('mesh'), 'cdk.tf.json')),
    };
  });

  test('the operator stack: namespaces, the Helm release from the local chart repository, the CRDs, the operator available', async () => {
    const kube = world.target.kube;
    for (const ns of [...demo.regions.map((r) => r.name), demo.operator.namespace]) {
      expect((await kube.get(`/api/v1/namespaces/${ns}`)).metadata.name).toBe(ns);
    }
    expect(world.charts.requests).toContain('GET /strimzi-kafka-operator-1.2.0.tgz 200');
    const crds = await strimziCrds(world.target);
    expect(crds).toEqual(expect.arrayContaining(['kafkas.kafka.strimzi.io', 'kafkatopics.kafka.strimzi.io', 'kafkausers.kafka.strimzi.io', 'kafkamirrormaker2s.kafka.strimzi.io', 'kafkanodepools.kafka.strimzi.io']));
    const operator = await kube.get<KubeObject & { status: { availableReplicas?: number } }>(`/apis/apps/v1/namespaces/${demo.operator.namespace}/deployments/strimzi-cluster-operator`);
    expect(operator.status.availableReplicas).toBeGreaterThanOrEqual(1);
  });

  test('every object the stacks declare exists: Kafkas, node pools, topics, users, copied Secrets, MirrorMaker 2s, apps, UI releases', async () => {
    const missing: string[] = [];
    const kinds = new Map<string, number>();
    for (const r of [...stacks.operator.values(), ...stacks.mesh.values()]) {
      if (!r.object) continue;
      kinds.set(r.object.kind, (kinds.get(r.object.kind) ?? 0) + 1);
      if (recorder.added(r.object.kind, r.object.namespace, r.object.name) === undefined) missing.push(`${r.address} (${r.object.kind} ${r.object.namespace}/${r.object.name})`);
    }
    expect(missing).toEqual([]);
    // The demo: 3 regions, each one Kafka, one dual-role pool, 6 topics, its users, a MirrorMaker 2 and 2 apps.
    expect(Object.fromEntries(['Kafka', 'KafkaNodePool', 'KafkaTopic', 'KafkaMirrorMaker2', 'Deployment'].map((k) => [k, kinds.get(k)]))).toEqual({
      Kafka: 3, KafkaNodePool: 3, KafkaTopic: 18, KafkaMirrorMaker2: 3, Deployment: 6,
    });
    log(`objects declared and found: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  });

  test('objects were created in an order consistent with the dependencies, waiting for Ready where the stack waits', () => {
    const readyAt = (kind: string, namespace: string, name: string) =>
      standIn.timeline.find((e) => e.event === 'ready' && e.kind === kind && e.namespace === namespace && e.name === name)?.at;
    const violations: string[] = [];
    let checked = 0;
    for (const stack of [stacks.operator, stacks.mesh]) {
      for (const r of stack.values()) {
        if (!r.object) continue;
        const created = recorder.added(r.object.kind, r.object.namespace, r.object.name)!;
        for (const d of r.dependencies) {
          const dep = stack.get(d)!;
          // A dependency that waits for Ready must be Ready first; any other must merely exist first.
          const ready = dep.waitsFor === 'ready' ? readyAt(dep.object!.kind, dep.object!.namespace, dep.object!.name) : undefined;
          const before = ready ?? recorder.added(dep.object!.kind, dep.object!.namespace, dep.object!.name)!;
          checked++;
          if (!(before <= created)) violations.push(`${r.address} appeared ${before - created} ms before ${d} was ${ready ? 'Ready' : 'created'}`);
        }
      }
    }
    expect(violations).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    // The stand-in delayed each Kafka: what waits for it came at least that much after the Kafka itself.
    for (const region of demo.regions) {
      const kafka = recorder.added('Kafka', region.name, region.name)!;
      const firstTopic = Math.min(...demo.topics.map((t) => recorder.added('KafkaTopic', region.name, t.resourceName)!));
      expect(firstTopic - kafka).toBeGreaterThanOrEqual(KAFKA_READY_AFTER_SECONDS * 1000);
    }
  });

  test('the copied mirror-sources Secrets hold exactly the source regions\' CA certificates and mirror-source passwords', async () => {
    recordFigure(`state after the first deploy: mesh ${kib(project.stateFile('mesh'))} KiB, operator ${kib(project.stateFile('operator'))} KiB`);
    const kube = world.target.kube;
    const data = async (namespace: string, name: string) =>
      Object.fromEntries(Object.entries((await kube.get<KubeObject & { data: Record<string, string> }>(`/api/v1/namespaces/${namespace}/secrets/${name}`)).data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    for (const region of demo.regions) {
      const copied = await data(region.name, MIRROR_SOURCES_SECRET);
      const expected: Record<string, string> = {};
      for (const source of demo.regions.filter((r) => r !== region)) {
        const keys = mirrorSourceKeys(source);
        expected[keys.caCertificate] = (await data(source.name, clusterCaSecretName(source)))['ca.crt'];
        expected[keys.password] = (await data(source.name, MIRROR_SOURCE_USER)).password;
      }
      expect(copied).toEqual(expected);
      for (const secret of (await world.target.kube.list<KubeObject & { data?: Record<string, string> }>(`/api/v1/namespaces/${region.name}/secrets`)).items) {
        for (const [key, value] of Object.entries(secret.data ?? {})) {
          if (['password', 'sasl.jaas.config', 'ca.password', 'user.password'].includes(key)) secretValues.add(Buffer.from(value, 'base64').toString('utf8'));
        }
      }
      expect(Object.values(copied).every((v) => v.length > 0)).toBe(true);
    }
  });

  test("a second `cdktf deploy '*'` changes nothing", async () => {
    // Not one declared object is written to: every resourceVersion stays as it was.
    const versions = () => objectVersions(world, [...stacks.operator.values(), ...stacks.mesh.values()]);
    const before = await versions();
    const again = await project.run(['deploy', '*', '--auto-approve']);
    expect(again.exitCode).toBe(0);
    recordFigure(`no-op re-deploy: ${again.seconds.toFixed(1)} s`);
    expect(again.output.match(/No changes\. Your infrastructure matches the configuration\./g)?.length).toBe(2);
    expect(again.output).not.toMatch(/Resources: [1-9]\d* added|[1-9]\d* changed|[1-9]\d* destroyed/);
    expect(await versions()).toEqual(before);
    expect(Object.keys(before).length).toBeGreaterThan(60);
    // What the operator writes (status, Secrets, finalizers) shows up as drift only if Terraform tracks it: report it.
    for (const stack of STACK_KINDS) {
      const plan = await runCommand(tools.terraform, ['plan', '-detailed-exitcode', '-no-color', '-input=false'], { cwd: project.stackDir(stack), env: project.env });
      const drift = /Objects have changed outside of Terraform[\s\S]*?(?=\n\S*No changes|\n\S*Terraform used|$)/.exec(plan.stdout)?.[0];
      log(`terraform plan of ${stack}: exit ${plan.status}${drift ? `; drift reported:\n${drift}` : ', no drift'}`);
      expect(plan.status).toBe(0);
    }
  });

  test('the CRD cleanup refuses to delete in a cluster the stack did not deploy to', async () => {
    const [cleanup] = [...stacks.operator.values()].filter((r) => r.type === 'terraform_data' && r.body.provisioner?.[0]?.['local-exec']?.when === 'destroy');
    const exec = cleanup.body.provisioner[0]['local-exec'];
    const state = JSON.parse(fs.readFileSync(project.stateFile('operator'), 'utf8'));
    const recorded = state.resources.find((r: any) => r.type === 'terraform_data' && `terraform_data.${r.name}` === cleanup.address).instances[0].attributes.input.value;
    expect(recorded.cluster_uid).toBe((await world.target.kube.get('/api/v1/namespaces/kube-system')).metadata.uid);
    // The recorded command, run as the destroy would, but with the bystander's context: it must refuse.
    const refused = await runCommand('sh', ['-c', exec.command], {
      env: { ...project.env, KUBECONFIG: recorded.kubeconfig, CRD_CLEANUP_CONTEXT: BYSTANDER, CRD_CLEANUP_CLUSTER_UID: recorded.cluster_uid, CRD_CLEANUP_MESH: recorded.mesh },
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Strimzi CRD cleanup refused');
    expect(await strimziCrds(world.bystander)).toHaveLength(fs.readdirSync(STRIMZI_CRDS_DIR).filter((f) => /\.ya?ml$/.test(f)).length);
  });

  test("`cdktf destroy '*'` succeeds and leaves nothing, and leaves the other cluster's CRDs alone", async () => {
    const bystanderCrds = await strimziCrds(world.bystander);
    const destroy = await project.run(['destroy', '*', '--auto-approve']);
    expect(destroy.exitCode).toBe(0);
    recordFigure(`destroy: ${destroy.seconds.toFixed(1)} s`);
    const kube = world.target.kube;
    const namespaces = await kube.list('/api/v1/namespaces');
    // No region or operator namespace, and nothing Terminating.
    expect(namespaces.items.map((n) => n.metadata.name).sort()).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(await strimziCrds(world.target)).toEqual([]);
    const releases = (await kube.list('/api/v1/secrets?labelSelector=owner%3Dhelm')).items;
    expect(releases.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual([]);
    expect(await strimziCrds(world.bystander)).toEqual(bystanderCrds);
  });

  test('no KafkaTopic carried the topic operator\'s finalizer (STRIMZI_USE_FINALIZERS=false), so no namespace could stick in Terminating', () => {
    // With finalizers, deleting a region's namespace would wait on topics that only its (dying) topic operator releases.
    const added = standIn.timeline.filter((e) => e.kind === 'KafkaTopic' && e.event === 'finalizer-added');
    expect(added.map((e) => `${e.namespace}/${e.name}`)).toEqual([]);
    expect(standIn.timeline.filter((e) => e.kind === 'KafkaTopic' && e.event === 'ready').length).toBeGreaterThanOrEqual(demo.regions.length * demo.topics.length);
    for (const region of demo.regions) expect(recorder.sightings.find((s) => s.kind === 'Namespace' && s.name === region.name)!.deleted).toBeDefined();
  });

  test('after destroy, only the state backups hold secrets, and scripts/forget-secrets.sh (npm run destroy) removes them', async () => {
    expect(secretValues.size).toBeGreaterThan(15);
    const holders = () => filesHolding(project.dir, secretValues);
    // The states themselves are empty; Terraform's backup of the mesh state is the deployed mesh, secrets and all.
    expect(holders()).toEqual([path.basename(`${project.stateFile('mesh')}.backup`)]);
    const forget = await runCommand('bash', [path.join(__dirname, '..', '..', 'scripts', 'forget-secrets.sh')], { cwd: project.dir, env: project.env });
    expect(forget.status).toBe(0);
    expect(holders()).toEqual([]);
  });
});

function kib(file: string): string {
  return (fs.statSync(file).size / 1024).toFixed(0);
}

/** Files under `dir` (not provider binaries) whose text contains any of `values`, relative to `dir`. */
function filesHolding(dir: string, values: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.terraform') walk(p);
      } else if (e.isFile()) {
        const text = fs.readFileSync(p, 'utf8');
        if ([...values].some((v) => text.includes(v) || text.includes(JSON.stringify(v).slice(1, -1)))) out.push(path.relative(dir, p));
      }
    }
  };
  walk(dir);
  return out.sort();
}
