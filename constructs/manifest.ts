/**
 * A Kubernetes object applied as-is with `kubernetes_manifest`, so the synthesized Terraform reads like the YAML a
 * person would `kubectl apply`. Strimzi resources and Deployments can be waited for (ready-wait.ts), so that what
 * needs them is created only once they work.
 */
import { ITerraformDependable, TerraformResource, Token } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { ReadyCondition, ReadyWait } from './ready-wait';

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
  /** @default '10m' to delete */
  readonly deleteTimeout?: string;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

export interface ReadyManifestOptions extends ObjectManifestOptions {
  /**
   * `ready`: the object's `Ready` condition for its latest generation (Strimzi resources); `rollout`: a Deployment's;
   * `pool`: a KafkaNodePool's latest generation reconciled.
   */
  readonly waitFor: ReadyCondition;
  /** Seconds the deploy waits for it (the mesh file's `deploy.readyTimeoutSeconds`). */
  readonly timeoutSeconds: number;
  /**
   * The UID of the `kube-system` namespace of the object's cluster: its wait refuses any other cluster.
   * @default - none: no check
   */
  readonly clusterUid?: string;
  /** Objects whose changes also make the wait run again (ReadyWaitProps.alsoAfterChangesTo). @default - none */
  readonly waitAlsoAfterChangesTo?: Manifest[];
  /** Waits the wait runs after. @default - none */
  readonly waitAfter?: TerraformResource[];
}

/** An applied object and the wait for it to work: depend on `ready` to come after it works. */
export interface ReadyManifest {
  readonly manifest: Manifest;
  readonly ready: TerraformResource;
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
  return new Manifest(scope, id, {
    provider: options.provider,
    manifest: escapeLiterals(options.object) as Record<string, unknown>,
    // No provider wait (see ready-wait.ts): applying an object returns at once; a delete waits for it to be gone.
    timeouts: { delete: options.deleteTimeout ?? '10m' },
    ...(options.dependsOn?.length ? { dependsOn: options.dependsOn } : {}),
  });
}

/**
 * Declares one Kubernetes object (construct id `<id>`) and the wait for it to work (`<id>-ready`). A wait that
 * times out fails the deploy but never the object: the next deploy keeps the object and waits again.
 */
export function readyManifest(scope: Construct, id: string, options: ReadyManifestOptions): ReadyManifest {
  const manifest = objectManifest(scope, id, options);
  const wait = new ReadyWait(scope, `${id}-ready`, {
    provider: options.provider,
    manifest,
    object: options.object,
    condition: options.waitFor,
    timeoutSeconds: options.timeoutSeconds,
    clusterUid: options.clusterUid,
    alsoAfterChangesTo: options.waitAlsoAfterChangesTo,
    after: options.waitAfter,
  });
  return { manifest, ready: wait.resource };
}
