/**
 * Kafka's topic configs as Kafka itself defines them, one table per Kafka version: `kafka/topic-configs-<version>.json`
 * beside this module, generated from Kafka's jars by scripts/kafka-topic-configs/generate.sh (the ConfigDef the broker
 * validates topic configs with, LogConfig in kafka-storage). Nothing about a config is typed by hand here: a value is
 * checked the way Kafka's ConfigDef parses and validates it, so a mesh file's mistake is caught at synth, not by the
 * topic operator after the deploy. Pure TypeScript, no cdktf; validate.ts calls it.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

/** The folder holding the generated tables. */
export const TOPIC_CONFIG_TABLES_DIR = join(__dirname, 'kafka');

/** Kafka's `ConfigDef.Type`. */
export type KafkaConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';

/** A config's validator as data (TopicConfigs.java describes how each of Kafka's validators becomes one). */
export type KafkaConfigValidator =
  | { readonly kind: 'none' }
  /** Inclusive bounds (either may be missing), and single values allowed outside them (gzip's -1, "the default level"). */
  | { readonly kind: 'range'; readonly min?: number; readonly max?: number; readonly alsoAllowed?: readonly number[] }
  | { readonly kind: 'validStrings'; readonly values: readonly string[]; readonly caseInsensitive?: boolean }
  /** A comma-separated list: no empty items, no repeats, each item one of `values` (any item when it is empty). */
  | { readonly kind: 'validList'; readonly values: readonly string[]; readonly emptyAllowed: boolean }
  /** A validator Kafka keeps as code; `OTHER_VALIDATORS` below must know its class. */
  | { readonly kind: 'other'; readonly class: string; readonly description: string };

export interface TopicConfigDefinition {
  readonly type: KafkaConfigType;
  /** Kafka's default as a string (as `ConfigDef.convertToString` writes it), null when there is none. */
  readonly default: string | null;
  readonly validator: KafkaConfigValidator;
}

/** One generated table (the JSON file's shape). */
export interface TopicConfigTable {
  readonly kafkaVersion: string;
  readonly generator: string;
  /** Every (non-internal) topic config of that Kafka version, by name. */
  readonly configs: Readonly<Record<string, TopicConfigDefinition>>;
}

const FILE = /^topic-configs-(.+)\.json$/;
let tables: ReadonlyMap<string, TopicConfigTable> | undefined;

function all(): ReadonlyMap<string, TopicConfigTable> {
  if (!tables) {
    const found = new Map<string, TopicConfigTable>();
    for (const file of readdirSync(TOPIC_CONFIG_TABLES_DIR).sort()) {
      const match = FILE.exec(file);
      if (!match) continue;
      const table = JSON.parse(readFileSync(join(TOPIC_CONFIG_TABLES_DIR, file), 'utf8')) as TopicConfigTable;
      if (table.kafkaVersion !== match[1]) throw new Error(`${file} holds the topic configs of Kafka ${table.kafkaVersion}`);
      found.set(table.kafkaVersion, table);
    }
    tables = found;
  }
  return tables;
}

/** The Kafka versions the project has a topic config table for. */
export function kafkaVersionsWithTopicConfigTables(): string[] {
  return [...all().keys()];
}

/** The topic configs of one Kafka version; undefined when the project has no table for it. */
export function topicConfigTable(kafkaVersion: string): TopicConfigTable | undefined {
  return all().get(kafkaVersion);
}

/** The definition of a topic config; undefined when that Kafka version has no such topic config. */
export function topicConfigDefinition(table: TopicConfigTable, name: string): TopicConfigDefinition | undefined {
  // own keys only: a config named "constructor" is not a topic config
  return Object.hasOwn(table.configs, name) ? table.configs[name] : undefined;
}

/**
 * Validators Kafka keeps as code, which the generator can only name: their rule, from Kafka's source. A table with
 * another class fails the fast tier (__tests__/mesh-validation.test.ts), so a new one is noticed and added here.
 */
export const OTHER_VALIDATORS: Readonly<Record<string, { readonly accepts: (items: readonly string[]) => boolean; readonly allowed: string }>> = {
  // kafka-storage, ThrottledReplicaListValidator.ensureValid: every trimmed item is "<partition>:<broker>" (or empty),
  // or the items together are "*"
  'org.apache.kafka.storage.internals.log.ThrottledReplicaListValidator': {
    accepts: (items) => items.every((item) => /^([0-9]+:[0-9]+)?$/.test(item)) || items.join('') === '*',
    allowed: '"*" or a comma-separated list of replicas, each <partition id>:<broker id>',
  },
};

/** The integer types' bounds, as Java's Long, Integer and Short hold them. */
const INTEGER_BOUNDS: Partial<Record<KafkaConfigType, readonly [bigint, bigint]>> = {
  LONG: [-(2n ** 63n), 2n ** 63n - 1n],
  INT: [-(2n ** 31n), 2n ** 31n - 1n],
  SHORT: [-(2n ** 15n), 2n ** 15n - 1n],
};
/** What Java's Long/Integer/Short.parseLong/parseInt/parseShort take: an optional sign and decimal digits. */
const INTEGER = /^[+-]?[0-9]+$/;
/**
 * A decimal number, as written in a mesh file. Java's Double.parseDouble also takes NaN, Infinity, hexadecimal and a
 * d/f suffix; none of them is a sensible topic config value (NaN would even pass Kafka's range check), so they are
 * refused here.
 */
const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
/** A Java binary class name; whether the class exists is only known on the broker. */
const CLASS_NAME = /^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u;

/**
 * What is wrong with one topic config value, as Kafka's ConfigDef would see it (`parseType`, then the validator):
 * "must be <what is allowed>, got <the value as written>"; undefined when Kafka accepts the value.
 * `value` is the value as the stack writes it (a string); `shown` is how the mesh file wrote it, for the message.
 */
export function topicConfigValueProblem(definition: TopicConfigDefinition, value: string, shown: string): string | undefined {
  // ConfigDef trims every value before parsing it (Java's String.trim: code points up to U+0020)
  const text = value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  const { type, validator } = definition;
  const got = `, got ${shown}`;
  const kafkaType = ` (Kafka type ${type})`;

  const integerBounds = INTEGER_BOUNDS[type];
  if (integerBounds) {
    const range = validator.kind === 'range' ? validator : undefined;
    if (!INTEGER.test(text)) return `must be an integer${range ? ` ${rangeText(range)}` : ''}${kafkaType}${got}`;
    const n = BigInt(text);
    const [typeMin, typeMax] = integerBounds;
    if (n < typeMin || n > typeMax) {
      // the type's bounds and the validator's together, so one message says everything that is allowed
      const min = range?.min !== undefined && range.min > typeMin ? range.min : typeMin;
      const max = range?.max !== undefined && range.max < typeMax ? range.max : typeMax;
      return `must be an integer ${rangeText({ min, max, alsoAllowed: range?.alsoAllowed })}${kafkaType}${got}`;
    }
    // bigint against number compares the exact values (the bounds are numbers in the table)
    if (range && !inRange(range, (bound) => n >= bound, (bound) => n <= bound, (v) => Number.isInteger(v) && n === BigInt(v))) {
      return `must be ${rangeText(range)}${got}`;
    }
    return undefined;
  }

  switch (type) {
    case 'DOUBLE': {
      const range = validator.kind === 'range' ? validator : undefined;
      if (!DECIMAL.test(text)) return `must be a number${range ? ` ${rangeText(range)}` : ''}${kafkaType}${got}`;
      const n = Number(text);
      if (range && !inRange(range, (bound) => n >= bound, (bound) => n <= bound, (v) => n === v)) return `must be ${rangeText(range)}${got}`;
      return undefined;
    }
    case 'BOOLEAN':
      // ConfigDef takes "true" and "false" in any case
      return /^(true|false)$/i.test(text) ? undefined : `must be true or false${got}`;
    case 'STRING':
      if (validator.kind === 'validStrings') {
        const ok = validator.caseInsensitive
          ? validator.values.includes(text.toUpperCase())
          : validator.values.includes(text);
        return ok ? undefined : `must be one of ${quoted(validator.values)}${validator.caseInsensitive ? ' (in any case)' : ''}${got}`;
      }
      return undefined;
    case 'LIST':
      return listProblem(validator, text, got);
    case 'CLASS':
      return CLASS_NAME.test(text) ? undefined : `must be a Java class name${kafkaType}${got}`;
    case 'PASSWORD':
      return undefined;
    default:
      return undefined;
  }
}

/** ConfigDef's LIST: "" is the empty list, else the items between commas (whitespace around them dropped). */
function listProblem(validator: KafkaConfigValidator, text: string, got: string): string | undefined {
  const items = text === '' ? [] : text.split(/\s*,\s*/);
  if (validator.kind === 'validList') {
    const allowed = validator.values.length > 0 ? `a comma-separated list of ${quoted(validator.values)}` : 'a comma-separated list';
    const what = `${allowed}${validator.emptyAllowed ? ' (or empty)' : ''}`;
    if (items.length === 0) return validator.emptyAllowed ? undefined : `must be ${what}, not empty${got}`;
    if (items.includes('')) return `must be ${what}, without empty items${got}`;
    const bad = validator.values.length > 0 ? items.filter((item) => !validator.values.includes(item)) : [];
    if (bad.length > 0) return `must be ${what}${got} (${quoted(bad)} ${bad.length === 1 ? 'is' : 'are'} not allowed)`;
    const repeated = items.find((item, i) => items.indexOf(item) !== i);
    if (repeated !== undefined) return `must be ${what}, each item once${got} ("${repeated}" repeats)`;
    return undefined;
  }
  if (validator.kind === 'other') {
    const other = Object.hasOwn(OTHER_VALIDATORS, validator.class) ? OTHER_VALIDATORS[validator.class] : undefined;
    if (other && !other.accepts(items)) return `must be ${other.allowed}${got}`;
  }
  return undefined;
}

export type Range = { readonly min?: number | bigint; readonly max?: number | bigint; readonly alsoAllowed?: readonly number[] };

function inRange(
  range: Extract<KafkaConfigValidator, { kind: 'range' }>,
  atLeast: (bound: number) => boolean,
  atMost: (bound: number) => boolean,
  equals: (value: number) => boolean,
): boolean {
  if ((range.alsoAllowed ?? []).some(equals)) return true;
  return (range.min === undefined || atLeast(range.min)) && (range.max === undefined || atMost(range.max));
}

/** ">= -1", "<= 22", "from 1 to 17", "from 1 to 9, or -1" (also the schema's wording, scripts/mesh-schema/). */
export function rangeText(range: Range): string {
  const bounds =
    range.min !== undefined && range.max !== undefined ? `from ${range.min} to ${range.max}`
    : range.min !== undefined ? `>= ${range.min}`
    : range.max !== undefined ? `<= ${range.max}`
    : 'any number';
  const also = range.alsoAllowed ?? [];
  return also.length > 0 ? `${bounds}, or ${also.join(' or ')}` : bounds;
}

function quoted(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}
