/**
 * "Deploy" on the app page: the deploy form in a dialog (focus kept inside while open, given back to the button when
 * it closes); once slipwayd accepted the deployment, the dialog closes and `onStarted` hears of it.
 */
import { useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import type { DeploymentView } from '@slipway/contract';
import { DeployForm } from './deploy-form.js';

export function DeployDialog(props: { readonly app: string; readonly onStarted: (d: DeploymentView) => void }) {
  const [isOpen, setIsOpen] = useState(false);
  return (
    <Dialog.Root open={isOpen} onOpenChange={setIsOpen}>
      <Dialog.Trigger className="button button-primary">Deploy a new release</Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>Deploy {props.app}</Dialog.Title>
          <Dialog.Description className="meta">
            Builds the source and rolls it out with the app&apos;s strategy; the current release serves until the new
            one is healthy.
          </Dialog.Description>
          <DeployForm
            app={props.app}
            onStarted={(deployment) => {
              setIsOpen(false);
              props.onStarted(deployment);
            }}
          />
          <div className="dialog-actions">
            <Dialog.Close className="button">Cancel</Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
