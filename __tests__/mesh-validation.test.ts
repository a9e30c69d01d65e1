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
import { manifests, synthMesh } from './support/synth';
import { DEMO_MESH_FILE } from '../mesh/demo';
import { meshProblems, named } from './support/mesh-problems';

const twoRegions = [{ name: 'north-america', alias: 'northamerica' }, { name: 'europe' }];
const ordersTopic = { name: 'LH.ORDERS', partitions: 3, replicas: 3 };
const valid = { name: 'test', regions: twoRegions, topics: [ordersTopic] };
/** The valid mesh with one topic config, or with one override of it in europe. */
const withConfig = (config: Record<string, unknown>, kafka?: Record<string, unknown>) => ({ ...valid, topics: [{ ...ordersTopic, config }], ...(kafka ? { kafka } : {}) });
const withOverride = (config: Record<string, unknown>) => ({ ...valid, regions: [twoRegions[0], { name: 'europe', topicConfig: { 'LH.ORDERS': config } }] });
/** A message matched in full, character for character. */
const exactly = (message: string) => new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

const problems = meshProblems;

describe('a valid mesh', () => {
  test('has no problems', () => expect(problems(valid)).toEqual([]));
  test('is named by its file; the demo is "demo", and a file may take that name to be the demo, changed', () => {
    expect(resolveMesh(valid).name).toBe('test');
    expect(resolveMesh(DEMO_MESH_FILE).name).toBe('demo');
    expect(problems({ ...valid, name: 'demo' })).toEqual([]);
  });
  test('may allow a deploy to delete removed regions and topics, and to replace node pools; by default nothing', () => {
    expect(resolveMesh(valid).deploy.allowDataLoss).toEqual({ regions: [], topics: [], nodePools: false });
    expect(resolveMesh({ ...valid, deploy: { allowDataLoss: { regions: ['gone', 'gone'], topics: ['OLD'], nodePools: true } } }).deploy.allowDataLoss).toEqual({ regions: ['gone'], topics: ['OLD'], nodePools: true });
  });
  test('may name a region with 38 characters (its external bootstrap Service name then has 63) and digits after the first letter', () => {
    const name = `r2-${'x'.repeat(35)}`;
    expect(problems({ ...valid, regions: [{ name }, { name: 'eu-1' }] })).toEqual([]);
    expect(`${name}-kafka-external-bootstrap`).toHaveLength(63);
  });
  test('gets alias = name, one partition and min(3, brokers) replicas by default', () => {
    const mesh = resolveMesh({ name: 'test', regions: [{ name: 'a' }, { name: 'b' }], topics: [{ name: 'T' }], kafka: { brokers: 2 } });
    expect(mesh.regions.map((r) => r.alias)).toEqual(['a', 'b']);
    expect(mesh.topics[0]).toMatchObject({ partitions: 1, replicas: 2 });
  });
  test('keeps its data by default: persistent storage in the default StorageClass, so one replica is allowed', () => {
    const mesh = resolveMesh({ ...valid, topics: [{ ...ordersTopic, replicas: 1 }] });
    expect(mesh.kafka.storage).toEqual({ type: 'persistent', size: '10Gi' });
    expect(resolveMesh({ ...valid, kafka: { storage: { size: '50Gi', storageClass: 'fast' } } }).kafka.storage).toEqual({ type: 'persistent', size: '50Gi', storageClass: 'fast' });
  });
  test('may use ephemeral storage for a throwaway mesh whose topics have two replicas or more', () => {
    const mesh = resolveMesh({ ...valid, topics: [{ ...ordersTopic, replicas: 2 }, { name: 'T' }], kafka: { storage: { type: 'ephemeral' } } });
    expect(mesh.kafka.storage).toEqual({ type: 'ephemeral' });
    expect(mesh.topics.map((t) => t.replicas)).toEqual([2, 3]);
  });
  test('writes scalar config values as strings', () => {
    const mesh = resolveMesh({ ...valid, topics: [{ ...ordersTopic, config: { 'retention.bytes': 100, 'cleanup.policy': 'delete', 'preallocate': true } }] });
    expect(mesh.topics[0].config).toEqual({ 'retention.bytes': '100', 'cleanup.policy': 'delete', preallocate: 'true' });
  });
  test.each(['4.2.0', '4.2.1', '4.3.0', '4.3.1'])('may name Kafka %s, which Strimzi 1.2.0 supports', (version) => {
    expect(resolveMesh({ ...valid, kafka: { version } }).kafka.version).toBe(version);
  });
  test('leaves kafka.version unset for the operator to choose, also for an operator version without a list', () => {
    expect(resolveMesh(valid).kafka.version).toBeUndefined();
    expect(problems({ ...valid, operator: { version: '1.1.0' } })).toEqual([]);
  });
});

describe('topic configs Kafka accepts', () => {
  // One of every kind in Kafka 4.3.1's table, at the edges of what it allows, written as a YAML file would.
  const everyKind = {
    'retention.ms': '-1', // LONG, >= -1: its lower bound
    'retention.bytes': 100000000, // LONG without a validator, as a number
    'max.compaction.lag.ms': '9223372036854775807', // LONG's largest value, as a string
    'segment.bytes': '1048576', // INT, >= 1048576
    'compression.gzip.level': -1, // INT from 1 to 9, or -1
    'compression.zstd.level': '-131072', // INT, a negative lower bound
    'min.cleanable.dirty.ratio': 0.25, // DOUBLE from 0 to 1
    preallocate: true, // BOOLEAN, as YAML's true
    'unclean.leader.election.enable': 'False', // BOOLEAN, in any case (as Kafka parses it)
    'cleanup.policy': 'compact, delete', // LIST of valid values, spaces around the comma
    'compression.type': 'zstd', // STRING, one of the valid values
    'message.timestamp.type': 'LogAppendTime',
    'follower.replication.throttled.replicas': '0:1,1:2', // LIST with Kafka's own validator
    'min.insync.replicas': 2, // INT, >= 1, and <= replicas
  };
  const overrides = { 'retention.ms': '3600000', 'cleanup.policy': '', 'leader.replication.throttled.replicas': '*' };
  const input = { ...withConfig(everyKind), regions: withOverride(overrides).regions };

  test('resolve, written as strings', () => {
    const mesh = resolveMesh(named(input));
    expect(mesh.topics[0].config).toEqual(Object.fromEntries(Object.entries(everyKind).map(([k, v]) => [k, String(v)])));
    expect(mesh.regions[1].topicConfig).toEqual({ 'LH.ORDERS': overrides });
  });

  test('synthesize into the KafkaTopics as written, the override in its region only', () => {
    const stack = synthMesh(resolveMesh(named(input))).mesh.json;
    const configOf = (namespace: string) => manifests(stack, 'KafkaTopic').find((m) => m.object.metadata.namespace === namespace && m.object.spec.topicName === 'LH.ORDERS')!.object.spec.config;
    const written = Object.fromEntries(Object.entries(everyKind).map(([k, v]) => [k, String(v)]));
    expect(configOf('north-america')).toEqual(written);
    expect(configOf('europe')).toEqual({ ...written, ...overrides });
  });

  test.each(['4.2.0', '4.2.1', '4.3.0'])('also for Kafka %s, checked against its own table', (version) => {
    expect(problems({ ...input, kafka: { version } })).toEqual([]);
  });
});

// Each row: what is wrong, the mesh, and a message that must appear (field path first).
const bad: Array<[string, unknown, RegExp]> = [
  ['no regions', { topics: [ordersTopic] }, /^regions: is required/],
  ['one region', { regions: [{ name: 'europe' }], topics: [ordersTopic] }, /^regions: needs at least two regions to mirror between, got 1/],
  ['regions not a list', { regions: 'europe', topics: [ordersTopic] }, /^regions: must be a list, got "europe"/],
  ['a region without a name', { regions: [{ alias: 'x' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: is required/],
  ['an invalid region name', { regions: [{ name: 'North_America' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: "North_America" is not a valid region name: .* a Service name is a DNS-1035 label/],
  ['a region name starting with a digit', { regions: [{ name: '1-frankfurt' }, { name: 'europe' }], topics: [ordersTopic] }, exactly('regions[0].name: "1-frankfurt" is not a valid region name: it names the region\'s Kafka, whose Services Strimzi names after it ("1-frankfurt-kafka-bootstrap"), and a Service name is a DNS-1035 label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit')],
  ['a region name ending with "-"', { regions: [{ name: 'frankfurt-' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: "frankfurt-" is not a valid region name: .*ending with a letter or digit$/],
  ['a region name whose external bootstrap Service name would be 64 characters', { regions: [{ name: 'a'.repeat(39) }, { name: 'europe' }], topics: [ordersTopic] }, exactly(`regions[0].name: "${'a'.repeat(39)}" is 39 characters long; allowed: at most 38, because Strimzi names the bootstrap Service of the external listener (which every region gets once the mesh spans more than one Kubernetes cluster) "${'a'.repeat(39)}-kafka-external-bootstrap", 64 characters, and a Service name has at most 63`)],
  ['a region name of 40 characters', { regions: [{ name: 'europe' }, { name: 'e'.repeat(40) }], topics: [ordersTopic] }, /^regions\[1\]\.name: "e{40}" is 40 characters long; allowed: at most 38/],
  ['a duplicate region name', { regions: [{ name: 'europe' }, { name: 'europe', alias: 'eu2' }], topics: [ordersTopic] }, /^regions\[1\]\.name: "europe" repeats regions\[0\]\.name/],
  ['a reserved namespace', { regions: [{ name: 'kube-system' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: "kube-system" is reserved/],
  ['the operator namespace as a region', { regions: [{ name: 'strimzi' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.name: "strimzi" is reserved/],
  ['a reserved namespace set explicitly', { regions: [{ name: 'north-america', namespace: 'kube-public' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.namespace: \"kube-public\" is reserved/],
  ['a namespace that is not a DNS label', { regions: [{ name: 'north-america', namespace: 'Kafka_NA' }, { name: 'europe' }], topics: [ordersTopic] }, /^regions\[0\]\.namespace: \"Kafka_NA\" is not a valid namespace: a DNS-1123 label/],
  ['an internal listener for other clusters', { regions: [{ name: 'north-america', context: 'a', external: { type: 'internal' } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external\.type: \"internal\" cannot serve regions on other clusters: its Services are only reachable inside the region's own Kubernetes cluster .*; allowed: \"loadbalancer\", \"nodeport\", \"ingress\"/],
  ['an OpenShift route listener', { regions: [{ name: 'north-america', context: 'a', external: { type: 'route' } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external\.type: \"route\" cannot serve regions on other clusters: it needs OpenShift Routes, which a Kubernetes cluster does not serve; allowed/],
  ['an unknown listener type', { regions: [{ name: 'north-america', context: 'a', external: { type: 'vpn' } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external\.type: must be one of \"loadbalancer\", \"nodeport\", \"ingress\", got \"vpn\"/],
  ['an ingress without hosts', { regions: [{ name: 'north-america', context: 'a', external: { type: 'ingress' } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external: type \"ingress\" needs bootstrapHost and brokerHostTemplate: Strimzi makes an Ingress per broker/],
  ['node ports without DNS names and port', { regions: [{ name: 'north-america', context: 'a', external: { type: 'nodeport' } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external: type \"nodeport\" needs bootstrapHost, brokerHostTemplate, bootstrapNodePort: Strimzi advertises node ports with the node's address, which no broker certificate names/],
  ['a broker host template without {nodeId}', { regions: [{ name: 'north-america', context: 'a', external: { type: 'ingress', bootstrapHost: 'kafka.example.com', brokerHostTemplate: 'broker.kafka.example.com' } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external\.brokerHostTemplate: \"broker\.kafka\.example\.com\" must contain \{nodeId\}/],
  ['a bootstrap node port outside the range', { regions: [{ name: 'north-america', context: 'a', external: { type: 'nodeport', bootstrapHost: 'k.example.com', brokerHostTemplate: 'b{nodeId}.example.com', bootstrapNodePort: 9094 } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external\.bootstrapNodePort: 9094 is outside Kubernetes' default node port range, 30000-32767/],
  ['a host that is not a DNS name', { regions: [{ name: 'north-america', context: 'a', external: { type: 'loadbalancer', bootstrapHost: 'https://kafka.example.com' } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external\.bootstrapHost: \"https:\/\/kafka\.example\.com\" is not a DNS name/],
  ['an address without a port', { regions: [{ name: 'north-america', context: 'a', external: { bootstrapServers: 'kafka.example.com' } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external\.bootstrapServers: \"kafka\.example\.com\" is not a list of host:port addresses/],
  ['source ranges on an ingress', { regions: [{ name: 'north-america', context: 'a', external: { type: 'ingress', bootstrapHost: 'k.example.com', brokerHostTemplate: 'b{nodeId}.example.com', sourceRanges: ['10.0.0.0/8'] } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external\.sourceRanges: applies only to type \"loadbalancer\"/],
  ['a source range that is not a CIDR', { regions: [{ name: 'north-america', context: 'a', external: { sourceRanges: ['10.0.0.0'] } }, { name: 'europe', context: 'b' }], topics: [ordersTopic] }, /^regions\[0\]\.external\.sourceRanges\[0\]: \"10\.0\.0\.0\" is not a CIDR range/],
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
  // topic configs, checked against Kafka's own definitions (mesh/kafka/topic-configs-<kafka.version>.json)
  ['an unknown topic config', withConfig({ 'retention.byte': '100' }), exactly('topics[0].config.retention.byte: unknown Kafka 4.3.1 topic config (did you mean "retention.bytes"?)')],
  ['an unknown topic config in a region override', withOverride({ 'retention.msec': '3600000' }), exactly('regions[1].topicConfig.LH.ORDERS.retention.msec: unknown Kafka 4.3.1 topic config (did you mean "retention.ms"?)')],
  ['a broker config as a topic config', withConfig({ 'log.retention.hours': 24 }), exactly('topics[0].config.log.retention.hours: unknown Kafka 4.3.1 topic config (the known ones: mesh/kafka/topic-configs-4.3.1.json)')],
  ['an unknown topic config of the Kafka version named', withConfig({ 'segment.byte': '1048576' }, { version: '4.2.1' }), exactly('topics[0].config.segment.byte: unknown Kafka 4.2.1 topic config (did you mean "segment.bytes"?)')],
  ['a long that is not an integer', withConfig({ 'retention.bytes': '100MB' }), exactly('topics[0].config.retention.bytes: must be an integer (Kafka type LONG), got "100MB"')],
  ['a long beyond 2^63 - 1', withConfig({ 'max.compaction.lag.ms': '9223372036854775808' }), exactly('topics[0].config.max.compaction.lag.ms: must be an integer from 1 to 9223372036854775807 (Kafka type LONG), got "9223372036854775808"')],
  ['a long written as a YAML number beyond 2^53', withConfig({ 'max.compaction.lag.ms': 2 ** 63 - 1 }), exactly('topics[0].config.max.compaction.lag.ms: 9223372036854776000 is beyond the integers a YAML or JSON number holds exactly (2^53); write the value as a string, in quotes')],
  ['an int that is a fraction', withConfig({ 'segment.bytes': 1048576.5 }), exactly('topics[0].config.segment.bytes: must be an integer >= 1048576 (Kafka type INT), got 1048576.5')],
  ['an int beyond 2^31 - 1', withConfig({ 'max.message.bytes': 3000000000 }), exactly('topics[0].config.max.message.bytes: must be an integer from 0 to 2147483647 (Kafka type INT), got 3000000000')],
  ['a double that is not a number', withConfig({ 'min.cleanable.dirty.ratio': 'half' }), exactly('topics[0].config.min.cleanable.dirty.ratio: must be a number from 0 to 1 (Kafka type DOUBLE), got "half"')],
  ['a boolean that is neither true nor false', withConfig({ preallocate: 'yes' }), exactly('topics[0].config.preallocate: must be true or false, got "yes"')],
  ['a boolean written as a number in a region override', withOverride({ 'unclean.leader.election.enable': 1 }), exactly('regions[1].topicConfig.LH.ORDERS.unclean.leader.election.enable: must be true or false, got 1')],
  ['a long below its range', withConfig({ 'retention.ms': -2 }), exactly('topics[0].config.retention.ms: must be >= -1, got -2')],
  ['a double above its range', withConfig({ 'min.cleanable.dirty.ratio': 1.5 }), exactly('topics[0].config.min.cleanable.dirty.ratio: must be from 0 to 1, got 1.5')],
  ['an int outside its range and its single allowed value', withConfig({ 'compression.gzip.level': 10 }), exactly('topics[0].config.compression.gzip.level: must be from 1 to 9, or -1, got 10')],
  ['min.insync.replicas below 1', withOverride({ 'min.insync.replicas': 0 }), exactly('regions[1].topicConfig.LH.ORDERS.min.insync.replicas: must be >= 1, got 0')],
  ['a cleanup.policy that is not a policy', withConfig({ 'cleanup.policy': 'deleted' }), exactly('topics[0].config.cleanup.policy: must be a comma-separated list of "compact", "delete" (or empty), got "deleted" ("deleted" is not allowed)')],
  ['a compression.type Kafka does not have', withConfig({ 'compression.type': 'zip' }), exactly('topics[0].config.compression.type: must be one of "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer", got "zip"')],
  ['a message.timestamp.type in the wrong case', withOverride({ 'message.timestamp.type': 'createtime' }), exactly('regions[1].topicConfig.LH.ORDERS.message.timestamp.type: must be one of "CreateTime", "LogAppendTime", got "createtime"')],
  ['a bad item in a list', withConfig({ 'cleanup.policy': 'compact,delete,archive' }), exactly('topics[0].config.cleanup.policy: must be a comma-separated list of "compact", "delete" (or empty), got "compact,delete,archive" ("archive" is not allowed)')],
  ['a repeated item in a list', withConfig({ 'cleanup.policy': 'delete,delete' }), exactly('topics[0].config.cleanup.policy: must be a comma-separated list of "compact", "delete" (or empty), each item once, got "delete,delete" ("delete" repeats)')],
  ['an empty item in a list', withConfig({ 'cleanup.policy': 'compact,' }), exactly('topics[0].config.cleanup.policy: must be a comma-separated list of "compact", "delete" (or empty), without empty items, got "compact,"')],
  ['a bad item in a list of throttled replicas', withConfig({ 'leader.replication.throttled.replicas': '0:1,all' }), exactly('topics[0].config.leader.replication.throttled.replicas: must be "*" or a comma-separated list of replicas, each <partition id>:<broker id>, got "0:1,all"')],
  ['an unknown top-level key', { ...valid, region: [] }, /^region: unknown key \(did you mean "regions"\?\); allowed: "name", "regions", "topics"/],
  ['no mesh name', { name: undefined, regions: twoRegions, topics: [ordersTopic] }, /^name: is required: the mesh's name keys its stacks and Terraform state/],
  ['a mesh name that is no DNS label', { ...valid, name: 'Prod_Orders' }, /^name: must be a lowercase DNS label of at most 30 characters that starts with a letter .*, got "Prod_Orders"$/],
  ['a mesh name that starts with a digit', { ...valid, name: '1st' }, /^name: must be a lowercase DNS label/],
  ['a mesh name over 30 characters', { ...valid, name: 'a'.repeat(31) }, /^name: must be a lowercase DNS label of at most 30 characters/],
  ['a data loss allowance for a region still declared', { ...valid, deploy: { allowDataLoss: { regions: [twoRegions[0].name] } } }, /^deploy\.allowDataLoss\.regions\[0\]: ".*" is still declared in regions: list here only regions removed from the mesh file/],
  ['a data loss allowance for a topic still declared', { ...valid, deploy: { allowDataLoss: { topics: [ordersTopic.name] } } }, /^deploy\.allowDataLoss\.topics\[0\]: ".*" is still declared in topics/],
  ['a data loss allowance that is not a list', { ...valid, deploy: { allowDataLoss: { regions: 'a' } } }, /^deploy\.allowDataLoss\.regions: must be a list of region names, got "a"$/],
  ['nodePools that is not a boolean', { ...valid, deploy: { allowDataLoss: { nodePools: 'yes' } } }, /^deploy\.allowDataLoss\.nodePools: must be true or false, got "yes"$/],
  ['an unknown data loss key', { ...valid, deploy: { allowDataLoss: { region: ['x'] } } }, /^deploy\.allowDataLoss\.region: unknown key \(did you mean "regions"\?\)/],
  ['an unknown region key', { regions: [{ name: 'europe', allias: 'eu' }, { name: 'asia' }], topics: [ordersTopic] }, /^regions\[0\]\.allias: unknown key \(did you mean "alias"\?\)/],
  ['an unknown topic key', { regions: twoRegions, topics: [{ ...ordersTopic, partition: 3 }] }, /^topics\[0\]\.partition: unknown key \(did you mean "partitions"\?\)/],
  ['an unknown kafka key', { ...valid, kafka: { broker: 3 } }, /^kafka\.broker: unknown key \(did you mean "brokers"\?\)/],
  ['an unknown storage type', { ...valid, kafka: { storage: { type: 'jbod' } } }, /^kafka\.storage\.type: must be one of "ephemeral", "persistent", got "jbod"/],
  ['one replica on ephemeral storage', { ...valid, topics: [{ ...ordersTopic, replicas: 1 }], kafka: { storage: { type: 'ephemeral' } } }, exactly('topics[0].replicas: 1 replica of topic "LH.ORDERS" on ephemeral storage (kafka.storage.type: "ephemeral") loses the topic\'s data at any broker restart; set replicas from 2 to 3, or use persistent storage (kafka.storage.type: "persistent", the default)')],
  ['one broker on ephemeral storage (its topics get one replica by default)', { ...valid, topics: [{ name: 'T' }], kafka: { brokers: 1, storage: { type: 'ephemeral' } } }, exactly('topics[0].replicas: 1 replica of topic "T" on ephemeral storage (kafka.storage.type: "ephemeral") loses the topic\'s data at any broker restart; raise kafka.brokers to 2 or more and replicas to 2 or more, or use persistent storage (kafka.storage.type: "persistent", the default)')],
  ['a storage class for ephemeral storage', { ...valid, kafka: { storage: { type: 'ephemeral', storageClass: 'fast' } } }, exactly('kafka.storage.storageClass: applies only to type "persistent"')],
  ['re-authentication turned off', { ...valid, kafka: { reauthenticationSeconds: 0 } }, exactly('kafka.reauthenticationSeconds: must be an integer >= 60, got 0')],
  ['re-authentication in milliseconds', { ...valid, kafka: { reauthenticationSeconds: 3600000 } }, exactly('kafka.reauthenticationSeconds: must be an integer from 60 to 86400 (one day), got 3600000: a removed or rotated password keeps working in an open session until it re-authenticates')],
  ['fractional re-authentication seconds', { ...valid, kafka: { reauthenticationSeconds: 90.5 } }, exactly('kafka.reauthenticationSeconds: must be an integer >= 60, got 90.5')],
  ['a bad storage size', { ...valid, kafka: { storage: { type: 'persistent', size: 'ten gigs' } } }, /^kafka\.storage\.size: must be a Kubernetes quantity/],
  ['a bad memory quantity', { ...valid, kafka: { resources: { limits: { memory: 'lots' } } } }, /^kafka\.resources\.limits\.memory: must be a Kubernetes quantity/],
  ['a Kafka version Strimzi never had', { ...valid, kafka: { version: '2.8.0' } }, /^kafka\.version: "2\.8\.0" is not a Kafka version Strimzi 1\.2\.0 supports; supported: 4\.2\.0, 4\.2\.1, 4\.3\.0, 4\.3\.1$/],
  ['a Kafka version Strimzi 1.2.0 no longer supports', { ...valid, kafka: { version: '4.1.2' } }, /^kafka\.version: "4\.1\.2" is not a Kafka version Strimzi 1\.2\.0 supports; supported: 4\.2\.0, 4\.2\.1, 4\.3\.0, 4\.3\.1$/],
  ['a Kafka version not yet supported', { ...valid, kafka: { version: '4.4.0' } }, /^kafka\.version: "4\.4\.0" is not a Kafka version Strimzi 1\.2\.0 supports/],
  ['a Kafka version for an operator version without a list', { ...valid, kafka: { version: '4.3.1' }, operator: { version: '1.1.0' } }, /^kafka\.version: "4\.3\.1" cannot be checked: the project has no list of the Kafka versions Strimzi 1\.1\.0 \(operator\.version\) supports, only of Strimzi 1\.2\.0; leave kafka\.version unset for the operator's default, or add the list \(npx tsx scripts\/strimzi-kafka-versions\/generate\.ts 1\.1\.0\)$/],
  ['a Kafka version that is a number', { ...valid, kafka: { version: 4.3 } }, /^kafka\.version: must be a non-empty string, got 4\.3/],
  ['an app topic that is not canonical', { ...valid, apps: { topic: 'LH.NOPE' } }, /^apps\.topic: "LH.NOPE" is not a canonical topic; allowed: "LH.ORDERS"/],
  ['apps.enabled not a boolean', { ...valid, apps: { enabled: 'yes' } }, /^apps\.enabled: must be true or false, got "yes"/],
  ['a topic override for an unknown topic', { regions: [{ name: 'europe', topicConfig: { 'LH.NOPE': {} } }, { name: 'asia' }], topics: [ordersTopic] }, /^regions\[0\]\.topicConfig\.LH\.NOPE: is not a canonical topic/],
  ['PodMonitors without metrics', { ...valid, metrics: { enabled: false, podMonitors: true } }, /^metrics\.podMonitors: needs metrics\.enabled: true/],
  ['an unknown wan key', { ...valid, mirrorMaker: { wan: { roundtripMs: 100 } } }, exactly('mirrorMaker.wan.roundtripMs: unknown key (did you mean "roundTripMs"?); allowed: "roundTripMs", "throughputMBps"')],
  ['a fractional round trip', { ...valid, mirrorMaker: { wan: { roundTripMs: 99.5 } } }, exactly('mirrorMaker.wan.roundTripMs: must be an integer >= 1, got 99.5')],
  ['a round trip beyond 10 s', { ...valid, mirrorMaker: { wan: { roundTripMs: 10001 } } }, exactly('mirrorMaker.wan.roundTripMs: must be an integer from 1 to 10000, got 10001')],
  ['a zero throughput', { ...valid, mirrorMaker: { wan: { throughputMBps: 0 } } }, exactly('mirrorMaker.wan.throughputMBps: must be a number >= 0.01, got 0')],
  ['a throughput beyond 1000 MB/s', { ...valid, mirrorMaker: { wan: { throughputMBps: 5000 } } }, exactly('mirrorMaker.wan.throughputMBps: must be a number from 0.01 to 1000, got 5000')],
  ['a link whose fetch size would exceed 1 GiB', { ...valid, mirrorMaker: { wan: { roundTripMs: 2000, throughputMBps: 500 } } }, exactly('mirrorMaker.wan: a round trip of 2000 ms at 500 MB/s puts 1000 MB in flight; the mirrors\' fetch size (twice that) would exceed 1024 MiB; allowed: roundTripMs x throughputMBps up to 536870')],
  ['a copy compression Kafka does not have', { ...valid, mirrorMaker: { copyCompression: 'brotli' } }, exactly('mirrorMaker.copyCompression: must be one of "none", "gzip", "snappy", "lz4", "zstd", got "brotli"')],
  ['a copy compression in upper case', { ...valid, mirrorMaker: { copyCompression: 'ZSTD' } }, exactly('mirrorMaker.copyCompression: must be one of "none", "gzip", "snappy", "lz4", "zstd", got "ZSTD"')],
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
    const yaml = loadMeshFile(file('m.yaml', 'name: m\nregions:\n  - name: a\n  - name: b\ntopics:\n  - name: T\n    partitions: 2\n'));
    const json = loadMeshFile(file('m.json', JSON.stringify({ name: 'm', regions: [{ name: 'a' }, { name: 'b' }], topics: [{ name: 'T', partitions: 2 }] })));
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
