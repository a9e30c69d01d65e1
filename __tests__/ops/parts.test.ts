/**
 * The parts of the ops commands on their own: the kubeconfig, topic sets, and the source region of a topic.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { stringify } from 'yaml';
import { loadMesh } from '../../mesh/load';
import { resolveMesh } from '../../mesh/validate';
import { Kubeconfig, KubeconfigError, kubeconfigSource } from '../../ops/kubeconfig';
import { parseEventLine, sourceRegion } from '../../ops/source-region';
import { compareTopics, isInternalTopic, topicsFromMetrics } from '../../ops/topic-set';
import { tempDir } from './helpers';

const demo = loadMesh({});
const region = (name: string) => demo.regions.find((r) => r.name === name)!;

describe('kubeconfig', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.cleanup());
  const write = (file: string, doc: unknown) => {
    const path = join(temp.dir, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof doc === 'string' ? doc : stringify(doc));
    return path;
  };
  const config = (current: string | undefined, contexts: Array<[string, string, string]>, clusters: Record<string, object>, users: Record<string, object>) => ({
    ...(current ? { 'current-context': current } : {}),
    contexts: contexts.map(([name, cluster, user]) => ({ name, context: { cluster, user } })),
    clusters: Object.entries(clusters).map(([name, cluster]) => ({ name, cluster })),
    users: Object.entries(users).map(([name, user]) => ({ name, user })),
  });

  test('source: the mesh file\'s kubeconfig, else KUBECONFIG (a list), else ~/.kube/config', () => {
    const custom = resolveMesh({ name: 'test', regions: [{ name: 'a' }, { name: 'b' }], topics: [{ name: 'T' }], kubeconfig: '~/clusters/mesh.yaml' });
    expect(kubeconfigSource(custom, { HOME: '/home/u', KUBECONFIG: '/x' })).toEqual({ paths: ['/home/u/clusters/mesh.yaml'], from: 'mesh' });
    expect(kubeconfigSource(demo, { HOME: '/home/u', KUBECONFIG: '/x:/y' })).toEqual({ paths: ['/x', '/y'], from: 'KUBECONFIG' });
    expect(kubeconfigSource(demo, { HOME: '/home/u' })).toEqual({ paths: ['/home/u/.kube/config'], from: 'default' });
  });

  test('KUBECONFIG files are merged like kubectl: the first to define a name or a current context wins; missing files are skipped', () => {
    const a = write('a.yaml', config('one', [['one', 'c1', 'u1']], { c1: { server: 'https://one:6443' } }, { u1: { token: 'first' } }));
    const b = write('b.yaml', config('two', [['two', 'c2', 'u1']], { c2: { server: 'http://two:8080/' } }, { u1: { token: 'second' } }));
    const k = Kubeconfig.read({ paths: [join(temp.dir, 'missing.yaml'), a, b], from: 'KUBECONFIG' });
    expect(k.connection()).toMatchObject({ context: 'one', server: 'https://one:6443', token: 'first' });
    expect(k.connection('two')).toMatchObject({ context: 'two', user: 'u1', server: 'http://two:8080', token: 'first', insecureSkipTlsVerify: false });
  });

  test('certificate files are read relative to the kubeconfig; -data fields are base64; tokenFile works', () => {
    write('certs/ca.crt', 'CA');
    write('certs/token', 'file-token\n');
    const path = write(
      'kube/config',
      config('c', [['c', 'cl', 'u']], { cl: { server: 'https://k:6443', 'certificate-authority': '../certs/ca.crt', 'insecure-skip-tls-verify': true } }, {
        u: { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64'), tokenFile: '../certs/token' },
      }),
    );
    const c = Kubeconfig.read({ paths: [path], from: 'default' }).connection();
    expect([c.certificateAuthority?.toString(), c.clientCertificate?.toString(), c.clientKey?.toString(), c.token, c.insecureSkipTlsVerify]).toEqual([
      'CA', 'CERT', 'KEY', 'file-token', true,
    ]);
  });

  test.each([
    ['an unknown context, listing the known ones', config('a', [['a', 'c', 'u']], { c: { server: 'http://k' } }, {}), 'nope', /context "nope" is not in the kubeconfig .*; contexts there: a/],
    ['no current context', config(undefined, [['a', 'c', 'u']], { c: { server: 'http://k' } }, {}), undefined, /has no current context.*kubectl config use-context.*contexts: a/],
    ['an exec credential plugin', config('a', [['a', 'c', 'u']], { c: { server: 'http://k' } }, { u: { exec: { command: 'aws' } } }), undefined, /user "u" of context "a" gets its credentials from an exec plugin, which these commands do not run/],
  ])('refuses %s', (_, doc, context, message) => {
    const path = write('config', doc);
    const k = Kubeconfig.read({ paths: [path], from: 'default' });
    let error: unknown;
    try {
      k.connection(context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeconfigError);
    expect(`${(error as KubeconfigError).message}; ${(error as KubeconfigError).hint}`).toMatch(message);
  });
});

describe('topic sets', () => {
  const metrics = (topics: string[]) => topics.map((t) => `kafka_topic_partitions{topic="${t}"} 1`).join('\n') + '\n';
  const expected = (name: string) => {
    const others = demo.regions.filter((r) => r.name !== name);
    return [...demo.topics.map((t) => t.name), ...others.flatMap((o) => demo.topics.map((t) => `${o.alias}.${t.name}`))];
  };

  test('reads kafka_topic_partitions samples only, whatever their other labels and escapes', () => {
    const text = [
      '# HELP kafka_topic_partitions Number of partitions for this Topic',
      '# TYPE kafka_topic_partitions gauge',
      'kafka_topic_partitions{topic="LH.ORDERS"} 3',
      'kafka_topic_partitions{cluster="x",topic="we\\"ird"} 1',
      'kafka_topic_partition_current_offset{partition="0",topic="not.a.sample.of.partitions"} 5',
    ].join('\n');
    expect(topicsFromMetrics(text)).toEqual(['LH.ORDERS', 'we"ird']);
  });

  test('internal topics: Kafka\'s, Kafka Connect\'s storage, MirrorMaker 2\'s', () => {
    expect(['__consumer_offsets', '__strimzi_store_topic', 'mirrormaker2-configs', 'mirrormaker2-offsets', 'mirrormaker2-status', 'mm2-offset-syncs.europe.internal', 'x.checkpoints.internal'].every(isInternalTopic)).toBe(true);
    expect(['LH.ORDERS', 'mirrormaker2-other', 'europe.LH.ORDERS'].some(isInternalTopic)).toBe(false);
  });

  test('the expected set is well', () => {
    const t = compareTopics(demo, region('europe'), [...expected('europe'), '__consumer_offsets']);
    expect(t).toEqual({
      canonical: { expected: 6, missing: [] },
      copies: { expected: 12, missing: [] },
      copiesOfCopies: [],
      unexpected: [],
      internal: ['__consumer_offsets'],
    });
  });

  test('copies of copies at any depth, a copy of its own topic and strangers are told apart', () => {
    const topics = [...expected('europe'), 'southamerica.northamerica.LH.ORDERS', 'northamerica.southamerica.northamerica.LH.DOORS', 'europe.LH.ORDERS', 'orders-test', 'southamerica.NOT.CANONICAL'];
    const t = compareTopics(demo, region('europe'), topicsFromMetrics(metrics(topics)));
    expect(t.copiesOfCopies).toEqual(['northamerica.southamerica.northamerica.LH.DOORS', 'southamerica.northamerica.LH.ORDERS']);
    expect(t.unexpected).toEqual(['europe.LH.ORDERS', 'orders-test', 'southamerica.NOT.CANONICAL']);
  });

  test('missing canonical topics and copies are named', () => {
    const t = compareTopics(demo, region('north-america'), expected('north-america').filter((n) => n !== 'LH.STOCK' && n !== 'europe.LH.DOORS'));
    expect([t.canonical.missing, t.copies.missing]).toEqual([['LH.STOCK'], ['europe.LH.DOORS']]);
  });
});

describe('the source region of a consumed event', () => {
  test('parses the consumer\'s event lines only', () => {
    expect(parseEventLine('topic=europe.LH.ORDERS partition=2 offset=17 timestamp=2026-11-22T10:44:51.900Z value={"id": "x", "price": 1.5}')).toEqual({
      topic: 'europe.LH.ORDERS', partition: 2, offset: 17, timestamp: '2026-11-22T10:44:51.900Z', value: '{"id": "x", "price": 1.5}',
    });
    expect(parseEventLine('subscribed to /(europe\\.)?LH\\.ORDERS/ at x:9093 as group g')).toBeUndefined();
  });

  test.each([
    ['LH.ORDERS', 'north-america'],
    ['southamerica.LH.ORDERS', 'south-america'],
    ['europe.LH.CANCELLATIONS', 'europe'],
    ['northamerica.LH.ORDERS', undefined], // its own alias: not a copy it should have
    ['southamerica.europe.LH.ORDERS', undefined], // a copy of a copy
    ['asia.LH.ORDERS', undefined],
    ['OTHER', undefined],
  ])('in north-america, %s comes from %s', (topic, expectedRegion) => {
    expect(sourceRegion(demo, region('north-america'), topic)?.name).toBe(expectedRegion);
  });
});
