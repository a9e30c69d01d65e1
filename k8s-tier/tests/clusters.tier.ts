/**
 * Regions on separate Kubernetes clusters (issue #10), for real: three control planes at once, one kubeconfig with a
 * context for each, a mesh of three regions, one per cluster, each exposed with another external listener type
 * (loadbalancer, nodeport, ingress). `cdktf deploy '*'`, a second deploy that changes nothing, and `cdktf destroy '*'`
 * with the real CLI, providers and charts. Each cluster runs its own Strimzi stand-in and load-balancer stand-in (its
 * cloud load balancers and ingress controller).
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { cloneCache } from '../../tier-support/cache';
import { reapStaleRuns } from '../../tier-support/processes';
import { tierLog } from '../../tier-support/progress';
import { DEMO_MESH_FILE } from '../../mesh/demo';
import { MIRROR_MAKER, MIRROR_SOURCE_USER, MIRROR_SOURCES_SECRET } from '../../mesh/names';
import { CdktfProject, CdktfRun } from '../src/cdktf';
import { ControlPlane } from '../src/control-plane';
import { KubeObject } from '../src/kube';
import { LoadBalancerStandIn } from '../src/load-balancer-stand-in';
import { Recorder } from '../src/recorder';
import { COLLECTIONS, figures, objectPath, recordFigure, strimziCrds } from '../src/scenario';
import { readStack, StackResource } from '../src/stack-graph';
import { StrimziStandIn } from '../src/strimzi-stand-in';
import { ensureTools, Tools } from '../src/tools';
import { ClusterContext, CLUSTERS, ClustersWorld, INGRESS_CLASS, startClusters } from '../src/world';

const log = tierLog('clusters');
const RUN_DIR = path.join(cloneCache(path.resolve(__dirname, '..')), 'runs', 'clusters');
const KAFKA_READY_AFTER_SECONDS = 3;
const OPERATOR_NAMESPACE = 'strimzi';
const BUILT_IN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

interface MeshRegion {
  name: string;
  alias: string;
  context?: ClusterContext;
  namespace?: string;
  external?: { type: 'loadbalancer' | 'nodeport' | 'ingress'; sourceRanges?: string[]; bootstrapHost?: string; brokerHostTemplate?: string; bootstrapNodePort?: number; class?: string };
}

/** The demo's regions, one per cluster, with the three external listener types of the contract. */
const REGIONS: MeshRegion[] = [
  // Its load balancers admit only the other clusters' ranges.
  { name: 'north-america', alias: 'northamerica', context: 'cluster-a', external: { type: 'loadbalancer', sourceRanges: ['198.51.100.0/24', '203.0.113.0/24'] } },
  {
    name: 'south-america', alias: 'southamerica', context: 'cluster-b',
    external: { type: 'nodeport', bootstrapHost: 'kafka.south-america.example', brokerHostTemplate: 'broker-{nodeId}.kafka.south-america.example', bootstrapNodePort: 31094 },
  },
  {
    name: 'europe', alias: 'europe', context: 'cluster-c',
    external: { type: 'ingress', class: INGRESS_CLASS, bootstrapHost: 'kafka.europe.example', brokerHostTemplate: 'broker-{nodeId}.kafka.europe.example' },
  },
];
const namespaceOf = (r: MeshRegion) => r.namespace ?? r.name;
const mirrorKeys = (source: MeshRegion) => ({ caCertificate: `${source.name}.ca.crt`, password: `${source.name}.password` });

type Obj = KubeObject & { spec?: Record<string, any>; status?: Record<string, any>; data?: Record<string, string> };

let tools: Tools;
let world: ClustersWorld;
const standIns = new Map<ClusterContext, StrimziStandIn>();
const loadBalancers = new Map<ClusterContext, LoadBalancerStandIn>();
const recorders = new Map<ClusterContext, Recorder>();
let project: CdktfProject;
let mixedProject: CdktfProject;
let stacks: Record<'operator' | 'mesh', Map<string, StackResource>>;
let firstDeploy: CdktfRun;

/**
 * The mixed mesh: the americas share cluster-a (north-america on the current context, south-america naming it), europe
 * apart on cluster-b with the default external listener (a load balancer); cluster-c gets nothing. Lean (one topic, no
 * apps, no UI) to keep the tier's time: what it adds is which mirror takes which address.
 */
const MIXED: MeshRegion[] = [
  { name: 'north-america', alias: 'northamerica' },
  { name: 'south-america', alias: 'southamerica', context: 'cluster-a' },
  { name: 'europe', alias: 'europe', context: 'cluster-b' },
];

const cluster = (context: ClusterContext): ControlPlane => world.clusters.get(context)!;
/** The cluster a region lives on: its context, else the current one. */
const clusterOf = (r: MeshRegion): ClusterContext => r.context ?? CLUSTERS[0].context;
const regionsOn = (regions: readonly MeshRegion[], context: ClusterContext) => regions.filter((r) => clusterOf(r) === context);

beforeAll(async () => {
  tools = ensureTools(log);
  reapStaleRuns(RUN_DIR, log);
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  fs.mkdirSync(RUN_DIR, { recursive: true });
  world = await startClusters(RUN_DIR, tools, log);
  const meshFile = path.join(RUN_DIR, 'mesh.yaml');
  const mesh = { ...DEMO_MESH_FILE, regions: REGIONS, operator: { repository: world.charts.url }, ui: { repository: world.charts.url } };
  fs.writeFileSync(meshFile, `# Written by the k8s tier: the demo's regions on three clusters, charts from ${world.charts.url}\n${stringify(mesh)}`);
  project = new CdktfProject(path.join(RUN_DIR, 'app'), tools, { KUBECONFIG: world.kubeconfig, MESH_CONFIG: meshFile }, log);
  const mixedFile = path.join(RUN_DIR, 'mixed.yaml');
  const mixed = {
    name: 'mixed',
    regions: MIXED,
    topics: [DEMO_MESH_FILE.topics[0]],
    apps: { enabled: false },
    ui: { enabled: false },
    operator: { repository: world.charts.url },
  };
  fs.writeFileSync(mixedFile, `# Written by the k8s tier: two regions on one cluster, one apart\n${stringify(mixed)}`);
  mixedProject = new CdktfProject(path.join(RUN_DIR, 'app-mixed'), tools, { KUBECONFIG: world.kubeconfig, MESH_CONFIG: mixedFile }, log);
  for (const { context, subnet } of CLUSTERS) {
    const kube = cluster(context).kube;
    const recorder = new Recorder(kube, log);
    recorder.start(COLLECTIONS);
    recorders.set(context, recorder);
    const lb = new LoadBalancerStandIn(kube, { subnet, ingressClasses: [INGRESS_CLASS], log: (m) => log(`${context} load balancers: ${m}`) });
    loadBalancers.set(context, lb);
    await lb.start();
    const standIn = new StrimziStandIn(kube, { readyAfterSeconds: { Kafka: KAFKA_READY_AFTER_SECONDS }, log: (m) => log(`${context} stand-in: ${m}`) });
    standIns.set(context, standIn);
    await standIn.start();
  }
}, 1_800_000);

afterAll(async () => {
  for (const s of standIns.values()) await s.stop();
  for (const lb of loadBalancers.values()) await lb.stop();
  for (const r of recorders.values()) await r.stop();
  await world?.stop();
  if (figures.length) log(`figures:\n${figures.map((f) => `  ${f}`).join('\n')}`);
});

/** The context of the cluster a synthesized resource goes to: its provider's alias `ctx_<context>`, none for the current context. */
function contextOf(r: StackResource): ClusterContext {
  const alias = /\.(ctx_[A-Za-z0-9_]+)$/.exec(String(r.body.provider ?? ''))?.[1];
  if (!alias) return CLUSTERS[0].context;
  const hit = CLUSTERS.find((c) => `ctx_${c.context.replace(/[^A-Za-z0-9_]/g, '_')}` === alias);
  if (!hit) throw new Error(`${r.address}: provider alias ${alias} names none of the clusters`);
  return hit.context;
}

async function kafkaOf(region: MeshRegion): Promise<Obj> {
  return cluster(clusterOf(region)).kube.get<Obj>(`/apis/kafka.strimzi.io/v1/namespaces/${namespaceOf(region)}/kafkas/${region.name}`);
}

async function secretData(context: ClusterContext, namespace: string, name: string): Promise<Record<string, string>> {
  const s = await cluster(context).kube.get<Obj>(`/api/v1/namespaces/${namespace}/secrets/${name}`);
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/** `address -> resourceVersion` of every object the stacks declare, each read from its own cluster. */
async function objectVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of [...stacks.operator.values(), ...stacks.mesh.values()]) {
    if (!r.object) continue;
    out[r.address] = (await cluster(contextOf(r)).kube.get(objectPath(r.object))).metadata.resourceVersion ?? '';
  }
  return out;
}

describe("three regions on three clusters, with the real cdktf CLI against three real API servers", () => {
  test("`cdktf deploy '*'` on three empty clusters succeeds in one command", async () => {
    firstDeploy = await project.run(['deploy', '*', '--auto-approve']);
    expect(firstDeploy.exitCode).toBe(0);
    recordFigure(`three clusters, first deploy: ${firstDeploy.seconds.toFixed(1)} s, ${firstDeploy.output.split('\n').length} lines printed`);
    stacks = {
      operator: readStack(path.join(project.stackDir('operator'), 'cdk.tf.json')),
      mesh: readStack(path.join(project.stackDir('mesh'), 'cdk.tf.json')),
    };
  });

  test('every declared object exists in the cluster its provider names', async () => {
    const missing: string[] = [];
    const perCluster = new Map<ClusterContext, number>();
    for (const r of [...stacks.operator.values(), ...stacks.mesh.values()]) {
      if (!r.object) continue;
      const context = contextOf(r);
      perCluster.set(context, (perCluster.get(context) ?? 0) + 1);
      if (recorders.get(context)!.added(r.object.kind, r.object.namespace, r.object.name) === undefined) missing.push(`${r.address} (${context}: ${r.object.kind} ${r.object.namespace}/${r.object.name})`);
    }
    expect(missing).toEqual([]);
    // Every cluster gets objects: its operator and its region.
    expect([...perCluster.keys()].sort()).toEqual(CLUSTERS.map((c) => c.context));
    log(`declared objects per cluster: ${[...perCluster].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  });

  test('each cluster holds exactly its regions and one Strimzi operator (Helm release, Deployment watching its regions, CRDs)', async () => {
    await expectClustersHold(REGIONS);
    expect(world.charts.requests).toContain('GET /strimzi-kafka-operator-1.2.0.tgz 200');
  });

  test('each Kafka has an external listener of its type, and its status gives the address Strimzi would', async () => {
    for (const region of REGIONS) {
      const kafka = await kafkaOf(region);
      const listener = (kafka.spec!.kafka.listeners as Record<string, any>[]).find((l) => l.name === 'external');
      expect({ region: region.name, listener: listener && { type: listener.type, port: listener.port, tls: listener.tls, authentication: listener.authentication } })
        .toEqual({ region: region.name, listener: { type: region.external!.type, port: 9094, tls: true, authentication: { type: 'scram-sha-512' } } });
      const status = (kafka.status!.listeners as Record<string, any>[]).find((l) => l.name === 'external')!;
      const kube = cluster(clusterOf(region)).kube;
      const ns = namespaceOf(region);
      switch (region.external!.type) {
        case 'loadbalancer': {
          expect(status.bootstrapServers).toBe(`${await loadBalancerIp(region)}:9094`);
          const service = await kube.get<Obj>(`/api/v1/namespaces/${ns}/services/${region.name}-kafka-external-bootstrap`);
          expect(service.spec!.loadBalancerSourceRanges).toEqual(region.external!.sourceRanges);
          break;
        }
        case 'nodeport': {
          const service = await kube.get<Obj>(`/api/v1/namespaces/${ns}/services/${region.name}-kafka-external-bootstrap`);
          expect(service.spec!.ports[0].nodePort).toBe(region.external!.bootstrapNodePort);
          const brokers = [0, 1, 2].map((id) => `${region.external!.brokerHostTemplate!.replace('{nodeId}', String(id))}:${region.external!.bootstrapNodePort}`);
          expect(status.bootstrapServers).toBe(brokers.join(','));
          break;
        }
        case 'ingress':
          expect(status.bootstrapServers).toBe(`${region.external!.bootstrapHost}:443`);
          expect((await kube.get<Obj>(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${region.name}-kafka-bootstrap`)).spec!.ingressClassName).toBe(INGRESS_CLASS);
          break;
      }
    }
  });

  test('each MirrorMaker 2 reaches a source on another cluster at the address that source reports (or the mesh file gives)', async () => {
    await expectMirrorAddresses(REGIONS);
  });

  test('each MirrorMaker 2 was created only after every source Kafka on another cluster was Ready (its address exists only then)', () => {
    expectMirrorsAfterSourcesReady(REGIONS);
  });

  test("each cluster's copied mirror-sources Secret holds the other clusters' CA certificates and mirror-source passwords", async () => {
    await expectCopiedSecrets(REGIONS);
  });

  test("a second `cdktf deploy '*'` changes nothing in any cluster", async () => {
    const before = await objectVersions();
    const again = await project.run(['deploy', '*', '--auto-approve']);
    expect(again.exitCode).toBe(0);
    recordFigure(`three clusters, no-op re-deploy: ${again.seconds.toFixed(1)} s`);
    expect(again.output.match(/No changes\. Your infrastructure matches the configuration\./g)?.length).toBe(2);
    expect(again.output).not.toMatch(/Resources: [1-9]\d* added|[1-9]\d* changed|[1-9]\d* destroyed/);
    expect(await objectVersions()).toEqual(before);
  });

  test("`cdktf destroy '*'` succeeds and leaves all three clusters clean", async () => {
    const destroy = await project.run(['destroy', '*', '--auto-approve']);
    expect(destroy.exitCode).toBe(0);
    recordFigure(`three clusters, destroy: ${destroy.seconds.toFixed(1)} s`);
    await expectAllClean();
  });
});

describe('a mixed mesh: two regions sharing a cluster, one apart (on the same three clusters, after the first mesh is gone)', () => {
  test("`cdktf deploy '*'` succeeds; cluster-a holds the americas, cluster-b europe, cluster-c nothing", async () => {
    const deploy = await mixedProject.run(['deploy', '*', '--auto-approve']);
    expect(deploy.exitCode).toBe(0);
    recordFigure(`mixed mesh (one topic, no apps, no UI), first deploy: ${deploy.seconds.toFixed(1)} s`);
    await expectClustersHold(MIXED);
  });

  test('the americas read each other over the internal listener, europe and the americas over the external one, at the address each reports', async () => {
    await expectMirrorAddresses(MIXED);
    // Every Kafka gets the external listener (a mesh on more than one cluster), by default a load balancer.
    for (const region of MIXED) {
      const status = ((await kafkaOf(region)).status!.listeners as Record<string, any>[]).find((l) => l.name === 'external');
      expect({ region: region.name, address: status?.bootstrapServers }).toEqual({ region: region.name, address: `${await loadBalancerIp(region)}:9094` });
    }
    expectMirrorsAfterSourcesReady(MIXED);
  });

  test("the copied mirror-sources Secrets hold the sources' values, from their own clusters", async () => {
    await expectCopiedSecrets(MIXED);
  });

  test("`cdktf destroy '*'` succeeds and leaves all three clusters clean", async () => {
    const destroy = await mixedProject.run(['destroy', '*', '--auto-approve']);
    expect(destroy.exitCode).toBe(0);
    recordFigure(`mixed mesh, destroy: ${destroy.seconds.toFixed(1)} s`);
    await expectAllClean();
  });
});

/** The address the cluster's load balancer gave a region's bootstrap Service. */
async function loadBalancerIp(region: MeshRegion): Promise<string> {
  const service = await cluster(clusterOf(region)).kube.get<Obj>(`/api/v1/namespaces/${namespaceOf(region)}/services/${region.name}-kafka-external-bootstrap`);
  const ip: string = service.status!.loadBalancer.ingress[0].ip;
  expect(ip.startsWith(`${CLUSTERS.find((c) => c.context === clusterOf(region))!.subnet}.`)).toBe(true);
  return ip;
}

/** Each cluster: exactly its regions' namespaces, Kafkas, MirrorMaker 2s, and (if it has regions) one operator watching them. */
async function expectClustersHold(regions: readonly MeshRegion[]): Promise<void> {
    for (const { context } of CLUSTERS) {
      const kube = cluster(context).kube;
      const mine = regionsOn(regions, context).map(namespaceOf);
      if (!mine.length) {
        const namespaces = (await kube.list('/api/v1/namespaces')).items.map((n) => n.metadata.name).sort();
        expect({ context, namespaces, crds: await strimziCrds(cluster(context)) }).toEqual({ context, namespaces: BUILT_IN_NAMESPACES, crds: [] });
        continue;
      }
      const namespaces = (await kube.list('/api/v1/namespaces')).items.map((n) => n.metadata.name).sort();
      expect({ context, namespaces }).toEqual({ context, namespaces: [...BUILT_IN_NAMESPACES, ...mine, OPERATOR_NAMESPACE].sort() });
      const kafkas = (await kube.list('/apis/kafka.strimzi.io/v1/kafkas')).items.map((k) => `${k.metadata.namespace}/${k.metadata.name}`).sort();
      expect({ context, kafkas }).toEqual({ context, kafkas: regionsOn(regions, context).map((r) => `${namespaceOf(r)}/${r.name}`).sort() });
      const mirrorMakers = (await kube.list('/apis/kafka.strimzi.io/v1/kafkamirrormaker2s')).items.map((k) => k.metadata.namespace).sort();
      expect({ context, mirrorMakers }).toEqual({ context, mirrorMakers: [...mine].sort() });

      const releases = (await kube.list('/api/v1/secrets?labelSelector=owner%3Dhelm%2Cname%3Dstrimzi-cluster-operator')).items;
      expect({ context, releases: releases.map((s) => s.metadata.namespace) }).toEqual({ context, releases: [OPERATOR_NAMESPACE] });
      const operators = (await kube.list<Obj>('/apis/apps/v1/deployments')).items.filter((d) => d.metadata.name === 'strimzi-cluster-operator');
      expect({ context, operators: operators.map((d) => d.metadata.namespace) }).toEqual({ context, operators: [OPERATOR_NAMESPACE] });
      expect(operators[0].status?.availableReplicas).toBeGreaterThanOrEqual(1);
      const env: { name: string; value?: string }[] = operators[0].spec!.template.spec.containers[0].env;
      const watched = (env.find((e) => e.name === 'STRIMZI_NAMESPACE')?.value ?? '').split(',').filter((n) => n && n !== OPERATOR_NAMESPACE).sort();
      expect({ context, watched }).toEqual({ context, watched: [...mine].sort() });
      expect(await strimziCrds(cluster(context))).toEqual(expect.arrayContaining(['kafkas.kafka.strimzi.io', 'kafkamirrormaker2s.kafka.strimzi.io', 'kafkausers.kafka.strimzi.io']));
    }
}

/**
 * Each MirrorMaker 2's source addresses: a source on the same cluster at its internal bootstrap Service; on another
 * cluster at what that source's Kafka reports in status.listeners on its own cluster (a node port source: the mesh
 * file's bootstrapHost:bootstrapNodePort, whose port the status confirms).
 */
async function expectMirrorAddresses(regions: readonly MeshRegion[]): Promise<void> {
    for (const target of regions) {
      const mm2 = await cluster(clusterOf(target)).kube.get<Obj>(`/apis/kafka.strimzi.io/v1/namespaces/${namespaceOf(target)}/kafkamirrormaker2s/${MIRROR_MAKER.name}`);
      const actual = Object.fromEntries((mm2.spec!.mirrors as Record<string, any>[]).map((m) => [m.source.alias, m.source.bootstrapServers]));
      const expected: Record<string, string> = {};
      for (const source of regions.filter((r) => r !== target)) {
        const reported = ((await kafkaOf(source)).status!.listeners as Record<string, any>[]).find((l) => l.name === 'external')!.bootstrapServers as string;
        if (clusterOf(source) === clusterOf(target)) expected[source.alias] = `${source.name}-kafka-bootstrap.${namespaceOf(source)}.svc:9093`;
        else if (source.external?.type === 'nodeport') {
          expect(reported.split(',').every((a) => a.endsWith(`:${source.external!.bootstrapNodePort}`))).toBe(true);
          expected[source.alias] = `${source.external.bootstrapHost}:${source.external.bootstrapNodePort}`;
        } else expected[source.alias] = reported;
      }
      expect({ target: target.name, sources: actual }).toEqual({ target: target.name, sources: expected });
    }
}

/** Each MirrorMaker 2 appeared only after every source on another cluster was Ready. */
function expectMirrorsAfterSourcesReady(regions: readonly MeshRegion[]): void {
    for (const target of regions) {
      const created = recorders.get(clusterOf(target))!.added('KafkaMirrorMaker2', namespaceOf(target), MIRROR_MAKER.name)!;
      for (const source of regions.filter((r) => clusterOf(r) !== clusterOf(target))) {
        // The first Ready of this Kafka (not of one of the same name deployed before).
        const kafkaAdded = recorders.get(clusterOf(source))!.added('Kafka', namespaceOf(source), source.name)!;
        const ready = standIns.get(clusterOf(source))!.timeline.find((e) => e.kind === 'Kafka' && e.event === 'ready' && e.namespace === namespaceOf(source) && e.name === source.name && e.at >= kafkaAdded)!;
        expect({ target: target.name, source: source.name, after: created >= ready.at }).toEqual({ target: target.name, source: source.name, after: true });
      }
    }
}

/** Each region's mirror-sources Secret: every other region's CA certificate and mirror-source password, read on the source's own cluster. */
async function expectCopiedSecrets(regions: readonly MeshRegion[]): Promise<void> {
    for (const target of regions) {
      const copied = await secretData(clusterOf(target), namespaceOf(target), MIRROR_SOURCES_SECRET);
      const expected: Record<string, string> = {};
      for (const source of regions.filter((r) => r !== target)) {
        const keys = mirrorKeys(source);
        expected[keys.caCertificate] = (await secretData(clusterOf(source), namespaceOf(source), `${source.name}-cluster-ca-cert`))['ca.crt'];
        expected[keys.password] = (await secretData(clusterOf(source), namespaceOf(source), MIRROR_SOURCE_USER)).password;
      }
      expect({ target: target.name, copied }).toEqual({ target: target.name, copied: expected });
      expect(Object.values(copied).every((v) => v.length > 0)).toBe(true);
      // The sources' own values: no two regions share a CA.
      expect(new Set(regions.map((r) => copied[mirrorKeys(r).caCertificate]).filter(Boolean)).size).toBe(regions.length - 1);
    }
}

/** Every cluster: only the built-in namespaces (nothing Terminating), no Strimzi CRD, no Helm release, no Service but the API's; every load balancer given back. */
async function expectAllClean(): Promise<void> {
    for (const { context } of CLUSTERS) {
      const kube = cluster(context).kube;
      const namespaces = (await kube.list('/api/v1/namespaces')).items.map((n) => `${n.metadata.name}${n.metadata.deletionTimestamp ? ' (Terminating)' : ''}`).sort();
      expect({ context, namespaces }).toEqual({ context, namespaces: BUILT_IN_NAMESPACES });
      expect({ context, crds: await strimziCrds(cluster(context)) }).toEqual({ context, crds: [] });
      expect({ context, releases: (await kube.list('/api/v1/secrets?labelSelector=owner%3Dhelm')).items.length }).toEqual({ context, releases: 0 });
      const services = (await kube.list('/api/v1/services')).items.map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
      expect({ context, services }).toEqual({ context, services: ['default/kubernetes'] });
    }
    for (const [context, lb] of loadBalancers) {
      const assigned = lb.timeline.filter((e) => e.kind === 'Service' && e.event === 'address-assigned').map((e) => `${e.namespace}/${e.name}`);
      const released = lb.timeline.filter((e) => e.event === 'address-released').map((e) => `${e.namespace}/${e.name}`);
      expect({ context, left: [...new Set(assigned)].filter((x) => !released.includes(x)) }).toEqual({ context, left: [] });
    }
}
