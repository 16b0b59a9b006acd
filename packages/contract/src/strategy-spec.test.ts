import { describe, expect, it } from 'vitest';
import { manifestSchema } from './manifest.js';
import { manifestIssues } from './manifest-issues.js';
import { strategySchema } from './strategy-spec.js';

/** What `slipway validate` prints for a manifest with this strategy: `path: message` per issue. */
function issuesOf(strategy: unknown): Record<string, string> {
  const document = { strategy };
  const parsed = manifestSchema.safeParse(document);
  return parsed.success
    ? {}
    : Object.fromEntries(manifestIssues(parsed.error, document).map((issue) => [issue.path, issue.message]));
}

const analysis = {
  metrics: [
    { name: 'success', provider: { type: 'router', measure: 'success-rate' }, successCondition: { min: 0.99 } },
  ],
};

describe('strategy schema', () => {
  it('fills in the blue-green defaults: manual promotion, 30 s warm, a 600 s deadline that aborts', () => {
    expect(strategySchema.parse({ type: 'blue-green' })).toEqual({
      type: 'blue-green',
      scaleDownDelaySeconds: 30,
      progressDeadlineSeconds: 600,
      progressDeadlineAbort: true,
    });
  });

  it('accepts a complete blue-green strategy and fills in its analyses', () => {
    const parsed = strategySchema.parse({
      type: 'blue-green',
      autoPromoteAfterSeconds: 120,
      prePromotionAnalysis: analysis,
      postPromotionAnalysis: analysis,
      scaleDownDelaySeconds: 0,
      progressDeadlineSeconds: 300,
      progressDeadlineAbort: false,
    });
    expect(parsed).toMatchObject({ autoPromoteAfterSeconds: 120 });
    expect(parsed.type === 'blue-green' && parsed.prePromotionAnalysis).toMatchObject({
      intervalSeconds: 30,
      count: 3,
      metrics: [{ name: 'success', failureLimit: 1, onNoData: 'inconclusive', minRequests: 20 }],
    });
  });

  it('fills in the canary defaults: the slipway-canary sticky cookie and a 600 s deadline that aborts', () => {
    expect(strategySchema.parse({ type: 'canary', steps: [{ setWeight: 10 }] })).toEqual({
      type: 'canary',
      steps: [{ setWeight: 10 }],
      stickyCookie: 'slipway-canary',
      progressDeadlineSeconds: 600,
      progressDeadlineAbort: true,
    });
    expect(strategySchema.parse({ type: 'canary', steps: [{ setWeight: 10 }], stickyCookie: null })).toMatchObject({
      stickyCookie: null,
    });
  });

  it('accepts every canary step kind, an empty pause and approval included', () => {
    const steps = [
      { setHeaderRoute: { header: 'x-canary', value: 'always' } },
      { setHeaderRoute: { header: 'x-user', value: '^tester-[0-9]+$', kind: 'regex' } },
      { setHeaderRoute: { cookie: 'beta', value: 'yes' } },
      { setWeight: 0 },
      { setWeight: 10 },
      { pause: { durationSeconds: 300 } },
      { analysis },
      { approval: { timeoutSeconds: 3600 } },
      { approval: null },
      { setWeight: 100 },
      { pause: {} },
      { pause: null },
    ];
    expect(issuesOf({ type: 'canary', steps })).toEqual({});
    const parsed = strategySchema.parse({ type: 'canary', steps });
    expect(parsed.type === 'canary' && parsed.steps.map((s) => Object.keys(s))).toEqual(
      steps.map((s) => Object.keys(s)),
    );
  });

  it('keeps recreate and rolling as they were', () => {
    expect(strategySchema.parse({ type: 'recreate' })).toEqual({ type: 'recreate', progressDeadlineSeconds: 600 });
    expect(strategySchema.parse({ type: 'rolling' })).toEqual({
      type: 'rolling',
      maxSurge: '25%',
      maxUnavailable: '25%',
      progressDeadlineSeconds: 600,
    });
  });
});

describe("strategy issues in the user's words", () => {
  it('names the new kinds when the type is unknown', () => {
    expect(issuesOf({ type: 'canery' })).toEqual({
      'strategy.type':
        'unknown type "canery" (did you mean "canary"?): use one of recreate, rolling, blue-green, canary',
    });
  });

  it('refuses weights outside 0–100 and weights that are not whole percents', () => {
    expect(issuesOf({ type: 'canary', steps: [{ setWeight: 150 }, { setWeight: -5 }, { setWeight: 12.5 }] })).toEqual({
      'strategy.steps.0.setWeight': 'must be at most 100, not 150',
      'strategy.steps.1.setWeight': 'must be at least 0, not -5',
      'strategy.steps.2.setWeight': 'must be a whole number, not 12.5',
    });
  });

  it('names an unknown step kind with the nearest known one and every choice', () => {
    expect(issuesOf({ type: 'canary', steps: [{ setweight: 10 }, { experiment: {} }] })).toEqual({
      'strategy.steps.0.setweight':
        'unknown step kind "setweight" (did you mean "setWeight"?): use one of setWeight, pause, analysis, approval, setHeaderRoute',
      'strategy.steps.1.experiment':
        'unknown step kind "experiment": use one of setWeight, pause, analysis, approval, setHeaderRoute',
    });
  });

  it('refuses a step with two kinds or none, saying how to write it', () => {
    expect(issuesOf({ type: 'canary', steps: [{ setWeight: 20, pause: {} }, {}, 'setWeight 10'] })).toEqual({
      'strategy.steps.0':
        'a step has one kind, this one has setWeight and pause: write each as its own "- setWeight: …" item',
      'strategy.steps.1': 'a step needs one kind: setWeight, pause, analysis, approval or setHeaderRoute',
      'strategy.steps.2': 'must be a mapping ("key: value" lines), not the text "setWeight 10"',
    });
    expect(issuesOf({ type: 'canary', steps: [] })).toEqual({ 'strategy.steps': 'must have at least 1 item' });
    expect(issuesOf({ type: 'canary' })).toEqual({ 'strategy.steps': 'is required: give it a list ("- item" lines)' });
  });

  it('reports an analysis that does not parse at its place inside the step', () => {
    expect(
      issuesOf({
        type: 'canary',
        steps: [
          {
            analysis: {
              intervalSecond: 10,
              metrics: [{ name: 'ok', provider: { type: 'routr' }, successCondition: {} }],
            },
          },
          { analysis: { metrics: [] } },
        ],
      }),
    ).toEqual({
      'strategy.steps.0.analysis.intervalSecond': 'unknown key "intervalSecond"',
      'strategy.steps.0.analysis.metrics.0.provider.type':
        'unknown type "routr" (did you mean "router"?): use one of router, http, prometheus',
      'strategy.steps.0.analysis.metrics.0.successCondition': 'give min, max or both',
      'strategy.steps.1.analysis.metrics': 'must have at least 1 item',
    });
    expect(issuesOf({ type: 'blue-green', postPromotionAnalysis: { count: 0, metrics: analysis.metrics } })).toEqual({
      'strategy.postPromotionAnalysis.count': 'must be at least 1, not 0',
    });
  });

  it('refuses header routes that name nothing, name both, or hold a bad name or pattern', () => {
    expect(
      issuesOf({
        type: 'canary',
        steps: [
          { setHeaderRoute: { value: 'yes' } },
          { setHeaderRoute: { header: 'x-canary', cookie: 'beta', value: 'yes' } },
          { setHeaderRoute: { header: 'x canary', value: 'yes' } },
          { setHeaderRoute: { cookie: 'beta', value: 'yes', kind: 'prefix' } },
          { setHeaderRoute: { header: 'x-user', value: '(unclosed', kind: 'regex' } },
          { setHeaderRoute: { header: 'x-user', value: 'a\r\nInjected: 1' } },
        ],
      }),
    ).toEqual({
      'strategy.steps.0.setHeaderRoute': 'name what to match: "header: x-canary" or "cookie: canary", with its value',
      'strategy.steps.1.setHeaderRoute':
        'match a header or a cookie, not both: write each as its own "- setHeaderRoute" step',
      'strategy.steps.2.setHeaderRoute.header': "must be a header name: letters, digits and !#$%&'*+-.^_`|~, no spaces",
      'strategy.steps.3.setHeaderRoute.kind':
        'a cookie matches its exact value; remove kind, or match a header instead',
      'strategy.steps.4.setHeaderRoute.value': 'is not a valid regular expression',
      'strategy.steps.5.setHeaderRoute.value': 'must not hold control characters such as line breaks',
    });
  });

  it('bounds durations and the number of header routes', () => {
    const tooManyRoutes = Array.from({ length: 17 }, (_, i) => ({ setHeaderRoute: { header: 'x-n', value: `${i}` } }));
    expect(
      issuesOf({ type: 'canary', steps: [{ pause: { durationSeconds: 0 } }, { approval: { timeoutSeconds: -1 } }] }),
    ).toEqual({
      'strategy.steps.0.pause.durationSeconds': 'must be at least 1, not 0',
      'strategy.steps.1.approval.timeoutSeconds': 'must be at least 1, not -1',
    });
    expect(issuesOf({ type: 'canary', steps: tooManyRoutes })).toEqual({
      'strategy.steps': 'at most 16 setHeaderRoute steps',
    });
    expect(issuesOf({ type: 'blue-green', autoPromoteAfterSeconds: -1, scaleDownDelaySeconds: 'soon' })).toEqual({
      'strategy.autoPromoteAfterSeconds': 'must be at least 0, not -1',
      'strategy.scaleDownDelaySeconds': 'must be a number, not the text "soon"',
    });
  });

  it('refuses a preview host of its own and a sticky cookie that is no cookie name', () => {
    // The preview answers on the app's own preview host only: a host of the manifest's choosing would need a claim.
    expect(Object.keys(issuesOf({ type: 'blue-green', previewHost: 'next.example.com' }))).toEqual([
      'strategy.previewHost',
    ]);
    expect(issuesOf({ type: 'canary', steps: [{ setWeight: 5 }], stickyCookie: 'my cookie' })).toEqual({
      'strategy.stickyCookie': "must be a cookie name: letters, digits and !#$%&'*+-.^_`|~, no spaces",
    });
  });

  it('says where a key of another strategy belongs', () => {
    expect(issuesOf({ type: 'blue-green', steps: [{ setWeight: 10 }] })).toEqual({
      'strategy.steps':
        '"steps" does not belong here: only a canary strategy has steps; remove it, or use type: canary',
    });
    expect(issuesOf({ type: 'canary', steps: [{ setWeight: 10 }], autoPromoteAfterSeconds: 60 })).toEqual({
      'strategy.autoPromoteAfterSeconds':
        '"autoPromoteAfterSeconds" does not belong here: only a blue-green strategy promotes after a delay; in a canary, use a "- pause" step',
    });
    expect(issuesOf({ type: 'rolling', progressDeadlineAbort: false })).toEqual({
      'strategy.progressDeadlineAbort':
        '"progressDeadlineAbort" does not belong here: only blue-green and canary strategies abort on their deadline; a rolling or recreate rollout that misses it fails',
    });
  });
});
