/**
 * Full git refs as deployment rules read them: which event kind a ref is (a branch push or a tag), and which refs are
 * refused outright. A ref reaches shell-free `git` calls only, but one with shell metacharacters, `..` or what
 * `git check-ref-format` forbids is refused anyway: no rule fires on it and the dry run says why.
 */
import type { DeploymentRuleEvent } from './deployment-rule-records.js';

const maxRefLength = 1_024;
/** `git check-ref-format`'s forbidden characters, and the shell's metacharacters besides. */
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const forbiddenCharacters = /[\u0000-\u0020\u007f~^:?*[\\$;&|<>(){}'"`!#%]/u;

/** Why `ref` may not be deployed from, or undefined when it is a well-formed full ref. */
export function fullRefIssue(ref: string): string | undefined {
  if (ref.length === 0) return 'the ref is empty';
  if (ref.length > maxRefLength) return `the ref is longer than ${maxRefLength} characters`;
  if (!ref.startsWith('refs/')) return 'a full ref starts with refs/ (refs/heads/main, refs/tags/v1.0.0)';
  if (ref.includes('..')) return 'a ref may not contain ".."';
  if (forbiddenCharacters.test(ref))
    return 'a ref may not contain spaces, control characters or ~^:?*[\\$;&|<>(){}\'"`!#%';
  if (ref.includes('@{')) return 'a ref may not contain "@{"';
  if (ref.includes('//') || ref.endsWith('/')) return 'a ref may not contain an empty path segment';
  if (ref.endsWith('.') || ref.endsWith('.lock')) return 'a ref may not end with "." or ".lock"';
  if (ref.split('/').some((segment) => segment.startsWith('.'))) return 'a ref segment may not start with "."';
  return undefined;
}

/** `push` for a branch, `tag` for a tag; undefined for any other ref (notes, pull-request heads …). */
export function eventKindOfRef(ref: string): DeploymentRuleEvent | undefined {
  if (ref.startsWith('refs/heads/')) return 'push';
  if (ref.startsWith('refs/tags/')) return 'tag';
  return undefined;
}
