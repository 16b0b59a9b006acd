import { describeControlPlaneMetrics } from './control-plane-metrics-contract.js';
import { createRecordingControlPlaneMetrics } from './recording-control-plane-metrics.js';

describeControlPlaneMetrics('the recording fake', () => {
  const recording = createRecordingControlPlaneMetrics();
  return { metrics: recording.metrics, read: () => Promise.resolve({ ...recording, queue: recording.buildQueue() }) };
});
