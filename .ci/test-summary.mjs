// Reads Vitest's JSON report, lists every skipped test with its reason, fails a skip the allow-list does not name,
// and prints the closing line `N passed, N failed, N skipped` (static checks counted as passed or failed).
// Usage: node .ci/test-summary.mjs <report.json> <allow-list> <checks passed> <checks failed>
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [reportFile = '.slipway-test-results.json', allowFile = '.ci/allowed-skips', ...counts] = process.argv.slice(2);
const [checksPassed, checksFailed] = counts.map((c) => Number(c) || 0);

/**
 * Entries of the allow-list: `<test file> > <suite> > … > <test>` (`*` matches any text), each directly under a
 * comment that says why CI may skip it. An entry without its comment is refused, so every allowed skip has a why.
 */
function readAllowList(text) {
  const entries = [];
  const problems = [];
  let why = '';
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') {
      why = '';
    } else if (line.startsWith('#')) {
      why = `${why} ${line.replace(/^#+\s*/, '')}`.trim();
    } else if (why === '') {
      problems.push(`${allowFile}:${index + 1}: "${line}" has no comment above it saying why it may skip`);
    } else {
      const pattern = new RegExp(
        `^${line
          .split('*')
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      entries.push({ line, pattern, why, used: 0 });
    }
  }
  return { entries, problems };
}

function skippedTests(report) {
  return report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((t) => t.status !== 'passed' && t.status !== 'failed')
      .map((t) => ({
        id: [relative(process.cwd(), file.name), ...t.ancestorTitles, t.title].join(' > '),
        status: t.status,
        reason: t.meta?.skipReason || (t.status === 'todo' ? 'todo' : 'no reason given'),
      })),
  );
}

let report;
try {
  report = JSON.parse(readFileSync(reportFile, 'utf8'));
} catch (error) {
  console.log(`ci: no test report (${error.message})`);
  console.log(`${checksPassed} passed, ${checksFailed + 1} failed`);
  process.exit(2);
}
function readAllowFile() {
  try {
    return readFileSync(allowFile, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return '';
    throw error;
  }
}
const allowList = readAllowList(readAllowFile());
for (const problem of allowList.problems) console.log(`ci: ${problem}`);

const skipped = skippedTests(report).map((test) => {
  const entry = allowList.entries.find((e) => e.pattern.test(test.id));
  if (entry) entry.used += 1;
  return { ...test, allowedBecause: entry?.why };
});
const refused = skipped.filter((t) => t.allowedBecause === undefined);
if (skipped.length > 0) {
  console.log(`ci: ${skipped.length} skipped (${refused.length} not on ${allowFile}):`);
  for (const t of skipped) {
    const verdict = t.allowedBecause === undefined ? 'NOT ALLOWED' : `allowed: ${t.allowedBecause}`;
    console.log(`  ${t.status} ${t.id}\n      reason: ${t.reason}\n      ${verdict}`);
  }
}
for (const entry of allowList.entries.filter((e) => e.used === 0)) {
  console.log(`ci: note: allow-list entry "${entry.line}" matched no skipped test`);
}

const passed = report.numPassedTests + checksPassed;
const failed = report.numFailedTests + checksFailed + refused.length + allowList.problems.length;
console.log(`${passed} passed, ${failed} failed, ${skipped.length - refused.length} skipped`);
process.exitCode = failed > 0 || report.numTotalTests === 0 ? 1 : 0;
