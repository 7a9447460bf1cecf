// Reads IEEE 754 doubles as 16-hex-digit bit patterns, one per line (stdin), and writes
// String(x) for each, one per line: ECMAScript Number::toString, which RFC 8785 §3.2.2.3 adopts.
// Used by org.trainproof.ledger.EcmaNumberNode (EcmaNumberNodeTest, EcmaNumberNodeMain).
'use strict';
const readline = require('readline');
const buf = Buffer.alloc(8);
const out = [];
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (line.length === 0) return;
  buf.write(line, 0, 8, 'hex');
  out.push(String(buf.readDoubleBE(0)));
  if (out.length >= 65536) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
});
rl.on('close', () => { if (out.length) process.stdout.write(out.join('\n') + '\n'); });
