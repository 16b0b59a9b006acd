/**
 * Git: a project's repositories (remote, provider, last webhook delivery), an app's deployment rules with their dry
 * run, and its pull-request previews. Each is a tab whose value is in the URL (`/git?view=`).
 */
import * as Tabs from '@radix-ui/react-tabs';
import { SelectField } from '../../components/select-field.js';
import { gitViews, useGitChoice, type GitChoice } from './git-choice.js';
import { PreviewsSection } from './previews-section.js';
import { RepositoriesSection } from './repositories-section.js';
import { RulesSection } from './rules-section.js';

const labels = { repositories: 'Repositories', rules: 'Deployment rules', previews: 'Previews' } as const;

function NoApp({ choice }: { readonly choice: GitChoice }) {
  return choice.isAppsLoaded && choice.apps.length === 0 ? <p>No app in this project.</p> : null;
}

export function GitPage() {
  const choice = useGitChoice();
  const { project, app } = choice;
  return (
    <section aria-labelledby="git-title">
      <div className="page-head">
        <h1 id="git-title">Git</h1>
        <SelectField
          label="Project"
          value={project}
          options={choice.projects}
          onChange={(name) => choice.choose({ project: name })}
        />
        {choice.view === 'repositories' ? null : (
          <SelectField
            label="App"
            value={app}
            options={choice.apps}
            onChange={(name) => choice.choose({ app: name })}
          />
        )}
      </div>
      <Tabs.Root value={choice.view} onValueChange={(view) => choice.choose({ view })} className="tabs">
        <Tabs.List aria-label="Git sections" className="tab-list">
          {gitViews.map((view) => (
            <Tabs.Trigger key={view} value={view}>
              {labels[view]}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value="repositories">
          {project === '' ? null : <RepositoriesSection project={project} />}
        </Tabs.Content>
        <Tabs.Content value="rules">
          <NoApp choice={choice} />
          {app === '' ? null : (
            <RulesSection
              project={project}
              app={app}
              repository={choice.repository}
              onShowAll={() => choice.choose({ repository: '' })}
            />
          )}
        </Tabs.Content>
        <Tabs.Content value="previews">
          <NoApp choice={choice} />
          {app === '' ? null : <PreviewsSection project={project} app={app} />}
        </Tabs.Content>
      </Tabs.Root>
    </section>
  );
}
