/**
 * A region's topics as they are (from the Kafka Exporter's metrics) against what the mesh means them to be: every
 * canonical topic, one copy `<alias>.<topic>` of each from every other region, and nothing else apart from Kafka's,
 * Kafka Connect's and MirrorMaker 2's internal topics.
 */
import { COPY_SEPARATOR, Mesh, Region } from '../mesh/model';
import { copyName, MIRROR_MAKER } from '../mesh/names';

export interface TopicComparison {
  readonly canonical: { readonly expected: number; readonly missing: readonly string[] };
  readonly copies: { readonly expected: number; readonly missing: readonly string[] };
  /** A copy of a copy, such as `southamerica.europe.LH.ORDERS`: some pattern mirrors copies. */
  readonly copiesOfCopies: readonly string[];
  /** Anything else that is not internal. */
  readonly unexpected: readonly string[];
  readonly internal: readonly string[];
}

/** Topic names of the Kafka Exporter's `kafka_topic_partitions{topic="..."}` samples (Prometheus text format). */
export function topicsFromMetrics(metrics: string): string[] {
  const topics = new Set<string>();
  for (const line of metrics.split('\n')) {
    const m = /^kafka_topic_partitions\{(.*)\}\s/.exec(line);
    if (!m) continue;
    for (const label of m[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      if (label[1] === 'topic') topics.add(label[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
    }
  }
  return [...topics];
}

/** Kafka's (`__*`), Kafka Connect's storage and MirrorMaker 2's (`*.internal`, e.g. offset-syncs) topics. */
export function isInternalTopic(topic: string): boolean {
  const connectStorage: readonly string[] = [MIRROR_MAKER.configStorageTopic, MIRROR_MAKER.offsetStorageTopic, MIRROR_MAKER.statusStorageTopic];
  return topic.startsWith('__') || connectStorage.includes(topic) || topic.endsWith('.internal');
}

export function compareTopics(mesh: Mesh, region: Region, topics: readonly string[]): TopicComparison {
  const present = new Set(topics);
  const canonical = mesh.topics.map((t) => t.name);
  const copies = mesh.regions.filter((r) => r.name !== region.name).flatMap((source) => canonical.map((t) => copyName(source.alias, t)));
  const expected = new Set([...canonical, ...copies]);
  const extra = topics.filter((t) => !expected.has(t)).sort();
  return {
    canonical: { expected: canonical.length, missing: canonical.filter((t) => !present.has(t)) },
    copies: { expected: copies.length, missing: copies.filter((t) => !present.has(t)) },
    copiesOfCopies: extra.filter((t) => aliasPrefixes(mesh, t) >= 2),
    unexpected: extra.filter((t) => !isInternalTopic(t) && aliasPrefixes(mesh, t) < 2),
    internal: extra.filter((t) => isInternalTopic(t)),
  };
}

/** How many region aliases prefix a canonical topic in `topic` (1 = a copy, 2 or more = a copy of a copy; 0 = neither). */
function aliasPrefixes(mesh: Mesh, topic: string): number {
  let rest = topic;
  let count = 0;
  for (;;) {
    if (count > 0 && mesh.topics.some((t) => t.name === rest)) return count;
    const alias = mesh.regions.find((r) => rest.startsWith(r.alias + COPY_SEPARATOR))?.alias;
    if (!alias) return 0;
    rest = rest.slice(alias.length + COPY_SEPARATOR.length);
    count++;
  }
}
