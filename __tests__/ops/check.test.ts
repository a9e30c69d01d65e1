/**
 * npm run check against a LOCAL FAKE of the Kubernetes API (fake-kube.ts: recorded responses of a three-region
 * demo, not a cluster), in each way the live mesh can be well or not.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { DEMO_MESH_FILE } from '../../mesh/demo';
import { main as check } from '../../ops/check';
import { closedPort, FakeKube, FIXTURES, startFakeKube } from './fake-kube';
import { envFor, run, tempDir, writeKubeconfig } from './helpers';

const HEALTHY = `north-america (alias northamerica)
  ✓  Kafka cluster                Ready, Kafka 4.3.1
  ✓  KafkaTopics                  6/6 Ready
  ✓  KafkaUsers                   5/5 Ready
  ✓  MirrorMaker 2                Ready
  ✓  mirror from south-america    southamerica->northamerica.MirrorSourceConnector RUNNING, 2/2 tasks RUNNING
  ✓  mirror from europe           europe->northamerica.MirrorSourceConnector RUNNING, 2/2 tasks RUNNING
  ✓  canonical topics             6/6 present
  ✓  copies                       12/12 present (6 from each of 2 regions)
  ✓  no other topics              none besides 6 internal
  ✓  consumer hears every region  last 120 s: north-america 12, south-america 12, europe 12

south-america (alias southamerica)
  ✓  Kafka cluster                Ready, Kafka 4.3.1
  ✓  KafkaTopics                  6/6 Ready
  ✓  KafkaUsers                   5/5 Ready
  ✓  MirrorMaker 2                Ready
  ✓  mirror from north-america    northamerica->southamerica.MirrorSourceConnector RUNNING, 2/2 tasks RUNNING
  ✓  mirror from europe           europe->southamerica.MirrorSourceConnector RUNNING, 2/2 tasks RUNNING
  ✓  canonical topics             6/6 present
  ✓  copies                       12/12 present (6 from each of 2 regions)
  ✓  no other topics              none besides 6 internal
  ✓  consumer hears every region  last 120 s: north-america 12, south-america 12, europe 12

europe (alias europe)
  ✓  Kafka cluster                Ready, Kafka 4.3.1
  ✓  KafkaTopics                  6/6 Ready
  ✓  KafkaUsers                   5/5 Ready
  ✓  MirrorMaker 2                Ready
  ✓  mirror from north-america    northamerica->europe.MirrorSourceConnector RUNNING, 2/2 tasks RUNNING
  ✓  mirror from south-america    southamerica->europe.MirrorSourceConnector RUNNING, 2/2 tasks RUNNING
  ✓  canonical topics             6/6 present
  ✓  copies                       12/12 present (6 from each of 2 regions)
  ✓  no other topics              none besides 6 internal
  ✓  consumer hears every region  last 120 s: north-america 12, south-america 12, europe 12

✓ All well: 30 checks passed in 3 regions.
`;

/** A failing row exactly as printed. */
const failed = (check: string, reason: string) => `  ✗  ${check.padEnd(27)}  ${reason}\n`;
const failures = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('  ✗'));

let fake: FakeKube | undefined;
let temp: ReturnType<typeof tempDir>;
beforeEach(() => (temp = tempDir()));
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  temp.cleanup();
});

async function checkScenario(scenarios: string[], argv: string[] = []) {
  fake = await startFakeKube({ scenarios, token: 'test-token' });
  return run(check, argv, envFor(temp.dir, fake.url));
}

describe('a healthy mesh', () => {
  test('every check passes: a table per region, a summary, exit 0', async () => {
    const r = await checkScenario([]);
    expect(r.stdout).toBe(HEALTHY);
    expect(r.code).toBe(0);
  });

  test('shows progress on stderr, not stdout', async () => {
    const r = await checkScenario([]);
    expect(r.stderr).toContain('mesh: the demo (MESH_CONFIG not set)\n');
    expect(r.stderr).toContain('checking north-america…\nchecking south-america…\nchecking europe…\n');
    expect(r.stdout).not.toContain('checking');
  });

  test("reads each consumer's log of the last 120 s, from the Deployment's running pod (not the terminating one)", async () => {
    await checkScenario([]);
    const logs = fake!.requests.filter((p) => p.includes('/log?'));
    expect(logs).toEqual([
      '/api/v1/namespaces/north-america/pods/consumer-thfzzk78pv-rmqgt/log?container=consumer&sinceSeconds=120',
      '/api/v1/namespaces/south-america/pods/consumer-kxnqfchpf9-h2l9g/log?container=consumer&sinceSeconds=120',
      '/api/v1/namespaces/europe/pods/consumer-9wpmnpstnp-gqcc7/log?container=consumer&sinceSeconds=120',
    ]);
  });

  test("reads the topics from each Kafka Exporter through the API server's pod proxy", async () => {
    await checkScenario([]);
    expect(fake!.requests.filter((p) => p.includes('/proxy/'))).toEqual([
      '/api/v1/namespaces/north-america/pods/north-america-kafka-exporter-znlbfwkcqx-fzhkv:9404/proxy/metrics',
      '/api/v1/namespaces/south-america/pods/south-america-kafka-exporter-mkjd9qfxqh-5vg56:9404/proxy/metrics',
      '/api/v1/namespaces/europe/pods/europe-kafka-exporter-nqwk4b7mnm-2l2jp:9404/proxy/metrics',
    ]);
  });

  test('colours ✓ and ✗ only on a terminal', async () => {
    fake = await startFakeKube({ token: 'test-token' });
    const piped = await run(check, [], envFor(temp.dir, fake.url), false);
    const tty = await run(check, [], envFor(temp.dir, fake.url), true);
    expect(piped.stdout).not.toContain('\u001b[');
    expect(tty.stdout).toContain('  \u001b[32m✓\u001b[0m  Kafka cluster ');
    expect(tty.stdout.replace(/\u001b\[\d+m/g, '')).toBe(HEALTHY);
  });
});

describe('a mesh with a problem: exit 1, the failing row says what is wrong', () => {
  test('Kafka not Ready in one region (a broker pod never became ready)', async () => {
    const r = await checkScenario(['kafka-not-ready']);
    expect(r.code).toBe(1);
    expect(failures(r.stdout)).toEqual([
      failed('Kafka cluster', 'NotReady: TimeoutException: Exceeded timeout of 300000ms while waiting for Pods resource europe-dual-role-2 in namespace europe to be ready').trimEnd(),
    ]);
    expect(r.stdout).toMatch(/^europe \(alias europe\)\n {2}✗ {2}Kafka cluster/m);
    expect(r.stdout).toContain('✗ 1 of 30 checks failed in 3 regions: europe (1).\n');
  });

  test('a failed MirrorMaker 2 task: its id, worker and the first line of its trace (MirrorMaker 2 itself stays Ready)', async () => {
    const r = await checkScenario(['failed-task']);
    expect(r.code).toBe(1);
    expect(failures(r.stdout)).toEqual([
      failed(
        'mirror from north-america',
        'northamerica->southamerica.MirrorSourceConnector RUNNING, 1/2 tasks RUNNING; task 1 FAILED on mirrormaker2-mirrormaker2-0.mirrormaker2-mirrormaker2.south-america.svc:8083: org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from producer send callback',
      ).trimEnd(),
    ]);
    expect(r.stdout).toContain('  ✓  MirrorMaker 2                Ready\n  ✗  mirror from north-america');
    expect(r.stdout).toContain('✗ 1 of 30 checks failed in 3 regions: south-america (1).\n');
  });

  test('a missing copy', async () => {
    const r = await checkScenario(['missing-copy']);
    expect(r.code).toBe(1);
    expect(failures(r.stdout)).toEqual([failed('copies', '11/12 present; missing copy: southamerica.LH.SENSORS').trimEnd()]);
    expect(r.stdout).toContain('✗ 1 of 30 checks failed in 3 regions: europe (1).\n');
  });

  test('a copy of a copy', async () => {
    const r = await checkScenario(['copy-of-copy']);
    expect(r.code).toBe(1);
    expect(failures(r.stdout)).toEqual([failed('no other topics', 'copy of a copy: southamerica.europe.LH.ORDERS').trimEnd()]);
    expect(r.stdout).toContain('✗ 1 of 30 checks failed in 3 regions: north-america (1).\n');
  });

  test('a consumer that has not heard from one region within the window', async () => {
    const r = await checkScenario(['silent-region']);
    expect(r.code).toBe(1);
    expect(failures(r.stdout)).toEqual([
      failed('consumer hears every region', 'nothing from south-america in the last 120 s (north-america 12, south-america 0, europe 12)').trimEnd(),
    ]);
  });

  test('--window widens the window: the same log is fine over the last 300 s', async () => {
    const r = await checkScenario(['silent-region'], ['--window', '300']);
    expect(fake!.requests).toContain('/api/v1/namespaces/europe/pods/consumer-9wpmnpstnp-gqcc7/log?container=consumer&sinceSeconds=300');
    expect(r.stdout).toContain('  ✓  consumer hears every region  last 300 s: north-america 30, south-america 12, europe 30\n');
    expect(r.code).toBe(0);
  });

  test('several problems at once are all reported, per region', async () => {
    const r = await checkScenario(['kafka-not-ready', 'failed-task', 'copy-of-copy']);
    expect(failures(r.stdout)).toHaveLength(3);
    expect(r.stdout).toContain('✗ 3 of 30 checks failed in 3 regions: north-america (1), south-america (1), europe (1).\n');
    expect(r.code).toBe(1);
  });

  test('checked with another mesh than the one deployed: the missing region and the strangers are named', async () => {
    fake = await startFakeKube({ token: 'test-token' });
    const meshFile = join(temp.dir, 'four-regions.yaml');
    const regions = [...DEMO_MESH_FILE.regions, { name: 'asia-pacific', alias: 'apac' }];
    writeFileSync(meshFile, JSON.stringify({ name: 'other', regions, topics: [{ name: 'LH.ORDERS', partitions: 3 }, { name: 'LH.RETURNS' }] }));
    const r = await run(check, [], { ...envFor(temp.dir, fake.url), MESH_CONFIG: meshFile });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`mesh: ${meshFile}\n`);
    expect(r.stdout).toContain(
      failed('no other topics', 'unexpected: LH.CANCELLATIONS, LH.CUSTOMERS, LH.DOORS, LH.SENSORS, LH.STOCK and 10 more') +
        failed('consumer hears every region', 'nothing from asia-pacific in the last 120 s (north-america 12, south-america 12, europe 12, asia-pacific 0)'),
    );
    expect(r.stdout).toContain(`asia-pacific (alias apac)\n${failed('Kafka cluster', 'kafkas.kafka.strimzi.io "asia-pacific" not found')}`);
    expect(r.stdout).toContain(failed('consumer hears every region', 'deployments.apps "consumer" not found'));
  });

  test('no permission for the pod proxy: the topic rows fail with the reason, the rest is checked', async () => {
    fake = await startFakeKube({ token: 'test-token', forbid: /\/proxy\// });
    const r = await run(check, [], envFor(temp.dir, fake.url));
    const reason =
      '403 Forbidden: pods/proxy "europe-kafka-exporter-nqwk4b7mnm-2l2jp" is forbidden: User "system:serviceaccount:default:viewer" cannot get resource "pods" subresource "proxy" in API group "" in the namespace "europe"';
    expect(r.stdout).toContain(failed('canonical topics', reason) + failed('copies', reason) + failed('no other topics', reason));
    expect(failures(r.stdout)).toHaveLength(9);
    expect(r.code).toBe(1);
  });
});

describe('no usable cluster: exit 3, nothing on stdout, a message that says which problem and what to do', () => {
  test('nothing listening (connection refused)', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const r = await run(check, [], envFor(temp.dir, server));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`No cluster reachable for region north-america: connection refused by ${server} (context fake): nothing listens there\n`);
    expect(r.stderr).toContain('What to do: start the cluster if it is stopped (see "kind get clusters" or "minikube status"), or point KUBECONFIG');
  });

  test('a server name that does not resolve (DNS; .invalid never does)', async () => {
    const r = await run(check, [], envFor(temp.dir, 'https://no-such-cluster.invalid:6443'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No cluster reachable for region north-america: cannot resolve the host of https:\/\/no-such-cluster\.invalid:6443 \(context fake\) \(DNS: (ENOTFOUND|EAI_AGAIN)\)\n/);
    expect(r.stderr).toContain('What to do: check the server address and your network or VPN');
  }, 20_000);

  test('401: the credentials are refused', async () => {
    fake = await startFakeKube({ token: 'the-right-token' });
    const r = await run(check, [], envFor(temp.dir, fake.url, { token: 'an-expired-token' }));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`The cluster refuses access for region north-america: ${fake.url} (context fake) refused the credentials of user "fake-user": 401 Unauthorized\n`);
    expect(r.stderr).toContain('What to do: the token or client certificate is missing, expired or wrong');
  });

  test('403 on the first request: the user may not read the mesh at all', async () => {
    fake = await startFakeKube({ token: 'test-token', forbid: /./ });
    const r = await run(check, [], envFor(temp.dir, fake.url));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'The cluster refuses access for region north-america: 403 Forbidden: kafkas.kafka.strimzi.io "north-america" is forbidden: User "system:serviceaccount:default:viewer" cannot get resource "kafkas" in API group "kafka.strimzi.io" in the namespace "north-america"\n',
    );
    expect(r.stderr).toContain('What to do: give user "fake-user" read access');
  });

  test('no kubeconfig', async () => {
    const missing = join(temp.dir, 'nowhere', 'config');
    const r = await run(check, [], { HOME: temp.dir, KUBECONFIG: missing });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`No usable kubeconfig for the mesh: no kubeconfig at ${missing} (from KUBECONFIG)\n`);
    expect(r.stderr).toContain('What to do: create a cluster (kind and minikube write ~/.kube/config), or point KUBECONFIG');
  });

  test('no kubeconfig and no KUBECONFIG: the default ~/.kube/config is named', async () => {
    const r = await run(check, [], { HOME: temp.dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`no kubeconfig at ${join(temp.dir, '.kube', 'config')} (the default)\n`);
  });
});

describe('the kubeconfig', () => {
  const tls = (file: string) => join(FIXTURES, 'tls', file);

  test('HTTPS with the cluster CA (a file) and a client certificate and key (inline data)', async () => {
    fake = await startFakeKube({ tls: true, clientCertificate: true });
    const data = (file: string) => readFileSync(tls(file)).toString('base64');
    const env = envFor(temp.dir, fake.url, { 'client-certificate-data': data('client.crt'), 'client-key-data': data('client.key') }, { 'certificate-authority': tls('ca.crt') });
    const r = await run(check, [], env);
    expect(r.stdout).toBe(HEALTHY);
    expect(r.code).toBe(0);
  });

  test('HTTPS with a CA that did not sign the server certificate: a TLS failure, exit 3', async () => {
    fake = await startFakeKube({ tls: true, token: 'test-token' });
    const r = await run(check, [], envFor(temp.dir, fake.url, { token: 'test-token' }, { 'certificate-authority': tls('other-ca.crt') }));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`No cluster reachable for region north-america: TLS with ${fake.url} \\(context fake\\) failed: [A-Z_]+`));
    expect(r.stderr).toContain("What to do: the kubeconfig's certificate-authority does not match the server's certificate");
  });

  test('insecure-skip-tls-verify with a token', async () => {
    fake = await startFakeKube({ tls: true, token: 'test-token' });
    const r = await run(check, [], envFor(temp.dir, fake.url, { token: 'test-token' }, { 'insecure-skip-tls-verify': true }));
    expect(r.code).toBe(0);
  });

  test("the mesh file's kubeconfig and each region's context pick the API server per region", async () => {
    fake = await startFakeKube({ token: 'main-token' });
    const europe = await startFakeKube({ token: 'eu-token' });
    try {
      const kubeconfig = writeKubeconfig(temp.dir, [
        { name: 'main', cluster: { server: fake.url }, user: { token: 'main-token' } },
        { name: 'eu-cluster', cluster: { server: europe.url }, user: { token: 'eu-token' } },
      ]);
      const meshFile = join(temp.dir, 'mesh.yaml');
      writeFileSync(meshFile, readDemoWith(kubeconfig));
      // KUBECONFIG points elsewhere: the mesh's own kubeconfig wins.
      const r = await run(check, [], { HOME: temp.dir, MESH_CONFIG: meshFile, KUBECONFIG: join(temp.dir, 'unused') });
      expect(r.stdout).toContain('europe (alias europe, context eu-cluster)\n');
      expect(r.code).toBe(0);
      expect(europe.requests.length).toBeGreaterThan(0);
      expect(europe.requests.every((p) => p.includes('/namespaces/europe/'))).toBe(true);
      expect(fake.requests.some((p) => p.includes('/namespaces/europe/'))).toBe(false);
    } finally {
      await europe.close();
    }
  });
});

describe('regions on separate clusters', () => {
  const servers: FakeKube[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  test('each region is checked on its own cluster, in its own namespace, and the current context written out is its cluster', async () => {
    const americas = await startFakeKube({ token: 'americas-token' });
    const europe = await startFakeKube({ token: 'eu-token', namespaces: { 'kafka-eu': 'europe' } });
    servers.push(americas, europe);
    const kubeconfig = writeKubeconfig(temp.dir, [
      { name: 'americas', cluster: { server: americas.url }, user: { token: 'americas-token' } },
      { name: 'eu-cluster', cluster: { server: europe.url }, user: { token: 'eu-token' } },
    ]);
    const regions = DEMO_MESH_FILE.regions.map((r) => (r.name === 'europe' ? { ...r, context: 'eu-cluster', namespace: 'kafka-eu' } : { ...r, context: 'americas' }));
    const meshFile = join(temp.dir, 'mesh.yaml');
    writeFileSync(meshFile, JSON.stringify({ ...DEMO_MESH_FILE, regions, kubeconfig }));
    const r = await run(check, [], { HOME: temp.dir, MESH_CONFIG: meshFile });
    expect(r.stdout).toContain('europe (alias europe, context eu-cluster)\n');
    expect(r.code).toBe(0);
    expect(europe.requests.length).toBeGreaterThan(0);
    expect(europe.requests.every((p) => p.includes('/namespaces/kafka-eu/'))).toBe(true);
    expect(americas.requests.some((p) => p.includes('/namespaces/north-america/'))).toBe(true);
    expect(americas.requests.some((p) => p.includes('/namespaces/europe/') || p.includes('/namespaces/kafka-eu/'))).toBe(false);
  });
});

describe('arguments', () => {
  test('--help', async () => {
    const r = await run(check, ['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--window <seconds>  how far back the consumer\'s log is read for events from every region (default 120)');
  });

  test.each([
    [['--window', 'soon'], '--window needs a whole number of seconds > 0, got soon'],
    [['--window'], '--window needs a whole number of seconds > 0, got nothing'],
    [['--region', 'europe'], 'Unknown argument: --region'],
  ])('%j is refused with exit 2', async (argv, message) => {
    const r = await run(check, argv, {});
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });
});

/** The demo mesh as a mesh file with a kubeconfig, and europe on its own context. */
function readDemoWith(kubeconfig: string): string {
  const regions = DEMO_MESH_FILE.regions.map((r) => (r.name === 'europe' ? { ...r, context: 'eu-cluster' } : r));
  return JSON.stringify({ ...DEMO_MESH_FILE, regions, kubeconfig });
}
