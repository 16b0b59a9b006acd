import { describe, expect, it } from 'vitest';
import { manifestSchema } from './manifest.js';
import { manifestIssues } from './manifest-issues.js';

function messagesOf(document: unknown): Record<string, string> {
  const parsed = manifestSchema.safeParse(document);
  return parsed.success
    ? {}
    : Object.fromEntries(manifestIssues(parsed.error, document).map((issue) => [issue.path, issue.message]));
}

describe("manifest issues in the user's words", () => {
  it('names an unknown kind with the nearest known one and every choice, never "Invalid discriminator value"', () => {
    expect(
      messagesOf({
        processes: { web: { healthCheck: { type: 'htp' } } },
        strategy: { type: 'blue' },
        build: { builder: 'nod' },
      }),
    ).toEqual({
      'processes.web.healthCheck.type': 'unknown type "htp" (did you mean "http"?): use one of http, tcp, exec, none',
      'strategy.type': 'unknown type "blue": use one of recreate, rolling, blue-green, canary',
      'build.builder':
        'unknown builder "nod" (did you mean "node"?): use one of auto, procfile, node, static, python, dockerfile, image',
    });
  });

  it('says what type a value must be and what it was given', () => {
    expect(messagesOf({ processes: { web: { replicas: 'three' } }, routes: 'x', env: { A: {} } })).toEqual({
      'processes.web.replicas': 'must be a number, not the text "three"',
      routes: 'must be a list ("- item" lines), not the text "x"',
      'env.A': 'must be text or a number or true or false, not a mapping',
    });
  });

  it('says where a setting of a process type written at the top level goes', () => {
    expect(messagesOf({ healthcheck: { type: 'http', path: '/healthz' }, replicas: 2 })).toEqual({
      '(root)':
        '"healthcheck" does not belong here: it is a setting of a process type: write it as processes.web.healthCheck (or under another type); "replicas" does not belong here: it is a setting of a process type: write it as processes.web.replicas (or under another type)',
    });
  });

  it('says where a key of another kind of check or strategy belongs', () => {
    expect(messagesOf({ processes: { web: { healthCheck: { type: 'tcp', path: '/healthz' } } } })).toEqual({
      'processes.web.healthCheck.path':
        '"path" does not belong here: only an http check requests a path; remove it, or use type: http',
    });
  });

  it('refuses PORT and SLIPWAY_* in env, saying Slipway sets them and what to do instead', () => {
    const messages = messagesOf({ env: { PORT: 3000, SLIPWAY_APP: 'x', '9BAD': 'x' } });
    expect(messages['env.PORT']).toBe(
      '"PORT" cannot be a key here: it is set by Slipway to the port it assigns each instance: remove it and have the app listen on $PORT (in a container, "port:" in slipway.yaml names the port the program listens on)',
    );
    expect(messages['env.SLIPWAY_APP']).toMatch(/^"SLIPWAY_APP" cannot be a key here: it is reserved/);
    expect(messages['env.9BAD']).toBe('"9BAD" cannot be a key here: it must be a valid environment variable name');
  });

  it('says a bound in words', () => {
    expect(messagesOf({ processes: { web: { replicas: 500, command: '' } } })).toEqual({
      'processes.web.replicas': 'must be at most 100, not 500',
      'processes.web.command': 'must not be empty',
    });
  });
});
