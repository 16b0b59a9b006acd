import { httpMetricSchema, prometheusMetricSchema } from '@slipway/contract';
import { createFakeMetricSource } from './fake-metric-source.js';
import { describeMetricSource } from './metric-source-contract.js';

const http = (path: string, timeoutSeconds = 5) =>
  httpMetricSchema.parse({ type: 'http', url: `http://metrics.fake${path}`, timeoutSeconds });

describeMetricSource('the fake (http)', {
  setup: () => ({
    source: createFakeMetricSource(),
    fixtures: {
      answering: (value) => http(`/value/${value}`),
      answeringRelease: () => http('/value/{{release}}'),
      noData: () => http('/no-data'),
      hanging: () => http('/hang', 1),
      failing: () => http('/fail'),
    },
  }),
});

const prometheus = (query: string, timeoutSeconds = 5) =>
  prometheusMetricSchema.parse({ type: 'prometheus', address: 'http://prometheus.fake', query, timeoutSeconds });

describeMetricSource('the fake (prometheus)', {
  setup: () => ({
    source: createFakeMetricSource(),
    fixtures: {
      answering: (value) => prometheus(`/value/${value}`),
      answeringRelease: () => prometheus('/value/{{release}}'),
      noData: () => prometheus('/no-data'),
      hanging: () => prometheus('/hang', 1),
      failing: () => prometheus('/fail'),
    },
  }),
});
