import { LocalBackend, TerraformStack } from 'cdktf';

/**
 * The exact provider versions the bindings were generated for (and the Terraform tier validates against).
 * The bindings alone would ask for "~> 2.0" and "~> 3.0", so a later provider could be installed unseen.
 */
export const PROVIDER_VERSIONS = { kubernetes: '2.38.0', helm: '3.1.1' } as const;

/**
 * Settings every stack shares: pinned providers, and local state in the project folder
 * (`terraform.<stack>.tfstate`, beside cdktf.json; terraform runs in cdktf.out/stacks/<stack>/).
 * A relative path keeps the synthesized output the same on every machine.
 */
export function applyStackSettings(stack: TerraformStack, providers: readonly (keyof typeof PROVIDER_VERSIONS)[]): void {
  new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
  for (const name of providers) {
    stack.addOverride(`terraform.required_providers.${name}.version`, PROVIDER_VERSIONS[name]);
  }
}
