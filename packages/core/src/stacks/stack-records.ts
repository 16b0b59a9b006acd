/**
 * A stack as stored: a compose project whose services are apps of one project, deployed together in `depends_on`
 * order; and a stack deployment, which carries one app deployment per service.
 */
import type { DeploymentSource } from '../domain/records.js';
import type { LocalSourceAccess } from '../ports/source-fetcher.js';

/**
 * Where the stack's compose file comes from. `file`: sent when the stack was created or imported (with the variables
 * and env file contents it used; its build contexts are directories of the machine that sent it). `repository`: a
 * file of a repository Slipway knows, read at the commit each deployment names.
 */
export type StackSource =
  | {
      readonly kind: 'file';
      readonly fileName: string;
      /** Absolute directory the build contexts and env files of the file are relative to. */
      readonly composeDir: string;
      readonly compose: string;
      readonly variables: Readonly<Record<string, string>>;
      /** Env file contents, by the absolute path the services name them with. */
      readonly envFiles: Readonly<Record<string, Readonly<Record<string, string>>>>;
      /** How far its build contexts may reach, as its sender was allowed. */
      readonly localAccess?: LocalSourceAccess;
    }
  | {
      readonly kind: 'repository';
      readonly repositoryId: string;
      /** The compose file inside the repository (`docker-compose.yml`, `deploy/compose.yaml`). */
      readonly path: string;
      /** Branch or tag deployed when no commit is given (`main`). */
      readonly ref: string;
    };

/** One compose service as an app of the stack, as last planned. */
export interface StackServiceRecord {
  readonly service: string;
  readonly app: string;
  readonly appId: string;
  /** Services this one waits for. */
  readonly dependsOn: readonly string[];
  /** What it is deployed from, as shown: `image busybox:1.36`, `build /srv/shop/web`, `repository`. */
  readonly source: string;
}

export interface StackRecord {
  /** `stk_…`. */
  readonly id: string;
  readonly projectId: string;
  /** Unique: the stack's name, by default its project's. */
  readonly name: string;
  readonly runtime: 'docker' | 'swarm';
  /** Put before each service name to make its app name; null for none. */
  readonly prefix: string | null;
  readonly source: StackSource;
  /** In deployment order. */
  readonly services: readonly StackServiceRecord[];
  /** Compose keys that do not carry over and notes, as the last plan reported them. */
  readonly notices: readonly { readonly path: string; readonly reason: string }[];
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/**
 * One service's part of a stack deployment: `waiting` (for what it depends on), `deploying` (its deployment runs),
 * `succeeded`, `failed`, or `skipped` (not deployed: something before it failed, or, in a rollback, nothing to roll
 * back to).
 */
export interface StackServiceDeployment {
  readonly service: string;
  readonly app: string;
  readonly dependsOn: readonly string[];
  /** What its deployment fetches; null when skipped before it got one. */
  readonly source: DeploymentSource | null;
  readonly deploymentId: string | null;
  readonly state: 'waiting' | 'deploying' | 'succeeded' | 'failed' | 'skipped';
  /** Why it failed or was skipped. */
  readonly reason: string | null;
}

export type StackDeploymentState = 'running' | 'succeeded' | 'failed';

export interface StackDeploymentRecord {
  /** `sdp_…`. */
  readonly id: string;
  readonly stackId: string;
  readonly environment: string;
  readonly kind: 'deploy' | 'rollback';
  readonly state: StackDeploymentState;
  /** The repository commit deployed (repository stacks). */
  readonly commit: string | null;
  readonly ref: string | null;
  readonly requestedBy: string | null;
  /** In deployment order. */
  readonly services: readonly StackServiceDeployment[];
  readonly reason: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly finishedAtMs: number | null;
}
