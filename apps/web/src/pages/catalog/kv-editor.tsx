/**
 * One KV key: its value (text, or base64 when it is binary) and indexes; for a user whose catalog rules let them
 * write it, an editor that saves with CAS on the index the edit began from. When someone changed the key meanwhile,
 * the save is refused and the newer value is shown, to be taken up before saving again; delete asks first.
 */
import { useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CatalogKvEntryView } from '@slipway/contract';
import { SlipwayError } from '@slipway/contract/errors';
import { catalogApi, catalogKey } from '../../api/catalog-api.js';
import { ErrorNotice } from '../../components/error-notice.js';

interface Draft {
  readonly text: string;
  /** The ModifyIndex the edit began from: the save's CAS. */
  readonly baseIndex: number;
}

const isConflict = (error: unknown): boolean => error instanceof SlipwayError && error.code === 'KV_CAS_CONFLICT';

export function KvEditor({ entryKey, onDeleted }: { readonly entryKey: string; readonly onDeleted: () => void }) {
  const queryClient = useQueryClient();
  const entryQueryKey = [...catalogKey, 'entry', entryKey];
  const entry = useQuery({ queryKey: entryQueryKey, queryFn: () => catalogApi.entry(entryKey) });
  const [draft, setDraft] = useState<Draft | undefined>(undefined);
  const [conflict, setConflict] = useState<CatalogKvEntryView | undefined>(undefined);
  const refresh = () => queryClient.invalidateQueries({ queryKey: catalogKey });
  const save = useMutation({
    mutationFn: (edit: Draft & { encoding: 'utf8' | 'base64' }) =>
      catalogApi.put(entryKey, edit.text, edit.encoding, edit.baseIndex),
    onSuccess: (saved) => {
      setDraft(undefined);
      setConflict(undefined);
      queryClient.setQueryData(entryQueryKey, saved);
      void refresh();
    },
    onError: async (error) => {
      if (!isConflict(error)) return;
      // Read what is there now: the user sees the newer value before deciding what to save.
      setConflict(await catalogApi.entry(entryKey).catch(() => undefined));
      void refresh();
    },
  });
  const current = entry.data;
  const startEdit = (from: CatalogKvEntryView) => {
    save.reset();
    setConflict(undefined);
    setDraft({ text: from.value, baseIndex: from.modifyIndex });
  };
  return (
    <article className="card kv-entry" aria-labelledby="kv-entry-title" data-testid="kv-entry">
      <h3 id="kv-entry-title" className="value">
        {entryKey}
      </h3>
      <ErrorNotice error={entry.error} />
      {current === undefined ? null : (
        <>
          <p className="meta small" data-testid="kv-entry-meta">
            index {current.modifyIndex} · created at {current.createIndex} · {current.sizeBytes} bytes · flags{' '}
            {current.flags}
            {current.session === null ? '' : ` · locked by session ${current.session}`}
            {current.encoding === 'base64' ? ' · binary, shown as base64' : ''}
          </p>
          {draft === undefined ? (
            <>
              <pre className="kv-value" data-testid="kv-value">
                {current.value}
              </pre>
              {current.canWrite ? (
                <div className="actions">
                  <button type="button" className="button" onClick={() => startEdit(current)}>
                    Edit
                  </button>
                  <DeleteKey entry={current} onDeleted={onDeleted} />
                </div>
              ) : (
                <p className="meta small">Your catalog rules let you read this key, not change it.</p>
              )}
            </>
          ) : (
            <form
              className="kv-edit"
              onSubmit={(event) => {
                event.preventDefault();
                save.mutate({ ...draft, encoding: current.encoding });
              }}
            >
              {current.modifyIndex === draft.baseIndex ? null : (
                <p className="notice" role="status">
                  This key changed since you began editing (index {draft.baseIndex} → {current.modifyIndex}).
                </p>
              )}
              <label className="kv-edit-label">
                Value of {entryKey}
                {current.encoding === 'base64' ? ' (base64)' : ''}
                <textarea
                  className="input kv-textarea"
                  rows={8}
                  value={draft.text}
                  onChange={(e) => setDraft({ ...draft, text: e.target.value })}
                />
              </label>
              {conflict !== undefined || isConflict(save.error) ? (
                <div role="alert" className="notice notice-bad" data-testid="kv-conflict">
                  <strong>Not saved:</strong> someone changed {entryKey} since you began editing (at index{' '}
                  {draft.baseIndex}).
                  {conflict === undefined ? null : (
                    <>
                      {' '}
                      The newer value, at index {conflict.modifyIndex}:
                      <pre className="kv-value" data-testid="kv-newer-value">
                        {conflict.value}
                      </pre>
                      <button type="button" className="button" onClick={() => startEdit(conflict)}>
                        Edit the newer value
                      </button>
                    </>
                  )}
                </div>
              ) : (
                <ErrorNotice error={save.error} />
              )}
              <div className="actions">
                <button type="submit" className="button button-primary" disabled={save.isPending}>
                  Save
                </button>
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    setDraft(undefined);
                    setConflict(undefined);
                    save.reset();
                  }}
                >
                  Cancel
                </button>
              </div>
            </form>
          )}
        </>
      )}
    </article>
  );
}

function DeleteKey({ entry, onDeleted }: { readonly entry: CatalogKvEntryView; readonly onDeleted: () => void }) {
  const queryClient = useQueryClient();
  const [isOpen, setIsOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => catalogApi.remove(entry.key, entry.modifyIndex),
    onSuccess: () => {
      setIsOpen(false);
      queryClient.removeQueries({ queryKey: [...catalogKey, 'entry', entry.key] });
      void queryClient.invalidateQueries({ queryKey: catalogKey });
      onDeleted();
    },
  });
  return (
    <Dialog.Root
      open={isOpen}
      onOpenChange={(open) => {
        setIsOpen(open);
        if (!open) remove.reset();
      }}
    >
      <Dialog.Trigger className="button">Delete</Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title className="value">Delete {entry.key}?</Dialog.Title>
          <Dialog.Description>
            The key and its value (index {entry.modifyIndex}) are removed from the catalog; this cannot be undone. If
            someone changed it since, nothing is deleted.
          </Dialog.Description>
          <ErrorNotice error={remove.error} />
          <div className="dialog-actions">
            <Dialog.Close className="button">Cancel</Dialog.Close>
            <button
              type="button"
              className="button button-primary"
              disabled={remove.isPending}
              onClick={() => remove.mutate()}
            >
              Delete key
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
