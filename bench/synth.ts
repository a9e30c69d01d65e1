/**
 * `npm run bench`: synth time of the app in a cold process, for the demo and for a 30-region, 10-topic mesh,
 * beside a bare cdktf app that loads the same provider classes. Prints figures and the targets; not a test.
 *
 * Targets: 30x10 mesh within 3x the demo's time; the demo within 1.5x the bare app.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function synthOnce(entry: string, env: Record<string, string>): { ms: number; resources: number } {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  try {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--import', 'tsx', entry], {
      cwd: ROOT,
      env: { ...process.env, ...env, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${entry} failed: ${r.stderr}`);
    let resources = 0;
    for (const stack of readdirSync(join(outdir, 'stacks'))) {
      const json = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      for (const block of ['resource', 'data']) for (const byType of Object.values(json[block] ?? {})) resources += Object.keys(byType as object).length;
    }
    return { ms, resources };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function measure(label: string, entry: string, env: Record<string, string> = {}) {
  const runs = Array.from({ length: RUNS }, () => synthOnce(entry, env));
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${label.padEnd(28)} median ${median.toFixed(0).padStart(6)} ms  (min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}, ${RUNS} runs)  ${runs[0].resources} resources + data sources`);
  return median;
}

function bigMesh(regions: number, topics: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-mesh-')), `mesh-${regions}x${topics}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      regions: Array.from({ length: regions }, (_, i) => ({ name: `region-${i + 1}` })),
      topics: Array.from({ length: topics }, (_, i) => ({ name: `LH.TOPIC${i + 1}`, partitions: 3, replicas: 3 })),
    }),
  );
  return file;
}

console.log(`synth time, cold process (node + tsx + cdktf), ${RUNS} runs each\n`);
const bare = measure('bare cdktf app', join(ROOT, 'bench', 'bare-app.ts'));
const demo = measure('demo (3 regions x 6 topics)', join(ROOT, 'main.ts'));
const large = measure('30 regions x 10 topics', join(ROOT, 'main.ts'), { MESH_CONFIG: bigMesh(30, 10) });
const verdict = (ratio: number, target: number) => `${ratio.toFixed(2)}x (target <= ${target}x: ${ratio <= target ? 'met' : 'MISSED'})`;
console.log(`\ndemo / bare app:      ${verdict(demo / bare, 1.5)}`);
console.log(`30x10 mesh / demo:    ${verdict(large / demo, 3)}`);
