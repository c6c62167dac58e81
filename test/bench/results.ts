// Every bench writes its results the same way: one JSON file under bench-results/ stamped with when and on
// what machine (core count, load) it ran, since the ratios only mean something next to that.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function writeResults(file: string, results: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const stamped = { at: new Date().toISOString(), machine: { cpus: os.availableParallelism(), loadavg: os.loadavg() }, ...results };
  fs.writeFileSync(file, `${JSON.stringify(stamped, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), file)}`);
}
