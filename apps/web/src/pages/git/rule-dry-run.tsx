/**
 * The dry run of an app's rules (`GET /api/v1/apps/:app/rules/test?ref=`): a full ref typed in answers which rule a
 * push of it would fire, where to, and why each earlier rule did not; nothing is deployed. Viewers may run it.
 */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { TestDeploymentRulesResponse } from '@slipway/contract';
import { gitApi } from '../../api/git-api.js';
import { ErrorNotice } from '../../components/error-notice.js';

type Step = TestDeploymentRulesResponse['steps'][number];

const verdictMarks: Record<Step['verdict'], string> = { fires: '→', skipped: '✗', 'not-reached': '·' };
const verdictWords: Record<Step['verdict'], string> = {
  fires: 'fires',
  skipped: 'does not match',
  'not-reached': 'not reached',
};

function DryRunAnswer({ answer }: { readonly answer: TestDeploymentRulesResponse }) {
  return (
    <div className="card" data-testid="dry-run-answer" data-fired={answer.fired === null ? '' : answer.fired.position}>
      <p>
        <strong>{answer.summary}</strong>
      </p>
      {answer.steps.length === 0 ? null : (
        <ol className="steps" aria-label="Each rule in order">
          {answer.steps.map((step) => (
            <li key={step.rule.id} data-verdict={step.verdict}>
              <span aria-hidden="true">{verdictMarks[step.verdict]}</span> rule {step.rule.position} ({step.rule.event}{' '}
              <code>{step.rule.refPattern}</code> of {step.rule.repository} → {step.rule.environment ?? '—'}){' '}
              {verdictWords[step.verdict]}: {step.reason}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export function RuleDryRun({ app }: { readonly app: string }) {
  const [ref, setRef] = useState('refs/heads/main');
  const test = useMutation({ mutationFn: (full: string) => gitApi.testRules(app, full) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    test.mutate(ref.trim());
  };
  return (
    <>
      <h2 className="section-title">Dry run</h2>
      <form className="form" onSubmit={submit} aria-label="Dry run of the rules">
        <label>
          Full ref a push would move (refs/heads/… for a branch push, refs/tags/… for a tag)
          <input className="input" required maxLength={1024} value={ref} onChange={(e) => setRef(e.target.value)} />
        </label>
        <div>
          <button type="submit" className="button button-primary" disabled={test.isPending}>
            Test the rules
          </button>
        </div>
      </form>
      <ErrorNotice error={test.error} />
      {test.data === undefined ? null : <DryRunAnswer answer={test.data} />}
    </>
  );
}
