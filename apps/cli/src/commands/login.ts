/** `slipway login|logout|whoami`: sessions with slipwayd, saved per API URL in the user's credentials file. */
import type { Command } from 'commander';
import { createApiClient, isSlipwayError } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { readPassword } from '../read-password.js';

export function registerLoginCommands(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('log in with a user name and password; the session is saved for this API URL')
    .argument('<user>', 'user name')
    .option('--password-stdin', 'read the password from stdin instead of asking on the terminal')
    .action(async (user: string, options: { passwordStdin?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const password = await readPassword(run.io, {
        fromStdin: options.passwordStdin === true,
        promptText: `password for ${user} at ${run.apiUrl}: `,
        prompt: run.io.stderr,
      });
      // No credential on the login request itself: it is the credential (and what a refusal's hint is about).
      ctx.apiUrl = run.apiUrl;
      ctx.credential = { token: () => Promise.resolve(undefined), kind: () => Promise.resolve('password') };
      const tokens = await createApiClient({ baseUrl: run.apiUrl, fetch: run.fetch }).auth.login({
        username: user,
        password,
      });
      await run.credentials.save(run.apiUrl, {
        username: tokens.user.name,
        accessToken: tokens.accessToken,
        accessTokenExpiresAt: tokens.accessTokenExpiresAt,
        refreshToken: tokens.refreshToken,
        refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
      });
      if (run.isJson)
        return run.out.json({ user: tokens.user, apiUrl: run.apiUrl, credentialsFile: run.credentials.path });
      run.out.line(`logged in to ${run.apiUrl} as ${tokens.user.name}`);
      run.out.line(run.out.style.dim(`session saved in ${run.credentials.path}`));
    });

  program
    .command('logout')
    .description('end the saved session for this API URL and forget it')
    .action(async (_options: object, command: Command) => {
      const run = ctx.for(command);
      const saved = await run.credentials.find(run.apiUrl);
      if (saved === undefined) {
        if (run.isJson) return run.out.json({ isLoggedOut: false, apiUrl: run.apiUrl });
        return run.out.line(`not logged in to ${run.apiUrl}`);
      }
      try {
        // The saved session's (refreshed) access token, whatever else is configured.
        const token = await run.credential.token();
        if ((await run.credential.kind()) === 'login' && token !== undefined) {
          await createApiClient({ baseUrl: run.apiUrl, token, fetch: run.fetch }).auth.logout();
        }
      } catch (error) {
        // A session the server ended already is gone all the same; anything else is worth reporting.
        if (!isSlipwayError(error) || error.code !== 'UNAUTHENTICATED') throw error;
      }
      await run.credentials.remove(run.apiUrl);
      if (run.isJson) return run.out.json({ isLoggedOut: true, apiUrl: run.apiUrl });
      run.out.line(`logged out of ${run.apiUrl}`);
    });

  program
    .command('whoami')
    .description('who the CLI acts as, with which credential, and its roles')
    .action(async (_options: object, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().auth.whoami();
      if (run.isJson) return run.out.json(answer);
      const credential =
        answer.credential.kind === 'session'
          ? 'session (slipway login)'
          : `API token ${answer.credential.name ?? ''} (${answer.credential.id})`;
      run.out.fields([
        ['user', answer.user.name],
        ['credential', credential],
        [
          'roles',
          answer.grants.map((g) => `${g.role} ${g.project === null ? '(global)' : `on ${g.project}`}`).join(', ') ||
            'none',
        ],
      ]);
    });
}
