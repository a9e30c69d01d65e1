/**
 * No data lost without intent: a change whose deploy would delete a Kafka, a node pool, a canonical topic or a
 * region's namespace is refused at synth, naming the objects and the mesh-file lines that allow it; with those lines,
 * or for a change that deletes nothing, the app synthesizes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp, stackNames } from '../main';
import { Mesh } from '../mesh/model';
import { DataLossError, heldObjects, refuseDataLoss } from '../stacks/data-loss';
import { stateFile } from '../stacks/state-files';
import { demoMesh, synthMesh, TerraformJson } from './support/synth';

/** The state a deploy of `mesh` leaves: every declared resource, as Terraform's state file records it. */
function deployedState(stack: TerraformJson): unknown {
  const resources = Object.entries(stack.resource).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, r]) => ({
      mode: 'managed',
      type,
      name,
      provider: `provider["registry.terraform.io/hashicorp/${type.startsWith('helm') ? 'helm' : type.startsWith('kubernetes') ? 'kubernetes' : 'terraform'}"]`,
      // kubernetes_manifest's `manifest` is a dynamic attribute: the state keeps its value and type.
      instances: [{ attributes: type === 'kubernetes_manifest' ? { manifest: { value: r.manifest, type: ['object', {}] } } : { metadata: r.metadata ? [r.metadata] : undefined } }],
    })),
  );
  return { version: 4, serial: 1, resources };
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mesh-data-loss-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Deploys `before` (writes its state), then synthesizes `after` against that state: the refusal, or undefined. */
function change(before: Mesh, after: Mesh): DataLossError | undefined {
  const deployed = synthMesh(before);
  const names = stackNames(before);
  writeFileSync(stateFile(dir, names.operator), JSON.stringify(deployedState(deployed.operator.json)));
  writeFileSync(stateFile(dir, names.mesh), JSON.stringify(deployedState(deployed.mesh.json)));
  try {
    refuseDataLoss(buildApp(after, join(dir, 'out')), after, stackNames(after), dir);
    return undefined;
  } catch (e) {
    if (e instanceof DataLossError) return e;
    throw e;
  }
}

const demo = demoMesh();
const withAllowance = (mesh: Mesh, allow: Partial<Mesh['deploy']['allowDataLoss']>): Mesh => ({ ...mesh, deploy: { ...mesh.deploy, allowDataLoss: { ...mesh.deploy.allowDataLoss, ...allow } } });
const withoutEurope: Mesh = { ...demo, regions: demo.regions.filter((r) => r.name !== 'europe') };

describe('what a deployed stack holds', () => {
  test('its Kafkas, node pools, canonical topics and namespaces, read from the state', () => {
    const deployed = synthMesh(demo);
    writeFileSync(join(dir, 's.tfstate'), JSON.stringify(deployedState(deployed.mesh.json)));
    const kinds = heldObjects(join(dir, 's.tfstate')).map((o) => o.kind);
    expect(kinds.filter((k) => k === 'Kafka')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'KafkaNodePool')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'KafkaTopic')).toHaveLength(18);
    writeFileSync(join(dir, 'o.tfstate'), JSON.stringify(deployedState(synthMesh(demo).operator.json)));
    expect(heldObjects(join(dir, 'o.tfstate')).map((o) => o.name).sort()).toEqual(['europe', 'north-america', 'south-america', 'strimzi']);
    expect(heldObjects(join(dir, 'none.tfstate'))).toEqual([]);
  });
});

describe('changes that delete nothing synthesize', () => {
  test('the same mesh', () => expect(change(demo, demo)).toBeUndefined());
  test('a region added, a topic added, a config changed', () => {
    const more: Mesh = { ...demo, regions: [...demo.regions, { ...demo.regions[2], name: 'asia', namespace: 'asia', alias: 'asia' }], topics: [...demo.topics, { ...demo.topics[0], name: 'LH.RETURNS', resourceName: 'lh.returns' }] };
    expect(change(demo, more)).toBeUndefined();
  });
  test("the operator's namespace moved: no data lives there", () => {
    expect(change(demo, { ...demo, operator: { ...demo.operator, namespace: 'strimzi-operator' } })).toBeUndefined();
  });
  test('another mesh (another name) has a state of its own: nothing of this one is touched', () => {
    expect(change(demo, { ...withoutEurope, name: 'other' })).toBeUndefined();
  });
});

describe('changes that delete data are refused, naming every object, unless the mesh file allows exactly that', () => {
  test('a region removed: its Kafka, node pool, topics and namespace', () => {
    const refused = change(demo, withoutEurope)!;
    expect(refused).toBeInstanceOf(DataLossError);
    expect(refused.losses.every((l) => l.cause.kind === 'region' && l.cause.region === 'europe')).toBe(true);
    expect(refused.losses.map((l) => l.object.kind).sort()).toEqual(['Kafka', 'KafkaNodePool', ...Array(6).fill('KafkaTopic'), 'Namespace']);
    expect(refused.message).toMatch(/^Refused, nothing was synthesized or changed: this change to mesh "demo" would delete data/);
    expect(refused.message).toContain('  - region europe, no longer in regions: namespace europe (everything in it), Kafka europe/europe, KafkaNodePool europe/dual-role (its brokers and their volumes), KafkaTopic europe/lh.cancellations (topic LH.CANCELLATIONS), ');
    expect(refused.message).toContain('  deploy:\n    allowDataLoss:\n      regions: [europe]\n');
    expect(change(demo, withAllowance(withoutEurope, { regions: ['europe'] }))).toBeUndefined();
    // An allowance for something else allows nothing here.
    expect(change(demo, withAllowance(withoutEurope, { regions: ['asia'], nodePools: true }))).toBeInstanceOf(DataLossError);
  });

  test('kafka.controllers changed from 0: every region\'s dual-role pool, with its brokers and volumes', () => {
    const dedicated: Mesh = { ...demo, kafka: { ...demo.kafka, controllers: 3 } };
    const refused = change(demo, dedicated)!;
    expect(refused.losses.map((l) => [l.cause.kind, l.object.kind, l.object.namespace, l.object.name]).sort()).toEqual(
      demo.regions.map((r) => ['nodePools', 'KafkaNodePool', r.namespace, 'dual-role']).sort(),
    );
    expect(refused.message).toContain('node pools replaced (kafka.controllers changed between 0 and more, or pools renamed)');
    expect(refused.message).toContain('      nodePools: true\n');
    expect(change(demo, withAllowance(dedicated, { nodePools: true }))).toBeUndefined();
  });

  test('a canonical topic removed: its KafkaTopic in every region', () => {
    const fewer: Mesh = { ...demo, topics: demo.topics.filter((t) => t.name !== 'LH.SENSORS') };
    const refused = change(demo, fewer)!;
    expect(refused.losses.map((l) => l.cause)).toEqual(demo.regions.map(() => ({ kind: 'topic', topic: 'LH.SENSORS' })));
    expect(refused.losses.map((l) => l.object.namespace).sort()).toEqual(demo.regions.map((r) => r.namespace).sort());
    expect(refused.message).toContain('      topics: [LH.SENSORS]\n');
    expect(change(demo, withAllowance(fewer, { topics: ['LH.SENSORS'] }))).toBeUndefined();
  });

  test('several at once: each named, one allowance for all', () => {
    const both: Mesh = { ...withoutEurope, topics: demo.topics.filter((t) => t.name !== 'LH.SENSORS') };
    const refused = change(demo, both)!;
    expect(refused.message).toContain('      regions: [europe]\n      topics: [LH.SENSORS]\n');
    expect(change(demo, withAllowance(both, { regions: ['europe'] }))!.losses.map((l) => l.cause.kind)).toEqual(['topic', 'topic']);
    expect(change(demo, withAllowance(both, { regions: ['europe'], topics: ['LH.SENSORS'] }))).toBeUndefined();
  });
});
