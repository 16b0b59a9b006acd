/**
 * The caller's API tokens: the list (never a secret), a form to create one (name, optional project, optional role
 * cap), the new secret shown once in a dialog with a copy button (closing the dialog forgets it), and revoke.
 */
import { useState, type FormEvent } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateTokenBody, TokenView } from '@slipway/contract';
import { roles, type Role } from '@slipway/contract/role-rank';
import { adminApi } from '../../api/admin-api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { StatusBadge } from '../../components/status-badge.js';

const tokensKey = ['admin', 'tokens'] as const;

function stateOf(token: TokenView): string {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now()) return 'expired';
  return 'active';
}

export function TokensSection() {
  const tokens = useQuery({ queryKey: tokensKey, queryFn: () => adminApi.tokens() });
  const list = tokens.data?.tokens ?? [];
  return (
    <>
      <CreateTokenForm />
      <h2>Your tokens</h2>
      <ErrorNotice error={tokens.error} />
      <DataTable
        caption="Your API tokens"
        columns={[
          { header: 'Name', cell: (t) => t.name },
          { header: 'Project', cell: (t) => t.project ?? 'all' },
          { header: 'Role cap', cell: (t) => t.role ?? 'none' },
          { header: 'State', cell: (t) => <StatusBadge state={stateOf(t)} /> },
          { header: 'Created', cell: (t) => <RelativeTime at={t.createdAt} /> },
          { header: 'Last used', cell: (t) => (t.lastUsedAt === null ? 'never' : <RelativeTime at={t.lastUsedAt} />) },
          { header: 'Expires', cell: (t) => (t.expiresAt === null ? 'never' : <RelativeTime at={t.expiresAt} />) },
          {
            header: 'Actions',
            isHeaderHidden: true,
            cell: (t) => (t.revokedAt === null ? <RevokeButton token={t} /> : null),
          },
        ]}
        rows={list}
        rowKey={(t) => t.id}
        rowAttributes={(t) => ({ 'data-token': t.name })}
        empty="No API token yet."
      />
    </>
  );
}

function CreateTokenForm() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [project, setProject] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const create = useMutation({
    mutationFn: (body: CreateTokenBody) => adminApi.createToken(body),
    onSuccess: () => {
      setName('');
      setProject('');
      setRole('');
      void queryClient.invalidateQueries({ queryKey: tokensKey });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      name: name.trim(),
      ...(project.trim() === '' ? {} : { project: project.trim() }),
      ...(role === '' ? {} : { role }),
    });
  };
  const secret = create.data?.secret;
  return (
    <>
      <h2>Create a token</h2>
      <form className="form" onSubmit={submit} aria-label="Create an API token">
        <label>
          Name
          <input className="input" required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Project (optional: leave empty for every project)
          <input className="input" value={project} onChange={(e) => setProject(e.target.value)} />
        </label>
        <label>
          Role cap (optional)
          <select className="input" value={role} onChange={(e) => setRole(e.target.value as Role | '')}>
            <option value="">no cap (your own role)</option>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <ErrorNotice error={create.error} />
        <div>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
      <SecretDialog
        tokenName={create.data?.token.name}
        secret={secret}
        onClose={() => {
          // Forget the secret: it is shown once, and never again.
          create.reset();
        }}
      />
    </>
  );
}

function SecretDialog(props: { tokenName: string | undefined; secret: string | undefined; onClose: () => void }) {
  const { tokenName, secret, onClose } = props;
  const [copied, setCopied] = useState(false);
  const copy = () => {
    if (secret === undefined) return;
    void navigator.clipboard
      .writeText(secret)
      .then(() => setCopied(true))
      .catch(() => setCopied(false));
  };
  return (
    <Dialog.Root
      open={secret !== undefined}
      onOpenChange={(isOpen) => {
        if (!isOpen) {
          setCopied(false);
          onClose();
        }
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>Token {tokenName} created</Dialog.Title>
          <Dialog.Description>Copy its secret now: it is shown this once and cannot be shown again.</Dialog.Description>
          <pre className="secret" data-testid="token-secret">
            {secret}
          </pre>
          <p role="status">{copied ? 'Copied.' : ''}</p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={copy}>
              Copy
            </button>
            <Dialog.Close className="button button-primary">Done</Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function RevokeButton({ token }: { readonly token: TokenView }) {
  const [isOpen, setIsOpen] = useState(false);
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => adminApi.revokeToken(token.id),
    onSuccess: () => {
      setIsOpen(false);
      void queryClient.invalidateQueries({ queryKey: tokensKey });
    },
  });
  return (
    <ConfirmDialog
      isOpen={isOpen}
      onOpenChange={setIsOpen}
      trigger={`Revoke ${token.name}`}
      title={`Revoke token ${token.name}?`}
      description="Every request with it is refused at once. This cannot be undone."
      action="Revoke"
      isPending={revoke.isPending}
      error={revoke.error}
      onConfirm={() => revoke.mutate()}
    />
  );
}
