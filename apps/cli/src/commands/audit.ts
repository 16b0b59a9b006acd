/** `slipway audit list|verify`: read the audit log with filters, and check its hash chain (exit 1 when broken). */
import type { Command } from 'commander';
import { countNoun, type AuditListQuery, type AuditRecordView } from '@slipway/contract';
import type { CliContext, CommandRun } from '../cli-context.js';
import { formatTimestamp } from '../output.js';
import { parseDurationSeconds } from './tokens.js';

interface ListOptions {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  limit?: string;
  all?: boolean;
}

/** An ISO time as it is, or a duration ago (`24h`, `7d`) as an ISO time. */
function parseTime(run: CommandRun, flag: string, text: string): string {
  const seconds = parseDurationSeconds(text);
  if (seconds !== undefined) return new Date(Date.now() - seconds * 1000).toISOString();
  if (Number.isNaN(Date.parse(text)))
    run.usageError(`${flag}: expected an ISO time or a duration like 24h, got "${text}"`);
  return text;
}

function actorText(record: AuditRecordView): string {
  const { actor } = record;
  if (actor.kind === 'anonymous') return 'anonymous';
  return actor.credentialKind === 'api-token' ? `${actor.name} (${actor.credentialId ?? 'token'})` : actor.name;
}

function outcomeText(record: AuditRecordView): string {
  return record.errorCode === null ? record.outcome : `${record.outcome} ${record.errorCode}`;
}

export function registerAuditCommand(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('read and verify the audit log (admin or owner)');

  audit
    .command('list')
    .description('list the most recent audit records (--limit, default 100), in time order; --all lists every one')
    .option('--since <time>', 'from this ISO time, or this long ago (24h, 7d)')
    .option('--until <time>', 'before this ISO time, or this long ago')
    .option('--actor <actor>', 'a user name, user id or credential id')
    .option('--action <action>', 'an action name, or a prefix ending in * (auth.*)')
    .option('--limit <n>', 'the most recent this many records (default 100)')
    .option('--all', 'every matching record, oldest first, page after page')
    .action(async (options: ListOptions, command: Command) => {
      const run = ctx.for(command);
      const limit = options.limit === undefined ? 100 : Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) run.usageError('--limit: expected 1 to 1000');
      const isAll = options.all === true;
      // The most recent records unless all are asked for: fetched newest first, printed in time order.
      const query: AuditListQuery = { limit, order: isAll ? 'oldest' : 'newest' };
      if (options.since !== undefined) query.since = parseTime(run, '--since', options.since);
      if (options.until !== undefined) query.until = parseTime(run, '--until', options.until);
      if (options.actor !== undefined) query.actor = options.actor;
      if (options.action !== undefined) query.action = options.action;
      const records: AuditRecordView[] = [];
      let page = await run.client().audit.list(query);
      records.push(...(isAll ? page.records : [...page.records].reverse()));
      while (isAll && page.nextCursor !== undefined) {
        page = await run.client().audit.list({ ...query, cursor: page.nextCursor });
        records.push(...page.records);
      }
      const hasOlder = !isAll && page.nextCursor !== undefined;
      if (run.isJson) return run.out.json({ records, ...(hasOlder ? { hasOlderRecords: true } : {}) });
      if (records.length === 0) return run.out.line('no audit records match');
      run.out.table(
        ['SEQ', 'TIME', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME', 'SOURCE', 'REQUEST'],
        records.map((r) => [
          String(r.seq),
          formatTimestamp(r.at),
          actorText(r),
          r.action,
          r.target === null ? '-' : `${r.target.kind}:${r.target.id}`,
          outcomeText(r),
          r.sourceIp ?? '-',
          r.requestId ?? '-',
        ]),
      );
      if (hasOlder) {
        run.err.line(
          run.err.style.dim(`older records match: pass a larger --limit or --all, or narrow with --since/--action`),
        );
      }
    });

  audit
    .command('verify')
    .description("check the audit log's hash chain; exits 1 when a record was modified, removed or reordered")
    .action(async (_options: object, command: Command) => {
      const run = ctx.for(command);
      const result = await run.client().audit.verify();
      if (!result.isValid) run.fail(1);
      if (run.isJson) return run.out.json(result);
      const from = result.anchor.seq === 0 ? 'genesis' : `checkpoint at record ${result.anchor.seq}`;
      if (result.isValid) {
        return run.out.line(
          `audit log intact: ${countNoun(result.checked, 'record')} verified from the ${from}` +
            (result.lastSeq === null ? '' : ` to record ${result.lastSeq}`),
        );
      }
      const broken = result.brokenAt;
      run.err.line(
        `error: audit log chain broken at record ${broken?.seq ?? '?'}: ${broken?.reason ?? 'unknown'} ` +
          `(${countNoun(result.checked, 'record')} before it verified from the ${from})`,
      );
    });
}
