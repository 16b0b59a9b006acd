/**
 * The rollout of one app of a project (per environment): phase, steps, the traffic split in force, the analysis'
 * measurements (a chart, loaded only when there is one) and the controls a deployer may use. Live through the
 * `app:<app>` and `deployment:<id>` topics.
 */
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { SlipwayError } from '@slipway/contract/errors';
import { deliveryApi } from '../../api/delivery-api.js';
import { appsPageQuery } from '../apps-query.js';
import { useProjectChoice } from '../project-choice.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { SelectField } from '../../components/select-field.js';
import { useLiveRefresh } from '../../live/use-live.js';
import { RolloutPanel } from './rollout-panel.js';

export function RolloutsPage() {
  const { project, projects } = useProjectChoice();
  const [params, setParams] = useSearchParams();
  const apps = useQuery(appsPageQuery({ project, search: '', offset: 0, limit: 100 }));
  const names = (apps.data?.apps ?? []).map((row) => row.name);
  const wanted = params.get('app') ?? '';
  const app = names.includes(wanted) ? wanted : (names[0] ?? '');
  const environment = params.get('environment') ?? 'production';
  const rollout = useQuery({
    queryKey: ['rollout', app, environment],
    queryFn: () => deliveryApi.rollout(app, environment),
    enabled: app !== '',
    retry: false,
  });
  useLiveRefresh(app === '' ? undefined : `app:${app}:${environment}`, [['rollout', app, environment]]);
  const deploymentId = rollout.data?.deploymentId;
  useLiveRefresh(deploymentId === undefined ? undefined : `deployment:${deploymentId}`, [
    ['rollout', app, environment],
  ]);
  const choose = (next: Record<string, string>) => {
    const merged = { project, app, environment, ...next };
    if (next['project'] !== undefined) {
      localStorage.setItem('slipway-project', next['project']);
      merged.app = '';
    }
    setParams(Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== '')));
  };
  const isNone = rollout.error instanceof SlipwayError && rollout.error.code.endsWith('NOT_FOUND');
  return (
    <section aria-labelledby="rollouts-title">
      <div className="page-head">
        <h1 id="rollouts-title">Rollouts</h1>
        <SelectField
          label="Project"
          value={project}
          options={projects}
          onChange={(name) => choose({ project: name })}
        />
        <SelectField label="App" value={app} options={names} onChange={(name) => choose({ app: name })} />
        <label className="inline-field">
          Environment
          <input
            className="input env-input"
            value={environment}
            maxLength={63}
            onChange={(event) => choose({ environment: event.target.value })}
          />
        </label>
      </div>
      <ErrorNotice error={apps.error} />
      {names.length === 0 && apps.isSuccess ? <p>No app in this project.</p> : null}
      {isNone ? <p>No rollout of {app} yet.</p> : <ErrorNotice error={rollout.error} />}
      {rollout.data === undefined ? null : <RolloutPanel rollout={rollout.data} project={project} />}
    </section>
  );
}
