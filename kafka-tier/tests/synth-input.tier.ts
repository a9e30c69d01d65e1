/**
 * The tier's reading of a synthesized stack (src/synth.ts), no Kafka needed: a cross-cluster mirror's source address
 * read from the source Kafka's status through a data.kubernetes_resource, as constructs/external-address.ts writes it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadMesh, parseStatusRef } from '../src/synth';

const expr = (id: string, extra = ' && try(listener.bootstrapServers, "") != ""') =>
  `\${one([for listener in try(data.kubernetes_resource.${id}.object.status.listeners, []) : listener.bootstrapServers if listener.name == "external"${extra}])}`;

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function stack(bootstrap: string, data: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-tier-synth-'));
  dirs.push(dir);
  const file = path.join(dir, 'cdk.tf.json');
  const manifest = (m: Record<string, unknown>) => ({ manifest: m });
  fs.writeFileSync(file, JSON.stringify({
    data: { kubernetes_resource: data },
    resource: { kubernetes_manifest: {
      kafka: manifest({ apiVersion: 'kafka.strimzi.io/v1', kind: 'Kafka', metadata: { name: 'eu', namespace: 'eu' }, spec: { kafka: { listeners: [] } } }),
      mm2: manifest({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaMirrorMaker2', metadata: { name: 'mm', namespace: 'eu' },
        spec: { target: { alias: 'eu' }, mirrors: [{ source: { alias: 'na', bootstrapServers: bootstrap } }] } }),
    } },
  }));
  return file;
}

const kafkaData = { api_version: 'kafka.strimzi.io/v1', kind: 'Kafka', metadata: { name: 'north-america', namespace: 'na' }, provider: 'kubernetes.ctx_b' };
const source = (file: string) => loadMesh([file], 'test').regions[0].mirrorMakers[0].spec.mirrors[0].source.bootstrapServers as string;

test('a Kafka status read becomes a reference to that Kafka\'s listener, filled in by the run', () => {
  expect(parseStatusRef(source(stack(expr('na_kafka_1'), { na_kafka_1: kafkaData })))).toEqual({ namespace: 'na', name: 'north-america', listener: 'external' });
  // the contract's shorter form (no try, no address condition) reads the same
  const short = `\${one([for listener in data.kubernetes_resource.na_kafka_1.object.status.listeners : listener.bootstrapServers if listener.name == "external"])}`;
  expect(parseStatusRef(source(stack(short, { na_kafka_1: kafkaData })))).toEqual({ namespace: 'na', name: 'north-america', listener: 'external' });
});

test('a status read of something else than a Kafka is refused; other expressions stay unresolved', () => {
  expect(() => source(stack(expr('x'), { x: { ...kafkaData, kind: 'KafkaConnect' } }))).toThrow(/is not a kafka.strimzi.io\/v1 Kafka/);
  // another field of the status is no listener address: left as written (and refused later as an address)
  const other = '${one([for listener in try(data.kubernetes_resource.na_kafka_1.object.status.listeners, []) : listener.type if listener.name == "external"])}';
  expect(source(stack(other, { na_kafka_1: kafkaData }))).toBe(other);
});
