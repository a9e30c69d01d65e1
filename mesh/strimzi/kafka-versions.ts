/**
 * The Kafka versions each Strimzi release supports, as Strimzi itself lists them (`kafka-versions.yaml` at the
 * release tag). One generated file per release, `kafka-versions-<strimzi version>.json` beside this module, written by
 * scripts/strimzi-kafka-versions/generate.ts; a release without a file is one whose list the project does not have.
 */
import { readdirSync, readFileSync } from 'fs';

/** The folder holding the generated lists. */
export const KAFKA_VERSIONS_DIR = __dirname;

/** One generated list (the JSON file's shape). */
export interface KafkaVersionList {
  readonly $comment: string;
  /** The Strimzi release (= the operator chart version, `operator.version`). */
  readonly strimziVersion: string;
  readonly source: {
    readonly repository: string;
    readonly tag: string;
    readonly commit: string;
    readonly path: string;
    readonly url: string;
    readonly sha256: string;
  };
  /** The versions Strimzi marks `supported: true`, in Strimzi's order. */
  readonly supported: readonly string[];
  /** The version Strimzi marks `default: true`: what the operator runs when a Kafka resource names no version. */
  readonly default: string;
}

const FILE = /^kafka-versions-(.+)\.json$/;
let lists: ReadonlyMap<string, KafkaVersionList> | undefined;

function all(): ReadonlyMap<string, KafkaVersionList> {
  if (!lists) {
    const found = new Map<string, KafkaVersionList>();
    for (const file of readdirSync(KAFKA_VERSIONS_DIR).sort()) {
      const match = FILE.exec(file);
      if (!match) continue;
      const list = JSON.parse(readFileSync(`${KAFKA_VERSIONS_DIR}/${file}`, 'utf8')) as KafkaVersionList;
      if (list.strimziVersion !== match[1]) throw new Error(`${file} holds the list of Strimzi ${list.strimziVersion}`);
      found.set(list.strimziVersion, list);
    }
    lists = found;
  }
  return lists;
}

/** The Strimzi releases whose lists the project has. */
export function strimziVersionsWithLists(): string[] {
  return [...all().keys()];
}

/** The list of one Strimzi release; undefined when the project does not have it. */
export function kafkaVersionsOf(strimziVersion: string): KafkaVersionList | undefined {
  return all().get(strimziVersion);
}

/** The Kafka version a Strimzi release runs when `kafka.version` is unset; undefined when its list is missing. */
export function defaultKafkaVersion(strimziVersion: string): string | undefined {
  return kafkaVersionsOf(strimziVersion)?.default;
}

/**
 * The Kafka version a mesh runs: `kafka.version` when set, else the operator's default; undefined when it is unset
 * and the project has no list for that Strimzi release.
 */
export function kafkaVersionInUse(kafka: { readonly version?: string }, operator: { readonly version: string }): string | undefined {
  return kafka.version ?? defaultKafkaVersion(operator.version);
}
