/**
 * The audit log (global admin): a paged table, newest first, filtered by actor, action (exact, or a prefix such as
 * `auth.*`) and time; and "Verify chain", which checks the hash chain and says the result in words.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { AuditListQuery, AuditVerifyView } from '@slipway/contract';
import { adminApi } from '../../api/admin-api.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { StatusBadge } from '../../components/status-badge.js';

const pageSize = 50;

interface Filters {
  readonly actor: string;
  readonly action: string;
  readonly since: string;
  readonly until: string;
}
const noFilters: Filters = { actor: '', action: '', since: '', until: '' };

/** A `datetime-local` value (the browser's time zone) as ISO 8601, or nothing. */
const isoOf = (local: string): string | undefined => (local === '' ? undefined : new Date(local).toISOString());

export function AuditSection() {
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  // The cursors of the pages before this one (the first page has none).
  const [cursors, setCursors] = useState<readonly (string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const query: AuditListQuery = {
    order: 'newest',
    limit: pageSize,
    actor: filters.actor.trim() || undefined,
    action: filters.action.trim() || undefined,
    since: isoOf(filters.since),
    until: isoOf(filters.until),
    cursor,
  };
  const records = useQuery({ queryKey: ['admin', 'audit', query], queryFn: () => adminApi.audit(query) });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([undefined]);
  };
  const field = (name: keyof Filters) => ({
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });
  const next = records.data?.nextCursor;
  return (
    <>
      <VerifyChain />
      <h2>Records</h2>
      <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          Actor
          <input className="input" placeholder="user name or id" {...field('actor')} />
        </label>
        <label>
          Action
          <input className="input" placeholder="tokens.create or auth.*" {...field('action')} />
        </label>
        <label>
          Since
          <input className="input" type="datetime-local" {...field('since')} />
        </label>
        <label>
          Until
          <input className="input" type="datetime-local" {...field('until')} />
        </label>
        <div>
          <button type="submit" className="button button-primary">
            Filter
          </button>
        </div>
      </form>
      <ErrorNotice error={records.error} />
      <DataTable
        caption="Audit records, newest first"
        columns={[
          { header: '#', cell: (r) => r.seq },
          { header: 'When', cell: (r) => <RelativeTime at={r.at} /> },
          { header: 'Actor', cell: (r) => r.actor.name },
          { header: 'Action', cell: (r) => <code>{r.action}</code> },
          { header: 'Target', cell: (r) => (r.target === null ? '—' : `${r.target.kind} ${r.target.id}`) },
          { header: 'Outcome', cell: (r) => <StatusBadge state={r.outcome === 'success' ? 'succeeded' : r.outcome} /> },
          { header: 'Source', cell: (r) => r.sourceIp ?? '—' },
        ]}
        rows={records.data?.records ?? []}
        rowKey={(r) => String(r.seq)}
        rowAttributes={(r) => ({ 'data-audit-action': r.action })}
        empty="No record matches."
      />
      <nav className="pager" aria-label="Pages of audit records">
        <button
          type="button"
          className="button"
          disabled={cursors.length <= 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          className="button"
          disabled={next === undefined}
          onClick={() => setCursors([...cursors, next])}
        >
          Older
        </button>
      </nav>
    </>
  );
}

export function verdictOf(result: AuditVerifyView): string {
  if (result.isValid) {
    return `The chain is intact: ${result.checked} records checked, from #${result.anchor.seq + 1} to #${result.lastSeq ?? result.anchor.seq}.`;
  }
  const broken = result.brokenAt;
  return `The chain is broken at record #${broken?.seq ?? '?'}: ${broken?.reason ?? 'unknown reason'} (${result.checked} records checked).`;
}

function VerifyChain() {
  const verify = useMutation({ mutationFn: () => adminApi.verifyAudit() });
  return (
    <div className="verify">
      <button type="button" className="button" disabled={verify.isPending} onClick={() => verify.mutate()}>
        Verify chain
      </button>
      <ErrorNotice error={verify.error} />
      <p role="status" data-testid="audit-verdict">
        {verify.data === undefined ? '' : verdictOf(verify.data)}
      </p>
    </div>
  );
}
