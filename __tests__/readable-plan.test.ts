/**
 * scripts/readable-plan.cjs, the filter `npm run deploy` pipes cdktf's output through: it folds what the provider
 * back-fills on create (every schema field of a kubernetes_manifest's `object`, known after apply) and nothing else.
 * The fixture is the real plan of one region's Kafka, as `cdktf deploy` printed it in the Kubernetes tier.
 */
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

const FILTER = join(__dirname, '..', 'scripts', 'readable-plan.cjs');
const readable = (text: string) => spawnSync(process.execPath, [FILTER], { input: text, encoding: 'utf8' }).stdout;
const kafkaPlan = readFileSync(join(__dirname, 'fixtures', 'plans', 'create-kafka.txt'), 'utf8');

test("a created Kafka's back-filled object folds into one line; its declared manifest stays whole", () => {
  const out = readable(kafkaPlan);
  const before = kafkaPlan.split('\n');
  const after = out.split('\n');
  expect(before.length).toBeGreaterThan(1000);
  expect(after.length).toBeLessThan(80);
  // Every line of the manifest block is still there, in order.
  const manifestStart = before.findIndex((l) => l.includes('+ manifest = {'));
  const objectStart = before.findIndex((l) => l.includes('+ object   = {'));
  expect(out).toContain(before.slice(manifestStart, objectStart).join('\n'));
  expect(out).toMatch(/\+ object   = \{ \.\.\. \}   # 1\d{3} lines folded/);
  expect(out).not.toContain('(known after apply)');
  // What follows the object block (the resource's other attributes and closing braces) is kept.
  expect(after.slice(-4)).toEqual(before.slice(-4));
});

test('an update keeps its object diff, and text with no object block passes through unchanged', () => {
  const update = [
    '  # kubernetes_manifest.region-europe_mirrormaker2_31BEBFA6 will be updated in-place',
    '  ~ resource "kubernetes_manifest" "region-europe_mirrormaker2_31BEBFA6" {',
    '      ~ manifest = {',
    '          ~ spec = {',
    '              ~ replicas = 1 -> 2',
    '            }',
    '        }',
    '      ~ object   = {',
    '          ~ spec = {',
    '              ~ replicas = 1 -> 2',
    '            }',
    '        }',
    '    }',
    'Plan: 0 to add, 1 to change, 0 to destroy.',
    '',
  ].join('\n');
  expect(readable(update)).toBe(update);
});

test('terminal escapes at the start of lines (cdktf without a TTY) do not hide the block', () => {
  const escaped = kafkaPlan.split('\n').map((l) => `\x1b[2K\x1b[1G${l}`).join('\n');
  expect(readable(escaped).split('\n').length).toBeLessThan(80);
});

test('an error inside an object block ends the fold: the error, and what the fold held, are shown as they came', () => {
  const lines = kafkaPlan.split('\n');
  const objectStart = lines.findIndex((l) => l.includes('+ object   = {'));
  const cut = [...lines.slice(0, objectStart + 5), '\u2502 Error: Apply failed: the API server refused the object', '\u2502 more about it'];
  const out = readable(cut.join('\n'));
  expect(out).toContain('Error: Apply failed: the API server refused the object');
  expect(out).toContain(lines.slice(objectStart, objectStart + 5).join('\n'));
  expect(out).toContain('more about it');
});
