/** Parses compose YAML text as docker compose would — variables interpolated — and validates the subset Slipway maps; no I/O. */
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { SlipwayError } from '../slipway-error.js';
import { joinComposePath } from './compose-path.js';
import {
  createInterpolationReport,
  interpolateTree,
  type InterpolationIssue,
  type InterpolationReport,
  type VariableLookup,
} from './compose-interpolation.js';
import { composeFileSchema, type ComposeFile, type ComposeService } from './compose-schema.js';

export type { ComposeFile, ComposeService } from './compose-schema.js';

/** One problem of a compose file, with its path (`services.web.deploy.replicas`). */
export type ComposeIssue = InterpolationIssue;

export interface ParsedCompose {
  compose: ComposeFile;
  warnings: string[];
}

/** `ports[0]`-style paths from zod's path segments. */
function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? String(segment) : `.${String(segment)}`;
  }
  return path === '' ? '(root)' : path;
}

function composeInvalid(fileName: string, issues: readonly ComposeIssue[]): SlipwayError {
  const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`);
  return new SlipwayError(
    'COMPOSE_INVALID',
    `${fileName} cannot be imported (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    { details: { file: fileName, issues: issues.map((issue) => ({ ...issue })) } },
  );
}

/** Throws one COMPOSE_INVALID naming every issue, when there are any. */
export function assertNoComposeIssues(fileName: string, issues: readonly ComposeIssue[]): void {
  if (issues.length > 0) throw composeInvalid(fileName, issues);
}

/** The warnings docker compose would print for variables used unset. */
export function unsetWarnings(report: InterpolationReport): string[] {
  return [...report.unset].map(
    ([name, path]) => `${path}: the ${name} variable is not set; an empty string is used (as docker compose does)`,
  );
}

/** Parses, interpolates and validates compose YAML text; every problem is one COMPOSE_INVALID naming each path. */
export function parseComposeText(text: string, fileName: string, lookup: VariableLookup): ParsedCompose {
  const document = parseDocument(text, { uniqueKeys: true, merge: true });
  if (document.errors.length > 0) {
    throw composeInvalid(
      fileName,
      document.errors.map((error) => ({
        path: error.linePos === undefined ? '(yaml)' : `line ${error.linePos[0].line}`,
        message: error.message.split('\n')[0] ?? error.message,
      })),
    );
  }
  const raw: unknown = document.toJS({ maxAliasCount: 1000 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw composeInvalid(fileName, [{ path: '(root)', message: 'must be a map with a services key' }]);
  const services = (raw as Record<string, unknown>)['services'];
  if (services === null || typeof services !== 'object' || Array.isArray(services))
    throw composeInvalid(fileName, [{ path: 'services', message: 'a compose file needs a services map' }]);
  const report = createInterpolationReport();
  const interpolated = interpolateTree(raw, lookup, '', report);
  assertNoComposeIssues(fileName, report.issues);
  const parsed = composeFileSchema.safeParse(interpolated);
  if (!parsed.success) {
    throw composeInvalid(
      fileName,
      parsed.error.issues.map((issue: z.core.$ZodIssue) => ({
        path: formatPath(issue.path),
        // A bad service name comes wrapped as "Invalid key in record": say what is wrong with it.
        message: issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message,
      })),
    );
  }
  if (Object.keys(parsed.data.services).length === 0)
    throw composeInvalid(fileName, [{ path: 'services', message: 'a compose file needs at least one service' }]);
  return { compose: parsed.data, warnings: unsetWarnings(report) };
}

/** The `env_file` entries of a service as absolute paths, with whether each must exist. */
export function envFilesOf(
  service: ComposeService,
  composeDir: string,
): Array<{ index: number; path: string; isRequired: boolean }> {
  const entries = service.env_file === undefined ? [] : [service.env_file].flat();
  return entries.map((entry, index) =>
    typeof entry === 'string'
      ? { index, path: joinComposePath(composeDir, entry), isRequired: true }
      : { index, path: joinComposePath(composeDir, entry.path), isRequired: entry.required },
  );
}
