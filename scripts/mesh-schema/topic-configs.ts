/**
 * Writes the `definitions.topicConfig` block of mesh-file.schema.json (what `topics[].config` and
 * `regions[].topicConfig.<topic>` refer to) from the table of Kafka's topic configs of the default Kafka version,
 * mesh/kafka/topic-configs-<version>.json: every topic config a known property, with its Kafka type, default and what
 * is allowed, so an editor completes the names and underlines an unknown one.
 *
 *   npx tsx scripts/mesh-schema/topic-configs.ts            # rewrites the block (the rest of the file is left as it is)
 *   npx tsx scripts/mesh-schema/topic-configs.ts --check    # fails if the committed block differs
 *
 * The schema must never refuse what the validator (mesh/validate.ts with mesh/topic-configs.ts) accepts, so each value
 * schema follows `topicConfigValueProblem`'s rules: ConfigDef trims a value (code points up to U+0020) before parsing
 * it, a YAML or JSON number or boolean counts as the string it is written as, and what a schema cannot check exactly
 * (a range on a string, repeated list items, case-insensitive names, validators Kafka keeps as code and this script
 * does not know) is left to the validator. __tests__/mesh-schema.test.ts checks the block against the validator.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { isDeepStrictEqual } from 'util';
import { defaultKafkaVersion, kafkaVersionsOf, strimziVersionsWithLists } from '../../mesh/strimzi/kafka-versions';
import { KafkaConfigType, OTHER_VALIDATORS, rangeText, TopicConfigDefinition, TopicConfigTable, topicConfigTable } from '../../mesh/topic-configs';
import { DEFAULTS } from '../../mesh/validate';

export const SCHEMA_FILE = join(__dirname, '..', '..', 'mesh-file.schema.json');
const SCRIPT = 'scripts/mesh-schema/topic-configs.ts';

type Json = any;

/** The Kafka version whose table the schema lists: the default operator's default Kafka version. */
export function schemaKafkaVersion(): string {
  const version = defaultKafkaVersion(DEFAULTS.operator.version);
  if (!version) throw new Error(`the project has no list of the Kafka versions Strimzi ${DEFAULTS.operator.version} (the default operator.version) supports`);
  return version;
}

/** Every Kafka version a mesh may name (supported by a Strimzi release the project has the list of). */
export function supportedKafkaVersions(): string[] {
  return [...new Set(strimziVersionsWithLists().flatMap((s) => kafkaVersionsOf(s)!.supported))];
}

function tableOf(version: string): TopicConfigTable {
  const table = topicConfigTable(version);
  if (!table) throw new Error(`the project has no table of Kafka ${version}'s topic configs (mesh/kafka/topic-configs-${version}.json)`);
  return table;
}

/**
 * Why one schema cannot serve every supported Kafka version, or undefined: the versions' tables must have the same
 * config names, and give each config the same value schema (else a mesh of one version could be refused for a value
 * its own table allows).
 */
export function tablesDisagreement(): string | undefined {
  const base = schemaKafkaVersion();
  const baseTable = tableOf(base);
  const names = Object.keys(baseTable.configs).sort();
  for (const version of supportedKafkaVersions()) {
    const table = tableOf(version);
    const other = Object.keys(table.configs).sort();
    const missing = names.filter((n) => !other.includes(n));
    const extra = other.filter((n) => !names.includes(n));
    if (missing.length > 0 || extra.length > 0) {
      return `Kafka ${version}'s topic configs are not Kafka ${base}'s (not in ${version}: ${missing.join(', ') || 'none'}; only in ${version}: ${extra.join(', ') || 'none'})`;
    }
    const differing = names.filter((n) => !isDeepStrictEqual(valueSchema(table.configs[n]), valueSchema(baseTable.configs[n])));
    if (differing.length > 0) return `Kafka ${version} allows other values than Kafka ${base} for ${differing.join(', ')}`;
  }
  return undefined;
}

// ConfigDef trims values: Java's String.trim, code points up to U+0020.
const TRIMMED = '[\\u0000-\\u0020]*';
const padded = (core: string, orEmpty = false) => `^${TRIMMED}(?:${core})${orEmpty ? '?' : ''}${TRIMMED}$`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const oneOf = (values: readonly string[]) => values.map(escape).join('|');
/** topic-configs.ts's INTEGER, DECIMAL and BOOLEAN, without their anchors. */
const INTEGER = '[+-]?[0-9]+';
const DECIMAL = '[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?';
const BOOLEAN = '[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]';
/** ConfigDef's LIST: items between commas, whitespace around them dropped. */
const listOf = (item: string) => `${item}(?:\\s*,\\s*${item})*`;

/** The bounds of Java's Integer and Short (a Long's are beyond the integers a YAML or JSON number holds exactly). */
const INTEGER_BOUNDS: Partial<Record<KafkaConfigType, readonly [number, number]>> = { INT: [-(2 ** 31), 2 ** 31 - 1], SHORT: [-(2 ** 15), 2 ** 15 - 1] };

/**
 * Validators Kafka keeps as code (mesh/topic-configs.ts, OTHER_VALIDATORS), as a schema: written from their rule
 * there. One this script does not know gets any scalar.
 */
const OTHER_VALIDATOR_SCHEMAS: Readonly<Record<string, Json>> = {
  // every item "<partition>:<broker>" or empty, or the items together "*"; a number or boolean is neither
  'org.apache.kafka.storage.internals.log.ThrottledReplicaListValidator': {
    type: 'string',
    pattern: padded(`(?:[0-9]+:[0-9]+)?(?:\\s*,\\s*(?:[0-9]+:[0-9]+)?)*|(?:\\s*,\\s*)*\\*(?:\\s*,\\s*)*`),
  },
};

/**
 * Any scalar (what the validator takes where it checks nothing of the value). Not quite: a YAML .inf or .nan is a
 * number to the validator but to no JSON Schema validator; no topic config of the tables gets this today.
 */
const ANY_SCALAR = { type: ['string', 'number', 'boolean'] };

/**
 * Could a YAML or JSON number or boolean be written as one of these strings? (`String(1)` is "1", `String(true)`
 * "true", `String(.inf)` "Infinity"). When not, such a value is never one of them, and the schema takes strings only.
 */
function someScalarSpelling(values: readonly string[]): boolean {
  return values.some((v) => /^(true|false|nan|[+-]?infinity)$/i.test(v) || /^[+-]?[0-9.]/.test(v));
}

/** The schema of one topic config's value (without its description). */
export function valueSchema(definition: TopicConfigDefinition): Json {
  const { type, validator } = definition;
  const range = validator.kind === 'range' ? validator : undefined;

  if (type === 'INT' || type === 'SHORT' || type === 'LONG' || type === 'DOUBLE') {
    const numberType = type === 'DOUBLE' ? 'number' : 'integer';
    const [typeMin, typeMax] = INTEGER_BOUNDS[type] ?? [undefined, undefined];
    const min = range?.min !== undefined && (typeMin === undefined || range.min > typeMin) ? range.min : typeMin;
    const max = range?.max !== undefined && (typeMax === undefined || range.max < typeMax) ? range.max : typeMax;
    const bounds = { ...(min !== undefined ? { minimum: min } : {}), ...(max !== undefined ? { maximum: max } : {}) };
    const pattern = padded(type === 'DOUBLE' ? DECIMAL : INTEGER);
    const also = (range?.alsoAllowed ?? []).filter((v) => (typeMin === undefined || v >= typeMin) && (typeMax === undefined || v <= typeMax));
    if (also.length === 0) return { type: [numberType, 'string'], ...bounds, pattern };
    return { anyOf: [{ type: numberType, ...bounds }, { enum: also }, { type: 'string', pattern }] };
  }

  switch (type) {
    case 'BOOLEAN':
      return { type: ['boolean', 'string'], pattern: padded(BOOLEAN) };
    case 'STRING':
      if (validator.kind !== 'validStrings' || someScalarSpelling(validator.values)) return ANY_SCALAR;
      // case-insensitive: any string whose upper case is one of them (also "ı" for "I"), more than a pattern says
      if (validator.caseInsensitive) return { type: 'string', anyOf: [{ enum: validator.values }, { type: 'string' }] };
      // the enum completes; the pattern also takes a value with spaces around it, which Kafka trims
      return { type: 'string', anyOf: [{ enum: validator.values }, { pattern: padded(oneOf(validator.values)) }] };
    case 'LIST':
      if (validator.kind === 'validList' && validator.values.length > 0 && !someScalarSpelling(validator.values)) {
        const list = listOf(`(?:${oneOf(validator.values)})`);
        const completions = validator.values.length > 1 ? [...validator.values, validator.values.join(',')] : [...validator.values];
        return { type: 'string', anyOf: [{ enum: completions }, { pattern: padded(list, validator.emptyAllowed) }] };
      }
      if (validator.kind === 'other' && Object.hasOwn(OTHER_VALIDATOR_SCHEMAS, validator.class)) return OTHER_VALIDATOR_SCHEMAS[validator.class];
      return ANY_SCALAR;
    default:
      // CLASS, PASSWORD: any scalar (a class name is checked by the validator only)
      return ANY_SCALAR;
  }
}

/** "Kafka type INT, default 1; allowed: an integer from 1 to 2147483647." */
export function configDescription(definition: TopicConfigDefinition): string {
  const { type, validator } = definition;
  const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');
  const textual = type === 'STRING' || type === 'LIST' || type === 'CLASS' || type === 'PASSWORD';
  const byDefault = definition.default === null ? 'no default' : `default ${textual ? JSON.stringify(definition.default) : definition.default}`;
  let allowed: string;
  if (type === 'INT' || type === 'SHORT' || type === 'LONG' || type === 'DOUBLE') {
    const range: { readonly min?: number; readonly max?: number } = validator.kind === 'range' ? validator : {};
    const bounds = INTEGER_BOUNDS[type];
    const min = bounds && (range.min === undefined || range.min < bounds[0]) ? bounds[0] : range.min;
    const max = bounds && (range.max === undefined || range.max > bounds[1]) ? bounds[1] : range.max;
    const what = type === 'DOUBLE' ? 'a number' : 'an integer';
    allowed = min === undefined && max === undefined ? what : `${what} ${rangeText({ min, max, alsoAllowed: validator.kind === 'range' ? validator.alsoAllowed : undefined })}`;
  } else if (type === 'BOOLEAN') {
    allowed = 'true or false';
  } else if (validator.kind === 'validStrings') {
    allowed = `one of ${quoted(validator.values)}${validator.caseInsensitive ? ' (in any case)' : ''}`;
  } else if (validator.kind === 'validList') {
    const list = validator.values.length > 0 ? `a comma-separated list of ${quoted(validator.values)}, each at most once` : 'a comma-separated list';
    allowed = `${list}${validator.emptyAllowed ? ' (or empty)' : ''}`;
  } else if (validator.kind === 'other') {
    allowed = Object.hasOwn(OTHER_VALIDATORS, validator.class) ? OTHER_VALIDATORS[validator.class].allowed : validator.description;
  } else {
    allowed = type === 'CLASS' ? 'a Java class name' : type === 'LIST' ? 'a comma-separated list' : 'any string';
  }
  return `Kafka type ${type}, ${byDefault}; allowed: ${allowed}.`;
}

/** The `definitions.topicConfig` block for one table. */
export function topicConfigBlock(table: TopicConfigTable): Json {
  const properties: Record<string, Json> = {};
  for (const name of Object.keys(table.configs).sort()) {
    properties[name] = { description: configDescription(table.configs[name]), ...valueSchema(table.configs[name]) };
  }
  return {
    $comment: `Generated by ${SCRIPT} from mesh/kafka/topic-configs-${table.kafkaVersion}.json (the topic configs of Kafka ${table.kafkaVersion}, the default Kafka version); do not edit, regenerate.`,
    description: `Kafka topic configs (e.g. retention.ms, min.insync.replicas <= replicas) with scalar values, written as strings: one of Kafka ${table.kafkaVersion}'s topic configs each (the Kafka versions Strimzi ${DEFAULTS.operator.version} supports have the same), with a value Kafka accepts. Default: none.`,
    type: ['object', 'null'],
    additionalProperties: false,
    properties,
  };
}

/** The block of the default Kafka version. */
export function currentTopicConfigBlock(): Json {
  return topicConfigBlock(tableOf(schemaKafkaVersion()));
}

// Layout as the rest of mesh-file.schema.json: two spaces, a config per multi-line object, small things on one line.
const WIDTH = 160;
function inline(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}
function render(value: Json, indent: string, depth: number, lead: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const scalars = Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object');
  const one = inline(value);
  if (scalars || (depth >= 3 && indent.length + lead + one.length <= WIDTH)) return one;
  const inner = `${indent}  `;
  const lines = Array.isArray(value)
    ? value.map((v) => `${inner}${render(v, inner, depth + 1, 0)}`)
    : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, inner, depth + 1, JSON.stringify(k).length + 2)}`);
  return `${Array.isArray(value) ? '[' : '{'}\n${lines.join(',\n')}\n${indent}${Array.isArray(value) ? ']' : '}'}`;
}

const BLOCK_START = /\n( *)"topicConfig": \{/g;

/** The schema's text with its `definitions.topicConfig` block replaced by `block`; everything else as it was. */
export function withTopicConfigBlock(text: string, block: Json): string {
  const schema = JSON.parse(text);
  if (!schema.definitions?.topicConfig) throw new Error('mesh-file.schema.json has no definitions.topicConfig');
  const definitionsAt = text.indexOf('\n  "definitions": {');
  if (definitionsAt < 0) throw new Error('mesh-file.schema.json: no top-level "definitions" found');
  BLOCK_START.lastIndex = definitionsAt;
  const found = BLOCK_START.exec(text);
  if (!found) throw new Error('mesh-file.schema.json: no "topicConfig" in "definitions" found');
  const open = found.index + found[0].length - 1;
  const close = matchingBrace(text, open);
  const out = `${text.slice(0, open)}${render(block, found[1], 0, 0)}${text.slice(close + 1)}`;
  const written = JSON.parse(out);
  // only the block changed
  if (!isDeepStrictEqual(written.definitions.topicConfig, block)) throw new Error('the rewritten block does not read back as written');
  if (!isDeepStrictEqual({ ...written, definitions: { ...written.definitions, topicConfig: null } }, { ...schema, definitions: { ...schema.definitions, topicConfig: null } })) {
    throw new Error('rewriting the block changed something else in mesh-file.schema.json');
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  throw new Error('mesh-file.schema.json: unbalanced braces');
}

function main(): void {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--check')) {
    console.error(`usage: npx tsx ${SCRIPT} [--check]`);
    process.exit(2);
  }
  const disagreement = tablesDisagreement();
  if (disagreement) {
    console.error(`${disagreement}: one list of topic configs in mesh-file.schema.json no longer fits every Kafka version a mesh may name; the schema needs per-version handling (or a note), see ${SCRIPT}`);
    process.exit(1);
  }
  const text = readFileSync(SCHEMA_FILE, 'utf8');
  const block = currentTopicConfigBlock();
  const out = withTopicConfigBlock(text, block);
  const what = `definitions.topicConfig of ${SCHEMA_FILE}`;
  if (args.includes('--check')) {
    if (out !== text) {
      console.error(`${what} differs from the topic configs of Kafka ${schemaKafkaVersion()}; regenerate it: npx tsx ${SCRIPT}`);
      process.exit(1);
    }
    console.log(`${what} matches the topic configs of Kafka ${schemaKafkaVersion()}`);
    return;
  }
  writeFileSync(SCHEMA_FILE, out);
  console.log(`${out === text ? 'unchanged' : 'wrote'} ${what}: the ${Object.keys(block.properties).length} topic configs of Kafka ${schemaKafkaVersion()}`);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
