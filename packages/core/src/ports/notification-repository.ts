/** The persistence of notification targets and the delivery outbox; part of the `Store` port. */
import type {
  NotificationAttemptRecord,
  NotificationDeliveryFilter,
  NotificationDeliveryRecord,
  NotificationTargetRecord,
} from '../notifications/notification-records.js';

export interface NotificationRepository {
  insertTarget(record: NotificationTargetRecord): Promise<void>;
  findTarget(id: string): Promise<NotificationTargetRecord | undefined>;
  /** The project's targets (every project's when `projectId` is undefined), oldest first. */
  listTargets(projectId?: string): Promise<NotificationTargetRecord[]>;
  /** Targets with sealed parts whose data key is wrapped by another master key than `masterKeyId`, at most `limit`. */
  listTargetsNotWrappedBy(masterKeyId: string, limit: number): Promise<NotificationTargetRecord[]>;
  /**
   * Stores the target's data key re-wrapped, only while it is still wrapped by `expectedMasterKeyId` (so concurrent
   * rotations agree). True when written.
   */
  rewrapTarget(
    id: string,
    expectedMasterKeyId: string,
    wrapped: { wrappedKey: string; masterKeyId: string },
  ): Promise<boolean>;
  /** True when it existed. Deliveries to it stay (their history); pending ones fail at their next attempt. */
  deleteTarget(id: string): Promise<boolean>;
  /** Stores a new delivery. Errors: `VERSION_CONFLICT` when its id exists. */
  insertDelivery(record: NotificationDeliveryRecord): Promise<void>;
  findDelivery(id: string): Promise<NotificationDeliveryRecord | undefined>;
  /** Replaces the delivery whole (state, attempts, next attempt). */
  updateDelivery(record: NotificationDeliveryRecord): Promise<void>;
  /** Pending deliveries whose next attempt is due at `nowMs` or before, earliest first, at most `limit`. */
  listDue(nowMs: number, limit: number): Promise<NotificationDeliveryRecord[]>;
  /** The earliest next attempt of a pending delivery, or undefined when none is pending. */
  findNextDueAtMs(): Promise<number | undefined>;
  /** Deliveries matching the filter, newest first (by creation, then id), at most `filter.limit`. */
  listDeliveries(filter: NotificationDeliveryFilter): Promise<NotificationDeliveryRecord[]>;
  /** Stores one attempt. Errors: `VERSION_CONFLICT` when the delivery already has an attempt with that seq. */
  appendAttempt(record: NotificationAttemptRecord): Promise<void>;
  /** The attempts of these deliveries, by delivery then seq. */
  listAttempts(deliveryIds: readonly string[]): Promise<NotificationAttemptRecord[]>;
}
