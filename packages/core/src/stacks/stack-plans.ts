/**
 * A stack's compose file planned for one environment: which app each service becomes, in what order, and what each
 * deployment fetches — an image, a directory of the machine that sent the file, or the exact commit of the stack's
 * repository.
 */
import {
  joinComposePath,
  parseComposeText,
  planStack,
  SlipwayError,
  type ComposeNotice,
  type StackAppPlan,
  type StackPlan,
} from '@slipway/contract';
import type { DeploymentSource } from '../domain/records.js';
import type { GitRepositoryRecord } from '../git/git-repository-records.js';
import { repositorySource } from '../git/repository-remotes.js';
import type { LocalSourceAccess } from '../ports/source-fetcher.js';
import type { StackSource } from './stack-records.js';

/** A compose file's text, with what interpolation and env files need. */
export interface ComposeInput {
  fileName: string;
  /** Absolute; inside a repository, `/` is its root. */
  composeDir: string;
  compose: string;
  variables: Readonly<Record<string, string>>;
  envFiles: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface StackPlanContext {
  stackName: string;
  prefix: string | null;
  runtime: 'docker' | 'swarm';
  environment: string;
}

export interface PlannedService {
  plan: StackAppPlan;
  source: DeploymentSource;
}

export interface PlannedStack {
  /** In deployment order. */
  services: PlannedService[];
  notices: ComposeNotice[];
  warnings: string[];
}

/** Where a repository stack's services are built: the repository at exactly this commit. */
export interface RepositoryCommit {
  repository: GitRepositoryRecord;
  ref: string;
  commit: string;
}

/** Plans `input`; every problem of the file is one `COMPOSE_INVALID` naming each path. */
export function planCompose(input: ComposeInput, context: StackPlanContext): { plan: StackPlan; warnings: string[] } {
  const lookup = (name: string) => (Object.hasOwn(input.variables, name) ? input.variables[name] : undefined);
  const { compose, warnings } = parseComposeText(input.compose, input.fileName, lookup);
  const plan = planStack(compose, {
    stackName: context.stackName,
    composeDir: input.composeDir,
    prefix: context.prefix ?? undefined,
    runtime: context.runtime,
    environment: context.environment,
    variables: input.variables,
    envFiles: new Map(Object.entries(input.envFiles)),
    fileName: input.fileName,
  });
  return { plan, warnings };
}

const appsInOrder = (plan: StackPlan): StackAppPlan[] =>
  plan.order.flatMap((service) => plan.apps.filter((app) => app.service === service));

/**
 * What each service's deployment fetches. A file stack's build contexts are directories of the machine that sent the
 * file (`localAccess` as its sender had); a repository stack builds each service from the commit, at its build context's
 * directory of the checkout (the repository's root for `build: .`). Errors: `COMPOSE_INVALID`.
 */
export function planServices(
  planned: { plan: StackPlan; warnings: string[] },
  origin: { kind: 'file'; localAccess?: LocalSourceAccess } | { kind: 'repository'; at: RepositoryCommit },
): PlannedStack {
  const { plan } = planned;
  const issues: Array<{ path: string; message: string }> = [];
  const services = appsInOrder(plan).map((app): PlannedService => {
    const manifest = app.manifest as Record<string, unknown>;
    if ('image' in app.source) return { plan: app, source: { kind: 'image', image: app.source.image, manifest } };
    if (origin.kind === 'file') {
      const access = origin.localAccess === undefined ? {} : { localAccess: origin.localAccess };
      return { plan: app, source: { kind: 'path', path: app.source.path, ...access, manifest } };
    }
    // A build context inside the repository is that directory of the checkout, as the service's source root.
    const { repository, ref, commit } = origin.at;
    const path = app.source.path.replace(/^\/+/, '');
    let source: DeploymentSource;
    try {
      source = repositorySource(repository, { ref, commit, ...(path === '' ? {} : { path }) });
    } catch (error) {
      if (!(error instanceof SlipwayError)) throw error;
      issues.push({ path: `services.${app.service}.build`, message: error.message });
      source = repositorySource(repository, { ref, commit });
    }
    return { plan: app, source: source.kind === 'release' ? source : { ...source, manifest } };
  });
  if (issues.length > 0)
    throw new SlipwayError(
      'COMPOSE_INVALID',
      `the compose file cannot be deployed from the repository:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      { details: { issues } },
    );
  return { services, notices: [...plan.unsupported, ...plan.notes], warnings: planned.warnings };
}

/** The compose input of a file stack. */
export function fileComposeInput(source: Extract<StackSource, { kind: 'file' }>): ComposeInput {
  return {
    fileName: source.fileName,
    composeDir: source.composeDir,
    compose: source.compose,
    variables: source.variables,
    envFiles: source.envFiles,
  };
}

/** The compose input of a repository stack's file read at a commit: the repository's root is `/`, no variables. */
export function repositoryComposeInput(path: string, compose: string): ComposeInput {
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  return {
    fileName: path,
    composeDir: joinComposePath('/', dir),
    compose,
    variables: {},
    envFiles: {},
  };
}
