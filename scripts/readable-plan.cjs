#!/usr/bin/env node
/**
 * Makes Terraform's plan (as `cdktf deploy` prints it) readable: on create, a kubernetes_manifest resource prints
 * `object`, the object as the API server will return it, with every field of its schema `(known after apply)`: a
 * thousand lines for a Kafka, and the kubernetes provider has no setting to leave them out. What was declared is in
 * the `manifest` block printed just above, so each such block is folded into one line. Everything else, `object`
 * blocks of updates included, passes through untouched. Reads stdin, writes stdout, line by line.
 */
const readline = require('readline');

const OPEN = /^(.*?)\+ object(\s*)= \{$/;
// eslint-disable-next-line no-control-regex
const plain = (line) => line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
// An error is never folded away: a line that reports one ends the fold, and what it held is shown as it came.
const ERROR = /(^|[│|]\s*)Error: /;
let fold; // { close: RegExp, head: string, lines: number, held: string[] }

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (fold && ERROR.test(plain(line))) {
    process.stdout.write([fold.first, ...fold.held, line].map((l) => `${l}\n`).join(''));
    fold = undefined;
    return;
  }
  if (fold) {
    fold.lines++;
    fold.held.push(line);
    if (fold.close.test(plain(line))) {
      process.stdout.write(`${fold.head}{ ... }   # ${fold.lines} lines folded: the object as the API server will return it, every other field known after apply\n`);
      fold = undefined;
    }
    return;
  }
  const open = OPEN.exec(plain(line));
  if (open) {
    // Terraform closes the block two columns right of the "+" that opened it.
    const column = open[1].length;
    fold = { close: new RegExp(`^ {${column + 2}}\\}$`), head: `${plain(line).slice(0, -1)}`, lines: 0, first: line, held: [] };
    return;
  }
  process.stdout.write(`${line}\n`);
});
rl.on('close', () => {
  // An unclosed block (output cut short): show what was held back rather than lose it.
  if (fold) process.stdout.write(`${fold.head}{ ... ${fold.lines} lines, output ended inside the block\n`);
});
