/**
 * A button that asks before an action that cannot be undone (revoke a token, a grant): a dialog with what will
 * happen, the action's error if it is refused, Cancel and the action. The caller closes it when the action succeeds.
 */
import type { ReactNode } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { ErrorNotice } from './error-notice.js';

export interface ConfirmDialogProps {
  readonly isOpen: boolean;
  readonly onOpenChange: (isOpen: boolean) => void;
  /** The content of the button that opens the dialog. */
  readonly trigger: ReactNode;
  readonly triggerClassName?: string;
  readonly title: ReactNode;
  readonly description: ReactNode;
  /** The label of the button that acts. */
  readonly action: string;
  readonly isPending: boolean;
  readonly error: unknown;
  readonly onConfirm: () => void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  return (
    <Dialog.Root open={props.isOpen} onOpenChange={props.onOpenChange}>
      <Dialog.Trigger className={props.triggerClassName ?? 'button'}>{props.trigger}</Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>{props.title}</Dialog.Title>
          <Dialog.Description>{props.description}</Dialog.Description>
          <ErrorNotice error={props.error} />
          <div className="dialog-actions">
            <Dialog.Close className="button">Cancel</Dialog.Close>
            <button
              type="button"
              className="button button-primary"
              disabled={props.isPending}
              onClick={props.onConfirm}
            >
              {props.action}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
