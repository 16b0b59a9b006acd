/**
 * `slipway git-credential get|store|erase`: a git credential helper (gitcredentials(7)) for slipwayd's git endpoint.
 * `git config credential.helper '!slipway git-credential'` makes `git push` to `<api>/git/<app>.git` send the CLI's
 * credential as the password. It answers only for the API URL the CLI is configured for (`--api`,
 * `$SLIPWAY_API_URL`, or the local slipwayd), so a helper configured for every host never hands a Slipway token to
 * another one; `store` and `erase` change nothing (logins are `slipway login`'s).
 */
import type { Command } from 'commander';
import type { CliContext, ProgramIo } from '../cli-context.js';

/** git's request is a few short lines; anything longer is not one. */
const maxRequestBytes = 64 * 1024;

export function registerGitCredentialCommand(program: Command, ctx: CliContext): void {
  program
    .command('git-credential')
    .description(
      "git credential helper for slipwayd's git endpoint: git config credential.helper '!slipway git-credential'",
    )
    .argument('<operation>', 'get (answers with the CLI credential), store or erase (ignored)')
    .action(async (operation: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      if (operation !== 'get') {
        // git sends the credential it used; there is nothing to keep or forget.
        await readRequest(run.io);
        return;
      }
      const request = parseRequest(await readRequest(run.io));
      const protocol = request.get('protocol');
      const host = request.get('host');
      if ((protocol !== 'http' && protocol !== 'https') || host === undefined) return;
      if (!isSameOrigin(`${protocol}://${host}`, run.apiUrl)) return;
      const token = await run.credential.token();
      if (token === undefined) return;
      run.io.stdout.write(`username=slipway\npassword=${token}\n`);
    });
}

async function readRequest(io: ProgramIo): Promise<string> {
  const stdin = io.stdin;
  if (stdin === undefined) return '';
  let text = '';
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.length > maxRequestBytes) break;
    // A blank line ends the request (git also closes stdin).
    if (/\n\n$/.test(text)) break;
  }
  return text.slice(0, maxRequestBytes);
}

function parseRequest(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) fields.set(line.slice(0, equals), line.slice(equals + 1).replace(/\r$/, ''));
  }
  return fields;
}

function isSameOrigin(requested: string, apiUrl: string): boolean {
  try {
    return new URL(requested).origin === new URL(apiUrl).origin;
  } catch {
    return false;
  }
}
