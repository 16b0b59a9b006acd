/**
 * How `slipway rollout` shows a rollout to people: where it stands (phase and why it waits, the step it is on), the
 * traffic split, the steps, the analysis' last measurements, and the commands that move it on from here.
 */
import type { RolloutView } from '@slipway/contract';
import { formatTimestamp, visibleLength, type Output } from '../output.js';

type Style = Output['style'];

/** Measurements shown per metric: the last few tell the trend; `--json` has every one kept. */
const measurementsShownPerMetric = 3;

const pauseReasonWords: Record<NonNullable<RolloutView['pauseReason']>, string> = {
  step: 'a pause step waits',
  approval: 'waiting for approval',
  'inconclusive-analysis': 'the analysis was inconclusive: a person decides',
  manual: 'paused by a user',
  'blue-green-preview': 'the preview waits for promotion',
};

export function formatPhase(view: RolloutView, style: Style): string {
  switch (view.phase) {
    case 'progressing':
      return style.cyan('progressing');
    case 'paused':
      return style.yellow(`paused — ${view.pauseReason === null ? 'paused' : pauseReasonWords[view.pauseReason]}`);
    case 'healthy':
      return style.green('healthy');
    case 'degraded':
      return style.red('degraded');
    case 'aborted':
      return style.red('aborted');
  }
}

/** `step 3 (pause until promoted)`, for sentences. */
export function stepPhrase(view: RolloutView): string {
  const label = view.steps.find((s) => s.index === view.currentStep)?.label;
  return `step ${view.currentStep + 1}${label === undefined ? '' : ` (${label})`}`;
}

/** `slipway rollout <verb> <app>[extra] [-e <env>]`: a command that acts on the same rollout. */
export function rolloutCommand(view: RolloutView, verb: string, extra = ''): string {
  const scope = view.environment === 'production' ? '' : ` -e ${view.environment}`;
  return `slipway rollout ${verb} ${view.app}${extra}${scope}`;
}

/** `3 of 6: pause until promoted` (steps count from 1 for people). */
export function formatStep(view: RolloutView): string {
  const label = view.steps.find((s) => s.index === view.currentStep)?.label;
  return `${view.currentStep + 1} of ${view.steps.length}${label === undefined ? '' : `: ${label}`}`;
}

const pendingWords: Record<NonNullable<RolloutView['pendingControl']>, string> = {
  promote: 'promote',
  'promote-full': 'promote --full',
  pause: 'pause',
  abort: 'abort',
};

/** Phase, step and what is asked of the controller: the lines every rollout command prints. */
export function writeRolloutHeadline(out: Output, view: RolloutView): void {
  out.fields([
    ['phase', formatPhase(view, out.style)],
    ...(view.message === null ? [] : [['message', view.message] as const]),
    ['step', formatStep(view)],
    ...(view.pendingControl === null
      ? []
      : [
          [
            'asked',
            `${pendingWords[view.pendingControl]}, not acted on yet (the controller does on its next pass)`,
          ] as const,
        ]),
  ]);
}

export function writeRolloutStatus(out: Output, view: RolloutView): void {
  const { style } = out;
  const from = view.stableReleaseNumber === null ? 'a first deploy' : `from release ${view.stableReleaseNumber}`;
  out.line(
    style.bold(`${view.app} (${view.environment}): ${view.strategy} rollout of release ${view.releaseNumber}, ${from}`),
  );
  writeRolloutHeadline(out, view);
  out.fields([
    ['deployment', view.deploymentId],
    ['started', formatTimestamp(view.startedAt)],
    ...(view.finishedAt === null ? [] : [['finished', formatTimestamp(view.finishedAt)] as const]),
  ]);

  out.line();
  if (view.weights.length === 0) out.line('traffic: no release takes any');
  else
    out.table(
      ['RELEASE', 'WEIGHT', 'INSTANCES', 'ROUTED ON PURPOSE'],
      view.weights.map((w) => [
        `v${w.releaseNumber}${w.isPreview ? ' (preview)' : ''}`,
        `${w.weight}%`,
        formatInstances(w.instances),
        w.matches.length === 0 ? '-' : w.matches.join(', '),
      ]),
    );

  out.line();
  out.line('steps');
  const isDone = view.phase === 'healthy';
  for (const step of view.steps) {
    const mark =
      isDone || step.index < view.currentStep ? style.green('✓') : step.index === view.currentStep ? '▸' : ' ';
    out.line(`  ${mark} ${String(step.index + 1).padStart(2)}  ${step.label}`);
  }

  if (view.analysis !== null) {
    const { analysis } = view;
    out.line();
    out.line(
      `analysis ${analysis.name}: ${analysis.phase}${analysis.message === null ? '' : ` — ${analysis.message}`}`,
    );
    const shown = lastPerMetric(analysis.measurements);
    if (shown.length === 0) out.line('  no measurement yet');
    else
      out.table(
        ['METRIC', 'OUTCOME', 'VALUE', 'AT', 'DETAIL'],
        shown.map((m) => [
          m.metric,
          m.outcome === 'successful'
            ? style.green(m.outcome)
            : m.outcome === 'failed' || m.outcome === 'error'
              ? style.red(m.outcome)
              : style.yellow(m.outcome),
          m.value === null ? '-' : formatValue(m.value),
          formatTimestamp(m.at),
          m.detail ?? '-',
        ]),
      );
  }

  const next = nextSteps(view);
  if (next.length > 0) {
    out.line();
    out.line('next');
    const width = Math.max(...next.map(([command]) => visibleLength(command)));
    for (const [command, why] of next) out.line(`  ${command.padEnd(width)}  ${style.dim(why)}`);
  }
}

/** The commands that move the rollout on from where it stands, each with what it does. */
export function nextSteps(view: RolloutView): Array<[string, string]> {
  const scope = view.environment === 'production' ? '' : ` -e ${view.environment}`;
  const command = (verb: string, extra = '') => rolloutCommand(view, verb, extra);
  const stable = view.stableReleaseNumber === null ? 'nothing' : `release ${view.stableReleaseNumber}`;
  const abort: [string, string] = [command('abort'), `all traffic back on ${stable}, which is desired again`];
  const nextLabel = view.steps.find((s) => s.index === view.currentStep + 1)?.label;
  const promote: [string, string] = [
    command('promote'),
    nextLabel === undefined ? 'finish the rollout' : `go on to step ${view.currentStep + 2} (${nextLabel})`,
  ];
  const full: [string, string] = [command('promote', ' --full'), 'skip every remaining step, pause and analysis'];
  if (view.pendingControl !== null) return [];
  switch (view.phase) {
    case 'progressing':
      return [[command('pause'), 'hold at this step'], abort];
    case 'paused':
      if (view.pauseReason === 'manual') return [[command('resume'), 'go on from this step'], abort];
      if (view.pauseReason === 'approval')
        return [
          [
            `slipway approvals approve ${view.approvalRequestId ?? '<id>'}`,
            "approve (someone other than the deployment's author)",
          ],
          abort,
        ];
      if (view.pauseReason === 'inconclusive-analysis')
        return [[command('promote'), 'go on despite the missing evidence'], abort];
      return [promote, full, abort];
    case 'aborted':
    case 'degraded':
      return [
        [command('retry'), `roll out release ${view.releaseNumber} again from its first step`],
        [`slipway deploy ${view.app}${scope}`, 'or deploy a fix'],
      ];
    case 'healthy':
      return [];
  }
}

function formatInstances(instances: Record<string, number>): string {
  const entries = Object.entries(instances).filter(([, n]) => n > 0);
  return entries.length === 0 ? '-' : entries.map(([type, n]) => `${type}×${n}`).join(' ');
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

function lastPerMetric<M extends { metric: string }>(measurements: readonly M[]): M[] {
  const kept = new Map<string, number>();
  const shown: M[] = [];
  for (let i = measurements.length - 1; i >= 0; i -= 1) {
    const m = measurements[i];
    if (m === undefined) continue;
    const count = kept.get(m.metric) ?? 0;
    if (count >= measurementsShownPerMetric) continue;
    kept.set(m.metric, count + 1);
    shown.unshift(m);
  }
  return shown;
}
