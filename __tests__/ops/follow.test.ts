/**
 * npm run follow against a LOCAL FAKE of the Kubernetes API (fake-kube.ts: recorded consumer logs of the three-region
 * demo, not a cluster), which streams the log in chunks that split lines and then ends it.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { DEMO_MESH_FILE } from '../../mesh/demo';
import { main as follow } from '../../ops/follow';
import { closedPort, FakeKube, FIXTURES, startFakeKube } from './fake-kube';
import { envFor, run, tempDir } from './helpers';

/** europe's consumer log as the pod wrote it (the fixture, without the kubelet's timestamps). */
const europeLog = readFileSync(join(FIXTURES, 'healthy', 'europe', 'logs', 'consumer-9wpmnpstnp-gqcc7.log'), 'utf8')
  .trimEnd()
  .split('\n')
  .map((l) => l.slice(l.indexOf(' ') + 1));

let fake: FakeKube;
let temp: ReturnType<typeof tempDir>;
beforeEach(async () => {
  temp = tempDir();
  fake = await startFakeKube({ token: 'test-token' });
});
afterEach(async () => {
  await fake.close();
  temp.cleanup();
});

describe('following a region', () => {
  test("streams the last 20 lines and what follows, each event tagged with its source region in an aligned column", async () => {
    const r = await run(follow, ['europe'], envFor(temp.dir, fake.url));
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(20);
    const [S, E, N] = ['[south-america] ', '[europe]        ', '[north-america] '];
    expect(lines.map((l) => l.slice(0, 16))).toEqual([S, E, N, S, E, N, S, E, N, S, E, N, S, E, N, S, E, N, S, E]);
    // The consumer's own line follows the column unchanged (streamed in chunks that split lines, reassembled).
    expect(lines.map((l) => l.slice(16))).toEqual(europeLog.slice(-20));
    expect(lines[19]).toBe(`[europe]        ${europeLog[europeLog.length - 1]}`);
  });

  test('the region comes from the topic: canonical = the local region, <alias>. = that alias\'s region', async () => {
    const r = await run(follow, ['europe'], envFor(temp.dir, fake.url));
    for (const line of r.stdout.trimEnd().split('\n')) {
      const topic = / topic=(\S+) /.exec(line)![1];
      const region = { 'LH.ORDERS': 'europe', 'southamerica.LH.ORDERS': 'south-america', 'northamerica.LH.ORDERS': 'north-america' }[topic];
      expect(line.startsWith(`[${region}]`)).toBe(true);
    }
  });

  test("asks for the Deployment's running pod's log, followed, from its last 20 lines", async () => {
    const r = await run(follow, ['europe'], envFor(temp.dir, fake.url));
    expect(fake.requests.slice(-1)).toEqual(['/api/v1/namespaces/europe/pods/consumer-9wpmnpstnp-gqcc7/log?container=consumer&follow=true&tailLines=20']);
    expect(r.stderr).toContain('following pod consumer-9wpmnpstnp-gqcc7 in europe (Ctrl-C to stop)…\n');
    expect(r.stderr).toContain('the log of consumer-9wpmnpstnp-gqcc7 ended (the pod stopped or restarted): run the command again to follow the new pod\n');
  });

  test('--tail all: the whole log; lines that are not events keep an empty column', async () => {
    const r = await run(follow, ['europe', '--tail', 'all'], envFor(temp.dir, fake.url));
    expect(fake.requests.slice(-1)).toEqual(['/api/v1/namespaces/europe/pods/consumer-9wpmnpstnp-gqcc7/log?container=consumer&follow=true']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(europeLog.length);
    expect(lines[0]).toBe(`${' '.repeat(15)} subscribed to /(northamerica\\.|southamerica\\.)?LH\\.ORDERS/ at europe-kafka-bootstrap.europe.svc:9093 as group loosehanger-consumer`);
  });

  test("a region's alias works too", async () => {
    const r = await run(follow, ['southamerica', '--tail', '3'], envFor(temp.dir, fake.url));
    expect(r.code).toBe(0);
    expect(fake.requests.slice(-1)).toEqual(['/api/v1/namespaces/south-america/pods/consumer-kxnqfchpf9-h2l9g/log?container=consumer&follow=true&tailLines=3']);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  test('on a terminal, a colour per region (and none with NO_COLOR)', async () => {
    const tty = await run(follow, ['europe', '--tail', '3'], envFor(temp.dir, fake.url), true);
    expect(tty.stdout.split('\n').slice(0, 3).map((l) => l.slice(0, l.indexOf(' topic=')))).toEqual([
      '\u001b[36m[north-america]\u001b[0m',
      '\u001b[35m[south-america]\u001b[0m',
      '\u001b[33m[europe]       \u001b[0m',
    ]);
    const noColour = await run(follow, ['europe', '--tail', '3'], { ...envFor(temp.dir, fake.url), NO_COLOR: '1' }, true);
    expect(noColour.stdout).not.toContain('\u001b[');
  });
});

describe('refusals', () => {
  test('an unknown region: a clear error listing the regions, exit 2, no request', async () => {
    const r = await run(follow, ['asia'], envFor(temp.dir, fake.url));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown region "asia". The regions of this mesh: north-america, south-america, europe\n');
    expect(r.stdout).toBe('');
    expect(fake.requests).toEqual([]);
  });

  test('no region: the regions and the usage, exit 2', async () => {
    const r = await run(follow, [], envFor(temp.dir, fake.url));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Which region? The regions of this mesh: north-america, south-america, europe\n\nUsage: npm run follow -- <region>');
  });

  test('no cluster reachable: what is wrong and what to do, exit 3', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const r = await run(follow, ['europe'], envFor(temp.dir, server));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`No cluster reachable for region europe: connection refused by ${server} (context fake): nothing listens there\nWhat to do: start the cluster if it is stopped`);
  });

  test('a region without a consumer (not deployed there): what the API server says, exit 1', async () => {
    const meshFile = join(temp.dir, 'mesh.json');
    writeFileSync(meshFile, JSON.stringify({ ...DEMO_MESH_FILE, regions: [...DEMO_MESH_FILE.regions, { name: 'asia-pacific', alias: 'apac' }] }));
    const r = await run(follow, ['asia-pacific'], { ...envFor(temp.dir, fake.url), MESH_CONFIG: meshFile });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot follow the consumer of asia-pacific: deployments.apps "consumer" not found\n');
  });

  test('401: the credentials are refused, exit 3', async () => {
    const r = await run(follow, ['europe'], envFor(temp.dir, fake.url, { token: 'wrong' }));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`The cluster refuses access for region europe: ${fake.url} (context fake) refused the credentials of user "fake-user": 401 Unauthorized\n`);
  });

  test('--tail needs a number or "all"', async () => {
    const r = await run(follow, ['europe', '--tail', 'some'], envFor(temp.dir, fake.url));
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('--tail needs a number of lines or "all", got some');
  });
});
