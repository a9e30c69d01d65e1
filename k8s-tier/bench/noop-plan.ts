/**
 * `npm run bench:k8s`: what a deploy costs against a real API server, for the demo and for a 30-region, 10-topic
 * mesh, each deployed once (real cdktf CLI, stand-in operator) onto a fresh control plane: the deploy's wall time,
 * the lines its plan prints (raw and through scripts/readable-plan.cjs), the state's size, and the median wall time
 * of a no-op `terraform plan` of both stacks (what every later deploy pays before it changes anything).
 * Figures, not a test. Target: the 30x10 no-op plan at most 10x the demo's.
 *
 * It also prints the wait that client-side rate limiting alone puts on a no-op plan. Every `kubernetes_manifest` is
 * read with one GET on refresh, through one client per provider configuration, and hashicorp/kubernetes 2.38.0 sets
 * no rate on that client (manifest/provider/configure.go builds the rest config from the kubeconfig only;
 * clients.go keeps one dynamic client per provider), so client-go's defaults apply (v0.28.6, rest/config.go:
 * DefaultQPS 5, DefaultBurst 10, a token bucket per client).
 */
import * as fs from 'fs';
import * as path from 'path';
import { STACK_KINDS } from '../../main';
import { stringify } from 'yaml';
import { cloneCache } from '../../tier-support/cache';
import { runCommand } from '../../tier-support/commands';
import { tierLog } from '../../tier-support/progress';
import { DEMO_MESH_FILE } from '../../mesh/demo';
import { CdktfProject } from '../src/cdktf';
import { ChartRepository } from '../src/chart-repo';
import { ControlPlane } from '../src/control-plane';
import { StrimziStandIn } from '../src/strimzi-stand-in';
import { ensureTools, Tools } from '../src/tools';
import { CHARTS_DIR } from '../src/world';

const log = tierLog('bench:k8s');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RUN_DIR = path.join(cloneCache(path.resolve(__dirname, '..')), 'runs', 'bench');
/** client-go's token bucket, which every provider configuration's client gets (see above). */
const CLIENT_GO_DEFAULT_QPS = 5;
const CLIENT_GO_DEFAULT_BURST = 10;

interface StateFile {
  readonly resources: { readonly type: string; readonly mode: string; readonly provider: string; readonly instances: unknown[] }[];
}

/** The `kubernetes_manifest` objects a stack's refresh reads, per provider configuration. */
function manifestReadsByProvider(state: StateFile): Map<string, number> {
  const reads = new Map<string, number>();
  for (const r of state.resources) {
    if (r.mode === 'managed' && r.type === 'kubernetes_manifest') reads.set(r.provider, (reads.get(r.provider) ?? 0) + r.instances.length);
  }
  return reads;
}

/**
 * The least time the rate limit makes a stack's refresh wait: past the burst, one read per 1/QPS seconds on each
 * provider configuration (they run side by side, so the busiest one sets it).
 */
function rateLimitSeconds(reads: Map<string, number>): number {
  return Math.max(0, ...[...reads.values()].map((n) => Math.max(0, n - CLIENT_GO_DEFAULT_BURST) / CLIENT_GO_DEFAULT_QPS));
}

interface Figures {
  readonly label: string;
  readonly resources: number;
  readonly deploySeconds: number;
  readonly planLines: number;
  readonly readableLines: number;
  readonly stateKiB: number;
  readonly noopPlanSeconds: number;
  /** `kubernetes_manifest` objects in both stacks' state. */
  readonly manifests: number;
  /** Of the no-op plan, the least wait client-go's default rate limit imposes (both stacks, planned one after the other). */
  readonly rateLimitSeconds: number;
}

async function measure(label: string, meshFile: (charts: string, context: string) => object, tools: Tools): Promise<Figures> {
  const dir = path.join(RUN_DIR, label.replace(/\W+/g, '-'));
  fs.rmSync(dir, { recursive: true, force: true });
  const cluster = await ControlPlane.start({ name: 'bench', runDir: path.join(dir, 'cluster'), bin: tools.controlPlaneBin, kwokStages: tools.kwokStages, log });
  const charts = await ChartRepository.start(CHARTS_DIR);
  const standIn = new StrimziStandIn(cluster.kube, {});
  try {
    await standIn.start();
    const mesh = path.join(dir, 'mesh.yaml');
    fs.writeFileSync(mesh, stringify(meshFile(charts.url, 'bench')));
    const project = new CdktfProject(path.join(dir, 'app'), tools, { KUBECONFIG: cluster.kubeconfig, MESH_CONFIG: mesh }, log);
    const deploy = await project.run(['deploy', '*', '--auto-approve']);
    if (deploy.exitCode !== 0) throw new Error(`${label}: deploy failed (exit ${deploy.exitCode}); see ${deploy.logFile}`);
    const readable = await runCommand(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'readable-plan.cjs')], { input: deploy.output });
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = Date.now();
      for (const stack of STACK_KINDS) {
        const plan = await runCommand(tools.terraform, ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock=false'], { cwd: project.stackDir(stack), env: project.env });
        if (plan.status !== 0) throw new Error(`${label}: the no-op plan of ${stack} exited ${plan.status}:\n${plan.stdout.slice(-3000)}${plan.stderr}`);
      }
      times.push((Date.now() - t0) / 1000);
      log(`${label}: no-op plan ${i + 1}/${RUNS}: ${times[times.length - 1].toFixed(1)} s`);
    }
    times.sort((a, b) => a - b);
    const [operatorState, state] = STACK_KINDS.map((stack) => JSON.parse(fs.readFileSync(project.stateFile(stack), 'utf8')) as StateFile);
    const reads = [operatorState, state].map(manifestReadsByProvider);
    return {
      label,
      resources: state.resources.length,
      deploySeconds: deploy.seconds,
      planLines: deploy.output.split('\n').length,
      readableLines: readable.stdout.split('\n').length,
      stateKiB: fs.statSync(project.stateFile('mesh')).size / 1024,
      noopPlanSeconds: times[Math.floor(times.length / 2)],
      manifests: reads.reduce((sum, r) => sum + [...r.values()].reduce((a, b) => a + b, 0), 0),
      rateLimitSeconds: reads.reduce((sum, r) => sum + rateLimitSeconds(r), 0),
    };
  } finally {
    await standIn.stop();
    await charts.stop();
    await cluster.stop();
  }
}

const demo = (charts: string, context: string) => ({
  ...DEMO_MESH_FILE,
  regions: DEMO_MESH_FILE.regions.map((r) => ({ ...r, context })),
  operator: { repository: charts },
  ui: { repository: charts },
});
const large = (charts: string, context: string) => ({
  name: 'large',
  regions: Array.from({ length: 30 }, (_, i) => ({ name: `region-${i + 1}`, context })),
  topics: Array.from({ length: 10 }, (_, i) => ({ name: `LH.TOPIC${i + 1}`, partitions: 3, replicas: 3 })),
  operator: { repository: charts },
  ui: { repository: charts },
});

(async () => {
  const tools = ensureTools(log);
  const results = [await measure('demo (3 regions x 6 topics)', demo, tools), await measure('30 regions x 10 topics', large, tools)];
  console.log(`\nagainst a real API server (kwok, stand-in operator); no-op plan: median of ${RUNS}, both stacks\n`);
  console.log('mesh                          mesh resources  deploy    plan lines (readable)   mesh state   no-op plan   manifests   rate-limit wait');
  for (const f of results) {
    console.log(`${f.label.padEnd(30)}${String(f.resources).padStart(14)}  ${f.deploySeconds.toFixed(0).padStart(5)} s  ${String(f.planLines).padStart(10)} (${String(f.readableLines).padStart(6)})  ${f.stateKiB.toFixed(0).padStart(8)} KiB  ${f.noopPlanSeconds.toFixed(1).padStart(8)} s  ${String(f.manifests).padStart(10)}  ${f.rateLimitSeconds.toFixed(1).padStart(14)} s`);
  }
  const ratio = results[1].noopPlanSeconds / results[0].noopPlanSeconds;
  console.log(`\nno-op plan, 30x10 / demo: ${ratio.toFixed(2)}x (target <= 10x: ${ratio <= 10 ? 'met' : 'MISSED'})`);
  console.log(`manifests, 30x10 / demo: ${(results[1].manifests / results[0].manifests).toFixed(2)}x; rate-limit wait: the least time client-go's default ` +
    `${CLIENT_GO_DEFAULT_QPS} requests/s (burst ${CLIENT_GO_DEFAULT_BURST}) per provider configuration lets a no-op plan's refresh take`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
