import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-validate-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function validate(files: Record<string, string>, args: string[] = []) {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  // No API URL that answers: validate must not need slipwayd.
  const captured = createCapturedIo({ cwd: dir, env: { SLIPWAY_API_URL: 'http://127.0.0.1:9' } });
  const code = await createProgram(captured.io).run(['validate', ...args]);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const valid = `
build:
  builder: node
processes:
  web:
    command: node server.js
    replicas: 2
    healthCheck: { type: http, path: /healthz }
strategy: { type: rolling, maxSurge: 1 }
env:
  PORT_OFFSET: 1
routes:
  - host: web.localhost
`;

describe('slipway validate', () => {
  it('accepts a valid ./slipway.yaml without talking to slipwayd', async () => {
    const { code, stdout, stderr } = await validate({ 'slipway.yaml': valid });
    expect(code).toBe(0);
    expect(stdout).toBe('✓ slipway.yaml is a valid manifest\n');
    expect(stderr).toBe('');
  });

  it('prints every issue as "path: message" and exits 1', async () => {
    const invalid = `
processes:
  web:
    replicas: 500
  Bad: {}
strategy: { type: canery }
colour: blue
`;
    const { code, stdout, stderr } = await validate({ 'app.yaml': invalid }, ['app.yaml']);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^processes\.web\.replicas: .*100/));
    expect(lines).toContainEqual(expect.stringMatching(/^processes\.Bad: /));
    expect(lines).toContainEqual(expect.stringMatching(/^strategy\.type: /));
    expect(lines).toContainEqual('colour: unknown key "colour"');
    expect(stderr).toBe(`error: MANIFEST_INVALID: app.yaml has ${lines.length} problems\n`);
  });

  it("words a canary's mistakes at their place: a weight over 100, an unknown kind, two kinds, a bad analysis", async () => {
    const invalid = `
strategy:
  type: canary
  steps:
    - setWeight: 150
    - setweight: 10
    - { setWeight: 20, pause: {} }
    - analysis:
        metrics: [{ name: ok, provider: { type: routr }, successCondition: { min: 0.99 } }]
    - pause:
`;
    const { code, stdout } = await validate({ 'slipway.yaml': invalid });
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        'strategy.steps.0.setWeight: must be at most 100, not 150',
        'strategy.steps.1.setweight: unknown step kind "setweight" (did you mean "setWeight"?): use one of setWeight, pause, analysis, approval, setHeaderRoute',
        'strategy.steps.2: a step has one kind, this one has setWeight and pause: write each as its own "- setWeight: …" item',
        'strategy.steps.3.analysis.metrics.0.provider.type: unknown type "routr" (did you mean "router"?): use one of router, http, prometheus',
        '',
      ].join('\n'),
    );
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const { code, stdout } = await validate({ 'slipway.yaml': 'build:\n  builder: node\n    command: x\n' });
    expect(code).toBe(1);
    expect(stdout).toBe('line 2, column 12: YAML syntax error: Nested mappings are not allowed in compact mappings\n');
  });

  it('reports a duplicate key as a syntax error at the second occurrence', async () => {
    const { stdout } = await validate({ 'slipway.yaml': 'build: {}\nbuild: {}\n' });
    expect(stdout).toMatch(/^line 2, column 1: YAML syntax error: Map keys must be unique/);
  });

  it('prints the validation result as JSON with --json', async () => {
    const { code, stdout } = await validate({ 'slipway.yaml': 'routes: 3\n' }, ['--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      isValid: false,
      issues: [{ path: 'routes', message: expect.any(String) as string }],
    });
  });

  it('reports an alias expansion bomb and an oversized file as problems, not crashes', async () => {
    const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level <= 9; level += 1)
      bomb.push(`a${level}: &a${level} [${`*a${level - 1}, `.repeat(8)}*a${level - 1}]`);
    const aliases = await validate({ 'slipway.yaml': `${bomb.join('\n')}\n` });
    expect(aliases).toMatchObject({ code: 1, stdout: '(root): expands more than 100 aliases\n' });
    const large = await validate({ 'slipway.yaml': `# ${'x'.repeat(300 * 1024)}\n` });
    expect(large).toMatchObject({ code: 1, stdout: '(root): larger than the limit of 262144 bytes\n' });
  });

  it('takes an empty file as an empty, valid manifest', async () => {
    expect((await validate({ 'slipway.yaml': '' })).code).toBe(0);
  });

  it('says so when the file cannot be read', async () => {
    const { code, stderr } = await validate({}, ['nope.yaml']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'error: MANIFEST_INVALID: cannot read nope.yaml: no such file (give the path of a slipway.yaml, or run slipway validate where one is)\n',
    );
  });
});
