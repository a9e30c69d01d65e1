/**
 * No data lost without intent: before the app is synthesized, the objects that hold data and that Terraform manages
 * today (the stacks' state) are compared with the objects the new stacks declare. An object in the state that the
 * new stacks no longer declare would be deleted by the next deploy, and with it data: a Kafka, a node pool (Strimzi
 * makes the pool the owner of its brokers' pods and volume claims, so Kubernetes' garbage collector deletes them with
 * it: NodePoolUtils, KafkaCluster.generatePodSets, PersistentVolumeClaimUtils at Strimzi 1.2.0), a canonical topic,
 * a region's namespace (everything in it). Unless the mesh file's `deploy.allowDataLoss` names that change, the synth
 * is refused, so neither `cdktf deploy` nor `cdktf plan` goes further, and nothing is written.
 *
 * Terraform's own `prevent_destroy` cannot do this: an object whose block is gone from the configuration (a region
 * removed, a node pool renamed) takes its `prevent_destroy` with it, and on the objects that stay it would also
 * block `cdktf destroy`.
 */
import { App, TerraformResource, TerraformStack } from 'cdktf';
import { existsSync, readFileSync } from 'fs';
import { DataLossAllowance, Mesh } from '../mesh/model';
import { StackKind } from './stack-names';
import { stateFile } from './state-files';

/** The kinds whose deletion deletes data. */
export const DATA_BEARING_KINDS = ['Kafka', 'KafkaNodePool', 'KafkaTopic'] as const;

/** An object that holds data, as a stack's state records it. */
export interface HeldObject {
  /** Terraform address: `<type>.<name>`. */
  readonly address: string;
  readonly kind: 'Namespace' | (typeof DATA_BEARING_KINDS)[number];
  readonly namespace: string;
  readonly name: string;
  /** KafkaTopic: the Kafka topic's name (`spec.topicName`). */
  readonly topicName?: string;
}

/** Why an object would go, and what in the mesh file allows it. */
export interface Loss {
  readonly object: HeldObject;
  readonly stack: string;
  readonly cause: { readonly kind: 'region'; readonly region: string } | { readonly kind: 'topic'; readonly topic: string } | { readonly kind: 'nodePools' } | { readonly kind: 'other' };
}

/** A deploy would delete data the mesh file does not allow it to; nothing was synthesized. */
export class DataLossError extends Error {
  constructor(
    readonly losses: readonly Loss[],
    message: string,
  ) {
    super(message);
    this.name = 'DataLossError';
  }
}

interface StateResource {
  mode?: string;
  type?: string;
  name?: string;
  instances?: { attributes?: Record<string, any> }[];
}

/** The data-bearing objects a stack's state holds; none if it has no state. */
export function heldObjects(file: string): HeldObject[] {
  if (!existsSync(file)) return [];
  const state = JSON.parse(readFileSync(file, 'utf8')) as { resources?: StateResource[] };
  const out: HeldObject[] = [];
  for (const r of state.resources ?? []) {
    if (r.mode !== 'managed') continue;
    const address = `${r.type}.${r.name}`;
    for (const instance of r.instances ?? []) {
      const a = instance.attributes ?? {};
      if (r.type === 'kubernetes_namespace_v1') {
        const name = a.metadata?.[0]?.name;
        if (name) out.push({ address, kind: 'Namespace', namespace: name, name });
      } else if (r.type === 'kubernetes_manifest') {
        // A dynamic attribute: the state keeps it as { value, type }.
        const manifest = a.manifest?.value ?? a.manifest;
        const kind = manifest?.kind;
        if ((DATA_BEARING_KINDS as readonly string[]).includes(kind)) {
          out.push({
            address,
            kind,
            namespace: manifest.metadata?.namespace ?? '',
            name: manifest.metadata?.name ?? '',
            ...(kind === 'KafkaTopic' ? { topicName: manifest.spec?.topicName ?? manifest.metadata?.name } : {}),
          });
        }
      }
    }
  }
  return out;
}

/** Terraform addresses of every resource a stack declares. */
export function declaredAddresses(stack: TerraformStack): Set<string> {
  return new Set(
    stack.node
      .findAll()
      .filter((c): c is TerraformResource => c instanceof TerraformResource)
      .map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`),
  );
}

/**
 * What the new stacks would delete, each with its cause. `held` is what each stack's state holds; a removed region
 * is told by its namespace, which no region of the new mesh has; its name is its Kafka's (the region's name).
 */
export function losses(mesh: Mesh, held: ReadonlyMap<string, readonly HeldObject[]>, declared: ReadonlyMap<string, ReadonlySet<string>>): Loss[] {
  const namespaces = new Set(mesh.regions.map((r) => r.namespace));
  const kafkaIn = new Map<string, string>();
  for (const objects of held.values()) for (const o of objects) if (o.kind === 'Kafka') kafkaIn.set(o.namespace, o.name);
  const out: Loss[] = [];
  for (const [stack, objects] of held) {
    const keep = declared.get(stack) ?? new Set<string>();
    for (const object of objects) {
      if (keep.has(object.address)) continue;
      // A namespace holds data when a region's Kafka lives in it (not the operator's namespace, say).
      if (object.kind === 'Namespace' && !kafkaIn.has(object.namespace)) continue;
      const regionGone = !namespaces.has(object.namespace);
      const cause: Loss['cause'] = regionGone
        ? { kind: 'region', region: kafkaIn.get(object.namespace) ?? object.namespace }
        : object.kind === 'KafkaTopic'
          ? { kind: 'topic', topic: object.topicName ?? object.name }
          : object.kind === 'KafkaNodePool'
            ? { kind: 'nodePools' }
            : { kind: 'other' };
      out.push({ object, stack, cause });
    }
  }
  return out;
}

/** Whether the mesh file allows a loss (a removed region may be named by its region or its namespace). */
export function allowed(loss: Loss, allowance: DataLossAllowance): boolean {
  switch (loss.cause.kind) {
    case 'region':
      return allowance.regions.includes(loss.cause.region) || allowance.regions.includes(loss.object.namespace);
    case 'topic':
      return allowance.topics.includes(loss.cause.topic);
    case 'nodePools':
      return allowance.nodePools;
    case 'other':
      return false;
  }
}

const describeObject = (o: HeldObject) => (o.kind === 'Namespace' ? `namespace ${o.name} (everything in it)` : o.kind === 'KafkaTopic' ? `KafkaTopic ${o.namespace}/${o.name} (topic ${o.topicName})` : o.kind === 'KafkaNodePool' ? `KafkaNodePool ${o.namespace}/${o.name} (its brokers and their volumes)` : `${o.kind} ${o.namespace}/${o.name}`);

/** The refusal: every object that would go, grouped by cause, and the mesh-file lines that allow exactly that. */
export function refusal(meshName: string, refused: readonly Loss[]): string {
  const regions = [...new Set(refused.flatMap((l) => (l.cause.kind === 'region' ? [l.cause.region] : [])))];
  const topics = [...new Set(refused.flatMap((l) => (l.cause.kind === 'topic' ? [l.cause.topic] : [])))];
  const pools = refused.some((l) => l.cause.kind === 'nodePools');
  const other = refused.filter((l) => l.cause.kind === 'other');
  const lines = [`Refused, nothing was synthesized or changed: this change to mesh "${meshName}" would delete data that the mesh file no longer declares:`];
  for (const region of regions) {
    lines.push(`  - region ${region}, no longer in regions: ${refused.filter((l) => l.cause.kind === 'region' && l.cause.region === region).map((l) => describeObject(l.object)).join(', ')}`);
  }
  for (const topic of topics) {
    lines.push(`  - canonical topic ${topic}, no longer in topics: ${refused.filter((l) => l.cause.kind === 'topic' && l.cause.topic === topic).map((l) => describeObject(l.object)).join(', ')}`);
  }
  if (pools) {
    lines.push(`  - node pools replaced (kafka.controllers changed between 0 and more, or pools renamed): ${refused.filter((l) => l.cause.kind === 'nodePools').map((l) => describeObject(l.object)).join(', ')}`);
  }
  for (const l of other) lines.push(`  - ${describeObject(l.object)}, no longer declared`);
  const allowance = [
    '  deploy:',
    '    allowDataLoss:',
    ...(regions.length ? [`      regions: [${regions.join(', ')}]`] : []),
    ...(topics.length ? [`      topics: [${topics.join(', ')}]`] : []),
    ...(pools ? ['      nodePools: true'] : []),
  ];
  if (regions.length || topics.length || pools) {
    lines.push('To make exactly this change on purpose, add to the mesh file', ...allowance, 'and run the command again (take the allowance out once it is deployed). To keep the data, undo the change instead.');
  }
  if (other.length) lines.push('No allowance covers the objects marked "no longer declared": undo the change that dropped them.');
  lines.push('(A destroy of the whole mesh needs neither: run it with the mesh file as deployed.)');
  return lines.join('\n');
}

/**
 * Refuses the app of `mesh` if its stacks would delete data the mesh file does not allow to go; the state is read
 * from `projectDir`, where cdktf keeps it. Call before `app.synth()`.
 */
export function refuseDataLoss(app: App, mesh: Mesh, stacks: Readonly<Record<StackKind, string>>, projectDir: string): void {
  const held = new Map<string, HeldObject[]>();
  const declared = new Map<string, Set<string>>();
  for (const name of Object.values(stacks)) {
    held.set(name, heldObjects(stateFile(projectDir, name)));
    const stack = app.node.tryFindChild(name);
    declared.set(name, stack instanceof TerraformStack ? declaredAddresses(stack) : new Set());
  }
  const refused = losses(mesh, held, declared).filter((l) => !allowed(l, mesh.deploy.allowDataLoss));
  if (refused.length) throw new DataLossError(refused, refusal(mesh.name, refused));
}
