/**
 * The mesh model: the demo's defaults, and the names and patterns derived from a mesh.
 */
import { regionUsers } from '../mesh/access';
import { COPY_SEPARATOR } from '../mesh/model';
import { bootstrapAddress, consumerPattern, copyName, escapeRegex, topicsPattern } from '../mesh/names';
import { DEFAULTS } from '../mesh/validate';
import { demoMesh, fixtureMesh, fullMatch } from './support/synth';

describe('the demo mesh (no MESH_CONFIG)', () => {
  const mesh = demoMesh();

  test('is the original demo: three regions with their MirrorMaker 2 aliases', () => {
    expect(mesh.regions.map((r) => [r.name, r.alias, r.code])).toEqual([
      ['north-america', 'northamerica', 'NA'],
      ['south-america', 'southamerica', 'SA'],
      ['europe', 'europe', 'EU'],
    ]);
  });

  test('has the six LH topics with the original partitions, replicas and config', () => {
    expect(mesh.topics.map((t) => [t.name, t.partitions, t.replicas, t.config])).toEqual([
      ['LH.ORDERS', 3, 3, { 'min.insync.replicas': '1', 'retention.bytes': '100000000' }],
      ['LH.CANCELLATIONS', 3, 3, { 'retention.bytes': '80000000' }],
      ['LH.DOORS', 1, 1, { 'retention.bytes': '90000000' }],
      ['LH.STOCK', 2, 1, { 'retention.bytes': '100000000' }],
      ['LH.CUSTOMERS', 3, 3, { 'retention.bytes': '100000000' }],
      ['LH.SENSORS', 2, 1, { 'retention.bytes': '120000000' }],
    ]);
  });

  test('localises the producer with the original warehouses', () => {
    expect(mesh.regions.map((r) => r.warehouses)).toEqual([
      ['Atlanta', 'Chicago', 'Dallas', 'Detroit', 'Philadelphia'],
      ['São Paulo', 'Buenos Aires', 'Lima', 'Bogotá', 'La Paz'],
      ['Antwerp', 'Rotterdam', 'Dusseldorf', 'Brussels', 'Hamburg'],
    ]);
  });

  test('fills in every documented default', () => {
    expect(mesh.kafka).toEqual({ brokers: 3, controllers: 0, storage: { type: 'persistent', size: '10Gi' }, resources: DEFAULTS.kafka.resources, reauthenticationSeconds: 3600 });
    expect(mesh.mirrorMaker).toEqual({
      replicas: 1,
      tasksMax: 2,
      refreshTopicsIntervalSeconds: 600,
      resources: DEFAULTS.mirrorMaker.resources,
      wan: { roundTripMs: 250, throughputMBps: 20 },
      copyCompression: 'zstd',
    });
    expect(mesh.apps).toEqual({ enabled: true, topic: 'LH.ORDERS', intervalSeconds: 10, image: 'quay.io/strimzi/kafka:1.2.0-kafka-4.3.1' });
    expect(mesh.metrics).toEqual({ enabled: true, podMonitors: false });
    expect(mesh.ui).toEqual({ enabled: true, repository: 'https://kafbat.github.io/helm-charts', chartVersion: '1.5.2' });
    expect(mesh.operator).toEqual({ version: '1.2.0', repository: 'oci://quay.io/strimzi-helm', namespace: 'strimzi', deleteCrdsOnDestroy: true });
    // No kubeconfig: the stack reads KUBECONFIG, else ~/.kube/config, as kubectl does (mesh/kubeconfig.ts).
    expect(mesh.kubeconfig).toBeUndefined();
    expect(mesh.regions.every((r) => r.context === undefined)).toBe(true);
  });
});

describe('derived names and patterns', () => {
  const mesh = demoMesh();
  const [na, sa, eu] = mesh.regions;
  const canonical = mesh.topics.map((t) => t.name);
  const copies = mesh.regions.flatMap((r) => canonical.map((t) => copyName(r.alias, t)));
  const copiesOfCopies = mesh.regions.flatMap((r) => copies.map((c) => copyName(r.alias, c)));

  test('copies are named <sourceAlias>.<topic>', () => {
    expect(copyName('europe', 'LH.ORDERS')).toBe('europe.LH.ORDERS');
    expect(COPY_SEPARATOR).toBe('.');
  });

  test('the MirrorMaker 2 topic pattern matches every canonical topic and no copy, nor a copy of a copy', () => {
    const pattern = topicsPattern(mesh);
    for (const t of canonical) expect(fullMatch(pattern, t)).toBe(true);
    for (const t of [...copies, ...copiesOfCopies]) expect(fullMatch(pattern, t)).toBe(false);
    // "." is literal: a topic that differs only where the name has a dot is not matched.
    expect(fullMatch(pattern, 'LHXORDERS')).toBe(false);
  });

  test("a region's consumer subscription matches its canonical topic and the N-1 copies, nothing else", () => {
    const pattern = consumerPattern(mesh, na, 'LH.ORDERS');
    const matched = [...canonical, ...copies, ...copiesOfCopies].filter((t) => fullMatch(pattern, t));
    expect(matched.sort()).toEqual(['LH.ORDERS', 'europe.LH.ORDERS', 'southamerica.LH.ORDERS'].sort());
    // Its own alias never comes back to it as a copy.
    expect(fullMatch(pattern, 'northamerica.LH.ORDERS')).toBe(false);
    expect(fullMatch(consumerPattern(mesh, eu, 'LH.ORDERS'), 'southamerica.europe.LH.ORDERS')).toBe(false);
    expect(fullMatch(consumerPattern(mesh, sa, 'LH.ORDERS'), 'LH.CANCELLATIONS')).toBe(false);
  });

  test('regex escaping covers every metacharacter', () => {
    const literal = 'a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o';
    expect(fullMatch(escapeRegex(literal), literal)).toBe(true);
    expect(fullMatch(escapeRegex('a.b'), 'axb')).toBe(false);
  });

  test('bootstrap addresses are the TLS listener of the region cluster, from one function', () => {
    expect(bootstrapAddress(na)).toBe('north-america-kafka-bootstrap.north-america.svc:9093');
  });

  test('for five regions, each consumer matches its canonical topic and exactly four copies', () => {
    const five = fixtureMesh('five-regions.yaml');
    const all = five.regions.flatMap((r) => [copyName(r.alias, 'LH.ORDERS'), ...five.regions.map((o) => copyName(o.alias, copyName(r.alias, 'LH.ORDERS')))]);
    for (const region of five.regions) {
      const pattern = consumerPattern(five, region, 'LH.ORDERS');
      expect(['LH.ORDERS', ...all].filter((t) => fullMatch(pattern, t))).toHaveLength(5);
    }
  });
});

describe('least-privilege users', () => {
  const mesh = demoMesh();
  const [na] = mesh.regions;
  const users = Object.fromEntries(regionUsers(mesh, na).map((u) => [u.name, u]));
  const ops = (user: string, name: string) => users[user].acls.find((a) => a.resource.name === name)?.operations;

  test('each region has its MirrorMaker 2 user, one read-only user for the other regions to mirror from, a producer, a consumer and the web UI', () => {
    expect(Object.keys(users)).toEqual(['mirrormaker2', 'mirror-source', 'producer', 'consumer', 'kafka-ui']);
  });

  test('the web UI user sees everything and changes nothing', () => {
    const operations = users['kafka-ui'].acls.flatMap((a) => a.operations);
    expect(new Set(operations)).toEqual(new Set(['Read', 'Describe', 'DescribeConfigs']));
    expect(users['kafka-ui'].acls.map((a) => a.resource)).toEqual([
      { type: 'topic', name: '*', patternType: 'literal' },
      { type: 'group', name: '*', patternType: 'literal' },
      { type: 'cluster' },
    ]);
  });

  test('mirror readers can only read and describe the canonical topics', () => {
    const reader = users['mirror-source'];
    expect(reader.acls.map((a) => a.resource)).toEqual(mesh.topics.map((t) => ({ type: 'topic', name: t.name, patternType: 'literal' })));
    for (const acl of reader.acls) expect(acl.operations).toEqual(['Read', 'Describe', 'DescribeConfigs']);
  });

  test("the region's MirrorMaker 2 writes only copies from the other regions, its offset-syncs and Connect topics", () => {
    const names = users.mirrormaker2.acls.map((a) => `${a.resource.type}:${a.resource.patternType}:${a.resource.name}`);
    expect(names).toEqual([
      'group:literal:mirrormaker2',
      'topic:literal:mirrormaker2-configs',
      'topic:literal:mirrormaker2-offsets',
      'topic:literal:mirrormaker2-status',
      'topic:prefix:mm2-offset-syncs.',
      'topic:prefix:southamerica.',
      'topic:prefix:europe.',
    ]);
    expect(ops('mirrormaker2', 'europe.')).toEqual(expect.arrayContaining(['Create', 'Write', 'AlterConfigs']));
    expect(ops('mirrormaker2', 'europe.')).not.toContain('Read');
    // Never a canonical topic.
    expect(users.mirrormaker2.acls.some((a) => a.resource.name?.startsWith('LH.'))).toBe(false);
  });

  test('the producer writes the app topic; the consumer reads it, its copies and its own group', () => {
    expect(users.producer.acls).toEqual([{ resource: { type: 'topic', name: 'LH.ORDERS', patternType: 'literal' }, operations: ['Write', 'Describe'] }]);
    expect(users.consumer.acls.map((a) => a.resource.name)).toEqual(['LH.ORDERS', 'southamerica.LH.ORDERS', 'europe.LH.ORDERS', 'loosehanger-consumer']);
    expect(users.consumer.acls.flatMap((a) => a.operations)).not.toContain('Write');
  });
});
