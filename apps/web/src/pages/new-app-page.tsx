/**
 * Creates an app in a project (`/new-app?project=`; admin on the project, as slipwayd requires), then deploys it
 * from a git repository, a directory on the server or an uploaded archive, and opens the app's page.
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { settingsApi } from '../api/app-settings-api.js';
import { DeployForm } from '../components/deploy-form.js';
import { ErrorNotice } from '../components/error-notice.js';
import { useCan } from '../session/session.js';
import { useProjectChoice } from './project-choice.js';

const defaultProject = 'default';
/** A browser compiles `pattern` with the `v` flag, where a `-` in a class must be escaped. */
const namePattern = '[a-z0-9]([a-z0-9\\-]{0,61}[a-z0-9])?';

export function NewAppPage() {
  const choice = useProjectChoice();
  const { projects, choose } = choice;
  // No project yet: the app goes in project `default`, made with it (as `slipway apps create` does).
  const project = choice.hasNoProject ? defaultProject : choice.project;
  const canCreate = useCan('admin', project === '' ? undefined : project);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | undefined>(undefined);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => settingsApi.createApp(name.trim(), project),
    onSuccess: (app) => {
      setCreated(app.name);
      void queryClient.invalidateQueries({ queryKey: ['apps'] });
      void queryClient.invalidateQueries({ queryKey: ['projects'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="new-app-title">
      <div className="page-head">
        <h1 id="new-app-title">New app</h1>
      </div>
      {created === undefined ? (
        <form className="form card" onSubmit={submit} aria-label="Create an app">
          <h2 className="form-title">1. Create the app</h2>
          <label>
            Project
            <select
              className="input"
              value={project}
              onChange={(e) => choose(e.target.value)}
              aria-describedby={choice.hasNoProject ? 'project-hint' : undefined}
            >
              {(choice.hasNoProject ? [defaultProject] : projects).map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          {choice.hasNoProject ? (
            <p id="project-hint" className="hint small">
              There is no project yet: project {defaultProject} is made with the app.
            </p>
          ) : null}
          <label>
            App name
            <input
              className="input"
              required
              maxLength={63}
              pattern={namePattern}
              title="lowercase letters, digits and hyphens; starts and ends with a letter or digit"
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-describedby="app-name-hint"
            />
          </label>
          <p id="app-name-hint" className="hint small">
            Lowercase letters, digits and hyphens, at most 63. It names the app&apos;s default host.
          </p>
          {canCreate ? null : (
            <p className="notice">Creating an app needs the role admin on project {project || '…'}.</p>
          )}
          <ErrorNotice error={create.error} />
          <div>
            <button type="submit" className="button button-primary" disabled={!canCreate || create.isPending}>
              Create app
            </button>
          </div>
        </form>
      ) : (
        <div className="card">
          <h2 className="form-title">2. Deploy {created}</h2>
          <p className="meta">
            App {created} was created in project {project}. Deploy its first release, or{' '}
            <Link to={`/apps/${encodeURIComponent(created)}`}>open its page</Link> and deploy later.
          </p>
          <DeployForm
            app={created}
            onStarted={(deployment) => {
              void navigate(`/apps/${encodeURIComponent(created)}?deployment=${encodeURIComponent(deployment.id)}`);
            }}
          />
        </div>
      )}
    </section>
  );
}
