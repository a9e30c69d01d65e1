/**
 * Bad mesh descriptions are refused with a message that names the field, the offending value and what is
 * allowed; the app then exits non-zero and writes no stack.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadMeshFile } from '../mesh/load';
import { MeshConfigError, resolveMesh } from '../mesh/validate';

const twoRegions = [{ name: 'north-america', alias: 'northamerica' }, { name: 'europe' }];
const ordersTopic = { name: 'LH.ORDERS', partitions: 3, replicas: 3 };
const valid = { regions: twoRegions, topics: [ordersTopic] };

function problems(input: unknown): string[] {
  try {
    resolveMesh(input);
  } catch (e) {
    if (e instanceof MeshConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('a valid mesh', () => {
  test('has no problems', () => expect(problems(valid)).toEqual([]));
  test('gets alias = name, one partition and min(3, brokers) replicas by default', () => {
    const mesh = resolveMesh({ regions: [{ name: 'a' }, { name: 'b' }], topics: [{ name: 'T' }], kafka: { brokers: 2 } });
    expect(mesh.regions.map((r) => r.alias)).toEqual(['a', 'b']);
    expect(mesh.topics[0]).toMatchObject({ partitions: 1, replicas: 2 });
  });
  test('writes scalar config values as strings', () => {
    const mesh = resolveMesh({ ...valid, topics: [{ ...ordersTopic, config: { 'retention.bytes': 100, 'cleanup.policy': 'delete', 'preallocate': true } }] });
    expect(mesh.topics[0].config).toEqual({ 'retention.bytes': '100', 'cleanup.policy': 'delete', preallocate: 'true' });
  });
});

// Each row: what is wrong, the mesh, and a message that must appear (field path first).
const bad: Array<[string, unknown, RegExp]> = [
  ['no regions', { topics: [ordersTopic] }, /^regions: is required/],
  ['one region', { regions: [{ name: 'europe' }], topics: [ordersTopic] }, /^regions: needs at least two regions to mirror between, got 1/],
  ['regions not a list', { regions: 'europe', topics: [ordersTopic] }, /^regions: must be a list, got "europe"/],
  ['a region without a name', { regions: [{ alias: 'x' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: is required/],
  ['an invalid region name', { regions: [{ name: 'North_America' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: "North_America" is not a valid region name: a DNS-1123 label/],
  ['a region name that is too long', { regions: [{ name: 'a'.repeat(41) }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: .* at most 40 characters/],
  ['a duplicate region name', { regions: [{ name: 'europe' }, { name: 'europe', alias: 'eu2' }], topics: [ordersTopic] }, /^regions\[1\]\.name: "europe" repeats regions\[0\]\.name/],
  ['a reserved namespace', { regions: [{ name: 'kube-system' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: "kube-system" is reserved/],
  ['the operator namespace as a region', { regions: [{ name: 'strimzi' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: "strimzi" is reserved/],
  ['an alias with the copy separator', { regions: [{ name: 'north-america', alias: 'north.america' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.alias: "north.america" contains "\.", the copy separator .*allowed: letters, digits, "-", "_"/],
  ['an alias with other characters', { regions: [{ name: 'north-america', alias: 'north america' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.alias: "north america" is not a valid alias; allowed: 1 to 100 letters, digits, "-", "_"/],
  ['a repeated alias', { regions: [{ name: 'north-america', alias: 'europe' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[1\]\.alias: "europe" repeats the alias of regions\[0\]/],
  ['no topics', { regions: twoRegions }, /^topics: is required/],
  ['an empty topic list', { regions: twoRegions, topics: [] }, /^topics: needs at least one canonical topic/],
  ['a topic without a name', { regions: twoRegions, topics: [{ partitions: 1 }] }, /^topics\[0\]\.name: is required/],
  ['a duplicate topic', { regions: twoRegions, topics: [ordersTopic, ordersTopic] }, /^topics\[1\]\.name: "LH.ORDERS" repeats topics\[0\]\.name/],
  ['a topic colliding on . and _', { regions: twoRegions, topics: [ordersTopic, { name: 'LH_ORDERS' }] }, /^topics\[1\]\.name: "LH_ORDERS" collides with topics\[0\]\.name/],
  ['illegal topic characters', { regions: twoRegions, topics: [{ name: 'LH ORDERS!' }] }, /^topics\[0\]\.name: "LH ORDERS!" has characters Kafka does not allow; allowed: letters, digits, "\.", "_", "-"/],
  ['the topic name "."', { regions: twoRegions, topics: [{ name: '.' }] }, /^topics\[0\]\.name: "\." is not a legal Kafka topic name/],
  ['the topic name ".."', { regions: twoRegions, topics: [{ name: '..' }] }, /^topics\[0\]\.name: "\.\." is not a legal Kafka topic name/],
  ['a topic name over 249 characters', { regions: twoRegions, topics: [{ name: 'T'.repeat(250) }] }, /^topics\[0\]\.name: .* is 250 characters long; Kafka allows at most 249/],
  ['a topic whose copies would be too long', { regions: twoRegions, topics: [{ name: 'T'.repeat(245) }] }, /^topics\[0\]\.name: .* is too long for its copies/],
  ['a topic that is already a copy', { regions: twoRegions, topics: [ordersTopic, { name: 'europe.LH.ORDERS' }] }, /^topics\[1\]\.name: "europe.LH.ORDERS" is already the name of a copy from region "europe"/],
  ['a topic MirrorMaker 2 never mirrors', { regions: twoRegions, topics: [{ name: 'orders.internal' }] }, /^topics\[0\]\.name: "orders.internal" looks like an internal topic .* which MirrorMaker 2 may leave out/],
  ['zero partitions', { regions: twoRegions, topics: [{ ...ordersTopic, partitions: 0 }] }, /^topics\[0\]\.partitions: must be an integer >= 1, got 0/],
  ['fractional partitions', { regions: twoRegions, topics: [{ ...ordersTopic, partitions: 1.5 }] }, /^topics\[0\]\.partitions: must be an integer >= 1, got 1.5/],
  ['partitions as text', { regions: twoRegions, topics: [{ ...ordersTopic, partitions: 'three' }] }, /^topics\[0\]\.partitions: must be an integer >= 1, got "three"/],
  ['negative replicas', { regions: twoRegions, topics: [{ ...ordersTopic, replicas: -1 }] }, /^topics\[0\]\.replicas: must be an integer >= 1, got -1/],
  ['replicas above the broker count', { regions: twoRegions, topics: [{ ...ordersTopic, replicas: 4 }] }, /^topics\[0\]\.replicas: 4 is more than kafka\.brokers \(3\); allowed: 1 to 3/],
  ['min.insync.replicas above replicas', { regions: twoRegions, topics: [{ ...ordersTopic, replicas: 1, config: { 'min.insync.replicas': 2 } }] }, /^topics\[0\]\.config\.min\.insync\.replicas: 2 is more than the topic's replicas \(1\)/],
  ['a config value that is a list', { regions: twoRegions, topics: [{ ...ordersTopic, config: { 'cleanup.policy': ['delete'] } }] }, /^topics\[0\]\.config\.cleanup\.policy: must be a scalar \(string, number or boolean\), got \["delete"\]/],
  ['a config value that is a mapping', { regions: twoRegions, topics: [{ ...ordersTopic, config: { 'retention.ms': { days: 7 } } }] }, /^topics\[0\]\.config\.retention\.ms: must be a scalar/],
  ['an unknown top-level key', { ...valid, region: [] }, /^region: unknown key \(did you mean "regions"\?\); allowed: "regions", "topics"/],
  ['an unknown region key', { regions: [{ name: 'europe', allias: 'eu' }, { name: 'asia' }], topics: [ordersTopic] }, /^regions\[0\]\.allias: unknown key \(did you mean "alias"\?\)/],
  ['an unknown topic key', { regions: twoRegions, topics: [{ ...ordersTopic, partition: 3 }] }, /^topics\[0\]\.partition: unknown key \(did you mean "partitions"\?\)/],
  ['an unknown kafka key', { ...valid, kafka: { broker: 3 } }, /^kafka\.broker: unknown key \(did you mean "brokers"\?\)/],
  ['an unknown storage type', { ...valid, kafka: { storage: { type: 'jbod' } } }, /^kafka\.storage\.type: must be one of "ephemeral", "persistent", got "jbod"/],
  ['a bad storage size', { ...valid, kafka: { storage: { type: 'persistent', size: 'ten gigs' } } }, /^kafka\.storage\.size: must be a Kubernetes quantity/],
  ['a bad memory quantity', { ...valid, kafka: { resources: { limits: { memory: 'lots' } } } }, /^kafka\.resources\.limits\.memory: must be a Kubernetes quantity/],
  ['an app topic that is not canonical', { ...valid, apps: { topic: 'LH.NOPE' } }, /^apps\.topic: "LH.NOPE" is not a canonical topic; allowed: "LH.ORDERS"/],
  ['apps.enabled not a boolean', { ...valid, apps: { enabled: 'yes' } }, /^apps\.enabled: must be true or false, got "yes"/],
  ['a topic override for an unknown topic', { regions: [{ name: 'europe', topicConfig: { 'LH.NOPE': {} } }, { name: 'asia' }], topics: [ordersTopic] }, /^regions\[0\]\.topicConfig\.LH\.NOPE: is not a canonical topic/],
  ['PodMonitors without metrics', { ...valid, metrics: { enabled: false, podMonitors: true } }, /^metrics\.podMonitors: needs metrics\.enabled: true/],
  ['an unknown ui key', { ...valid, ui: { enable: false } }, /^ui\.enable: unknown key \(did you mean "enabled"\?\)/],
  ['ui.enabled not a boolean', { ...valid, ui: { enabled: 'no' } }, /^ui\.enabled: must be true or false, got "no"/],
  ['a top level that is a list', [1, 2], /^\(top level\): must be a mapping with keys/],
];

describe('a bad mesh is refused with a clear message', () => {
  test.each(bad)('%s', (_what, input, message) => {
    const found = problems(input);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  test('every problem is reported at once, not only the first', () => {
    const found = problems({ regions: [{ name: 'Bad Name' }], topics: [{ name: '..', partitions: 0 }] });
    expect(found.length).toBeGreaterThanOrEqual(4);
  });
});

describe('mesh files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mesh-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  test('YAML and JSON describe the same mesh', () => {
    const yaml = loadMeshFile(file('m.yaml', 'regions:\n  - name: a\n  - name: b\ntopics:\n  - name: T\n    partitions: 2\n'));
    const json = loadMeshFile(file('m.json', JSON.stringify({ regions: [{ name: 'a' }, { name: 'b' }], topics: [{ name: 'T', partitions: 2 }] })));
    expect(json).toEqual(yaml);
  });

  test.each([
    ['an unreadable file', () => join(dir, 'missing.yaml'), /cannot read the file: ENOENT/],
    ['malformed YAML', () => file('bad.yaml', 'regions: [\n  - name: a\n'), /is not valid YAML or JSON/],
    ['duplicate keys', () => file('dup.yaml', 'regions: []\nregions: []\n'), /is not valid YAML or JSON: .*unique/i],
    ['an empty file', () => file('empty.yaml', ''), /is empty; expected a mapping with "regions" and "topics"/],
  ])('%s is refused, naming the file', (_what, path, message) => {
    const p = path();
    expect(() => loadMeshFile(p)).toThrow(MeshConfigError);
    expect(() => loadMeshFile(p)).toThrow(message);
    expect(() => loadMeshFile(p)).toThrow(`mesh config ${p}`);
  });

  test('the app exits non-zero, prints the problems and writes no stack', () => {
    const outdir = join(dir, 'out');
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'main.ts')], {
      env: { ...process.env, MESH_CONFIG: file('bad.yaml', 'regions:\n  - name: europe\ntopics:\n  - name: LH.ORDERS\n    replicas: 9\n'), CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('regions: needs at least two regions');
    expect(result.stderr).toContain('topics[0].replicas: 9 is more than kafka.brokers (3)');
    expect(existsSync(outdir)).toBe(false);
  });

  test('the app refuses a provider variable that would split the deploy, and writes no stack', () => {
    const outdir = join(dir, 'out-env');
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'main.ts')], {
      env: { ...process.env, KUBE_CTX: 'other-cluster', CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('KUBE_CTX is set (to "other-cluster")');
    expect(existsSync(outdir)).toBe(false);
  });
});
