/**
 * Where an event the consumer logged comes from. The consumer of a region logs
 * `topic=<topic> partition=<p> offset=<o> timestamp=<ISO-8601> value=<json>` (apps/ConsumeOrders.java); the topic
 * tells the source region: a canonical topic is the region's own, a copy `<alias>.<topic>` comes from that alias's
 * region.
 */
import { COPY_SEPARATOR, Mesh, Region } from '../mesh/model';

export interface ConsumerEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: string;
  readonly value: string;
}

const EVENT_LINE = /^topic=(\S+) partition=(\d+) offset=(\d+) timestamp=(\S+) value=(.*)$/;

/** The event of a consumer log line, or undefined for other lines ("subscribed to ...", warnings). */
export function parseEventLine(line: string): ConsumerEvent | undefined {
  const m = EVENT_LINE.exec(line);
  if (!m) return undefined;
  return { topic: m[1], partition: Number(m[2]), offset: Number(m[3]), timestamp: m[4], value: m[5] };
}

/** The region a topic's events were produced in, as seen from `local`; undefined if the topic is not of the mesh. */
export function sourceRegion(mesh: Mesh, local: Region, topic: string): Region | undefined {
  if (isCanonical(mesh, topic)) return local;
  const separator = topic.indexOf(COPY_SEPARATOR);
  if (separator < 0) return undefined;
  // Aliases never contain the separator, so the alias is everything before the first one.
  const alias = topic.slice(0, separator);
  const source = mesh.regions.find((r) => r.alias === alias && r.name !== local.name);
  return source && isCanonical(mesh, topic.slice(separator + COPY_SEPARATOR.length)) ? source : undefined;
}

function isCanonical(mesh: Mesh, topic: string): boolean {
  return mesh.topics.some((t) => t.name === topic);
}
