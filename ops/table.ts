/**
 * The check report as text: a table per region (one row per check: ✓ or ✗, the check, a short reason), then a
 * summary line.
 */
import { Region } from '../mesh/model';
import { CheckRow } from './checks';
import { COLOURS, Paint } from './command';

export interface RegionReport {
  readonly region: Region;
  readonly rows: readonly CheckRow[];
}

export function renderReport(reports: readonly RegionReport[], paint: Paint): string {
  const width = Math.max(...reports.flatMap((r) => r.rows.map((row) => row.check.length)));
  const tables = reports.map(({ region, rows }) => {
    const context = region.context ? `, context ${region.context}` : '';
    const heading = `${paint(region.name, COLOURS.bold)} (alias ${region.alias}${context})`;
    const lines = rows.map((row) => {
      const mark = row.ok ? paint('✓', COLOURS.green) : paint('✗', COLOURS.red);
      return `  ${mark}  ${row.check.padEnd(width)}  ${row.reason}`;
    });
    return [heading, ...lines].join('\n');
  });
  return `${tables.join('\n\n')}\n\n${summary(reports, paint)}\n`;
}

function summary(reports: readonly RegionReport[], paint: Paint): string {
  const total = reports.reduce((n, r) => n + r.rows.length, 0);
  const failing = reports.map((r) => ({ name: r.region.name, failed: r.rows.filter((row) => !row.ok).length })).filter((r) => r.failed > 0);
  const regions = `${reports.length} region${reports.length === 1 ? '' : 's'}`;
  if (failing.length === 0) return paint(`✓ All well: ${total} checks passed in ${regions}.`, COLOURS.green);
  const failed = failing.reduce((n, r) => n + r.failed, 0);
  const where = failing.map((r) => `${r.name} (${r.failed})`).join(', ');
  return paint(`✗ ${failed} of ${total} checks failed in ${regions}: ${where}.`, COLOURS.red);
}
