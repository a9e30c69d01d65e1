/**
 * The tables of Kafka's topic configs (mesh/kafka/, generated from Kafka's jars by scripts/kafka-topic-configs/) and
 * the value check built on them. That a table still matches its jars is the Kafka tier's test
 * (kafka-tier/tests/topic-configs.tier.ts); here: the tables are as the generator writes them, cover every Kafka
 * version a mesh may name, and agree with the checker (Kafka's own defaults pass it).
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { kafkaVersionsOf, strimziVersionsWithLists } from '../mesh/strimzi/kafka-versions';
import {
  KafkaConfigType,
  kafkaVersionsWithTopicConfigTables,
  OTHER_VALIDATORS,
  TOPIC_CONFIG_TABLES_DIR,
  TopicConfigDefinition,
  topicConfigTable,
  topicConfigValueProblem,
} from '../mesh/topic-configs';
import { MeshConfigError, resolveMesh } from '../mesh/validate';

const versions = kafkaVersionsWithTopicConfigTables();
const tables = versions.map((v) => [v, topicConfigTable(v)!] as const);

describe('the tables', () => {
  test('exist for every Kafka version the Strimzi lists support, so every kafka.version a mesh may name is checked', () => {
    const supported = new Set(strimziVersionsWithLists().flatMap((s) => kafkaVersionsOf(s)!.supported));
    expect([...supported].filter((v) => !versions.includes(v))).toEqual([]);
  });

  test.each(readdirSync(TOPIC_CONFIG_TABLES_DIR).filter((f) => f.endsWith('.json')))('%s is as the generator writes it', (file) => {
    const text = readFileSync(join(TOPIC_CONFIG_TABLES_DIR, file), 'utf8');
    const table = JSON.parse(text);
    // JSON.stringify's layout, names sorted: a hand edit shows, and the tier's --check compares byte for byte
    expect(text).toBe(`${JSON.stringify(table, null, 2)}\n`);
    expect(file).toBe(`topic-configs-${table.kafkaVersion}.json`);
    expect(Object.keys(table)).toEqual(['kafkaVersion', 'generator', 'configs']);
    expect(table.generator).toContain(`org.apache.kafka:kafka-storage:${table.kafkaVersion}`);
    expect(Object.keys(table.configs)).toEqual(Object.keys(table.configs).sort());
  });

  test.each(tables)('Kafka %s: every type and validator kind is one the checker knows', (_v, table) => {
    const types: KafkaConfigType[] = ['BOOLEAN', 'STRING', 'INT', 'SHORT', 'LONG', 'DOUBLE', 'LIST', 'CLASS', 'PASSWORD'];
    for (const [name, d] of Object.entries(table.configs)) {
      expect([name, types.includes(d.type)]).toEqual([name, true]);
      expect([name, ['none', 'range', 'validStrings', 'validList', 'other'].includes(d.validator.kind)]).toEqual([name, true]);
      // a validator Kafka keeps as code must have its rule in OTHER_VALIDATORS, or its values would go unchecked
      if (d.validator.kind === 'other') expect([name, d.validator.class in OTHER_VALIDATORS]).toEqual([name, true]);
    }
  });

  test.each(tables)("Kafka %s: Kafka's own defaults pass the check", (_v, table) => {
    for (const [name, d] of Object.entries(table.configs)) {
      if (d.default !== null) expect([name, topicConfigValueProblem(d, d.default, JSON.stringify(d.default))]).toEqual([name, undefined]);
    }
  });

  test('Kafka 4.3.1 has the topic configs the README names, with their validators', () => {
    const configs = topicConfigTable('4.3.1')!.configs;
    expect(configs['retention.ms']).toEqual({ type: 'LONG', default: '604800000', validator: { kind: 'range', min: -1 } });
    expect(configs['cleanup.policy'].validator).toEqual({ kind: 'validList', values: ['compact', 'delete'], emptyAllowed: true });
    expect(configs['message.timestamp.type'].validator).toEqual({ kind: 'validStrings', values: ['CreateTime', 'LogAppendTime'] });
  });
});

describe('a value is checked as Kafka parses and validates it', () => {
  const def = (type: KafkaConfigType, validator: TopicConfigDefinition['validator'] = { kind: 'none' }): TopicConfigDefinition => ({ type, default: null, validator });
  const check = (d: TopicConfigDefinition, value: string) => topicConfigValueProblem(d, value, JSON.stringify(value));

  test.each<[string, TopicConfigDefinition, string, string | undefined]>([
    ['a long with a sign and spaces (Kafka trims)', def('LONG'), ' +42 ', undefined],
    ['a long in exponent form', def('LONG'), '1e3', 'must be an integer (Kafka type LONG), got "1e3"'],
    ['a short at its bound', def('SHORT'), '32767', undefined],
    ['a short beyond it', def('SHORT'), '32768', 'must be an integer from -32768 to 32767 (Kafka type SHORT), got "32768"'],
    ['an int above a range with only a maximum', def('INT', { kind: 'range', max: 22 }), '23', 'must be <= 22, got "23"'],
    ['a double in exponent form', def('DOUBLE', { kind: 'range', min: 0, max: 1 }), '5e-1', undefined],
    ['NaN, which Kafka would take', def('DOUBLE'), 'NaN', 'must be a number (Kafka type DOUBLE), got "NaN"'],
    ['a boolean in upper case', def('BOOLEAN'), 'TRUE', undefined],
    ['a string without a validator', def('STRING'), 'anything at all', undefined],
    ['a case-insensitive valid string', def('STRING', { kind: 'validStrings', values: ['GZIP', 'ZSTD'], caseInsensitive: true }), 'zstd', undefined],
    ['a case-insensitive invalid string', def('STRING', { kind: 'validStrings', values: ['GZIP', 'ZSTD'], caseInsensitive: true }), 'zip', 'must be one of "GZIP", "ZSTD" (in any case), got "zip"'],
    ['an empty list where it is not allowed', def('LIST', { kind: 'validList', values: [], emptyAllowed: false }), ' ', 'must be a comma-separated list, not empty, got " "'],
    ['any items where the list names none', def('LIST', { kind: 'validList', values: [], emptyAllowed: false }), 'a,b', undefined],
    ['a class name', def('CLASS'), 'org.example.Policy$Inner', undefined],
    ['not a class name', def('CLASS'), 'org.example.', 'must be a Java class name (Kafka type CLASS), got "org.example."'],
    ['a password', def('PASSWORD'), 's3cr3t, really', undefined],
  ])('%s', (_what, d, value, expected) => expect(check(d, value)).toBe(expected));
});

describe('which table applies', () => {
  const mesh = (kafka?: Record<string, unknown>) => ({
    name: 'test',
    regions: [{ name: 'a' }, { name: 'b' }],
    topics: [{ name: 'T', replicas: 1, config: { 'retention.ms': '1' } }],
    ...(kafka ? { kafka } : {}),
  });

  test('a supported kafka.version without a table is a gap in the tables, named with how to fill it', () => {
    jest.isolateModules(() => {
      jest.doMock('../mesh/topic-configs', () => {
        const actual = jest.requireActual('../mesh/topic-configs');
        return { ...actual, topicConfigTable: (v: string) => (v === '4.2.0' ? undefined : actual.topicConfigTable(v)), kafkaVersionsWithTopicConfigTables: () => ['4.2.1', '4.3.0', '4.3.1'] };
      });
      const isolated: typeof import('../mesh/validate') = require('../mesh/validate');
      expect(() => isolated.resolveMesh(mesh({ version: '4.2.0' }))).toThrow(
        `kafka.version: "4.2.0": the project has no table of Kafka 4.2.0's topic configs to check topic configs against, only of Kafka 4.2.1, 4.3.0, 4.3.1; add it with scripts/kafka-topic-configs/generate.sh 4.2.0`,
      );
      expect(() => isolated.resolveMesh(mesh({ version: '4.3.1' }))).not.toThrow();
    });
  });

  test('a kafka.version Strimzi does not support gets that problem only, not one per topic config', () => {
    let problems: readonly string[] = [];
    try {
      resolveMesh({ ...mesh({ version: '3.9.0' }), topics: [{ name: 'T', replicas: 1, config: { 'retention.msec': '1' } }] });
    } catch (e) {
      if (e instanceof MeshConfigError) problems = e.problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^kafka\.version: "3\.9\.0" is not a Kafka version Strimzi 1\.2\.0 supports/)]);
  });
});
