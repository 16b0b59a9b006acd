/**
 * An app's deployment rules in order: which pushes (event, full-ref pattern, repository) deploy to which environment,
 * whether each is enabled, how often it fired and what it last deployed; the dry run; an admin of the project adds
 * and removes rules. Live through the `apps:<project>` topic (a rule's firing deploys, which changes the app's row).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DeploymentRuleView } from '@slipway/contract';
import { gitApi } from '../../api/git-api.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { useLiveRefresh } from '../../live/use-live.js';
import { useCan } from '../../session/session.js';
import { AddRuleForm } from './add-rule-form.js';
import { RuleDryRun } from './rule-dry-run.js';

export interface RulesSectionProps {
  readonly project: string;
  readonly app: string;
  /** Only the rules reading this repository ('' for all). */
  readonly repository: string;
  readonly onShowAll: () => void;
}

function lastFired(rule: DeploymentRuleView) {
  if (rule.triggerCount === 0) return 'never';
  return (
    <>
      {rule.triggerCount}×, last {rule.lastDeployedCommit?.slice(0, 7) ?? '—'} of <code>{rule.lastDeployedRef}</code>{' '}
      <RelativeTime at={rule.lastTriggeredAt} />
    </>
  );
}

export function RulesSection({ project, app, repository, onShowAll }: RulesSectionProps) {
  const queryClient = useQueryClient();
  const key = ['git', 'rules', app];
  const rules = useQuery({ queryKey: key, queryFn: () => gitApi.rules(app) });
  useLiveRefresh(`apps:${project}`, [key]);
  const canEdit = useCan('admin', project);
  const remove = useMutation({
    mutationFn: (rule: DeploymentRuleView) => gitApi.removeRule(app, rule.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key }),
  });
  const all = rules.data?.rules ?? [];
  const shown = repository === '' ? all : all.filter((rule) => rule.repository === repository);
  return (
    <>
      <h2 className="section-title">Rules of {app}</h2>
      {repository === '' ? null : (
        <p role="status">
          Showing the rules of {app} on repository <strong>{repository}</strong> ({shown.length} of {all.length}).{' '}
          <button type="button" className="button button-quiet" onClick={onShowAll}>
            Show every rule
          </button>
        </p>
      )}
      <ErrorNotice error={rules.error} />
      <DataTable
        caption={`Deployment rules of ${app}, first match fires`}
        columns={[
          { header: 'Position', cell: (r: DeploymentRuleView) => r.position },
          { header: 'Event', cell: (r) => r.event },
          { header: 'Ref pattern', cell: (r) => <code className="value">{r.refPattern}</code> },
          { header: 'Repository', cell: (r) => r.repository },
          { header: 'Environment', cell: (r) => r.environment ?? '—' },
          { header: 'Enabled', cell: (r) => (r.isEnabled ? 'enabled' : 'disabled (never fires)') },
          { header: 'Fired', cell: lastFired },
          {
            header: 'Queued',
            cell: (r) =>
              r.queued === null ? (
                '—'
              ) : (
                <span>
                  {r.queued.commit.slice(0, 7)} of <code>{r.queued.ref}</code>: {r.queued.reason}
                </span>
              ),
          },
          ...(canEdit
            ? [
                {
                  header: 'Actions',
                  isHeaderHidden: true,
                  cell: (r: DeploymentRuleView) => (
                    <button
                      type="button"
                      className="button"
                      disabled={remove.isPending}
                      onClick={() => remove.mutate(r)}
                    >
                      Remove<span className="visually-hidden"> rule {r.position}</span>
                    </button>
                  ),
                },
              ]
            : []),
        ]}
        rows={shown}
        rowKey={(r) => r.id}
        rowAttributes={(r) => ({ 'data-rule': String(r.position) })}
        empty={repository === '' ? `${app} has no deployment rule yet.` : `No rule of ${app} reads ${repository}.`}
      />
      <ErrorNotice error={remove.error} />
      {canEdit ? (
        <AddRuleForm project={project} app={app} repository={repository} />
      ) : (
        <p className="meta">Rules are added and removed by an admin of project {project}.</p>
      )}
      <RuleDryRun key={app} app={app} />
    </>
  );
}
