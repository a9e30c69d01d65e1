/**
 * A Kubernetes object applied as-is with `kubernetes_manifest`, so the synthesized Terraform reads like the YAML a
 * person would `kubectl apply`. Strimzi resources can wait for their Ready condition, so that what needs them is
 * created only once they work.
 */
import { ITerraformDependable, Token } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

export interface ObjectManifestOptions {
  readonly provider: KubernetesProvider;
  readonly object: KubernetesObject;
  /**
   * Wait until the object reports the condition `Ready=True` (Strimzi resources), or until a Deployment's rollout
   * is complete.
   * @default - no wait
   */
  readonly waitFor?: 'ready' | 'rollout';
  /** @default '20m' for create and update, '10m' for delete */
  readonly timeout?: string;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Terraform reads every string of its JSON configuration as a template: a literal `${` or `%{` (a shell script's
 * `${VAR}`, a Spring placeholder) must be written `$${` / `%%{`. Strings holding cdktf tokens are left alone.
 */
export function terraformLiteral(text: string): string {
  return Token.isUnresolved(text) ? text : text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

function escapeLiterals(value: unknown): unknown {
  if (typeof value === 'string') return terraformLiteral(value);
  if (Array.isArray(value)) return value.map(escapeLiterals);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [terraformLiteral(k), escapeLiterals(v)]));
  }
  return value;
}

/** Declares one Kubernetes object. The construct id is part of the Terraform address: keep it stable. */
export function objectManifest(scope: Construct, id: string, options: ObjectManifestOptions): Manifest {
  const timeout = options.timeout ?? '20m';
  return new Manifest(scope, id, {
    provider: options.provider,
    manifest: escapeLiterals(options.object) as Record<string, unknown>,
    ...(options.waitFor === 'ready' ? { wait: { condition: [{ type: 'Ready', status: 'True' }] } } : {}),
    ...(options.waitFor === 'rollout' ? { wait: { rollout: true } } : {}),
    timeouts: { create: timeout, update: timeout, delete: '10m' },
    ...(options.dependsOn?.length ? { dependsOn: options.dependsOn } : {}),
  });
}
