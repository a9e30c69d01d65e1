/**
 * `npm run check` and `npm run follow` as a user runs them (a child process through npm and tsx), against the
 * LOCAL FAKE of the Kubernetes API (fake-kube.ts, recorded responses, not a cluster).
 */
import { spawn } from 'child_process';
import { join } from 'path';
import { FakeKube, startFakeKube } from './fake-kube';
import { envFor, tempDir } from './helpers';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');

function npmRun(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    // Without MESH_CONFIG (the demo) and with nothing of the caller's kubeconfig.
    const { MESH_CONFIG: _mesh, KUBECONFIG: _kubeconfig, ...inherited } = process.env;
    const child = spawn('npm', ['run', '--silent', ...args], { cwd: ROOT, env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

let fake: FakeKube;
let temp: ReturnType<typeof tempDir>;
beforeEach(async () => {
  temp = tempDir();
  fake = await startFakeKube({ token: 'test-token', scenarios: ['missing-copy'] });
});
afterEach(async () => {
  await fake.close();
  temp.cleanup();
});

test('npm run check: the report on stdout, progress on stderr, exit 1 for a missing copy', async () => {
  const r = await npmRun(['check', '--', '--window', '120'], envFor(temp.dir, fake.url));
  expect(r.stdout).toContain('  ✗  copies                       11/12 present; missing copy: southamerica.LH.SENSORS\n');
  expect(r.stdout).toContain('✗ 1 of 30 checks failed in 3 regions: europe (1).\n');
  expect(r.stderr).toContain('checking europe…');
  expect(r.code).toBe(1);
});

test('npm run follow -- europe: tagged lines until the log ends, exit 0', async () => {
  const r = await npmRun(['follow', '--', 'europe', '--tail', '2'], envFor(temp.dir, fake.url));
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines.map((l) => l.split(' topic=')[0])).toEqual(['[south-america]', '[europe]       ']);
  expect(r.code).toBe(0);
});

test('npm run follow -- asia: the regions, exit 2', async () => {
  const r = await npmRun(['follow', '--', 'asia'], envFor(temp.dir, fake.url));
  expect(r.stderr).toContain('Unknown region "asia". The regions of this mesh: north-america, south-america, europe');
  expect(r.code).toBe(2);
});
