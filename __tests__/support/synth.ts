/**
 * Test support: synthesize a mesh exactly as `cdktf synth` does (main.ts's buildApp) into a temporary folder, and
 * read the stacks back as JSON.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp, StackKind, stackNames } from '../../main';
import { loadMeshFile } from '../../mesh/load';
import { Mesh } from '../../mesh/model';
import { DEMO_MESH_FILE } from '../../mesh/demo';
import { resolveMesh } from '../../mesh/validate';

export const FIXTURES = join(__dirname, '..', 'fixtures');
export const demoMesh = (): Mesh => resolveMesh(DEMO_MESH_FILE);
export const fixtureMesh = (name: string): Mesh => loadMeshFile(join(FIXTURES, 'meshes', name));
/** An environment whose KUBECONFIG is a fixture kubeconfig (__tests__/fixtures/kubeconfigs/). */
export const kubeconfigEnv = (name: string): NodeJS.ProcessEnv => ({ KUBECONFIG: join(FIXTURES, 'kubeconfigs', name) });

/** A synthesized stack: its Terraform JSON, and the text it was written as. */
export interface SynthStack {
  readonly json: TerraformJson;
  readonly text: string;
}
export interface TerraformJson {
  readonly resource: Record<string, Record<string, TerraformResource>>;
  readonly data?: Record<string, Record<string, TerraformResource>>;
  readonly output?: Record<string, { value: unknown }>;
  readonly provider: Record<string, Record<string, unknown>[]>;
  readonly terraform: Record<string, any>;
}
export type TerraformResource = Record<string, any> & { depends_on?: string[] };

/** Synthesizes `mesh` as main.ts does; `env` is what it reads KUBECONFIG from (the kubeconfig is read if a region names a context). */
export function synthMesh(mesh: Mesh, env: NodeJS.ProcessEnv = process.env): Record<StackKind, SynthStack> {
  const outdir = mkdtempSync(join(tmpdir(), 'mesh-synth-'));
  try {
    buildApp(mesh, outdir, env).synth();
    const read = (stack: string): SynthStack => {
      const text = readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8');
      return { text, json: JSON.parse(text) };
    };
    const names = stackNames(mesh);
    return { operator: read(names.operator), mesh: read(names.mesh) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The `kubernetes_manifest` objects of a stack, with their Terraform address. */
export interface ManifestEntry {
  readonly address: string;
  readonly resource: TerraformResource;
  readonly object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; [k: string]: any };
}
export function manifests(stack: TerraformJson, kind?: string): ManifestEntry[] {
  return Object.entries(stack.resource.kubernetes_manifest ?? {})
    .map(([name, resource]) => ({ address: `kubernetes_manifest.${name}`, resource, object: resource.manifest }))
    .filter((m) => kind === undefined || m.object.kind === kind);
}
export function manifestOf(stack: TerraformJson, kind: string, namespace: string, name: string): ManifestEntry {
  const found = manifests(stack, kind).find((m) => m.object.metadata.namespace === namespace && m.object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${namespace}/${name}`);
  return found;
}

/**
 * The wait for a manifest's object to work (constructs/ready-wait.ts): a `terraform_data` that runs after the object
 * is applied and is replaced whenever the object changes. Throws if the manifest has none, or more than one.
 */
export function readyWaitOf(stack: TerraformJson, manifest: ManifestEntry): { address: string; resource: TerraformResource } {
  const waits = Object.entries(stack.resource.terraform_data ?? {}).filter(
    ([, r]) => r.depends_on?.includes(manifest.address) && r.lifecycle?.replace_triggered_by?.includes(manifest.address),
  );
  if (waits.length !== 1) throw new Error(`${waits.length} waits for ${manifest.address}`);
  const [[name, resource]] = waits;
  return { address: `terraform_data.${name}`, resource };
}

/** Java-compatible full match of a regex (the subset we generate is the same in JavaScript). */
export const fullMatch = (pattern: string, text: string): boolean => new RegExp(`^(?:${pattern})$`).test(text);

/** A literal string as Terraform reads it from JSON: `$${` and `%%{` are escapes for `${` and `%{`. */
export const terraformString = (text: string): string => text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
