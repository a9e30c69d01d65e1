#!/usr/bin/env node
// Reads the output of `<cli> validate -json` on stdin and prints every diagnostic
// (severity, summary, detail, location). Exit code: 0 if valid, 1 if not, 2 if the
// input is not validate JSON.
'use strict';

const label = process.argv[2] || 'stack';
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  let result;
  try {
    result = JSON.parse(input);
  } catch (e) {
    process.stdout.write(`  [${label}] could not parse the output of validate -json:\n${input}\n`);
    process.exit(2);
  }
  const diagnostics = Array.isArray(result.diagnostics) ? result.diagnostics : [];
  for (const d of diagnostics) {
    const severity = String(d.severity || 'unknown').toUpperCase();
    let where = '';
    if (d.range && d.range.filename) {
      where = ` (${d.range.filename}${d.range.start ? `:${d.range.start.line}` : ''})`;
    }
    if (d.address) where += ` [${d.address}]`;
    if (d.snippet && d.snippet.context) where += ` in ${d.snippet.context}`;
    process.stdout.write(`  [${label}] ${severity}: ${d.summary || '(no summary)'}${where}\n`);
    if (d.detail) {
      for (const line of String(d.detail).split('\n')) process.stdout.write(`      ${line}\n`);
    }
  }
  const errors = typeof result.error_count === 'number'
    ? result.error_count
    : diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = typeof result.warning_count === 'number'
    ? result.warning_count
    : diagnostics.filter((d) => d.severity === 'warning').length;
  // Where the errors are, block by block: long lists of parse errors usually come from a few values.
  const byContext = new Map();
  for (const d of diagnostics) {
    if (d.severity !== 'error') continue;
    const key = (d.snippet && d.snippet.context) || (d.range && d.range.filename) || '(no location)';
    byContext.set(key, (byContext.get(key) || 0) + 1);
  }
  if (byContext.size > 1) {
    process.stdout.write(`  [${label}] errors by block:\n`);
    for (const [key, n] of byContext) process.stdout.write(`      ${n} in ${key}\n`);
  }
  process.stdout.write(`  [${label}] valid=${result.valid === true} errors=${errors} warnings=${warnings}\n`);
  process.exit(result.valid === true && errors === 0 ? 0 : 1);
});
