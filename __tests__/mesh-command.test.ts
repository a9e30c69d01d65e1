/**
 * npm run plan / deploy / destroy (scripts/mesh-command.ts): which stacks a command acts on, in which order, what it
 * refuses before doing anything, and how it names what a plan deletes. Driving Terraform is the k8s tier's to prove.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import { parseInvocation, summarize, UsageError } from '../scripts/mesh-command';

const mesh = { name: 'demo' };
const nothingDeployed = () => false;
const allDeployed = () => true;

describe('which stacks, in which order', () => {
  test('no stack named: both, the operator first to deploy and last to destroy', () => {
    expect(parseInvocation(['deploy'], mesh, nothingDeployed)).toEqual({ command: 'deploy', autoApprove: false, stacks: ['operator', 'mesh'] });
    expect(parseInvocation(['plan'], mesh, nothingDeployed).stacks).toEqual(['operator', 'mesh']);
    expect(parseInvocation(['destroy'], mesh, allDeployed).stacks).toEqual(['mesh', 'operator']);
  });

  test('a stack by kind or by its full name, like cdktf deploy <stack>', () => {
    expect(parseInvocation(['deploy', 'mesh'], mesh, allDeployed).stacks).toEqual(['mesh']);
    expect(parseInvocation(['destroy', 'demo-mesh'], mesh, allDeployed).stacks).toEqual(['mesh']);
    expect(parseInvocation(['deploy', 'demo-mesh', 'operator'], mesh, nothingDeployed).stacks).toEqual(['operator', 'mesh']);
  });

  test('--auto-approve only when asked, never for plan', () => {
    expect(parseInvocation(['deploy', '--auto-approve'], mesh, nothingDeployed).autoApprove).toBe(true);
    expect(parseInvocation(['destroy'], mesh, allDeployed).autoApprove).toBe(false);
    expect(() => parseInvocation(['plan', '--auto-approve'], mesh, nothingDeployed)).toThrow('--auto-approve: plan changes nothing');
  });
});

describe('refused before anything runs, with the reason', () => {
  test('a stack of another mesh, or none', () => {
    expect(() => parseInvocation(['destroy', 'prod-mesh'], mesh, allDeployed)).toThrow(new UsageError('"prod-mesh" is not a stack of mesh "demo": its stacks are operator (demo-operator), mesh (demo-mesh)'));
  });
  test('the mesh stack alone before the operator stack is deployed (cdktf: missing stack dependency)', () => {
    expect(() => parseInvocation(['deploy', 'mesh'], mesh, nothingDeployed)).toThrow('stack demo-mesh needs stack demo-operator (Strimzi\'s CRDs) deployed first');
    expect(() => parseInvocation(['plan', 'mesh'], mesh, nothingDeployed)).toThrow(UsageError);
  });
  test('the operator stack destroyed while the mesh stack still needs it', () => {
    expect(() => parseInvocation(['destroy', 'operator'], mesh, (k) => k === 'mesh')).toThrow('stack demo-mesh is still deployed and needs stack demo-operator');
    expect(parseInvocation(['destroy', 'operator'], mesh, (k) => k === 'operator').stacks).toEqual(['operator']);
  });
  test('an unknown command or option', () => {
    expect(() => parseInvocation(['apply'], mesh, nothingDeployed)).toThrow('unknown command "apply"; use one of plan, deploy, destroy');
    expect(() => parseInvocation(['deploy', '--force'], mesh, nothingDeployed)).toThrow('unknown option --force');
  });
});

test('a plan is summed up, and what it deletes named as kind namespace/name', () => {
  const summary = summarize([
    { address: 'kubernetes_manifest.a', type: 'kubernetes_manifest', change: { actions: ['delete'], before: { manifest: { kind: 'Kafka', metadata: { namespace: 'europe', name: 'europe' } } } } },
    { address: 'kubernetes_namespace_v1.b', type: 'kubernetes_namespace_v1', change: { actions: ['delete'], before: { metadata: [{ name: 'europe' }] } } },
    { address: 'helm_release.c', type: 'helm_release', change: { actions: ['delete', 'create'], before: { namespace: 'strimzi', name: 'strimzi-cluster-operator' } } },
    { address: 'terraform_data.d', type: 'terraform_data', change: { actions: ['create'] } },
    { address: 'kubernetes_manifest.e', type: 'kubernetes_manifest', change: { actions: ['update'], before: {} } },
  ]);
  // terraform_data (the waits and records beside the objects) is no object.
  expect(summary).toEqual({ add: 1, change: 1, destroy: 3, deleted: ['Kafka europe/europe', 'Namespace europe', 'Helm release strimzi/strimzi-cluster-operator'] });
});

test('npm run destroy -- <a stack of another mesh> refuses, says which mesh it is, and does nothing', () => {
  const { MESH_CONFIG: _m, ...env } = process.env;
  const r = spawnSync('npm', ['run', '--silent', 'destroy', '--', 'prod-mesh'], { cwd: join(__dirname, '..'), env, encoding: 'utf8' });
  expect(r.stdout.split('\n')[0]).toBe('mesh "demo" (the built-in demo: MESH_CONFIG is not set)');
  expect(r.stderr).toContain('npm run destroy: "prod-mesh" is not a stack of mesh "demo"');
  expect(r.stderr).toContain('nothing was done');
  expect(r.status).toBe(1);
});
