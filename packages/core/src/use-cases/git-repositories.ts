/**
 * Use cases for a project's git repositories: add one (generating its deploy key, or sealing its token, at once:
 * nothing stores a credential in clear), list, show and remove them (with their mirror).
 */
import { SlipwayError, type AddRepositoryBody, type RepositoryView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { ProjectRecord } from '../domain/records.js';
import type { Repositories } from '../ports/store.js';
import { splitGitCredentials } from '../deployment/git-credentials.js';
import { generateDeployKey } from '../git/deploy-key.js';
import type {
  GitRepositoryRecord,
  RepositoryAuthKind,
  RepositoryCredential,
  RepositoryProvider,
} from '../git/git-repository-records.js';
import { rewrapRepositoryCredential, sealRepositoryCredential } from '../git/repository-credential-vault.js';
import { shownRepositoryUrl } from '../git/repository-remotes.js';

type RepositoryDeps = Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock' | 'logger' | 'gitMirrors'>;

const iso = (ms: number): string => new Date(ms).toISOString();

export function repositoryView(repository: GitRepositoryRecord, projectName: string): RepositoryView {
  return {
    id: repository.id,
    project: projectName,
    name: repository.name,
    provider: repository.provider,
    url: shownRepositoryUrl(repository),
    auth: repository.authKind,
    publicKey: repository.publicKey,
    createdAt: iso(repository.createdAtMs),
    updatedAt: iso(repository.updatedAtMs),
  };
}

async function getProject(repos: Repositories, name: string): Promise<ProjectRecord> {
  const project = await repos.projects.findByName(name);
  if (project === undefined)
    throw new SlipwayError('PROJECT_NOT_FOUND', `no project named "${name}"`, { details: { project: name } });
  return project;
}

/** The project's repository named `nameOrId` (its name, or its `repo_…` id). Errors: `REPOSITORY_NOT_FOUND`. */
export async function getProjectRepository(
  repos: Repositories,
  project: ProjectRecord,
  nameOrId: string,
): Promise<GitRepositoryRecord> {
  const byId = nameOrId.startsWith('repo_') ? await repos.gitRepositories.findById(nameOrId) : undefined;
  const repository =
    byId?.projectId === project.id ? byId : await repos.gitRepositories.findByName(project.id, nameOrId);
  if (repository === undefined)
    throw new SlipwayError(
      'REPOSITORY_NOT_FOUND',
      `project "${project.name}" has no repository "${nameOrId}" (slipway repos list --project ${project.name})`,
      { details: { project: project.name, repository: nameOrId.slice(0, 100) } },
    );
  return repository;
}

type UrlForm = { transport: 'http' | 'https' | 'ssh' | 'git'; host: string };

const invalidUrl = () =>
  new SlipwayError(
    'VALIDATION_FAILED',
    'a repository URL is https://host/path, ssh://[user@]host[:port]/path or user@host:path',
    { details: { field: 'url' } },
  );

/** The transport and host of a clone URL (without credentials). Errors: `VALIDATION_FAILED`. */
function urlForm(url: string): UrlForm {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    // scp-like: [user@]host:path, the colon before any slash.
    const scp = /^(?:[A-Za-z0-9._~-]+@)?([A-Za-z0-9.-]+):(?!\/\/)([^\s]+)$/.exec(url);
    if (scp === null || (scp[2] ?? '').startsWith('-')) throw invalidUrl();
    return { transport: 'ssh', host: (scp[1] ?? '').toLowerCase() };
  }
  if (scheme !== 'https' && scheme !== 'http' && scheme !== 'ssh' && scheme !== 'git') throw invalidUrl();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidUrl();
  }
  if (parsed.hostname === '' || parsed.pathname.length <= 1) throw invalidUrl();
  return { transport: scheme, host: parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '') };
}

function inferredProvider(host: string): RepositoryProvider {
  if (host === 'github.com') return 'github';
  if (host === 'gitlab.com') return 'gitlab';
  if (host === 'bitbucket.org') return 'bitbucket';
  if (host === 'codeberg.org') return 'gitea';
  return 'generic';
}

/** The user name each host expects beside a token (any works on GitHub and GitLab; Bitbucket needs its own). */
function tokenUsername(provider: RepositoryProvider): string {
  switch (provider) {
    case 'github':
      return 'x-access-token';
    case 'gitlab':
      return 'oauth2';
    case 'bitbucket':
      return 'x-token-auth';
    case 'gitea':
    case 'hosted':
    case 'generic':
      return 'git';
  }
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** What authenticates to the repository, from the body's `auth` and any credentials the URL carried. */
function credentialOf(
  body: Pick<AddRepositoryBody, 'auth'>,
  form: UrlForm,
  provider: RepositoryProvider,
  fromUrl: { username: string; password: string } | undefined,
): { authKind: RepositoryAuthKind; credential: RepositoryCredential | 'generate' | undefined } {
  const refuse = (message: string) => new SlipwayError('VALIDATION_FAILED', message, { details: { field: 'auth' } });
  const auth =
    body.auth ??
    (form.transport === 'ssh' ? { kind: 'ssh-key' as const } : fromUrl ? undefined : { kind: 'none' as const });
  if (fromUrl !== undefined && auth !== undefined)
    throw refuse('the URL carries credentials and auth is given too: give the token once');
  if (auth?.kind === 'ssh-key') {
    if (form.transport !== 'ssh') throw refuse('a deploy key authenticates over ssh: give an ssh URL');
    return { authKind: 'ssh-key', credential: 'generate' };
  }
  if (form.transport === 'ssh') throw refuse('an ssh URL authenticates with a deploy key (auth kind ssh-key)');
  if (auth?.kind === 'none') return { authKind: 'none', credential: undefined };
  if (form.transport === 'git') throw refuse('git:// takes no credentials');
  if (form.transport === 'http' && !isLoopback(form.host))
    throw refuse('a token is sent over https only (http is accepted for a loopback host alone)');
  const token = auth?.token ?? fromUrl?.password ?? '';
  const username = auth?.username ?? (fromUrl?.username || tokenUsername(provider));
  if (token === '') throw refuse('the URL names a user but no token');
  return { authKind: 'token', credential: { kind: 'token', username, token } };
}

/** Adds a repository to the project. Errors: `PROJECT_NOT_FOUND`, `VALIDATION_FAILED`, `REPOSITORY_ALREADY_EXISTS`. */
export async function addRepository(
  deps: RepositoryDeps,
  projectName: string,
  body: AddRepositoryBody,
): Promise<RepositoryView> {
  const project = await getProject(deps.store, projectName);
  const { url, credentials } = splitGitCredentials(body.url);
  const form = urlForm(url);
  const provider = body.provider ?? inferredProvider(form.host);
  const { authKind, credential } = credentialOf(body, form, provider, credentials);
  const id = deps.ids.next('repo');
  const now = deps.clock.nowMs();
  const record: GitRepositoryRecord = {
    id,
    projectId: project.id,
    name: body.name,
    provider,
    url,
    ...sealedCredential(deps, { id, projectId: project.id }, authKind, credential),
    createdAtMs: now,
    updatedAtMs: now,
  };
  await deps.store.gitRepositories.insert(record);
  deps.logger.info({ repositoryId: id, project: project.name, provider, authKind }, 'repository added');
  return repositoryView(record, project.name);
}

/** The record's auth kind, public key and sealed credential; a deploy key is generated when asked for. */
function sealedCredential(
  deps: RepositoryDeps,
  owner: { id: string; projectId: string },
  authKind: RepositoryAuthKind,
  credential: RepositoryCredential | 'generate' | undefined,
): Pick<GitRepositoryRecord, 'authKind' | 'publicKey' | 'credential'> {
  let opened = credential === 'generate' ? undefined : credential;
  let publicKey: string | null = null;
  if (credential === 'generate') {
    const key = generateDeployKey(`slipway-${owner.id}`);
    opened = { kind: 'ssh-key', privateKey: key.privateKey };
    publicKey = key.publicKey;
  }
  return {
    authKind,
    publicKey,
    credential: opened === undefined ? null : sealRepositoryCredential(deps, owner, opened),
  };
}

/**
 * Replaces a repository's credential in place (a token revoked or expiring, a deploy key to rotate): a new token, a
 * newly generated deploy key (its public half in the answer: add it on the host, remove the old one), or none. The
 * old credential is gone at once; rules, previews and stacks keep reading the repository. Errors:
 * `PROJECT_NOT_FOUND`, `REPOSITORY_NOT_FOUND`, `VALIDATION_FAILED` (a kind the URL's transport does not take; a
 * repository slipwayd serves itself, which has no credential).
 */
export async function setRepositoryCredentials(
  deps: RepositoryDeps,
  projectName: string,
  nameOrId: string,
  auth: AddRepositoryBody['auth'] & object,
): Promise<RepositoryView> {
  const project = await getProject(deps.store, projectName);
  const repository = await getProjectRepository(deps.store, project, nameOrId);
  if (repository.provider === 'hosted') {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      'a repository slipwayd serves itself takes Slipway tokens, no credential',
      {
        details: { field: 'auth' },
      },
    );
  }
  const { authKind, credential } = credentialOf({ auth }, urlForm(repository.url), repository.provider, undefined);
  const updated: GitRepositoryRecord = {
    ...repository,
    ...sealedCredential(deps, repository, authKind, credential),
    updatedAtMs: deps.clock.nowMs(),
  };
  await deps.store.gitRepositories.update(updated);
  deps.logger.info({ repositoryId: repository.id, project: project.name, authKind }, 'repository credentials replaced');
  return repositoryView(updated, project.name);
}

export async function listRepositories(deps: RepositoryDeps, projectName: string): Promise<RepositoryView[]> {
  const project = await getProject(deps.store, projectName);
  return (await deps.store.gitRepositories.listByProject(project.id)).map((r) => repositoryView(r, project.name));
}

export async function showRepository(
  deps: RepositoryDeps,
  projectName: string,
  nameOrId: string,
): Promise<RepositoryView> {
  const project = await getProject(deps.store, projectName);
  return repositoryView(await getProjectRepository(deps.store, project, nameOrId), project.name);
}

/** Removes the repository and its mirror. Errors: `PROJECT_NOT_FOUND`, `REPOSITORY_NOT_FOUND`. */
export async function removeRepository(deps: RepositoryDeps, projectName: string, nameOrId: string): Promise<void> {
  const project = await getProject(deps.store, projectName);
  const repository = await getProjectRepository(deps.store, project, nameOrId);
  await deps.store.gitRepositories.delete(repository.id);
  await deps.gitMirrors?.remove(repository.id);
  deps.logger.info({ repositoryId: repository.id, project: project.name }, 'repository removed');
}

/**
 * Re-wraps every repository's data key not wrapped by the current master key (a master-key rotation), so a retired
 * key leaves no credential unreadable. Returns how many it re-wrapped. Idempotent.
 */
export async function rewrapRepositoryCredentials(
  deps: Pick<CoreDeps, 'store' | 'secretCipher' | 'clock'>,
): Promise<number> {
  const current = deps.secretCipher.currentMasterKeyId();
  let rewrapped = 0;
  for (const repository of await deps.store.gitRepositories.list()) {
    if (repository.credential === null || repository.credential.dataKey.masterKeyId === current) continue;
    const credential = rewrapRepositoryCredential(deps, repository);
    await deps.store.gitRepositories.update({ ...repository, credential, updatedAtMs: deps.clock.nowMs() });
    rewrapped += 1;
  }
  return rewrapped;
}
