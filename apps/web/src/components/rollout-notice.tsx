/** Says that a change rolled out a new release, with a link to the deployment that rolls it out. */
import { Link } from 'react-router';

export function RolloutNotice({ deploymentId, what }: { readonly deploymentId: string | null; readonly what: string }) {
  return (
    <p role="status" className="notice" data-testid="rollout-notice">
      {deploymentId === null ? (
        <>{what} saved; it takes effect with the next release (the app has none yet, or nothing changed).</>
      ) : (
        <>
          {what} saved: a new release rolls out in{' '}
          <Link to={`/deployments/${encodeURIComponent(deploymentId)}`}>deployment {deploymentId.slice(0, 12)}</Link>.
        </>
      )}
    </p>
  );
}
