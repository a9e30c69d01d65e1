/**
 * The mesh validation checks topic configs against tables generated from Kafka's jars (mesh/kafka/
 * topic-configs-<version>.json, by scripts/kafka-topic-configs/generate.sh). Here the generator runs in check mode,
 * against the real Kafka artifacts of every version a mesh may name: a table that no longer says what its jars say
 * fails the tier. And the check itself is checked: a table changed by hand is caught, with the difference named.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { runCommand } from '../../tier-support/commands';
import { log, REPO_ROOT } from '../src/util';

const GENERATE = path.join(REPO_ROOT, 'scripts', 'kafka-topic-configs', 'generate.sh');
const TABLES = path.join(REPO_ROOT, 'mesh', 'kafka');

async function generate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; output: string }> {
  const t0 = Date.now();
  const result = await runCommand('bash', [GENERATE, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  const output = `${result.stdout}${result.stderr}`.trim();
  log(`generate.sh ${args.join(' ')}: exit ${result.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n${output}`);
  return { status: result.status, output };
}

test('the committed topic config tables are what the Kafka jars say', async () => {
  log('topic configs: building the generator against each Kafka version (Maven Central on a first run) ...');
  const { status, output } = await generate(['--check']);
  // the whole summary in the failure, so it says which table and which config differ
  if (status !== 0) throw new Error(`scripts/kafka-topic-configs/generate.sh --check exited ${status}:\n${output}`);
  expect(output).toContain('mesh/kafka/topic-configs-4.3.1.json: up to date with Kafka 4.3.1');
});

test('check mode fails on a table that differs from its jars, and says how', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'topic-configs-'));
  try {
    cpSync(TABLES, dir, { recursive: true });
    const file = path.join(dir, 'topic-configs-4.3.1.json');
    const table = JSON.parse(readFileSync(file, 'utf8'));
    table.configs['retention.ms'].default = '1';
    delete table.configs['segment.ms'];
    writeFileSync(file, `${JSON.stringify(table, null, 2)}\n`);

    const { status, output } = await generate(['--check', '4.3.1'], { KAFKA_TOPIC_CONFIGS_DIR: dir });
    expect(status).toBe(1);
    expect(output).toContain("differs from Kafka 4.3.1's jars:");
    expect(output).toContain('missing from the file: segment.ms');
    expect(output).toContain('retention.ms.default: "1" in the file, "604800000" from the jars');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
