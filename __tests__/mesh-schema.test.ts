/**
 * mesh-file.schema.json (what editors check a mesh file against) and mesh/validate.ts (what the app checks it
 * against) stay in step: the same keys at every level, the defaults of DEFAULTS, Strimzi's Kafka versions, the
 * example meshes valid, structural mistakes refused by both, and the schema never refusing what the validator accepts.
 *
 * The keys the validator accepts are not copied here: they are read from the validator itself, by putting an unknown
 * key at every level of a mesh and reading the allowed keys from its "unknown key" message. The topic config maps
 * (topics[].config, regions[].topicConfig.<topic>) are closed too, with the validator's own message: their names are
 * Kafka's, from the table of the default Kafka version, as scripts/mesh-schema/topic-configs.ts writes them.
 */
import Ajv, { ErrorObject } from 'ajv';
import { readdirSync, readFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import { parse } from 'yaml';
import { DEMO_MESH_FILE } from '../mesh/demo';
import { kafkaVersionList } from '../scripts/strimzi-kafka-versions/generate';
import { MIRROR_MAKER } from '../mesh/names';
import { defaultKafkaVersion, kafkaVersionInUse, kafkaVersionsOf, strimziVersionsWithLists } from '../mesh/strimzi/kafka-versions';
import { TopicConfigDefinition, topicConfigTable } from '../mesh/topic-configs';
import { DEFAULTS, resolveMesh } from '../mesh/validate';
import { currentTopicConfigBlock, schemaKafkaVersion, supportedKafkaVersions, valueSchema, withTopicConfigBlock } from '../scripts/mesh-schema/topic-configs';
import { meshProblems } from './support/mesh-problems';

const ROOT = join(__dirname, '..');
const SCHEMA_FILE = join(ROOT, 'mesh-file.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateSchema = ajv.compile(schema);

type Json = any;
/** A path in a mesh file: keys, `[]` for "an item of this list", and `*` for "any key of this mapping". */
type Path = readonly string[];

const problems = meshProblems;

function schemaErrors(input: unknown): ErrorObject[] {
  return validateSchema(input) ? [] : [...(validateSchema.errors ?? [])];
}

const show = (path: Path) => path.reduce((text, seg, i) => (seg === '[]' ? `${text}[0]` : i === 0 ? seg : `${text}.${seg}`), '') || '(top level)';

/** `value` set at `path` in a copy of `base`; a `[]` step sets the list's first item, a `*` step the key T (MINIMAL's topic). */
function setAt(base: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const [step, ...rest] = path;
  const head = step === '*' ? 'T' : step;
  if (head === '[]') {
    const items = Array.isArray(base) ? [...base] : [];
    items[0] = setAt(items[0], rest, value);
    return items;
  }
  const obj = base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...base } : {};
  obj[head] = setAt(obj[head], rest, value);
  return obj;
}

function getAt(value: Json, path: Path): Json {
  return path.reduce((v, seg) => (v === undefined || v === null ? undefined : seg === '[]' ? v[0] : v[seg]), value);
}

/** A schema node with its `$ref`s (also those inside a lone-`$ref` `allOf`) merged in, for walking. */
function deref(node: Json): Json {
  if (node === undefined || typeof node !== 'object') return node;
  let out = { ...node };
  if (out.$ref) {
    const target = out.$ref.replace(/^#\//, '').split('/').reduce((s: Json, k: string) => s[k], schema);
    delete out.$ref;
    out = { ...deref(target), ...out };
  }
  if (Array.isArray(out.allOf)) {
    for (const part of out.allOf) if (part.$ref) out = { ...deref(part), ...out };
  }
  return out;
}

function schemaAt(path: Path): Json {
  return path.reduce((node: Json, seg) => {
    const n = deref(node);
    return n === undefined ? undefined : seg === '[]' ? n.items : seg === '*' ? n.additionalProperties : n.properties?.[seg];
  }, schema);
}

/** The smallest valid mesh: two regions and one topic, everything else left to the defaults. */
const MINIMAL = { name: 'minimal', regions: [{ name: 'a' }, { name: 'b' }], topics: [{ name: 'T' }] };
const PROBE = '__probe__';

/** The keys the validator allows in the mapping at `path`, read from its "unknown key" message; undefined if it is no closed mapping. */
function allowedKeys(path: Path): string[] | undefined {
  const at = show([...path, PROBE]).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${at}: unknown key(?: \\(did you mean "[^"]*"\\?\\))?; allowed: (".*")$`);
  for (const found of problems(setAt(MINIMAL, path, path.length === 0 ? { ...MINIMAL, [PROBE]: 1 } : { [PROBE]: 1 }))) {
    const match = pattern.exec(found);
    if (match) return JSON.parse(`[${match[1]}]`);
  }
  return undefined;
}

interface Level {
  readonly path: Path;
  readonly keys: readonly string[];
}

/** Every closed mapping the validator reads (its path and allowed keys), found from the top level down. */
function validatorLevels(): Level[] {
  const levels: Level[] = [];
  const visit = (path: Path) => {
    const keys = allowedKeys(path);
    if (!keys) return;
    levels.push({ path, keys });
    for (const key of keys) {
      visit([...path, key]);
      if (allowedKeys([...path, key, '[]'])) visit([...path, key, '[]']);
    }
  };
  visit([]);
  return levels;
}

const LEVELS = validatorLevels();
const KEY_PATHS: Path[] = LEVELS.flatMap((l) => l.keys.map((k) => [...l.path, k]));
const isLevel = (path: Path) => LEVELS.some((l) => show(l.path) === show(path));

/** The Kafka version whose topic configs the schema lists, and its table: what the validator checks a mesh without kafka.version against. */
const KAFKA_VERSION = schemaKafkaVersion();
const TOPIC_CONFIGS = topicConfigTable(KAFKA_VERSION)!.configs;

/** Does the validator refuse an unknown name in the mapping at `path` as an unknown topic config (of the default Kafka version)? */
function closesTopicConfigs(path: Path): boolean {
  const probe = 'probe.config'; // a legal config name, so that it is refused as unknown, not as malformed
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const at = show([...path.map((seg) => (seg === '*' ? 'T' : seg)), probe]);
  const pattern = new RegExp(`^${escape(at)}: unknown Kafka ${escape(KAFKA_VERSION)} topic config `);
  return problems(setAt(MINIMAL, [...path, probe], '1')).some((found) => pattern.test(found));
}

/** Every topic config map the validator reads: a key, or any key of a mapping (`*`), where it refuses an unknown topic config. */
const TOPIC_CONFIG_MAPS: Path[] = KEY_PATHS.flatMap((p) => [p, [...p, '*']]).filter(closesTopicConfigs);

describe('the validator is probed as expected', () => {
  test('it finds the closed mappings of a mesh file', () => {
    // A floor, not the list: the test below compares every level found with the schema.
    expect(LEVELS.map((l) => show(l.path))).toEqual(expect.arrayContaining(['(top level)', 'regions[0]', 'topics[0]', 'kafka', 'kafka.storage', 'kafka.resources.requests', 'operator']));
  });

  test('it finds the topic config maps', () => {
    expect(TOPIC_CONFIG_MAPS.map(show).sort()).toEqual(['regions[0].topicConfig.*', 'topics[0].config']);
  });
});

describe('mesh-file.schema.json', () => {
  test('is a draft-07 schema that Ajv compiles in strict mode', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(typeof validateSchema).toBe('function');
  });

  test.each(LEVELS.map((l) => [show(l.path), l] as const))('%s: the schema has exactly the keys the validator accepts, and refuses others', (_at, level) => {
    const node = deref(schemaAt(level.path));
    expect(node).toBeDefined();
    expect(Object.keys(node.properties ?? {}).sort()).toEqual([...level.keys].sort());
    expect(node.additionalProperties).toBe(false);
  });

  test('every mapping the schema closes is one the validator closes', () => {
    const closed: string[] = [];
    const walk = (node: Json, path: Path) => {
      const n = deref(node);
      if (!n || typeof n !== 'object') return;
      if (n.additionalProperties === false) closed.push(show(path));
      for (const [key, child] of Object.entries(n.properties ?? {})) walk(child, [...path, key]);
      if (n.items) walk(n.items, [...path, '[]']);
      if (n.additionalProperties && typeof n.additionalProperties === 'object') walk(n.additionalProperties, [...path, '*']);
    };
    walk(schema, []);
    // the validator's closed mappings (their keys: the test above), and its topic config maps (their names: below)
    expect(closed.sort()).toEqual([...LEVELS.map((l) => show(l.path)), ...TOPIC_CONFIG_MAPS.map(show)].sort());
  });

  test.each(KEY_PATHS.map((p) => [show(p), p] as const))('%s has a description, and a default or says how it is derived', (_at, path) => {
    const node = schemaAt(path);
    expect(typeof node.description).toBe('string');
    if (isLevel(path) || isLevel([...path, '[]'])) return; // a mapping or list of mappings: its keys carry the defaults
    const parent = deref(schemaAt(path.slice(0, -1)));
    const required = (parent.required ?? []).includes(path[path.length - 1]);
    const ancestorDefault = path.slice(0, -1).some((_, i) => schemaAt(path.slice(0, i + 1)).default !== undefined);
    const explained = /Default: /.test(node.description);
    expect({ path: show(path), hasDefault: node.default !== undefined || required || ancestorDefault || explained }).toEqual({ path: show(path), hasDefault: true });
  });

  // DEFAULTS keys that are not a mesh file key of the same path, and where the schema states them instead.
  const ELSEWHERE: Record<string, { at: Path; in: 'default' | 'description'; text?: (v: Json) => string }> = {
    'topic.partitions': { at: ['topics', '[]', 'partitions'], in: 'default' },
    'topic.maxDefaultReplicas': { at: ['topics', '[]', 'replicas'], in: 'description', text: (v) => `min(${v}, kafka.brokers)` },
    'kafka.persistentSize': { at: ['kafka', 'storage', 'size'], in: 'description', text: (v) => `${v} for persistent` },
    'apps.preferredTopic': { at: ['apps', 'topic'], in: 'description', text: (v) => `Default: ${v} if it is a canonical topic` },
  };

  test('every default of DEFAULTS is in the schema', () => {
    const checked: string[] = [];
    const walk = (value: Json, path: string[]) => {
      const key = path.join('.');
      const elsewhere = ELSEWHERE[key];
      if (elsewhere) {
        const node = schemaAt(elsewhere.at);
        if (elsewhere.in === 'default') expect({ key, default: node.default }).toEqual({ key, default: value });
        else expect({ key, description: node.description }).toEqual({ key, description: expect.stringContaining(elsewhere.text!(value)) });
        checked.push(key);
        return;
      }
      const node = path.length === 0 ? undefined : schemaAt(path);
      if (node?.default !== undefined) {
        expect({ key, default: node.default }).toEqual({ key, default: value });
        checked.push(key);
      } else if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      } else {
        throw new Error(`DEFAULTS.${key} (${JSON.stringify(value)}) is not a default in mesh-file.schema.json${node ? '' : ' (no such key there)'}`);
      }
    };
    walk(DEFAULTS, []);
    expect(checked).toEqual(expect.arrayContaining(Object.keys(ELSEWHERE)));
  });

  test("the schema's defaults are what the validator fills in", () => {
    const mesh: Json = resolveMesh(MINIMAL);
    const effective: Json = { ...mesh, kafka: { ...mesh.kafka, version: kafkaVersionInUse(mesh.kafka, mesh.operator) } };
    const found: string[] = [];
    const walk = (node: Json, path: Path) => {
      const n = deref(node);
      if (!n || typeof n !== 'object') return;
      if (node.default !== undefined) {
        found.push(show(path));
        expect({ path: show(path), value: getAt(effective, path) }).toEqual({ path: show(path), value: node.default });
      }
      for (const [key, child] of Object.entries(n.properties ?? {})) walk(child, [...path, key]);
      if (n.items) walk(n.items, [...path, '[]']);
    };
    walk(schema, []);
    expect(found.length).toBeGreaterThan(20);
  });
});

describe("kafka.version in the schema is Strimzi's list", () => {
  test('its enum is every version the project knows a supported one, its default the operator default', () => {
    const node = schemaAt(['kafka', 'version']);
    const union = [...new Set(strimziVersionsWithLists().flatMap((v) => kafkaVersionsOf(v)!.supported))];
    expect(node.enum).toEqual(union);
    expect(node.default).toBe(defaultKafkaVersion(DEFAULTS.operator.version));
    expect(node.description).toContain(`Strimzi ${DEFAULTS.operator.version} supports ${kafkaVersionsOf(DEFAULTS.operator.version)!.supported.join(', ')}`);
  });

  test("the data is Strimzi 1.2.0's list, generated from kafka-versions.yaml at its tag", () => {
    const list = kafkaVersionsOf('1.2.0')!;
    expect(list.source).toMatchObject({ repository: 'https://github.com/strimzi/strimzi-kafka-operator', tag: '1.2.0', path: 'kafka-versions.yaml' });
    expect(list.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(list.$comment).toMatch(/^Generated by scripts\/strimzi-kafka-versions\/generate\.ts/);
    expect(list.supported).toContain(list.default);
  });

  test('the generator keeps the versions Strimzi marks supported, and its one default', () => {
    const yaml = ['- { version: 3.9.0, supported: false, default: false }', '- { version: 4.0.0, supported: true, default: false }', '- { version: 4.1.0, supported: true, default: true }'].join('\n');
    expect(kafkaVersionList('9.9.9', 'c'.repeat(40), yaml)).toMatchObject({ strimziVersion: '9.9.9', supported: ['4.0.0', '4.1.0'], default: '4.1.0', source: { tag: '9.9.9', commit: 'c'.repeat(40) } });
    expect(() => kafkaVersionList('9.9.9', 'c', yaml.replace('default: false }', 'default: true }'))).toThrow(/marks 2 versions default/);
    expect(() => kafkaVersionList('9.9.9', 'c', yaml.replace('4.1.0, supported: true', '4.1.0, supported: false'))).toThrow(/default 4\.1\.0 is not marked supported/);
  });

  test("the default demo image is the default operator's image of its default Kafka version", () => {
    expect(DEFAULTS.apps.image).toBe(`quay.io/strimzi/kafka:${DEFAULTS.operator.version}-kafka-${defaultKafkaVersion(DEFAULTS.operator.version)}`);
  });

  test("the topic names the schema refuses as MirrorMaker 2's are the storage topics' names", () => {
    const not = schemaAt(['topics', '[]', 'name']).not.anyOf;
    expect(not).toEqual(expect.arrayContaining([{ enum: [...new Set(Object.values(MIRROR_MAKER))] }]));
  });
});

describe("topic configs in the schema are Kafka's, from the table of the default Kafka version", () => {
  const NAMES = Object.keys(TOPIC_CONFIGS).sort();

  test.each(TOPIC_CONFIG_MAPS.map((p) => [show(p), p] as const))(`%s: the schema lists exactly the topic configs of Kafka ${KAFKA_VERSION}, and refuses others`, (_at, path) => {
    const node = deref(schemaAt(path));
    expect(Object.keys(node.properties ?? {}).sort()).toEqual(NAMES);
    expect(node.additionalProperties).toBe(false);
  });

  test('both topic config maps refer to the one definition', () => {
    expect(schema.properties.topics.items.properties.config.allOf).toEqual([{ $ref: '#/definitions/topicConfig' }]);
    expect(schema.properties.regions.items.properties.topicConfig.additionalProperties).toEqual({ $ref: '#/definitions/topicConfig' });
  });

  test('the block is as scripts/mesh-schema/topic-configs.ts writes it (else: npx tsx scripts/mesh-schema/topic-configs.ts)', () => {
    expect(schema.definitions.topicConfig).toEqual(currentTopicConfigBlock());
    const text = readFileSync(SCHEMA_FILE, 'utf8');
    expect(withTopicConfigBlock(text, currentTopicConfigBlock()) === text).toBe(true);
  });

  test('every Kafka version a mesh may name has the same topic config names (else one list in the schema no longer fits them all)', () => {
    const differing = supportedKafkaVersions()
      .map((version) => ({ version, names: Object.keys(topicConfigTable(version)?.configs ?? {}).sort() }))
      .filter(({ names }) => names.join() !== NAMES.join())
      .map(({ version, names }) => `Kafka ${version} lacks ${NAMES.filter((n) => !names.includes(n)).join(', ') || 'none'} and has besides ${names.filter((n) => !NAMES.includes(n)).join(', ') || 'none'}`);
    const why = `mesh-file.schema.json lists Kafka ${KAFKA_VERSION}'s topic configs (additionalProperties: false) for every kafka.version; the schema now needs per-version handling (an if/then on kafka.version) or a note that it lists Kafka ${KAFKA_VERSION}'s`;
    expect(differing.length === 0 ? 'the same' : `${differing.join('; ')}. ${why}`).toBe('the same');
  });

  test("every Kafka version a mesh may name allows each topic config's values as the default one does (else the schema would refuse values of another version)", () => {
    const differing = supportedKafkaVersions().flatMap((version) =>
      NAMES.filter((name) => {
        const definition = topicConfigTable(version)?.configs[name];
        return definition !== undefined && JSON.stringify(valueSchema(definition)) !== JSON.stringify(valueSchema(TOPIC_CONFIGS[name]));
      }).map((name) => `Kafka ${version}: ${name}`),
    );
    const why = `the schema checks values as Kafka ${KAFKA_VERSION} does for every kafka.version; it now needs per-version handling, or the looser of the two`;
    expect(differing.length === 0 ? 'the same' : `${differing.join(', ')}. ${why}`).toBe('the same');
  });

  test.each(NAMES.map((n) => [n]))('%s: a description with its Kafka type, default and what is allowed', (name) => {
    const definition = TOPIC_CONFIGS[name];
    const node = schema.definitions.topicConfig.properties[name];
    expect(node.description).toMatch(new RegExp(`^Kafka type ${definition.type}, (default .+|no default); allowed: .+\\.$`));
    if (definition.default !== null) expect(node.description).toContain(definition.default);
    expect(node.default).toBeUndefined(); // Kafka's default, not one the validator fills in
  });

  test('single-valued configs with valid values are completed with them, lists of valid values with each and all', () => {
    const enums = (name: string) => (schema.definitions.topicConfig.properties[name].anyOf ?? []).flatMap((branch: Json) => branch.enum ?? []);
    const withValues = NAMES.filter((n) => ['validStrings', 'validList'].includes(TOPIC_CONFIGS[n].validator.kind));
    expect(withValues).toEqual(expect.arrayContaining(['cleanup.policy', 'compression.type', 'message.timestamp.type']));
    for (const name of withValues) {
      const validator = TOPIC_CONFIGS[name].validator as Extract<TopicConfigDefinition['validator'], { values: readonly string[] }>;
      expect([name, enums(name)]).toEqual([name, expect.arrayContaining([...validator.values])]);
    }
    expect(enums('cleanup.policy')).toContain('compact,delete');
  });

  // Values of every JSON type and the spellings Kafka parses (spaces it trims, cases, signs, exponents, list
  // separators), then each config's own: its default, valid values and bounds, as strings and as numbers.
  const SAMPLES: Json[] = [
    ...[null, true, false, [], ['x'], {}, 0, -0, 1, -1, -2, 2, 0.5, 1.5, 1e3, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER, Infinity, NaN],
    ...['', ' ', '\t', '\u00a0', 'x', 'true', 'TRUE', ' False ', 'yes', '0', '1', '-1', '+1', ' 42 ', '\t7\n', '1e3', '1.5', '.5', '5.', '-.5e-3', 'NaN', 'Infinity', '9223372036854775807', '9223372036854775808'],
    ...['*', ' * ', '*,', ',*', ', ,*', '*,1:2', '1:2', '1:2,3:4', ' 1:2 , 3:4 ', '1:2,,3:4', ',', '1:2 3:4', '1:2\u00a0', '\u00a0,1:2', 'a:b'],
  ];
  function samplesOf(definition: TopicConfigDefinition): Json[] {
    const texts: string[] = definition.default === null ? [] : [definition.default];
    const validator = definition.validator;
    if (validator.kind === 'range') {
      for (const n of [validator.min, validator.max, ...(validator.alsoAllowed ?? [])]) if (n !== undefined) texts.push(String(n - 1), String(n), String(n + 1));
    }
    if (validator.kind === 'validStrings' || validator.kind === 'validList') {
      const [first] = validator.values;
      texts.push(...validator.values.flatMap((v) => [v, v.toUpperCase(), v.toLowerCase(), `${v}x`]));
      texts.push(validator.values.join(','), validator.values.join(' , '), [...validator.values].reverse().join(','), `${first},${first}`, `${first},`, `,${first}`, `${first} ${first}`);
    }
    const numbers = texts.map(Number).filter((n) => Number.isFinite(n));
    return [...SAMPLES, ...numbers, ...texts.flatMap((t) => [t, ` ${t}`, `${t}\t`, `\n${t} `, `\u00a0${t}`, `${t}\u00a0`])];
  }
  const PLACES: Array<[string, (name: string, value: Json) => Json]> = [
    ['topics[0].config', (name, value) => ({ ...MINIMAL, topics: [{ name: 'T', config: { [name]: value } }] })],
    ['regions[0].topicConfig.T', (name, value) => ({ ...MINIMAL, regions: [{ name: 'a', topicConfig: { T: { [name]: value } } }, { name: 'b' }] })],
  ];

  test.each(NAMES.map((n) => [n]))('%s: the schema never refuses a value the validator accepts', (name) => {
    let accepted = 0;
    const stricter: Json[] = [];
    for (const [at, place] of PLACES) {
      for (const value of samplesOf(TOPIC_CONFIGS[name])) {
        const mesh = place(name, value);
        if (problems(mesh).length > 0) continue;
        accepted++;
        if (schemaErrors(mesh).length > 0) stricter.push({ at, value, errors: schemaErrors(mesh).map((e) => `${e.instancePath} ${e.message}`) });
      }
    }
    expect(stricter).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
  });
});

/** Every mesh file in the repository that describes a valid mesh, with its text. */
const MESH_FILES = [join(ROOT, 'examples'), join(ROOT, '__tests__', 'fixtures', 'meshes')].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => [relative(ROOT, join(dir, f)), join(dir, f)] as const),
);

/** A mesh that sets every key the validator accepts (checked below), each to a value other than its default. */
const FULL = {
  name: 'full',
  regions: [
    {
      name: 'north-america',
      namespace: 'kafka-na',
      alias: 'northamerica',
      context: 'kind-one',
      external: { type: 'ingress', bootstrapHost: 'kafka.na.example.com', brokerHostTemplate: 'broker-{nodeId}.kafka.na.example.com', class: 'nginx', bootstrapServers: 'kafka.na.example.com:443' },
      code: 'NAM',
      warehouses: ['Atlanta'],
      topicConfig: { 'LH.ORDERS': { 'retention.ms': '3600000' } },
    },
    { name: 'south-america', context: 'kind-two', external: { type: 'loadbalancer', sourceRanges: ['203.0.113.0/24'] } },
    { name: 'europe', alias: null, code: null, warehouses: null, external: { type: 'nodeport', bootstrapHost: 'kafka.eu.example.com', brokerHostTemplate: 'b{nodeId}.kafka.eu.example.com', bootstrapNodePort: 31094 } },
  ],
  topics: [{ name: 'LH.ORDERS', partitions: 3, replicas: 2, config: { 'min.insync.replicas': 2, 'cleanup.policy': 'delete', preallocate: true } }],
  kafka: {
    brokers: 2,
    controllers: 3,
    storage: { type: 'persistent', size: '100Gi', storageClass: 'standard' },
    resources: { requests: { cpu: 1, memory: '2Gi' }, limits: { cpu: '1500m', memory: '2Gi' } },
    version: '4.2.1',
    reauthenticationSeconds: 900,
  },
  mirrorMaker: {
    replicas: 2,
    tasksMax: 4,
    refreshTopicsIntervalSeconds: 60,
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: 2, memory: '512Mi' } },
    wan: { roundTripMs: 120, throughputMBps: 7.5 },
    copyCompression: 'lz4',
  },
  apps: { enabled: false, topic: 'LH.ORDERS', intervalSeconds: 0.5, image: 'example.org/kafka:latest' },
  metrics: { enabled: true, podMonitors: true },
  ui: { enabled: false, repository: 'https://charts.example.org', chartVersion: '1.0.0' },
  operator: { version: '1.2.0', repository: 'oci://mirror.example.org/strimzi', namespace: 'kafka-operator', deleteCrdsOnDestroy: false },
  deploy: { readyTimeoutSeconds: 600, allowDataLoss: { regions: ['asia-pacific'], topics: ['LH.RETIRED'], nodePools: true } },
  kubeconfig: 'clusters/kubeconfig',
};

describe('valid meshes validate against the schema', () => {
  test('there are example meshes and fixtures', () => expect(MESH_FILES.length).toBeGreaterThanOrEqual(3));

  test.each(MESH_FILES)('%s names the schema on its first line, and both the schema and the validator accept it', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const first = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
    expect(first).not.toBeNull();
    expect(resolve(dirname(file), first![1])).toBe(SCHEMA_FILE);
    const mesh = parse(text);
    expect(problems(mesh)).toEqual([]);
    expect(schemaErrors(mesh)).toEqual([]);
  });

  test('the demo mesh', () => expect(schemaErrors(DEMO_MESH_FILE)).toEqual([]));
  test('the smallest mesh', () => expect(schemaErrors(MINIMAL)).toEqual([]));
  test('a mesh that sets every key', () => {
    expect(problems(FULL)).toEqual([]);
    expect(schemaErrors(FULL)).toEqual([]);
  });
  test('that mesh does set every key the validator accepts', () => {
    // A region key counts as set if any region of FULL sets it (no one external listener type takes every key).
    const inAnyRegion = (path: Path) => (path[0] === 'regions' ? FULL.regions.map((_, i) => ['regions', String(i), ...path.slice(2)] as Path) : [path]);
    const setAt = (path: Path) => getAt(FULL, path.slice(0, -1)) !== undefined && path[path.length - 1] in getAt(FULL, path.slice(0, -1));
    const unset = KEY_PATHS.filter((path) => !inAnyRegion(path).some(setAt));
    expect(unset.map(show)).toEqual([]);
  });
  test.each(kafkaVersionsOf(DEFAULTS.operator.version)!.supported.map((v) => [v]))('kafka.version %s', (version) => {
    const mesh = { ...MINIMAL, kafka: { version } };
    expect(problems(mesh)).toEqual([]);
    expect(schemaErrors(mesh)).toEqual([]);
  });
});

describe('the schema never refuses what the validator accepts', () => {
  // Values of every JSON type, and strings and numbers at the edges of the patterns and minimums.
  const SAMPLES: Json[] = [null, '', 'x', 'a-b', 'A_b', '1Gi', '500m', '4.3.1', '2.8.0', 'persistent', 'ephemeral', 'LH.ORDERS', 0, 1, 2, 0.5, 1.5, -1, true, false, [], ['x'], [{}], {}, { 'retention.ms': 1 }];
  const paths: Path[] = [...LEVELS.map((l) => l.path).filter((p) => p.length > 0), ...KEY_PATHS];
  test.each(paths.map((p) => [show(p), p] as const))('%s', (_at, path) => {
    const stricter = SAMPLES.map((value) => setAt(MINIMAL, path, value))
      .filter((mesh) => problems(mesh).length === 0 && schemaErrors(mesh).length > 0)
      .map((mesh) => ({ value: getAt(mesh, path), errors: schemaErrors(mesh).map((e) => `${e.instancePath} ${e.message}`) }));
    expect(stricter).toEqual([]);
  });
});

// Each row: the mistake, the mesh, the validator's message, and where the schema reports it (instance path).
const MISTAKES: Array<[string, Json, RegExp, string]> = [
  ['an unknown top-level key', { ...MINIMAL, region: [] }, /^region: unknown key/, ''],
  ['an unknown region key', { ...MINIMAL, regions: [{ name: 'a', allias: 'x' }, { name: 'b' }] }, /^regions\[0\]\.allias: unknown key/, '/regions/0'],
  ['an unknown topic key', { ...MINIMAL, topics: [{ name: 'T', partition: 3 }] }, /^topics\[0\]\.partition: unknown key/, '/topics/0'],
  ['an unknown kafka key', { ...MINIMAL, kafka: { broker: 3 } }, /^kafka\.broker: unknown key/, '/kafka'],
  ['an unknown storage key', { ...MINIMAL, kafka: { storage: { type: 'persistent', class: 'fast' } } }, /^kafka\.storage\.class: unknown key/, '/kafka/storage'],
  ['an unknown resources key', { ...MINIMAL, kafka: { resources: { request: {} } } }, /^kafka\.resources\.request: unknown key/, '/kafka/resources'],
  ['an unknown quantity', { ...MINIMAL, mirrorMaker: { resources: { limits: { gpu: 1 } } } }, /^mirrorMaker\.resources\.limits\.gpu: unknown key/, '/mirrorMaker/resources/limits'],
  ['an unknown mirrorMaker key', { ...MINIMAL, mirrorMaker: { tasks: 2 } }, /^mirrorMaker\.tasks: unknown key/, '/mirrorMaker'],
  ['an unknown apps key', { ...MINIMAL, apps: { interval: 2 } }, /^apps\.interval: unknown key/, '/apps'],
  ['an unknown metrics key', { ...MINIMAL, metrics: { podMonitor: true } }, /^metrics\.podMonitor: unknown key/, '/metrics'],
  ['an unknown ui key', { ...MINIMAL, ui: { enable: false } }, /^ui\.enable: unknown key/, '/ui'],
  ['an unknown operator key', { ...MINIMAL, operator: { chartVersion: '1.2.0' } }, /^operator\.chartVersion: unknown key/, '/operator'],
  ['a top level that is a list', [MINIMAL], /^\(top level\): must be a mapping/, ''],
  ['regions not a list', { ...MINIMAL, regions: 'europe' }, /^regions: must be a list/, '/regions'],
  ['regions null', { ...MINIMAL, regions: null }, /^regions: must be a list/, '/regions'],
  ['one region', { ...MINIMAL, regions: [{ name: 'a' }] }, /^regions: needs at least two regions/, '/regions'],
  ['no topics', { regions: MINIMAL.regions }, /^topics: is required/, ''],
  ['a region that is a string', { ...MINIMAL, regions: ['a', { name: 'b' }] }, /^regions\[0\]: must be a mapping/, '/regions/0'],
  ['a region name that is a number', { ...MINIMAL, regions: [{ name: 7 }, { name: 'b' }] }, /^regions\[0\]\.name: must be a non-empty string, got 7/, '/regions/0/name'],
  ['an invalid region name', { ...MINIMAL, regions: [{ name: 'North_America' }, { name: 'b' }] }, /^regions\[0\]\.name: "North_America" is not a valid region name/, '/regions/0/name'],
  ['a region name starting with a digit', { ...MINIMAL, regions: [{ name: '1-frankfurt' }, { name: 'b' }] }, /^regions\[0\]\.name: "1-frankfurt" is not a valid region name/, '/regions/0/name'],
  ['a region name too long for its external bootstrap Service', { ...MINIMAL, regions: [{ name: 'a'.repeat(39) }, { name: 'b' }] }, /^regions\[0\]\.name: "a{39}" is 39 characters long; allowed: at most 38/, '/regions/0/name'],
  ['a reserved region name', { ...MINIMAL, regions: [{ name: 'kube-system' }, { name: 'b' }] }, /^regions\[0\]\.name: "kube-system" is reserved/, '/regions/0/name'],
  ['an alias with the copy separator', { ...MINIMAL, regions: [{ name: 'a', alias: 'a.b' }, { name: 'b' }] }, /^regions\[0\]\.alias: "a\.b" contains "\."/, '/regions/0/alias'],
  ['warehouses not a list', { ...MINIMAL, regions: [{ name: 'a', warehouses: 'Antwerp' }, { name: 'b' }] }, /^regions\[0\]\.warehouses: must be a list/, '/regions/0/warehouses'],
  ['topicConfig that is a list', { ...MINIMAL, regions: [{ name: 'a', topicConfig: ['T'] }, { name: 'b' }] }, /^regions\[0\]\.topicConfig: must be a mapping/, '/regions/0/topicConfig'],
  ['partitions as text', { ...MINIMAL, topics: [{ name: 'T', partitions: 'three' }] }, /^topics\[0\]\.partitions: must be an integer >= 1, got "three"/, '/topics/0/partitions'],
  ['fractional brokers', { ...MINIMAL, kafka: { brokers: 1.5 } }, /^kafka\.brokers: must be an integer >= 1, got 1\.5/, '/kafka/brokers'],
  ['zero brokers', { ...MINIMAL, kafka: { brokers: 0 } }, /^kafka\.brokers: must be an integer >= 1, got 0/, '/kafka/brokers'],
  ['negative controllers', { ...MINIMAL, kafka: { controllers: -1 } }, /^kafka\.controllers: must be an integer >= 0/, '/kafka/controllers'],
  ['an illegal topic name', { ...MINIMAL, topics: [{ name: 'LH ORDERS!' }] }, /^topics\[0\]\.name: "LH ORDERS!" has characters Kafka does not allow/, '/topics/0/name'],
  ['the topic name ".."', { ...MINIMAL, topics: [{ name: '..' }] }, /^topics\[0\]\.name: "\.\." is not a legal Kafka topic name/, '/topics/0/name'],
  ['an internal-looking topic name', { ...MINIMAL, topics: [{ name: 'orders.internal' }] }, /^topics\[0\]\.name: "orders\.internal" looks like an internal topic/, '/topics/0/name'],
  ['a MirrorMaker 2 storage topic name', { ...MINIMAL, topics: [{ name: 'mirrormaker2-configs' }] }, /^topics\[0\]\.name: "mirrormaker2-configs" is the name of a MirrorMaker 2 storage topic/, '/topics/0/name'],
  ['a config that is a list', { ...MINIMAL, topics: [{ name: 'T', config: ['retention.ms'] }] }, /^topics\[0\]\.config: must be a mapping/, '/topics/0/config'],
  ['a config value that is a list', { ...MINIMAL, topics: [{ name: 'T', config: { 'cleanup.policy': ['delete'] } }] }, /^topics\[0\]\.config\.cleanup\.policy: must be a scalar/, '/topics/0/config/cleanup.policy'],
  ['an unknown topic config', { ...MINIMAL, topics: [{ name: 'T', config: { 'retention.byte': '1000' } }] }, /^topics\[0\]\.config\.retention\.byte: unknown Kafka 4\.3\.1 topic config \(did you mean "retention\.bytes"\?\)/, '/topics/0/config'],
  ['an unknown topic config in a region', { ...MINIMAL, regions: [{ name: 'a', topicConfig: { T: { 'retention.byte': 1000 } } }, { name: 'b' }] }, /^regions\[0\]\.topicConfig\.T\.retention\.byte: unknown Kafka 4\.3\.1 topic config \(did you mean "retention\.bytes"\?\)/, '/regions/0/topicConfig/T'],
  ['a topic config name in upper case', { ...MINIMAL, topics: [{ name: 'T', config: { 'Retention.ms': '1' } }] }, /^topics\[0\]\.config\.Retention\.ms: is not a Kafka config name/, '/topics/0/config'],
  ['a cleanup.policy that is not a list of its values', { ...MINIMAL, topics: [{ name: 'T', config: { 'cleanup.policy': 'compact,archive' } }] }, /^topics\[0\]\.config\.cleanup\.policy: must be a comma-separated list of "compact", "delete" \(or empty\), got "compact,archive"/, '/topics/0/config/cleanup.policy'],
  ['a cleanup.policy in upper case', { ...MINIMAL, topics: [{ name: 'T', config: { 'cleanup.policy': 'DELETE' } }] }, /^topics\[0\]\.config\.cleanup\.policy: must be a comma-separated list/, '/topics/0/config/cleanup.policy'],
  ['a compression.type Kafka does not know', { ...MINIMAL, regions: [{ name: 'a', topicConfig: { T: { 'compression.type': 'zip' } } }, { name: 'b' }] }, /^regions\[0\]\.topicConfig\.T\.compression\.type: must be one of "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer", got "zip"/, '/regions/0/topicConfig/T/compression.type'],
  ['a message.timestamp.type in another case (Kafka matches it exactly)', { ...MINIMAL, topics: [{ name: 'T', config: { 'message.timestamp.type': 'createtime' } }] }, /^topics\[0\]\.config\.message\.timestamp\.type: must be one of "CreateTime", "LogAppendTime", got "createtime"/, '/topics/0/config/message.timestamp.type'],
  ['a retention.ms with a unit', { ...MINIMAL, topics: [{ name: 'T', config: { 'retention.ms': '7d' } }] }, /^topics\[0\]\.config\.retention\.ms: must be an integer >= -1 \(Kafka type LONG\), got "7d"/, '/topics/0/config/retention.ms'],
  ['a retention.ms below its range', { ...MINIMAL, topics: [{ name: 'T', config: { 'retention.ms': -2 } }] }, /^topics\[0\]\.config\.retention\.ms: must be >= -1, got -2/, '/topics/0/config/retention.ms'],
  ['a fractional segment.bytes', { ...MINIMAL, topics: [{ name: 'T', config: { 'segment.bytes': 1048576.5 } }] }, /^topics\[0\]\.config\.segment\.bytes: must be an integer >= 1048576 \(Kafka type INT\), got 1048576\.5/, '/topics/0/config/segment.bytes'],
  ['a gzip level outside its range and not -1', { ...MINIMAL, topics: [{ name: 'T', config: { 'compression.gzip.level': 0 } }] }, /^topics\[0\]\.config\.compression\.gzip\.level: must be from 1 to 9, or -1, got 0/, '/topics/0/config/compression.gzip.level'],
  ['a min.cleanable.dirty.ratio above 1', { ...MINIMAL, topics: [{ name: 'T', config: { 'min.cleanable.dirty.ratio': 1.5 } }] }, /^topics\[0\]\.config\.min\.cleanable\.dirty\.ratio: must be from 0 to 1, got 1\.5/, '/topics/0/config/min.cleanable.dirty.ratio'],
  ['a boolean config as yes', { ...MINIMAL, topics: [{ name: 'T', config: { preallocate: 'yes' } }] }, /^topics\[0\]\.config\.preallocate: must be true or false, got "yes"/, '/topics/0/config/preallocate'],
  ['a number for a list config', { ...MINIMAL, topics: [{ name: 'T', config: { 'leader.replication.throttled.replicas': 5 } }] }, /^topics\[0\]\.config\.leader\.replication\.throttled\.replicas: must be "\*" or a comma-separated list of replicas/, '/topics/0/config/leader.replication.throttled.replicas'],
  ['a topic config value that is null', { ...MINIMAL, topics: [{ name: 'T', config: { 'retention.ms': null } }] }, /^topics\[0\]\.config\.retention\.ms: must be a scalar/, '/topics/0/config/retention.ms'],
  ['kafka that is a list', { ...MINIMAL, kafka: [3] }, /^kafka: must be a mapping/, '/kafka'],
  ['an unknown storage type', { ...MINIMAL, kafka: { storage: { type: 'jbod' } } }, /^kafka\.storage\.type: must be one of "ephemeral", "persistent", got "jbod"/, '/kafka/storage/type'],
  ['a bad storage size', { ...MINIMAL, kafka: { storage: { type: 'persistent', size: 'ten gigs' } } }, /^kafka\.storage\.size: must be a Kubernetes quantity/, '/kafka/storage/size'],
  ['a storage class for ephemeral storage', { ...MINIMAL, kafka: { storage: { type: 'ephemeral', storageClass: 'fast' } } }, /^kafka\.storage\.storageClass: applies only to type "persistent"/, '/kafka/storage/storageClass'],
  ['a topic with one replica on ephemeral storage', { ...MINIMAL, topics: [{ name: 'T', replicas: 1 }], kafka: { storage: { type: 'ephemeral' } } }, /^topics\[0\]\.replicas: 1 replica of topic "T" on ephemeral storage/, '/topics/0/replicas'],
  ['a bad memory quantity', { ...MINIMAL, kafka: { resources: { limits: { memory: 'lots' } } } }, /^kafka\.resources\.limits\.memory: must be a Kubernetes quantity/, '/kafka/resources/limits/memory'],
  ['an unsupported Kafka version', { ...MINIMAL, kafka: { version: '2.8.0' } }, /^kafka\.version: "2\.8\.0" is not a Kafka version Strimzi 1\.2\.0 supports; supported: 4\.2\.0, 4\.2\.1, 4\.3\.0, 4\.3\.1$/, '/kafka/version'],
  ['a Kafka version that is a number', { ...MINIMAL, kafka: { version: 4.3 } }, /^kafka\.version: must be a non-empty string, got 4\.3/, '/kafka/version'],
  ['re-authentication more often than a minute', { ...MINIMAL, kafka: { reauthenticationSeconds: 10 } }, /^kafka\.reauthenticationSeconds: must be an integer >= 60, got 10$/, '/kafka/reauthenticationSeconds'],
  ['re-authentication less often than a day', { ...MINIMAL, kafka: { reauthenticationSeconds: 604800 } }, /^kafka\.reauthenticationSeconds: must be an integer from 60 to 86400 \(one day\), got 604800/, '/kafka/reauthenticationSeconds'],
  ['zero tasks', { ...MINIMAL, mirrorMaker: { tasksMax: 0 } }, /^mirrorMaker\.tasksMax: must be an integer >= 1, got 0/, '/mirrorMaker/tasksMax'],
  ['an unknown wan key', { ...MINIMAL, mirrorMaker: { wan: { rttMs: 100 } } }, /^mirrorMaker\.wan\.rttMs: unknown key; allowed: "roundTripMs", "throughputMBps"/, '/mirrorMaker/wan'],
  ['a zero round trip', { ...MINIMAL, mirrorMaker: { wan: { roundTripMs: 0 } } }, /^mirrorMaker\.wan\.roundTripMs: must be an integer >= 1, got 0/, '/mirrorMaker/wan/roundTripMs'],
  ['a round trip over 10 s', { ...MINIMAL, mirrorMaker: { wan: { roundTripMs: 20000 } } }, /^mirrorMaker\.wan\.roundTripMs: must be an integer from 1 to 10000, got 20000/, '/mirrorMaker/wan/roundTripMs'],
  ['a throughput as text', { ...MINIMAL, mirrorMaker: { wan: { throughputMBps: '20MB' } } }, /^mirrorMaker\.wan\.throughputMBps: must be a number >= 0\.01, got "20MB"/, '/mirrorMaker/wan/throughputMBps'],
  ['a copy compression Kafka does not have', { ...MINIMAL, mirrorMaker: { copyCompression: 'zip' } }, /^mirrorMaker\.copyCompression: must be one of "none", "gzip", "snappy", "lz4", "zstd", got "zip"/, '/mirrorMaker/copyCompression'],
  ['apps.enabled as text', { ...MINIMAL, apps: { enabled: 'yes' } }, /^apps\.enabled: must be true or false, got "yes"/, '/apps/enabled'],
  ['a zero interval', { ...MINIMAL, apps: { intervalSeconds: 0 } }, /^apps\.intervalSeconds: must be a number >= 0\.001, got 0/, '/apps/intervalSeconds'],
  ['PodMonitors without metrics', { ...MINIMAL, metrics: { enabled: false, podMonitors: true } }, /^metrics\.podMonitors: needs metrics\.enabled: true/, '/metrics/enabled'],
  ['ui.enabled as text', { ...MINIMAL, ui: { enabled: 'no' } }, /^ui\.enabled: must be true or false, got "no"/, '/ui/enabled'],
  ['an operator namespace that is no DNS label', { ...MINIMAL, operator: { namespace: 'Strimzi' } }, /^operator\.namespace: "Strimzi" is not a DNS-1123 label/, '/operator/namespace'],
  ['deleteCrdsOnDestroy as text', { ...MINIMAL, operator: { deleteCrdsOnDestroy: 'true' } }, /^operator\.deleteCrdsOnDestroy: must be true or false/, '/operator/deleteCrdsOnDestroy'],
  ['kubeconfig that is a list', { ...MINIMAL, kubeconfig: ['a', 'b'] }, /^kubeconfig: must be a non-empty string/, '/kubeconfig'],
];

describe('structural mistakes fail the schema as they fail the validator', () => {
  test.each(MISTAKES)('%s', (_what, input, message, instancePath) => {
    expect(problems(input)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    expect(schemaErrors(input).map((e) => e.instancePath)).toContain(instancePath);
  });
});
