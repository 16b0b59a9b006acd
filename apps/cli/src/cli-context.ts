/** What every command gets to work with: the process surroundings, the resolved global options, an API client, and the exit code. */
import { Option } from 'commander';
import type { Command } from 'commander';
import { createApiClient } from '@slipway/contract';
import type { ApiClient } from '@slipway/contract';
import { defaultLocalApiUrl } from './admin-token.js';
import { createTrustingFetch } from './ca-fetch.js';
import { createCredentialSource, type CredentialSource } from './credentials.js';
import { credentialsPath, openCredentialsFile, type CredentialsFile } from './credentials-file.js';
import { createOutput } from './output.js';
import type { Output, TextSink } from './output.js';

export const defaultApiUrl = 'http://127.0.0.1:7070';

/** How a followed deployment waits; tests shorten these. */
export interface FollowTiming {
  /** Reconnections in a row that bring no event before falling back to polling. */
  maxReconnects: number;
  /** Delay before the n-th reconnection is n × this. */
  reconnectDelayMs: number;
  pollIntervalMs: number;
  /** Failed polls in a row before giving up. */
  maxPollFailures: number;
}

export const defaultFollowTiming: FollowTiming = {
  maxReconnects: 5,
  reconnectDelayMs: 500,
  pollIntervalMs: 1000,
  maxPollFailures: 30,
};

/** The process surroundings of one CLI run; `main.ts` passes the real ones, tests pass captures. */
export interface ProgramIo {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Read for confirmations; absent means "not a terminal". */
  stdin?: (NodeJS.ReadableStream & { isTTY?: boolean | undefined }) | undefined;
  /** Aborted on Ctrl-C: followers stop and say what goes on without them. */
  signal?: AbortSignal | undefined;
  timing?: Partial<FollowTiming> | undefined;
}

export interface GlobalOptions {
  isJson: boolean;
  apiUrl: string;
  /** `--token`: a bearer token that wins over every other credential. */
  token: string | undefined;
}

/** One command's view of the run, from `ctx.for(command)`. */
export interface CommandRun extends GlobalOptions {
  io: ProgramIo;
  out: Output;
  /** Notices and progress that must not mix with stdout (which may be JSON). */
  err: Output;
  timing: FollowTiming;
  client(): ApiClient;
  /** Saved logins (`slipway login`), per API URL. */
  credentials: CredentialsFile;
  /** The credential `client()` sends, and where it comes from. */
  credential: CredentialSource;
  /** The `fetch` every client of this run uses: it verifies TLS with the trusted authority (`--ca-file`). */
  fetch: typeof fetch;
  /** The command ran but its result is a failure (a failed deployment, an invalid manifest): exit 1, or the code given. */
  fail(exitCode?: number): void;
  /** Prints `error: <message>` and ends the run with exit code 2. */
  usageError(message: string): never;
}

export interface CliContext {
  readonly io: ProgramIo;
  exitCode: number;
  /** The API URL of the last command that asked for a client, for error hints. */
  apiUrl: string | undefined;
  /** The credential of the last command that asked for a client, for error hints. */
  credential: CredentialSource | undefined;
  for(command: Command): CommandRun;
}

export function createCliContext(io: ProgramIo): CliContext {
  const out = createOutput(io.stdout, io.env);
  const err = createOutput(io.stderr, io.env);
  const timing: FollowTiming = { ...defaultFollowTiming, ...io.timing };
  const context: CliContext = {
    io,
    exitCode: 0,
    apiUrl: undefined,
    credential: undefined,
    for(command) {
      const globals = command.optsWithGlobals<{ json?: boolean; api?: string; token?: string; caFile?: string }>();
      const envUrl = io.env['SLIPWAY_API_URL'];
      const apiUrl =
        globals.api ?? (envUrl !== undefined && envUrl !== '' ? envUrl : defaultLocalApiUrl(io.env, defaultApiUrl));
      let client: ApiClient | undefined;
      const credentials = openCredentialsFile(credentialsPath(io.env));
      const trustingFetch = createTrustingFetch({ apiUrl, caFile: globals.caFile, env: io.env, cwd: io.cwd });
      const credential = createCredentialSource({
        apiUrl,
        flagToken: globals.token,
        env: io.env,
        cwd: io.cwd,
        credentials,
        fetch: trustingFetch,
      });
      return {
        isJson: globals.json === true,
        apiUrl,
        token: globals.token,
        credentials,
        credential,
        fetch: trustingFetch,
        io,
        out,
        err,
        timing,
        client() {
          context.apiUrl = apiUrl;
          context.credential = credential;
          client ??= createApiClient({ baseUrl: apiUrl, token: credential.token, fetch: trustingFetch });
          return client;
        },
        fail(exitCode = 1) {
          context.exitCode = exitCode;
        },
        usageError(message) {
          return command.error(`error: ${message}`, { exitCode: 2, code: 'slipway.usage' });
        },
      };
    },
  };
  return context;
}

/** `-e, --environment <name>` for app-scoped commands; absent means the server's default (`production`). */
export function environmentOption(): Option {
  return new Option('-e, --environment <name>', 'environment to act on (default: production)');
}
