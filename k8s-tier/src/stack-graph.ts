/**
 * The synthesized stacks read back as a graph: which Kubernetes object each Terraform resource makes, and which
 * resources each one waits for (its depends_on and its references, followed through data sources and other
 * resources that make no object). The tier checks the cluster against this, not against a list of its own.
 */
import * as fs from 'fs';

/** A Kubernetes object a resource makes. `kind` is the API kind; Helm releases are their release Secret. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface StackResource {
  /** `type.name` (the Terraform address without module). */
  readonly address: string;
  readonly type: string;
  readonly body: Record<string, any>;
  /** The object it makes, if any. */
  readonly object?: ObjectRef;
  /** The wait beside this object (constructs/ready-wait.ts): what depends on that wait comes only once this holds. */
  readonly waitsFor?: 'ready' | 'rollout';
  /** The nearest resources that make objects, which this one waits for. */
  readonly dependencies: readonly string[];
}

export function readStack(file: string): Map<string, StackResource> {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { resource?: Record<string, Record<string, any>>; data?: Record<string, Record<string, any>> };
  const bodies = new Map<string, { type: string; body: Record<string, any> }>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) for (const [name, body] of Object.entries(byName)) bodies.set(`${type}.${name}`, { type, body });
  for (const [type, byName] of Object.entries(json.data ?? {})) for (const [name, body] of Object.entries(byName)) bodies.set(`data.${type}.${name}`, { type: `data.${type}`, body });

  const direct = (address: string): string[] => {
    const { body } = bodies.get(address)!;
    const refs = new Set<string>(body.depends_on ?? []);
    const text = JSON.stringify({ ...body, depends_on: undefined, '//': undefined });
    for (const m of text.matchAll(/\$\{[^}]*\}/g)) {
      for (const r of m[0].matchAll(/(?<![\w.])(data\.)?[a-z_0-9]+\.[A-Za-z0-9_-]+/g)) if (bodies.has(r[0])) refs.add(r[0]);
    }
    return [...refs];
  };
  const objectOf = (type: string, body: Record<string, any>): ObjectRef | undefined => {
    switch (type) {
      case 'kubernetes_manifest':
        return { kind: body.manifest.kind, namespace: body.manifest.metadata.namespace ?? '', name: body.manifest.metadata.name };
      case 'kubernetes_namespace_v1':
        return { kind: 'Namespace', namespace: '', name: body.metadata.name };
      case 'kubernetes_secret_v1':
        return { kind: 'Secret', namespace: body.metadata.namespace, name: body.metadata.name };
      case 'helm_release':
        // Helm records an installed release as this Secret, written when the install starts.
        return { kind: 'Secret', namespace: body.namespace, name: `sh.helm.release.v1.${body.name}.v1` };
      default:
        return undefined;
    }
  };
  // Dependencies through resources that make no object (data sources, terraform_data) are followed to ones that do.
  const nearest = (address: string, seen = new Set<string>()): string[] =>
    direct(address).flatMap((d) => {
      if (seen.has(d)) return [];
      seen.add(d);
      const { type, body } = bodies.get(d)!;
      return objectOf(type, body) ? [d] : nearest(d, seen);
    });

  // The waits beside objects (constructs/ready-wait.ts): a terraform_data replaced whenever its object changes, whose
  // kubectl waits for it; what depends on the wait waits for the object to work.
  const waitOf = new Map<string, 'ready' | 'rollout'>();
  for (const [, { type, body }] of bodies) {
    const [object] = body.lifecycle?.replace_triggered_by ?? [];
    const condition = body.provisioner?.[0]?.['local-exec']?.environment?.WAIT_FOR;
    if (type === 'terraform_data' && object && (condition === 'ready' || condition === 'rollout')) waitOf.set(object, condition);
  }

  const stack = new Map<string, StackResource>();
  for (const [address, { type, body }] of bodies) {
    if (type.startsWith('data.')) continue;
    const wait = waitOf.get(address);
    stack.set(address, { address, type, body, object: objectOf(type, body), ...(wait ? { waitsFor: wait } : {}), dependencies: [...new Set(nearest(address))] });
  }
  return stack;
}
