/**
 * Notification targets (admins of their project see them; never their secret parts) and the latest deliveries with
 * every attempt: when, outcome, the receiver's answer, how long it took.
 */
import { useQuery } from '@tanstack/react-query';
import { deliveryApi } from '../../api/delivery-api.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { StatusBadge } from '../../components/status-badge.js';
import { useCan, useSession } from '../../session/session.js';

export function NotificationsPage() {
  const session = useSession();
  const isAdminSomewhere =
    useCan('admin', undefined) || (session.whoami?.grants ?? []).some((grant) => grant.role === 'admin');
  const targets = useQuery({
    queryKey: ['notifications', 'targets'],
    queryFn: () => deliveryApi.targets(),
    enabled: isAdminSomewhere,
  });
  const deliveries = useQuery({ queryKey: ['notifications', 'deliveries'], queryFn: () => deliveryApi.deliveries() });
  return (
    <section aria-labelledby="notifications-title">
      <div className="page-head">
        <h1 id="notifications-title">Notifications</h1>
      </div>
      <h2>Targets</h2>
      {isAdminSomewhere ? (
        <>
          <ErrorNotice error={targets.error} />
          <DataTable
            caption="Notification targets"
            columns={[
              { header: 'Destination', cell: (t) => <code>{t.destination}</code> },
              { header: 'Kind', cell: (t) => t.kind },
              { header: 'Project', cell: (t) => t.project },
              { header: 'Environment', cell: (t) => t.environment ?? 'every one' },
              { header: 'Events', cell: (t) => t.events.join(', ') },
              { header: 'Added', cell: (t) => <RelativeTime at={t.createdAt} /> },
            ]}
            rows={targets.data?.targets ?? []}
            rowKey={(t) => t.id}
            empty="No notification target."
          />
        </>
      ) : (
        <p className="meta">Targets are shown to the admins of their project.</p>
      )}
      <h2>Deliveries</h2>
      <ErrorNotice error={deliveries.error} />
      <DataTable
        caption="Notification deliveries, newest first"
        columns={[
          { header: 'Event', cell: (d) => d.event },
          { header: 'State', cell: (d) => <StatusBadge state={d.state} /> },
          { header: 'Message', cell: (d) => d.message },
          { header: 'Target', cell: (d) => <code>{d.destination}</code> },
          {
            header: 'Attempts',
            cell: (d) =>
              d.attempts.length === 0 ? (
                '—'
              ) : (
                <ol className="attempts">
                  {d.attempts.map((a) => (
                    <li key={a.at}>
                      <StatusBadge state={a.outcome} /> {a.detail} ({Math.round(a.durationMs)} ms,{' '}
                      <RelativeTime at={a.at} />)
                    </li>
                  ))}
                </ol>
              ),
          },
          { header: 'Created', cell: (d) => <RelativeTime at={d.createdAt} /> },
        ]}
        rows={deliveries.data?.deliveries ?? []}
        rowKey={(d) => d.id}
        empty="No delivery yet."
      />
    </section>
  );
}
