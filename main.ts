/**
 * The shared-topic mesh app: the mesh (MESH_CONFIG's file, or the three-region demo) in two stacks named after the
 * mesh, deployed in order by `cdktf deploy '*'` and destroyed in reverse by `cdktf destroy '*'`.
 */
import { App } from 'cdktf';
import { loadMesh } from './mesh/load';
import { MeshConfigError } from './mesh/validate';
import { MeshStack } from './stacks/mesh-stack';
import { OperatorStack } from './stacks/operator-stack';
import { Mesh } from './mesh/model';
import { DeployEnvironmentError, kubeconfigSource, refuseProviderEnvironment } from './mesh/kubeconfig';
import { Topology } from './mesh/clusters';
import { Kubeconfig, kubeconfigSource as kubeconfigFiles } from './ops/kubeconfig';
import { describeMesh, refuseUnnamedState, StateError } from './stacks/state-files';
import { DataLossError, refuseDataLoss } from './stacks/data-loss';
import { stackNames } from './stacks/stack-names';

export { STACK_KINDS, stackNames } from './stacks/stack-names';
export type { StackKind } from './stacks/stack-names';

/**
 * The app for a mesh. The kubeconfig is chosen as kubectl chooses it (the mesh file's, else $KUBECONFIG, else
 * ~/.kube/config), and read when a region names a context, to tell which regions share a cluster. Throws
 * DeployEnvironmentError if `env` sets provider variables that would split the deploy, and MeshConfigError if a
 * region's context, namespace or external listener cannot be used on the clusters the contexts reach.
 */
export function buildApp(mesh: Mesh, outdir?: string, env: NodeJS.ProcessEnv = process.env): App {
  refuseProviderEnvironment(env);
  const kubeconfigPaths = kubeconfigSource(mesh.kubeconfig, env).paths;
  const topology = Topology.resolve(mesh, () => Kubeconfig.read(kubeconfigFiles(mesh, env)));
  const app = new App({ ...(outdir ? { outdir } : {}), skipValidation: false });
  const names = stackNames(mesh);
  const operator = new OperatorStack(app, names.operator, { mesh, kubeconfigPaths, topology });
  const meshStack = new MeshStack(app, names.mesh, { mesh, kubeconfigPaths, topology });
  // The mesh's custom resources need the operator's CRDs at plan time; destroy removes the mesh first.
  meshStack.addDependency(operator);
  return app;
}

if (require.main === module) {
  // cdktf records a stack trace for every token it creates (for diagnostics only); source-mapping each one made a
  // 30-region synth 2.5x slower. Traces now show transpiled lines, which are close to the source.
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  process.setSourceMapsEnabled(false);
  try {
    const mesh = loadMesh();
    // cdktf shows what the app prints: say first which mesh this command acts on, and where it comes from.
    console.log(describeMesh(mesh));
    refuseUnnamedState(process.cwd());
    const app = buildApp(mesh);
    refuseDataLoss(app, mesh, stackNames(mesh), process.cwd());
    app.synth();
  } catch (e) {
    if (e instanceof MeshConfigError || e instanceof DeployEnvironmentError || e instanceof StateError || e instanceof DataLossError) {
      // Nothing is synthesized: no half-written stack for a bad mesh or environment.
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}
