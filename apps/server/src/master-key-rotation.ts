/**
 * Master-key rotation while everything keeps running: a new key becomes current (and is written beside the old
 * one), every data key is re-wrapped under it while the old key still opens what is not re-wrapped yet, and only
 * then does the new key replace the old one on disk. Sealed values, releases and running instances are untouched.
 */
import type { MasterKeyring } from '@slipway/adapters';
import type { AuditRecorder } from './audit-recorder.js';
import { countNoun, SlipwayError } from '@slipway/contract';
import {
  rewrapDataKeys,
  rewrapDomainSecrets,
  rewrapNotificationTargets,
  rewrapLogDrains,
  rewrapRepositoryCredentials,
  rewrapWebhookSecrets,
  unknownMasterKeys,
  type CoreDeps,
} from '@slipway/core';

export interface MasterKeyRotation {
  /**
   * Rotates to a new random master key and re-wraps every data key; one rotation at a time.
   * Errors: `MASTER_KEY_NOT_ROTATABLE` when the key comes from `SLIPWAY_MASTER_KEY`, `SECRET_UNREADABLE` when a
   * data key opens under no held key (the rotation then stays pending and the next start finishes it).
   */
  rotate(): Promise<{ masterKeyId: string; rewrappedDataKeys: number }>;
  /**
   * At start: refuses a store whose data keys are wrapped by a key slipwayd does not hold, then finishes a rotation
   * left unfinished (a pending key file, or `SLIPWAY_PREVIOUS_MASTER_KEYS`). Returns the data keys it re-wrapped.
   * Errors: `MASTER_KEY_INVALID`.
   */
  finishPending(): Promise<number>;
}

export function createMasterKeyRotation(
  deps: Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock' | 'logger'>,
  keyring: MasterKeyring,
): MasterKeyRotation {
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };

  const finish = async (): Promise<number> => {
    const previous = keyring.previousIds();
    if (previous.length === 0) return 0;
    // Notification targets, log drains and repositories hold data keys of their own (webhook secrets, Slack URLs, deploy keys and
    // tokens): re-wrapped in the same pass.
    const rewrapped =
      (await rewrapDataKeys(deps)) +
      (await rewrapNotificationTargets(deps)) +
      (await rewrapRepositoryCredentials(deps)) +
      (await rewrapWebhookSecrets(deps)) +
      (await rewrapDomainSecrets(deps)) +
      (await rewrapLogDrains(deps));
    await keyring.completeRotation();
    deps.logger.info(
      { masterKeyId: keyring.current().id, retired: previous, rewrappedDataKeys: rewrapped },
      'master key rotation finished',
    );
    return rewrapped;
  };

  return {
    rotate: () =>
      serialize(async () => {
        await finish();
        await keyring.beginRotation();
        const rewrapped = await finish();
        return { masterKeyId: keyring.current().id, rewrappedDataKeys: rewrapped };
      }),
    finishPending: () =>
      serialize(async () => {
        const unknown = await unknownMasterKeys(deps);
        const [id, count] = Object.entries(unknown)[0] ?? [];
        if (id !== undefined && count !== undefined) {
          const given = keyring.source === 'environment' ? 'SLIPWAY_MASTER_KEY' : `the key file ${keyring.file ?? ''}`;
          throw new SlipwayError(
            'MASTER_KEY_INVALID',
            `${countNoun(count, 'data key')} in the store ${count === 1 ? 'is' : 'are'} wrapped by master key ${id}, but ${given} holds ${keyring.current().id}: ` +
              'start slipwayd with the key the secrets were stored under (to move to a new key, give the new one in ' +
              'SLIPWAY_MASTER_KEY and the old one in SLIPWAY_PREVIOUS_MASTER_KEYS)',
            { details: { unknownMasterKeys: unknown, masterKeyId: keyring.current().id } },
          );
        }
        return finish();
      }),
  };
}

/**
 * At start: finishes a rotation left pending and, when it re-wrapped anything, records the rotation as a security
 * event — a rotation by restart (`SLIPWAY_PREVIOUS_MASTER_KEYS`) has no request and no caller, but an event all the
 * same. Errors: those of `finishPending`.
 */
export async function finishPendingRotation(
  rotation: MasterKeyRotation,
  keyring: MasterKeyring,
  onSecurityEvent: AuditRecorder['onSecurityEvent'],
): Promise<void> {
  const rewrapped = await rotation.finishPending();
  if (rewrapped === 0) return;
  onSecurityEvent({
    name: 'secrets.master-key.rotated',
    actor: null,
    target: { kind: 'master-key', id: keyring.current().id },
    outcome: 'success',
    details: { rewrappedDataKeys: rewrapped, trigger: 'start' },
  });
}
