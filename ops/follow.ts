/**
 * npm run follow -- <region> [--tail <lines>|all]: streams a region's consumer output, each event tagged with its
 * source region in an aligned `[region]` column (a colour per region on a terminal).
 */
import { Mesh, Region } from '../mesh/model';
import { COLOURS, EXIT, Io, Paint, painter, readKubeconfig, Parsed, reportNoCluster, start } from './command';
import { KubeApi, KubeError } from './kube-api';
import { RegionApi } from './region-api';
import { parseEventLine, sourceRegion } from './source-region';

export const DEFAULT_TAIL_LINES = 20;

const USAGE = `Usage: npm run follow -- <region> [--tail <lines>|all]

Streams the region's consumer output (its Deployment's newest running pod) until the pod stops or Ctrl-C; each event
is tagged with the region it was produced in: [<region>] for the canonical topic and every <alias>.<topic> copy.

Options:
  --tail <lines>|all  start with the last <lines> lines of the log, or all of it (default ${DEFAULT_TAIL_LINES})
  -h, --help          this help
`;

/** Colours of the region tags, in mesh order (red is kept for events of no known region). */
const REGION_COLOURS = [COLOURS.cyan, COLOURS.magenta, COLOURS.yellow, COLOURS.green, COLOURS.blue, 96, 95, 93, 92, 94];

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const started = start(argv, io, parseArgs, USAGE);
  if (typeof started === 'number') return started;
  const { args, mesh } = started;
  const regionNames = mesh.regions.map((r) => r.name).join(', ');
  if (args.region === undefined) {
    io.stderr.write(`Which region? The regions of this mesh: ${regionNames}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const region = mesh.regions.find((r) => r.name === args.region || r.alias === args.region);
  if (!region) {
    io.stderr.write(`Unknown region "${args.region}". The regions of this mesh: ${regionNames}\n`);
    return EXIT.usage;
  }

  try {
    const api = new RegionApi(region, new KubeApi(readKubeconfig(mesh, io).connection(region.context)));
    const pod = await api.consumerPod();
    io.stderr.write(`following pod ${pod.name} in ${region.name} (Ctrl-C to stop)…\n`);
    const tag = sourceTagger(mesh, region, painter(io.stdout, io.env));
    await api.followConsumer(pod, args.tailLines, (line) => io.stdout.write(`${tag(line)}\n`));
    io.stderr.write(`the log of ${pod.name} ended (the pod stopped or restarted): run the command again to follow the new pod\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof KubeError && !e.isFatal && e.kind !== 'forbidden') {
      io.stderr.write(`Cannot follow the consumer of ${region.name}: ${e.message}\n`);
      return EXIT.problems;
    }
    return reportNoCluster(e, `region ${region.name}`, io);
  }
}

/** Prefixes a consumer log line with its event's source region, `[south-america]`, padded so that lines align. */
export function sourceTagger(mesh: Mesh, local: Region, paint: Paint): (line: string) => string {
  const width = Math.max(...mesh.regions.map((r) => r.name.length)) + 2;
  return (line) => {
    const event = parseEventLine(line);
    if (!event) return `${' '.repeat(width)} ${paint(line, COLOURS.dim)}`;
    const source = sourceRegion(mesh, local, event.topic);
    const tag = `[${source?.name ?? '?'}]`.padEnd(width);
    return `${paint(tag, source ? REGION_COLOURS[mesh.regions.indexOf(source) % REGION_COLOURS.length] : COLOURS.red)} ${line}`;
  };
}

function parseArgs(argv: readonly string[]): Parsed<{ region?: string; tailLines?: number }> {
  let region: string | undefined;
  let tailLines: number | undefined = DEFAULT_TAIL_LINES;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '-h' || flag === '--help') return { help: true };
    if (flag === '--tail') {
      const value = inline ?? argv[++i];
      if (value === 'all') tailLines = undefined;
      else if (/^\d+$/.test(value ?? '')) tailLines = Number(value);
      else return { error: `--tail needs a number of lines or "all", got ${value ?? 'nothing'}` };
    } else if (argv[i].startsWith('-') || region !== undefined) {
      return { error: `Unknown argument: ${argv[i]}` };
    } else {
      region = argv[i];
    }
  }
  return { region, tailLines };
}

if (require.main === module) {
  // Piped into head or less and closed: stop quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? EXIT.ok : EXIT.problems));
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
