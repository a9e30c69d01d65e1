/** Each mesh's state is its own: stacks named after the mesh, and state from before names refused until handed over. */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stackNames } from '../main';
import { describeMesh, holdsResources, refuseUnnamedState, StateError, stateFile } from '../stacks/state-files';
import { demoMesh, fixtureMesh } from './support/synth';

describe('each mesh has stacks, and so a state, of its own', () => {
  test('stacks are named after the mesh', () => {
    expect(stackNames(demoMesh())).toEqual({ operator: 'demo-operator', mesh: 'demo-mesh' });
    expect(stackNames(fixtureMesh('five-regions.yaml'))).toEqual({ operator: 'five-regions-operator', mesh: 'five-regions-mesh' });
  });

  test('the first line names the mesh and where it comes from', () => {
    expect(describeMesh(demoMesh(), {})).toBe('mesh "demo" (the built-in demo: MESH_CONFIG is not set)');
    expect(describeMesh(fixtureMesh('five-regions.yaml'), { MESH_CONFIG: 'five.yaml' })).toBe('mesh "five-regions" (MESH_CONFIG=five.yaml)');
  });
});

describe('state of the unnamed stacks (before meshes had names)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mesh-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (stack: string, state: unknown) => writeFileSync(stateFile(dir, stack), typeof state === 'string' ? state : JSON.stringify(state));

  test('none, or destroyed (no resources): nothing to refuse', () => {
    expect(() => refuseUnnamedState(dir)).not.toThrow();
    write('mesh', { version: 4, resources: [] });
    write('operator', { version: 4 });
    expect(() => refuseUnnamedState(dir)).not.toThrow();
  });

  test('deployed: refused, with the moves that hand it to its mesh', () => {
    write('mesh', { version: 4, resources: [{ type: 'kubernetes_manifest' }] });
    write('operator', { version: 4, resources: [{ type: 'helm_release' }] });
    expect(() => refuseUnnamedState(dir)).toThrow(StateError);
    expect(() => refuseUnnamedState(dir)).toThrow(/mv terraform\.operator\.tfstate terraform\.<name>-operator\.tfstate && mv terraform\.mesh\.tfstate terraform\.<name>-mesh\.tfstate/);
  });

  test('a state that cannot be read counts as holding resources', () => {
    write('mesh', '{ not json');
    expect(holdsResources(stateFile(dir, 'mesh'))).toBe(true);
    expect(() => refuseUnnamedState(dir)).toThrow(/terraform\.mesh\.tfstate/);
  });
});
