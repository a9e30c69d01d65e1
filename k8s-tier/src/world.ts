/**
 * Everything the deploy scenarios run against, started in order and stopped in reverse, also on failure:
 * - the target cluster, where the mesh is deployed, and a bystander cluster that also has Strimzi's CRDs (the CRD
 *   cleanup must leave those alone), both real control planes;
 * - one kubeconfig holding both, with the bystander's context current, as a platform engineer's often is;
 * - the chart repository on 127.0.0.1 serving the real Strimzi and Kafbat UI charts;
 * - the stand-in for Strimzi's operator on the target cluster.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { Log } from '../../tier-support/progress';
import { REPO_ROOT } from '../../tier-support/cache';
import { DEMO_MESH_FILE } from '../../mesh/demo';
import { ChartRepository } from './chart-repo';
import { ControlPlane } from './control-plane';
import { Tools } from './tools';

export const SHARED_DIR = process.env.MESH_SHARED_DIR ?? path.resolve(REPO_ROOT, '..', 'shared');
export const CHARTS_DIR = path.join(SHARED_DIR, 'charts');
export const STRIMZI_CRDS_DIR = path.join(SHARED_DIR, 'strimzi-crds', '1.2.0');

export const TARGET = 'mesh-target';
export const BYSTANDER = 'bystander';

export interface World {
  readonly target: ControlPlane;
  readonly bystander: ControlPlane;
  /** The merged kubeconfig (contexts TARGET and BYSTANDER; BYSTANDER current). */
  readonly kubeconfig: string;
  readonly charts: ChartRepository;
  stop(): Promise<void>;
}

export async function startWorld(runDir: string, tools: Tools, log: Log): Promise<World> {
  const { planes, kubeconfig, charts, stop } = await startPlanes([TARGET, BYSTANDER], BYSTANDER, runDir, tools, log);
  const [target, bystander] = planes;
  return { target, bystander, kubeconfig, charts, stop };
}

/**
 * Control planes named `names`, started at once, one kubeconfig holding them all with `current` as the current
 * context, and the chart repository; everything stopped in reverse by `stop`, and at once if a part fails to start.
 * `prepare` runs on the started planes before the world is handed out (a failure there stops everything too).
 */
async function startPlanes(
  names: readonly string[],
  current: string,
  runDir: string,
  tools: Tools,
  log: Log,
  prepare: (planes: readonly ControlPlane[]) => Promise<void> = async () => {},
): Promise<{ planes: ControlPlane[]; kubeconfig: string; charts: ChartRepository; stop(): Promise<void> }> {
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch((e) => log(`stop: ${(e as Error).message}`));
  };
  try {
    const planes = await Promise.all(
      names.map((name) =>
        ControlPlane.start({ name, runDir: path.join(runDir, name), bin: tools.controlPlaneBin, kwokStages: tools.kwokStages, log }).then((cp) => {
          started.push(cp);
          return cp;
        }),
      ),
    );
    await prepare(planes);
    const kubeconfig = path.join(runDir, 'kubeconfig');
    mergeKubeconfigs(kubeconfig, planes.map((p) => p.kubeconfig), current);
    const charts = await ChartRepository.start(CHARTS_DIR);
    started.push(charts);
    log(`chart repository ${charts.url} serving ${fs.readdirSync(CHARTS_DIR).filter((f) => f.endsWith('.tgz')).join(', ')}`);
    return { planes, kubeconfig, charts, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** One kubeconfig with every cluster, user and context of `files`, and `current` as the current context. */
export function mergeKubeconfigs(file: string, files: string[], current: string): void {
  const docs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown[]>);
  const all = (key: string) => docs.flatMap((d) => d[key] ?? []);
  const merged = { apiVersion: 'v1', kind: 'Config', clusters: all('clusters'), users: all('users'), contexts: all('contexts'), 'current-context': current };
  fs.writeFileSync(file, JSON.stringify(merged, null, 2), { mode: 0o600 });
}

/**
 * The demo mesh as a user behind a chart mirror would write it: the demo's regions and topics, every region on the
 * target's context, the charts from the local repository. Everything else is the defaults.
 */
export function writeDemoMeshFile(file: string, chartRepository: string, context: string): void {
  const mesh = {
    ...DEMO_MESH_FILE,
    regions: DEMO_MESH_FILE.regions.map((r) => ({ ...r, context })),
    operator: { repository: chartRepository },
    ui: { repository: chartRepository },
  };
  fs.writeFileSync(file, `# Written by the k8s tier: the demo, deployed to context ${context}, charts from ${chartRepository}\n${stringify(mesh)}`);
}

/** The clusters of the multi-cluster scenarios: kubeconfig contexts, and the /24 each one's load balancers take addresses from (RFC 5737). */
export const CLUSTERS = [
  { context: 'cluster-a', subnet: '192.0.2' },
  { context: 'cluster-b', subnet: '198.51.100' },
  { context: 'cluster-c', subnet: '203.0.113' },
] as const;
export type ClusterContext = (typeof CLUSTERS)[number]['context'];

/** The ingress class the load-balancer stand-in serves in every cluster, made the default one (as a managed ingress-nginx is). */
export const INGRESS_CLASS = 'nginx';

export interface ClustersWorld {
  /** By context name. */
  readonly clusters: ReadonlyMap<ClusterContext, ControlPlane>;
  /** The merged kubeconfig: a context per cluster, the first one current. */
  readonly kubeconfig: string;
  readonly charts: ChartRepository;
  stop(): Promise<void>;
}

/**
 * Three control planes at once (CLUSTERS), each with a default IngressClass `nginx`, one kubeconfig holding them all
 * (the first context current), and the chart repository; stopped in reverse, also on failure. Their operators (the
 * Strimzi stand-in, the load-balancer stand-in) are the scenario's to start.
 */
export async function startClusters(runDir: string, tools: Tools, log: Log): Promise<ClustersWorld> {
  const addIngressClass = async (planes: readonly ControlPlane[]) => {
    for (const cp of planes) {
      await cp.kube.create('/apis/networking.k8s.io/v1/ingressclasses', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: INGRESS_CLASS, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
        spec: { controller: 'k8s.io/ingress-nginx' },
      });
    }
  };
  const contexts = CLUSTERS.map((c) => c.context);
  const { planes, kubeconfig, charts, stop } = await startPlanes(contexts, contexts[0], runDir, tools, log, addIngressClass);
  return { clusters: new Map(planes.map((p) => [p.name as ClusterContext, p])), kubeconfig, charts, stop };
}
