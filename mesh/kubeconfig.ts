/**
 * Which kubeconfig the stack deploys with, decided the way kubectl decides it, and the provider environment
 * variables that would split one deploy across clusters. Pure: no file is read here.
 */

/** kubectl's default kubeconfig (the providers expand `~` themselves). */
export const DEFAULT_KUBECONFIG = '~/.kube/config';

/** The kubeconfig file(s) and where that choice came from, for messages. */
export interface KubeconfigSource {
  /** Files, merged as kubectl merges them (the first file to define a name wins). */
  readonly paths: readonly string[];
  readonly from: 'mesh' | 'KUBECONFIG' | 'default';
}

/**
 * The mesh file's `kubeconfig` when it sets one; else $KUBECONFIG (a list, separated by ":"); else ~/.kube/config.
 * Relative paths are made absolute against `cwd`, as kubectl reads them (Terraform runs in another folder).
 */
export function kubeconfigSource(meshKubeconfig: string | undefined, env: NodeJS.ProcessEnv, cwd = process.cwd()): KubeconfigSource {
  const absolute = (p: string) => (p === '~' || p.startsWith('~/') || p.startsWith('/') ? p : `${cwd.replace(/\/+$/, '')}/${p.replace(/^\.\//, '')}`);
  if (meshKubeconfig !== undefined) return { paths: [absolute(meshKubeconfig)], from: 'mesh' };
  const list = (env.KUBECONFIG ?? '').split(':').filter((p) => p !== '');
  if (list.length > 0) return { paths: list.map(absolute), from: 'KUBECONFIG' };
  return { paths: [DEFAULT_KUBECONFIG], from: 'default' };
}

/**
 * Environment variables the Kubernetes and Helm providers read. The `kubernetes_manifest` resources (every Strimzi
 * resource) let them override the stack's explicit provider settings, while the other resources (namespaces,
 * Secrets, Helm releases) only fall back to them: set, they can send half a deploy to another cluster.
 */
export const PROVIDER_ENVIRONMENT = [
  'KUBE_CONFIG_PATH',
  'KUBE_CONFIG_PATHS',
  'KUBE_CTX',
  'KUBE_CTX_CLUSTER',
  'KUBE_CTX_AUTH_INFO',
  'KUBE_HOST',
  'KUBE_TOKEN',
  'KUBE_USER',
  'KUBE_USERNAME',
  'KUBE_PASSWORD',
  'KUBE_CLUSTER_CA_CERT_DATA',
  'KUBE_CLIENT_CERT_DATA',
  'KUBE_CLIENT_KEY_DATA',
  'KUBE_INSECURE',
  'KUBE_PROXY_URL',
  'KUBE_TLS_SERVER_NAME',
] as const;

/** The environment cannot be deployed from; `problems` has one line per variable. */
export class DeployEnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Refusing to synthesize: the environment sets Kubernetes provider variables\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'The Strimzi resources (kubernetes_manifest) let these override the stack\'s kubeconfig and context, the other ' +
        'resources do not, so one deploy would reach two clusters. Unset them and choose the cluster with KUBECONFIG ' +
        '(or the mesh file\'s `kubeconfig`) and each region\'s `context`.',
    );
  }
}

/** Throws DeployEnvironmentError when any provider variable is set (to anything but the empty string). */
export function refuseProviderEnvironment(env: NodeJS.ProcessEnv): void {
  const set = PROVIDER_ENVIRONMENT.filter((name) => (env[name] ?? '') !== '');
  if (set.length) throw new DeployEnvironmentError(set.map((name) => `${name} is set${name.includes('PASSWORD') || name.includes('TOKEN') || name.includes('KEY') ? '' : ` (to "${env[name]}")`}`));
}
