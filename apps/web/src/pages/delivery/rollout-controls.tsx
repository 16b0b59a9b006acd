/** The controls of a rollout that a deployer may use, offered only when they apply to its phase. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RolloutView } from '@slipway/contract';
import { deliveryApi, type RolloutControl } from '../../api/delivery-api.js';
import { ErrorNotice } from '../../components/error-notice.js';

const labels: Record<RolloutControl, string> = {
  promote: 'Promote',
  'promote-full': 'Promote fully',
  pause: 'Pause',
  resume: 'Resume',
  abort: 'Abort',
  retry: 'Retry',
};

/** What applies now: promote a pause, pause or abort a running one, resume a manual pause, retry an ended failure. */
export function controlsFor(rollout: RolloutView): RolloutControl[] {
  switch (rollout.phase) {
    case 'progressing':
      return ['promote-full', 'pause', 'abort'];
    case 'paused':
      return rollout.pauseReason === 'manual'
        ? ['resume', 'promote-full', 'abort']
        : rollout.pauseReason === 'approval'
          ? ['abort']
          : ['promote', 'promote-full', 'abort'];
    case 'aborted':
    case 'degraded':
      return ['retry'];
    case 'healthy':
      return [];
  }
}

export function RolloutControls({ rollout }: { readonly rollout: RolloutView }) {
  const queryClient = useQueryClient();
  const control = useMutation({
    mutationFn: (which: RolloutControl) => deliveryApi.control(rollout.app, rollout.environment, which),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['rollout', rollout.app, rollout.environment] }),
  });
  const controls = controlsFor(rollout);
  if (controls.length === 0) return null;
  return (
    <>
      <div className="actions" role="group" aria-label="Rollout controls">
        {controls.map((which) => (
          <button
            key={which}
            type="button"
            className={which === 'promote' || which === 'resume' ? 'button button-primary' : 'button'}
            disabled={control.isPending || rollout.pendingControl !== null}
            onClick={() => control.mutate(which)}
          >
            {labels[which]}
          </button>
        ))}
      </div>
      <ErrorNotice error={control.error} />
    </>
  );
}
