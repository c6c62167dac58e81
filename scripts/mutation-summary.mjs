// Prints the mutation score per folder and every surviving mutant from Stryker's JSON report
// (reports/mutation/mutation.json, written by `npm run test:mutation`), as markdown. A folder's score is
// killed (incl. timeouts) over killed + survived + no coverage; ignored (static) mutants are counted apart.
// Usage: node scripts/mutation-summary.mjs [report.json …] (several reports: runs made per file with --mutate)
import { readFileSync } from 'node:fs';
import path from 'node:path';

const reports = (process.argv.length > 2 ? process.argv.slice(2) : ['reports/mutation/mutation.json']).map((file) => JSON.parse(readFileSync(file, 'utf8')));
// A later report's result for a file replaces an earlier one's.
const report = { files: Object.assign({}, ...reports.map((r) => r.files)) };
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** electron/core/release/plan.ts → electron/core/release; shared/contract/x.ts → shared/contract. */
const folderOf = (name) => path.posix.dirname(name.replaceAll('\\', '/'));

const folders = new Map();
const survivors = [];
for (const [name, result] of Object.entries(report.files)) {
  const key = folderOf(name);
  const tally = folders.get(key) ?? { killed: 0, survived: 0, ignored: 0, errors: 0 };
  for (const mutant of result.mutants) {
    if (DETECTED.has(mutant.status)) tally.killed++;
    else if (UNDETECTED.has(mutant.status)) {
      tally.survived++;
      const lines = result.source.split('\n');
      const line = lines[mutant.location.start.line - 1]?.trim() ?? '';
      survivors.push(`- ${name}:${mutant.location.start.line} ${mutant.mutatorName} (${mutant.status}) → \`${mutant.replacement ?? ''}\` in \`${line.slice(0, 100)}\``);
    } else if (mutant.status === 'Ignored') tally.ignored++;
    else tally.errors++;
  }
  folders.set(key, tally);
}

const score = (t) => (t.killed + t.survived === 0 ? 'n/a' : `${((100 * t.killed) / (t.killed + t.survived)).toFixed(1)}%`);
const total = { killed: 0, survived: 0, ignored: 0, errors: 0 };
const tops = new Map();
console.log('| folder | killed | survived | ignored (static) | errors | score |\n| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [folder, t] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`| ${folder} | ${t.killed} | ${t.survived} | ${t.ignored} | ${t.errors} | ${score(t)} |`);
  const top = folder.startsWith('shared') ? 'shared' : 'electron/core';
  const agg = tops.get(top) ?? { killed: 0, survived: 0, ignored: 0, errors: 0 };
  for (const k of Object.keys(total)) {
    agg[k] += t[k];
    total[k] += t[k];
  }
  tops.set(top, agg);
}
for (const [top, t] of tops) console.log(`| **${top}/ (all)** | ${t.killed} | ${t.survived} | ${t.ignored} | ${t.errors} | **${score(t)}** |`);
console.log(`| **total** | ${total.killed} | ${total.survived} | ${total.ignored} | ${total.errors} | **${score(total)}** |`);
console.log(`\nSurvivors (${survivors.length}):`);
console.log(survivors.length > 0 ? survivors.join('\n') : '- none');
