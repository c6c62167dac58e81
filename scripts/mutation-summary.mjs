// Prints the mutation score per folder and every surviving mutant from Stryker's JSON report
// (reports/mutation/mutation.json, written by `npm run test:mutation`), as markdown, and holds the
// survivors against the list of equivalent mutants (docs/mutation-equivalents.json): a survivor is
// "triaged" when an entry there names it (file, source line text, mutator, code, replacement) with a
// reason, "untriaged" otherwise. An entry's "line" is for the reader only; it is not matched.
// A folder's score is Stryker's: killed (incl. timeouts) over killed + survived + no coverage; ignored
// (static) mutants are counted apart. Equivalent mutants still count as survivors in the score.
//
// The list is { "<file>": [ { line, text, mutator, code, replacement, reason }, … ] }, one key per source
// file in path order, each entry saying why no test can tell that mutant from the code.
//
// Usage: node scripts/mutation-summary.mjs [--check] [--untriaged-json] [report.json …]
//   several reports: runs made per file with --mutate; a later report's file replaces an earlier one's.
//   --check            exit 1 when a survivor is untriaged or a top folder scores under 80%.
//   --equivalents=F    read the list from F instead of docs/mutation-equivalents.json.
//   --untriaged-json   print only the untriaged survivors, as entries for the equivalents list
//                      (with an empty "reason" to fill in), instead of the markdown.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const GOAL = 80;
const args = process.argv.slice(2);
const EQUIVALENTS = args.find((a) => a.startsWith('--equivalents='))?.slice('--equivalents='.length) ?? 'docs/mutation-equivalents.json';
const flags = new Set(args.filter((a) => a.startsWith('--')));
const files = args.filter((a) => !a.startsWith('--'));
const reports = (files.length > 0 ? files : ['reports/mutation/mutation.json']).map((file) => JSON.parse(readFileSync(file, 'utf8')));
const report = { files: Object.assign({}, ...reports.map((r) => r.files)) };
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** One line of whitespace: a mutant is named by its code, not by where its file's lines fall. */
const squash = (text) => text.replace(/\s+/g, ' ').trim();

/** The original code a mutant replaces (Stryker's lines and columns both count from 1). */
function originalCode(source, location) {
  const lines = source.split('\n');
  const { start, end } = location;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  return [lines[start.line - 1].slice(start.column - 1), ...middle, lines[end.line - 1].slice(0, end.column - 1)].join('\n');
}

/**
 * The key an equivalents entry and a survivor share: file, mutator, the code replaced, its replacement and
 * the whole source line it starts on (so one entry never covers the same mutation somewhere else in the
 * file). Line numbers are left out: they move whenever code above them changes.
 */
const keyOf = (e) => JSON.stringify([e.file, e.mutator, squash(e.code), squash(e.replacement), squash(e.text)]);

// The list: { "<file>": [ { line, text, mutator, code, replacement, reason }, … ], … }.
const byFile = JSON.parse(readFileSync(EQUIVALENTS, 'utf8'));
const equivalents = Object.entries(byFile).flatMap(([file, entries]) => entries.map((e) => ({ ...e, file })));
const listed = new Map();
for (const entry of equivalents) {
  for (const field of ['mutator', 'code', 'replacement', 'text', 'reason']) {
    if (typeof entry[field] !== 'string') throw new Error(`${EQUIVALENTS}: an entry has no "${field}": ${JSON.stringify(entry)}`);
  }
  if (entry.reason.trim().length < 10) throw new Error(`${EQUIVALENTS}: an entry's reason is empty or too short: ${JSON.stringify(entry)}`);
  listed.set(keyOf(entry), entry);
}

const folderOf = (name) => path.posix.dirname(name.replaceAll('\\', '/'));
const folders = new Map();
const untriaged = [];
const triaged = [];
const matchedKeys = new Set();
for (const [name, result] of Object.entries(report.files)) {
  const key = folderOf(name);
  const tally = folders.get(key) ?? { killed: 0, survived: 0, equivalent: 0, ignored: 0, errors: 0 };
  const lines = result.source.split('\n');
  for (const mutant of result.mutants) {
    if (DETECTED.has(mutant.status)) tally.killed++;
    else if (UNDETECTED.has(mutant.status)) {
      tally.survived++;
      const survivor = {
        file: name,
        mutator: mutant.mutatorName,
        code: squash(originalCode(result.source, mutant.location)),
        replacement: squash(mutant.replacement ?? ''),
        line: mutant.location.start.line,
        status: mutant.status,
        text: lines[mutant.location.start.line - 1]?.trim() ?? '',
      };
      const entry = listed.get(keyOf(survivor));
      if (entry) {
        tally.equivalent++;
        matchedKeys.add(keyOf(survivor));
        triaged.push({ ...survivor, reason: entry.reason });
      } else untriaged.push(survivor);
    } else if (mutant.status === 'Ignored') tally.ignored++;
    else tally.errors++;
  }
  folders.set(key, tally);
}

if (flags.has('--untriaged-json')) {
  const seen = new Set();
  const out = {};
  for (const s of untriaged) {
    const entry = { line: s.line, text: s.text, mutator: s.mutator, code: s.code, replacement: s.replacement, reason: '' };
    if (seen.has(keyOf({ ...entry, file: s.file }))) continue;
    seen.add(keyOf({ ...entry, file: s.file }));
    (out[s.file] ??= []).push(entry);
  }
  console.log(JSON.stringify(out, null, 2));
  process.exit(0);
}

const score = (t) => (t.killed + t.survived === 0 ? 'n/a' : `${((100 * t.killed) / (t.killed + t.survived)).toFixed(1)}%`);
const fields = ['killed', 'survived', 'equivalent', 'ignored', 'errors'];
const zero = () => Object.fromEntries(fields.map((f) => [f, 0]));
const total = zero();
const tops = new Map();
const row = (label, t, bold) => {
  const s = bold ? `**${score(t)}**` : score(t);
  return `| ${label} | ${t.killed} | ${t.survived} | ${t.equivalent} | ${t.survived - t.equivalent} | ${t.ignored} | ${t.errors} | ${s} |`;
};
console.log('| folder | killed | survived | of them equivalent | untriaged | ignored (static) | errors | score |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [folder, t] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(row(folder, t, false));
  const top = folder.startsWith('shared') ? 'shared' : 'electron/core';
  const agg = tops.get(top) ?? zero();
  for (const k of fields) {
    agg[k] += t[k];
    total[k] += t[k];
  }
  tops.set(top, agg);
}
for (const [top, t] of tops) console.log(row(`**${top}/ (all)**`, t, true));
console.log(row('**total**', total, true));

// Entries whose file was measured here but whose mutant no longer survives (killed now, or its code
// changed): the list should drop them, or name the changed code.
const measured = new Set(Object.keys(report.files));
const stale = equivalents.filter((e) => measured.has(e.file) && !matchedKeys.has(keyOf(e)));

console.log(`\nSurvivors: ${triaged.length + untriaged.length}; listed as equivalent in ${EQUIVALENTS}: ${triaged.length}; untriaged: ${untriaged.length}.`);
console.log(`\nUntriaged survivors (${untriaged.length}):`);
for (const s of untriaged) console.log(`- ${s.file}:${s.line} ${s.mutator} (${s.status}) → \`${s.replacement}\` in \`${s.text.slice(0, 100)}\``);
if (untriaged.length === 0) console.log('- none');
if (stale.length > 0) {
  console.log(`\nListed as equivalent but not a survivor in this report (${stale.length}; killed now, or the code changed):`);
  for (const e of stale) console.log(`- ${e.file} ${e.mutator} \`${e.code.slice(0, 80)}\` → \`${e.replacement.slice(0, 40)}\``);
}

if (flags.has('--check')) {
  const low = [...tops].filter(([, t]) => t.killed + t.survived > 0 && (100 * t.killed) / (t.killed + t.survived) < GOAL);
  for (const [top, t] of low) console.error(`mutation check: ${top}/ scores ${score(t)}, under the goal of ${GOAL}%`);
  if (untriaged.length > 0) console.error(`mutation check: ${untriaged.length} surviving mutants are neither killed nor listed in ${EQUIVALENTS}`);
  if (low.length > 0 || untriaged.length > 0) process.exit(1);
  console.error(`mutation check: every top folder at or over ${GOAL}%, every survivor listed as equivalent`);
}
