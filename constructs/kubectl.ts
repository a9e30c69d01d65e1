/** What the stack's kubectl calls (waits, CRD apply and cleanup) share with the providers. */
import { Fn } from 'cdktf';

/** KUBECONFIG for kubectl: the providers' kubeconfig file(s), "~" expanded (kubectl does not expand it). */
export function kubectlKubeconfig(paths: readonly string[] = ['~/.kube/config']): string {
  return Fn.join(':', paths.map((p) => Fn.pathexpand(p)));
}
