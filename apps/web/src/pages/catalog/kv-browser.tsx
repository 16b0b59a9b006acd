/**
 * The KV store like folders: the path of the current prefix, its folders and keys a page at a time ("Show more"),
 * a form to create a key under it when the user's rules allow, and the chosen key's view and editor. The prefix and
 * the chosen key are in the URL.
 */
import { useState, type FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { catalogApi, catalogKey } from '../../api/catalog-api.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { KvEditor } from './kv-editor.js';

/** `a/b/` → [['', 'Top'], ['a/', 'a'], ['a/b/', 'b']]. */
function crumbsOf(prefix: string): [string, string][] {
  const crumbs: [string, string][] = [['', 'Top']];
  let at = 0;
  for (let slash = prefix.indexOf('/'); slash !== -1; slash = prefix.indexOf('/', at)) {
    crumbs.push([prefix.slice(0, slash + 1), prefix.slice(at, slash)]);
    at = slash + 1;
  }
  return crumbs;
}

export function KvBrowser() {
  const [params, setParams] = useSearchParams();
  const prefix = params.get('prefix') ?? '';
  const chosenKey = params.get('key') ?? undefined;
  const go = (changes: { prefix?: string; key?: string | undefined }) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (changes.prefix !== undefined) {
        if (changes.prefix === '') next.delete('prefix');
        else next.set('prefix', changes.prefix);
      }
      if (changes.key === undefined) next.delete('key');
      else next.set('key', changes.key);
      return next;
    });
  const listed = useInfiniteQuery({
    queryKey: [...catalogKey, 'kv', prefix],
    queryFn: ({ pageParam }) => catalogApi.keys(prefix, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextAfter,
  });
  const pages = listed.data?.pages ?? [];
  const folders = pages.flatMap((page) => page.folders);
  const keys = pages.flatMap((page) => page.keys);
  const canCreate = pages[0]?.canWrite ?? false;
  const crumbs = crumbsOf(prefix);
  return (
    <section aria-labelledby="catalog-kv-title">
      <h2 id="catalog-kv-title" className="section-title">
        Key/value store
      </h2>
      <nav aria-label="KV folder path">
        <ol className="kv-path">
          {crumbs.map(([path, label], at) => (
            <li key={path}>
              {at === crumbs.length - 1 ? (
                <span aria-current="location">{label}</span>
              ) : (
                <button type="button" className="button button-quiet" onClick={() => go({ prefix: path })}>
                  {label}
                </button>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <ErrorNotice error={listed.error} />
      <ul className="kv-list" aria-label={`Folders and keys under ${prefix === '' ? 'the top' : prefix}`}>
        {folders.map((folder) => (
          <li key={`folder:${folder}`} data-folder={folder}>
            <button type="button" className="button button-quiet" onClick={() => go({ prefix: folder })}>
              <span aria-hidden="true">▸ </span>
              {folder.slice(prefix.length)}
              <span className="visually-hidden"> (folder)</span>
            </button>
          </li>
        ))}
        {keys.map((entry) => (
          <li key={`key:${entry.key}`} data-key={entry.key}>
            <button
              type="button"
              className="button button-quiet"
              aria-pressed={entry.key === chosenKey}
              onClick={() => go({ key: entry.key })}
            >
              {entry.key.slice(prefix.length) === '' ? entry.key : entry.key.slice(prefix.length)}
            </button>{' '}
            <span className="meta small">
              {entry.sizeBytes} bytes · index {entry.modifyIndex}
            </span>
          </li>
        ))}
      </ul>
      {listed.isSuccess && folders.length === 0 && keys.length === 0 ? (
        <p>No key here, or none your catalog rules let you read.</p>
      ) : null}
      {listed.hasNextPage ? (
        <button
          type="button"
          className="button"
          disabled={listed.isFetchingNextPage}
          onClick={() => void listed.fetchNextPage()}
        >
          Show more
        </button>
      ) : null}
      {canCreate ? <NewKeyForm prefix={prefix} onCreated={(key) => go({ key })} /> : null}
      {chosenKey === undefined ? null : (
        <KvEditor key={chosenKey} entryKey={chosenKey} onDeleted={() => go({ key: undefined })} />
      )}
    </section>
  );
}

function NewKeyForm({ prefix, onCreated }: { readonly prefix: string; readonly onCreated: (key: string) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const create = useMutation({
    mutationFn: () => catalogApi.put(`${prefix}${name}`, value, 'utf8', 0),
    onSuccess: (entry) => {
      setName('');
      setValue('');
      void queryClient.invalidateQueries({ queryKey: catalogKey });
      onCreated(entry.key);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() !== '') create.mutate();
  };
  return (
    <form className="form card kv-new" onSubmit={submit} aria-labelledby="kv-new-title">
      <h3 id="kv-new-title" className="form-title">
        New key under {prefix === '' ? 'the top' : prefix}
      </h3>
      <label>
        Key name
        <input className="input" value={name} maxLength={512} required onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Value
        <textarea className="input" rows={3} value={value} onChange={(e) => setValue(e.target.value)} />
      </label>
      <ErrorNotice error={create.error} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Create key
        </button>
      </div>
    </form>
  );
}
