/**
 * Adds a deployment rule to an app (offered to admins of its project): pushes of refs matching a full-ref pattern of
 * a repository of the project deploy to an environment. Appended last; the server checks the pattern and says why
 * it refuses one.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DeploymentRuleEventName } from '@slipway/contract';
import { gitApi } from '../../api/git-api.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { SelectField } from '../../components/select-field.js';

export interface AddRuleFormProps {
  readonly project: string;
  readonly app: string;
  /** The repository chosen first ('' for the project's first). */
  readonly repository: string;
}

export function AddRuleForm({ project, app, repository }: AddRuleFormProps) {
  const queryClient = useQueryClient();
  const repositories = useQuery({
    queryKey: ['git', 'repositories', project],
    queryFn: () => gitApi.repositories(project),
  });
  const names = (repositories.data?.repositories ?? []).map((r) => r.name);
  const [chosen, setChosen] = useState(repository);
  const [refPattern, setRefPattern] = useState('refs/heads/main');
  const [event, setEvent] = useState<DeploymentRuleEventName>('push');
  const [environment, setEnvironment] = useState('production');
  const repositoryName = names.includes(chosen) ? chosen : (names[0] ?? '');
  const add = useMutation({
    mutationFn: () =>
      gitApi.addRule(app, {
        repository: repositoryName,
        refPattern: refPattern.trim(),
        event,
        environment: environment.trim(),
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['git', 'rules', app] }),
  });
  const submit = (formEvent: FormEvent) => {
    formEvent.preventDefault();
    add.mutate();
  };
  if (repositories.isSuccess && names.length === 0) {
    return <p className="meta">Add a repository to project {project} before a rule can read it.</p>;
  }
  return (
    <form className="form add-row" onSubmit={submit} aria-label="Add a rule">
      <h3 className="form-title">Add a rule</h3>
      <SelectField label="Repository" value={repositoryName} options={names} onChange={setChosen} />
      <SelectField
        label="Event"
        value={event}
        options={['push', 'tag']}
        onChange={(value) => setEvent(value === 'tag' ? 'tag' : 'push')}
      />
      <label>
        Ref pattern (a full ref: refs/heads/…, refs/tags/…)
        <input
          className="input"
          required
          maxLength={512}
          value={refPattern}
          onChange={(e) => setRefPattern(e.target.value)}
        />
      </label>
      <label>
        Environment
        <input
          className="input"
          required
          maxLength={63}
          value={environment}
          onChange={(e) => setEnvironment(e.target.value)}
        />
      </label>
      <ErrorNotice error={add.error} />
      <div>
        <button type="submit" className="button button-primary" disabled={add.isPending || repositoryName === ''}>
          Add rule
        </button>
      </div>
    </form>
  );
}
