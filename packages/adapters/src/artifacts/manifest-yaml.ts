/**
 * Parses the YAML text of a `slipway.yaml` into a plain document, bounded: at most `maxManifestBytes` of text and
 * `maxManifestAliasCount` alias expansions (a "billion laughs" document is a manifest error, not a 500 or a freeze).
 */
import { parseDocument } from 'yaml';
import { maxManifestAliasCount, maxManifestBytes, SlipwayError, type ManifestIssue } from '@slipway/contract';

export function manifestTooLarge(name: string, maxBytes = maxManifestBytes): SlipwayError {
  return new SlipwayError('MANIFEST_TOO_LARGE', `${name} is larger than the limit of ${maxBytes} bytes`, {
    details: { file: name, maxBytes },
  });
}

/** Errors: `MANIFEST_TOO_LARGE`; `MANIFEST_INVALID` whose one issue's path is the line and column, when known. */
export function parseManifestYaml(text: string, name = 'slipway.yaml'): unknown {
  if (Buffer.byteLength(text, 'utf8') > maxManifestBytes) throw manifestTooLarge(name);
  const document = parseDocument(text, { prettyErrors: true });
  const syntax = document.errors[0];
  if (syntax) {
    const at = syntax.linePos?.[0];
    // yaml's pretty message ends with its own "at line L, column C:"; the place is said once, here.
    const message = (syntax.message.split('\n')[0] ?? 'YAML syntax error').replace(/ at line \d+, column \d+:?$/, '');
    throw invalid(`${name} is not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${message}`, {
      path: at ? `line ${at.line}, column ${at.col}` : '(root)',
      message,
    });
  }
  try {
    return document.toJS({ maxAliasCount: maxManifestAliasCount }) as unknown;
  } catch (error) {
    // yaml throws a ReferenceError when the aliases would expand past the count.
    if (error instanceof ReferenceError) {
      const message = `expands more than ${maxManifestAliasCount} aliases`;
      throw invalid(`${name} ${message}`, { path: '(root)', message });
    }
    throw error;
  }
}

function invalid(message: string, issue: ManifestIssue): SlipwayError {
  return new SlipwayError('MANIFEST_INVALID', message, { details: { issues: [issue] } });
}
