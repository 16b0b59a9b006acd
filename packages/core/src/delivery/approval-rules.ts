/**
 * The rules of an approval gate, as pure functions: who is eligible, what the decisions add up to, and which refs a
 * policy lets deploy. One reject rejects; otherwise distinct eligible approvals must reach the required count.
 */
import { isRoleAtLeast, type SourceView } from '@slipway/contract';
import type { ApprovalDecisionRecord, ApprovalRules } from '../domain/approval-records.js';
import { roleOnProject, type Grant } from '../identity/principal.js';

/** The caller deciding, as the rules see them. */
export interface ApprovalActor {
  userId: string;
  userName: string;
  grants: readonly Grant[];
}

export type Eligibility = 'eligible' | 'not-eligible' | 'self-review';

/**
 * Whether `actor` may decide on a request of `projectId` made by `requestedBy`: listed by name, or holding at least a
 * listed role on the project (global grants count); with no approvers listed, anyone holding `deployer` or more.
 * The author is refused (`self-review`) while the rules prevent self-approval.
 */
export function eligibilityOf(
  rules: Pick<ApprovalRules, 'approvers' | 'preventSelfApproval'>,
  actor: ApprovalActor,
  projectId: string,
  requestedBy: string | null,
): Eligibility {
  const role = roleOnProject(actor.grants, projectId);
  const isListed =
    rules.approvers.length === 0
      ? isRoleAtLeast(role, 'deployer')
      : rules.approvers.some((a) => (a.kind === 'user' ? a.id === actor.userName : isRoleAtLeast(role, a.id)));
  if (!isListed) return 'not-eligible';
  if (rules.preventSelfApproval && requestedBy !== null && requestedBy === actor.userName) return 'self-review';
  return 'eligible';
}

export interface ApprovalTally {
  approvals: number;
  /** The first reject, if any: it decides. */
  rejectedBy: ApprovalDecisionRecord | undefined;
  isApproved: boolean;
}

/** What the decisions add up to; decisions are one per user (the store enforces it), so each approval is distinct. */
export function tallyDecisions(
  rules: Pick<ApprovalRules, 'requiredApprovals'>,
  decisions: readonly ApprovalDecisionRecord[],
): ApprovalTally {
  const approvers = new Set(decisions.filter((d) => d.decision === 'approve').map((d) => d.actorUserId));
  const rejectedBy = decisions.find((d) => d.decision === 'reject');
  return {
    approvals: approvers.size,
    rejectedBy,
    isApproved: rejectedBy === undefined && approvers.size >= rules.requiredApprovals,
  };
}

/**
 * Matches a full ref against a pattern as Ruby's `File.fnmatch` does without flags (what GitHub's deployment branch
 * policies use): `*` matches any run of characters but `/`, `?` one character but `/`, `[…]` a class; `**` is two
 * `*`. Full refs (`refs/heads/…`, `refs/tags/…`) keep a tag named like a branch from matching a branch pattern.
 */
export function matchesRefPattern(pattern: string, ref: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) source += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        source += body.startsWith('!') ? `[^/${body.slice(1)}]` : `[${body}]`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(ref);
}

/**
 * The full ref a source deployed: a git ref as given when it starts with `refs/`, else the branch `refs/heads/<ref>`
 * (git's `--branch` prefers a branch); null for a directory, an archive, an image or a git source without a ref.
 */
export function fullRefOf(source: SourceView | null): string | null {
  if (source?.kind !== 'git' || source.ref === null || source.ref === undefined || source.ref === '') return null;
  return source.ref.startsWith('refs/') ? source.ref : `refs/heads/${source.ref}`;
}

/** True when the policy lets this ref deploy: no patterns, or one that matches (a source without a ref never does). */
export function isRefAllowed(refPatterns: readonly string[], ref: string | null): boolean {
  if (refPatterns.length === 0) return true;
  return ref !== null && refPatterns.some((pattern) => matchesRefPattern(pattern, ref));
}
