/**
 * The catalog's writes, each one job of the commit queue: it runs against the draft of the next commit and resolves
 * once that commit is stored. Bad input is refused before anything is written (catalog-errors.ts).
 */
import type { Catalog, Indexed } from './catalog.js';
import type { CatalogDraft } from './catalog-draft.js';
import { assertTxnAdmissible, runTxn } from './catalog-txn.js';
import { deleteKey, putKey, type KvWriteContext } from './kv-writes.js';
import { createSession, invalidateSession, renewedSession } from './session-writes.js';
import {
  deleteCheck,
  deregisterService,
  registerService,
  updateCheck,
  writeCheck,
  type ServiceWriteContext,
} from './service-writes.js';

export type CatalogWriteContext = ServiceWriteContext & KvWriteContext;

type CatalogWrites = Pick<
  Catalog,
  | 'kvPut'
  | 'kvDelete'
  | 'txn'
  | 'sessionCreate'
  | 'sessionDestroy'
  | 'sessionRenew'
  | 'registerService'
  | 'deregisterService'
  | 'registerCheck'
  | 'deregisterCheck'
  | 'updateCheck'
  | 'setNodeMaintenance'
  | 'setServiceMaintenance'
>;

type Write = <T>(run: (draft: CatalogDraft) => T) => Promise<T>;

const nodeMaintenanceCheckId = '_node_maintenance';
const defaultNodeMaintenanceReason =
  'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.';
const defaultServiceMaintenanceReason =
  'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';

/** The id of a service's maintenance check (Consul's `_service_maintenance:<id>`). */
export function serviceMaintenanceCheckId(serviceId: string): string {
  return `_service_maintenance:${serviceId}`;
}

export function createCatalogWrites(write: Write, context: CatalogWriteContext): CatalogWrites {
  /** The index a write answers with: its own when it changed something, else the latest handed out. */
  const indexOf = (draft: CatalogDraft) => (draft.hasWriteIndex() ? draft.writeIndex() : draft.lastIndex);
  const answer = <T>(draft: CatalogDraft, value: T): Indexed<T> => ({ value, index: Math.max(1, indexOf(draft)) });

  return {
    kvPut: (request) => write((draft) => answer(draft, putKey(draft, request, context))),
    kvDelete: (request) => write((draft) => answer(draft, deleteKey(draft, request, context.nowMs()))),
    async txn(ops) {
      assertTxnAdmissible(ops);
      return write((draft) => runTxn(draft, ops, context));
    },

    sessionCreate: (request) => write((draft) => createSession(draft, request, context)),
    sessionDestroy: (id) => write((draft) => invalidateSession(draft, id, context)),
    sessionRenew: (id) =>
      write((draft) => {
        const session = draft.sessions.get(id);
        if (!session) return undefined;
        const renewed = renewedSession(session, context.nowMs());
        if (renewed.expiresAtMs !== null) {
          const atMs = renewed.expiresAtMs;
          draft.effects.push(() => context.setSessionDeadline(id, atMs));
        }
        return renewed;
      }),

    registerService: (registration, options) =>
      write((draft) => registerService(draft, registration, options?.replaceExistingChecks === true, context)),
    deregisterService: (id) => write((draft) => deregisterService(draft, id, context)),
    registerCheck: (registration) =>
      write((draft) => {
        writeCheck(draft, registration, context);
      }),
    deregisterCheck: (checkId) => write((draft) => deleteCheck(draft, checkId, context)),
    updateCheck: (checkId, status, output) => write((draft) => updateCheck(draft, checkId, status, output, context)),

    setNodeMaintenance: (isEnabled, reason) =>
      write((draft) => {
        if (!isEnabled) {
          deleteCheck(draft, nodeMaintenanceCheckId, context);
          return;
        }
        if (draft.checks.get(nodeMaintenanceCheckId)) return;
        writeCheck(
          draft,
          {
            checkId: nodeMaintenanceCheckId,
            name: 'Node Maintenance Mode',
            serviceId: '',
            notes: reason === '' ? defaultNodeMaintenanceReason : reason,
            status: 'critical',
            definition: { type: 'maintenance' },
          },
          context,
        );
      }),
    setServiceMaintenance: (serviceId, isEnabled, reason) =>
      write((draft) => {
        if (!draft.services.get(serviceId)) return false;
        const checkId = serviceMaintenanceCheckId(serviceId);
        if (!isEnabled) {
          deleteCheck(draft, checkId, context);
          return true;
        }
        if (draft.checks.get(checkId)) return true;
        writeCheck(
          draft,
          {
            checkId,
            name: 'Service Maintenance Mode',
            serviceId,
            notes: reason === '' ? defaultServiceMaintenanceReason : reason,
            status: 'critical',
            definition: { type: 'maintenance' },
          },
          context,
        );
        return true;
      }),
  };
}
