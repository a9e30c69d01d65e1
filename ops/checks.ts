/**
 * The checks of one region of the live mesh, each a row: what was checked, whether it is well, and a short reason.
 *
 * - the Kafka cluster, the canonical topics' KafkaTopics, the KafkaUsers and MirrorMaker 2 are Ready;
 * - MirrorMaker 2's connector from every other region, and all its tasks, are RUNNING;
 * - the cluster holds every canonical topic and every copy, and nothing else but internal topics;
 * - the consumer has recently received events from every region.
 */
import { regionUsers } from '../mesh/access';
import { Mesh, Region } from '../mesh/model';
import { KubeError } from './kube-api';
import { Condition, ConnectorStatus, RegionApi, StrimziResource } from './region-api';
import { parseEventLine, sourceRegion } from './source-region';
import { compareTopics, topicsFromMetrics } from './topic-set';

export interface CheckRow {
  readonly check: string;
  readonly ok: boolean;
  readonly reason: string;
}

export interface CheckOptions {
  /** How far back the consumer's log is read for events from every region. */
  readonly windowSeconds: number;
}

import { mirrorConnectorName } from '../mesh/names';
export { mirrorConnectorName };

/** Every check of a region. Throws a KubeError only when the cluster itself cannot be used (see KubeError.isFatal). */
export async function checkRegion(mesh: Mesh, region: Region, api: RegionApi, options: CheckOptions): Promise<CheckRow[]> {
  const sources = mesh.regions.filter((r) => r.name !== region.name);
  const [kafka, topics, users, mirrorMaker, topicSet, consumer] = await Promise.all([
    rows(['Kafka cluster'], async () => [readiness('Kafka cluster', await api.kafka(), (s) => (s.kafkaVersion ? `Kafka ${s.kafkaVersion}` : ''))]),
    rows(['KafkaTopics'], async () => [resourcesReady('KafkaTopics', await api.kafkaTopics(), mesh.topics.map((t) => ({ resource: t.resourceName, label: t.name })))]),
    rows(['KafkaUsers'], async () => [resourcesReady('KafkaUsers', await api.kafkaUsers(), regionUsers(mesh, region).map((u) => ({ resource: u.name, label: u.name })))]),
    rows(['MirrorMaker 2', ...sources.map(mirrorCheck)], async () => {
      const mm2 = await api.mirrorMaker();
      return [readiness('MirrorMaker 2', mm2), ...sources.map((source) => connectorRow(source, region, mm2.status?.connectors ?? []))];
    }),
    rows(['canonical topics', 'copies', 'no other topics'], async () => topicRows(mesh, region, topicsFromMetrics(await api.kafkaExporterMetrics()))),
    mesh.apps.enabled
      ? rows(['consumer hears every region'], async () => [consumerRow(mesh, region, await api.consumerLog(options.windowSeconds), options.windowSeconds)])
      : Promise.resolve([]),
  ]);
  return [...kafka, ...topics, ...users, ...mirrorMaker, ...topicSet, ...consumer];
}

const mirrorCheck = (source: Region) => `mirror from ${source.name}`;

/** Runs a group of checks; if reading fails (forbidden, not found, ...) every row of the group fails with the reason. */
async function rows(checks: string[], read: () => Promise<CheckRow[]>): Promise<CheckRow[]> {
  try {
    return await read();
  } catch (e) {
    if (!(e instanceof KubeError) || e.isFatal) throw e;
    const reason = e.kind === 'not-found' && /could not find the requested resource/.test(e.message)
      ? "Strimzi's custom resources are not installed in this cluster (is the operator stack deployed?)"
      : e.message;
    return checks.map((check) => ({ check, ok: false, reason }));
  }
}

/** Ready when its Ready condition is True for its current generation. */
function readiness<S extends object>(check: string, resource: StrimziResource<S>, details: (status: S) => string = () => ''): CheckRow {
  const status = resource.status;
  const problem = notReady(resource);
  if (problem) return { check, ok: false, reason: problem };
  const extra = details(status as S);
  return { check, ok: true, reason: extra ? `Ready, ${extra}` : 'Ready' };
}

/** Why a Strimzi resource is not Ready, or undefined if it is. */
function notReady(resource: StrimziResource): string | undefined {
  const status = resource.status;
  const conditions = status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready' && c.status === 'True');
  if (!ready) {
    const other = conditions.find((c) => c.type !== 'Warning' && c.status === 'True') ?? conditions[0];
    return other ? describe(other) : 'no status yet (the operator has not reconciled it)';
  }
  const generation = resource.metadata.generation;
  if (generation !== undefined && status?.observedGeneration !== undefined && status.observedGeneration < generation) {
    return `Ready for generation ${status.observedGeneration}, but the spec is at generation ${generation}: still reconciling`;
  }
  return undefined;
}

function describe(c: Condition): string {
  return [c.type, c.reason, c.message && firstLine(c.message)].filter(Boolean).join(': ');
}

/** Every expected resource exists and is Ready. */
function resourcesReady(check: string, items: readonly StrimziResource[], expected: ReadonlyArray<{ resource: string; label: string }>): CheckRow {
  const byName = new Map(items.map((i) => [i.metadata.name, i]));
  const problems = expected.flatMap(({ resource, label }) => {
    const item = byName.get(resource);
    if (!item) return [`${label} missing`];
    const problem = notReady(item);
    return problem ? [`${label} ${problem}`] : [];
  });
  const ready = expected.length - problems.length;
  return problems.length === 0
    ? { check, ok: true, reason: `${ready}/${expected.length} Ready` }
    : { check, ok: false, reason: `${ready}/${expected.length} Ready; ${names(problems, '; ')}` };
}

/** The connector mirroring `source` into `target` and all its tasks are RUNNING. */
function connectorRow(source: Region, target: Region, connectors: readonly ConnectorStatus[]): CheckRow {
  const check = mirrorCheck(source);
  const name = mirrorConnectorName(source, target);
  const status = connectors.find((c) => c.name === name);
  if (!status) return { check, ok: false, reason: `${name} is not in MirrorMaker 2's status` };
  const state = status.connector?.state ?? 'UNKNOWN';
  if (state !== 'RUNNING') {
    return { check, ok: false, reason: `${name} ${state}${status.connector.trace ? `: ${firstLine(status.connector.trace)}` : ''}` };
  }
  const tasks = status.tasks ?? [];
  if (tasks.length === 0) return { check, ok: false, reason: `${name} RUNNING but has no tasks` };
  const bad = tasks.filter((t) => t.state !== 'RUNNING');
  if (bad.length === 0) return { check, ok: true, reason: `${name} RUNNING, ${tasks.length}/${tasks.length} tasks RUNNING` };
  const why = bad.map((t) => `task ${t.id} ${t.state}${t.worker_id ? ` on ${t.worker_id}` : ''}${t.trace ? `: ${firstLine(t.trace)}` : ''}`);
  return { check, ok: false, reason: `${name} RUNNING, ${tasks.length - bad.length}/${tasks.length} tasks RUNNING; ${why.join('; ')}` };
}

function topicRows(mesh: Mesh, region: Region, topics: readonly string[]): CheckRow[] {
  const t = compareTopics(mesh, region, topics);
  const sources = mesh.regions.length - 1;
  const strays = [
    ...(t.copiesOfCopies.length ? [`copy of a copy: ${names(t.copiesOfCopies)}`] : []),
    ...(t.unexpected.length ? [`unexpected: ${names(t.unexpected)}`] : []),
  ];
  return [
    t.canonical.missing.length === 0
      ? { check: 'canonical topics', ok: true, reason: `${t.canonical.expected}/${t.canonical.expected} present` }
      : { check: 'canonical topics', ok: false, reason: `${t.canonical.expected - t.canonical.missing.length}/${t.canonical.expected} present; missing: ${names(t.canonical.missing)}` },
    t.copies.missing.length === 0
      ? { check: 'copies', ok: true, reason: `${t.copies.expected}/${t.copies.expected} present (${mesh.topics.length} from each of ${sources} regions)` }
      : { check: 'copies', ok: false, reason: `${t.copies.expected - t.copies.missing.length}/${t.copies.expected} present; missing copy: ${names(t.copies.missing)}` },
    strays.length === 0
      ? { check: 'no other topics', ok: true, reason: `none besides ${t.internal.length} internal` }
      : { check: 'no other topics', ok: false, reason: strays.join('; ') },
  ];
}

/** The consumer logged events from every region (its own included) within the window. */
function consumerRow(mesh: Mesh, region: Region, log: string, windowSeconds: number): CheckRow {
  const check = 'consumer hears every region';
  const counts = new Map(mesh.regions.map((r) => [r.name, 0]));
  for (const line of log.split('\n')) {
    const event = parseEventLine(line);
    const source = event && sourceRegion(mesh, region, event.topic);
    if (source) counts.set(source.name, counts.get(source.name)! + 1);
  }
  const heard = [...counts].map(([name, n]) => `${name} ${n}`).join(', ');
  const silent = [...counts].filter(([, n]) => n === 0).map(([name]) => name);
  return silent.length === 0
    ? { check, ok: true, reason: `last ${windowSeconds} s: ${heard}` }
    : { check, ok: false, reason: `nothing from ${silent.join(', ')} in the last ${windowSeconds} s (${heard})` };
}

/** A list for a reason: the first few, and how many more. */
function names(items: readonly string[], separator = ', ', shown = 5): string {
  const more = items.length - shown;
  return items.slice(0, shown).join(separator) + (more > 0 ? ` and ${more} more` : '');
}

function firstLine(text: string): string {
  const line = text.split('\n')[0].trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

