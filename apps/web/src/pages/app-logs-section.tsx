/**
 * The app's logs, live from the `logs:<app>` topic: its instances' lines and its deployments', across deploys,
 * restarts of its instances and of slipwayd (the stream resumes after the last line it took; the view drops any line
 * it already holds).
 */
import type { LogLineView } from '@slipway/contract';
import { useLogBuffer } from '../components/log-buffer.js';
import { LogViewer } from '../components/log-viewer.js';
import { useLiveTopic } from '../live/use-live.js';

/** Where a line came from, shortly: `deploy`, or the process and the end of its instance's id. */
function labelOf(line: LogLineView): string {
  if (line.source === 'deploy') return 'deploy';
  return `${line.process} ${line.instanceId.slice(-6)}`;
}

export function LogsSection({ app }: { readonly app: string }) {
  const log = useLogBuffer();
  useLiveTopic(`logs:${app}`, (event) => {
    if (event.event !== 'log') return;
    const { line } = JSON.parse(event.data) as { line: LogLineView };
    if (line.id === undefined) return;
    log.push({ id: line.id, time: line.time, text: line.line, stream: line.stream, label: labelOf(line) });
  });
  return (
    <LogViewer
      log={log}
      label={`Logs of ${app}`}
      fileName={`${app}-logs.txt`}
      empty="No log line yet: lines appear here as the app writes them."
    />
  );
}
