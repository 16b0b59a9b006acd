import { describe, expect, it } from 'vitest';
import type { ApprovalDecisionRecord } from '../domain/approval-records.js';
import { eligibilityOf, fullRefOf, isRefAllowed, matchesRefPattern, tallyDecisions } from './approval-rules.js';

const decision = (actor: string, kind: 'approve' | 'reject'): ApprovalDecisionRecord => ({
  requestId: 'apr_1',
  actorUserId: `usr_${actor}`,
  actor,
  decision: kind,
  comment: null,
  atMs: 0,
});

describe('approval rules', () => {
  it('matches ref patterns against the full ref, with * and ? never crossing a slash', () => {
    expect(matchesRefPattern('refs/heads/release/*', 'refs/heads/release/1.2')).toBe(true);
    expect(matchesRefPattern('refs/heads/release/*', 'refs/heads/release/1/hotfix')).toBe(false);
    expect(matchesRefPattern('refs/heads/release/*/*', 'refs/heads/release/1/hotfix')).toBe(true);
    expect(matchesRefPattern('refs/heads/release/*', 'refs/tags/release/1.2')).toBe(false);
    expect(matchesRefPattern('refs/heads/main', 'refs/heads/main')).toBe(true);
    expect(matchesRefPattern('refs/heads/main', 'refs/heads/mainline')).toBe(false);
    expect(matchesRefPattern('refs/tags/v?', 'refs/tags/v1')).toBe(true);
    expect(matchesRefPattern('refs/tags/v[0-9].*', 'refs/tags/v2.0')).toBe(true);
    expect(matchesRefPattern('refs/tags/v[!0-9]*', 'refs/tags/v2.0')).toBe(false);
    expect(matchesRefPattern('refs/heads/a.b', 'refs/heads/aXb')).toBe(false);
  });

  it('makes a branch name a full ref, keeps a full one, and gives no ref for sources without one', () => {
    expect(fullRefOf({ kind: 'git', url: 'https://x/y.git', ref: 'main' })).toBe('refs/heads/main');
    expect(fullRefOf({ kind: 'git', url: 'https://x/y.git', ref: 'refs/tags/v1' })).toBe('refs/tags/v1');
    expect(fullRefOf({ kind: 'git', url: 'https://x/y.git' })).toBeNull();
    expect(fullRefOf({ kind: 'path', path: '/srv/app' })).toBeNull();
    expect(isRefAllowed([], null)).toBe(true);
    expect(isRefAllowed(['refs/heads/*'], null)).toBe(false);
    expect(isRefAllowed(['refs/tags/*', 'refs/heads/main'], 'refs/heads/main')).toBe(true);
  });

  it('lets listed users and holders of a listed role decide, refusing the author when self-approval is prevented', () => {
    const rules = {
      approvers: [
        { kind: 'user' as const, id: 'bob' },
        { kind: 'role' as const, id: 'admin' as const },
      ],
      preventSelfApproval: true,
    };
    const actor = (userName: string, role: 'viewer' | 'deployer' | 'admin', projectId: string | null = 'prj_a') => ({
      userId: `usr_${userName}`,
      userName,
      grants: [{ role, projectId }],
    });
    expect(eligibilityOf(rules, actor('bob', 'viewer'), 'prj_a', 'alice')).toBe('eligible');
    expect(eligibilityOf(rules, actor('carol', 'admin'), 'prj_a', 'alice')).toBe('eligible');
    expect(eligibilityOf(rules, actor('carol', 'admin', null), 'prj_a', 'alice')).toBe('eligible');
    // A role on another project never reaches this one.
    expect(eligibilityOf(rules, actor('carol', 'admin', 'prj_b'), 'prj_a', 'alice')).toBe('not-eligible');
    expect(eligibilityOf(rules, actor('dave', 'deployer'), 'prj_a', 'alice')).toBe('not-eligible');
    expect(eligibilityOf(rules, actor('bob', 'viewer'), 'prj_a', 'bob')).toBe('self-review');
    expect(eligibilityOf({ ...rules, preventSelfApproval: false }, actor('bob', 'viewer'), 'prj_a', 'bob')).toBe(
      'eligible',
    );
    const open = { approvers: [], preventSelfApproval: true };
    expect(eligibilityOf(open, actor('erin', 'deployer'), 'prj_a', null)).toBe('eligible');
    expect(eligibilityOf(open, actor('erin', 'viewer'), 'prj_a', null)).toBe('not-eligible');
  });

  it('approves on distinct approvals reaching the count, and rejects on one reject whatever the approvals', () => {
    expect(tallyDecisions({ requiredApprovals: 2 }, [decision('bob', 'approve')])).toMatchObject({
      approvals: 1,
      isApproved: false,
    });
    expect(
      tallyDecisions({ requiredApprovals: 2 }, [decision('bob', 'approve'), decision('carol', 'approve')]),
    ).toMatchObject({
      approvals: 2,
      isApproved: true,
    });
    const rejected = tallyDecisions({ requiredApprovals: 1 }, [
      decision('bob', 'approve'),
      decision('carol', 'reject'),
    ]);
    expect(rejected.isApproved).toBe(false);
    expect(rejected.rejectedBy?.actor).toBe('carol');
  });
});
