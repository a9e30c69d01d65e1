/**
 * Benchmark baseline: a cdktf app that loads the same provider classes as main.ts and synthesizes one trivial
 * stack. The mesh app's synth time is compared with this one's.
 */
import { App, DataResource, LocalBackend, TerraformStack } from 'cdktf';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Release } from '@cdktf/provider-helm/lib/release';
import { DataKubernetesSecretV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';

const app = new App();
const stack = new TerraformStack(app, 'bare');
new LocalBackend(stack, { path: 'bare.tfstate' });
new KubernetesProvider(stack, 'kubernetes', {});
new HelmProvider(stack, 'helm', {});
// Referenced so that every class is really loaded, as in the mesh app.
void [DataResource, Release, DataKubernetesSecretV1, Manifest, NamespaceV1, SecretV1];
new NamespaceV1(stack, 'namespace', { metadata: { name: 'bare' } });
app.synth();
