import { Testing } from 'cdktf';

// cdktf's jest matchers (toHaveResourceWithProperties, ...).
Testing.setupJest();

// Synthesis reads KUBECONFIG (as kubectl does) and refuses the providers' KUBE_* variables: tests synthesize as on
// a machine with neither, so snapshots do not depend on the shell they run in.
delete process.env.KUBECONFIG;
for (const name of Object.keys(process.env)) if (name.startsWith('KUBE_')) delete process.env[name];
