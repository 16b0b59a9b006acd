/** Ctrl/⌘-K: jump to an app or a page by typing part of its name (the apps come from the server's search). */
import { useEffect, useMemo, useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { appsPageQuery } from '../pages/apps-query.js';
import { useProjectChoice } from '../pages/project-choice.js';

const pages = [
  { label: 'Apps', to: '/' },
  { label: 'Delivery', to: '/delivery' },
  { label: 'Approvals', to: '/delivery/approvals' },
  { label: 'Catalog', to: '/catalog' },
  { label: 'Git', to: '/git' },
  { label: 'Git: deployment rules', to: '/git?view=rules' },
  { label: 'Git: previews', to: '/git?view=previews' },
  { label: 'Administration', to: '/admin' },
  { label: 'Administration: users and grants', to: '/admin/users' },
];

export function QuickSwitcher() {
  const [isOpen, setIsOpen] = useState(false);
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const navigate = useNavigate();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setIsOpen((open) => !open);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const { project } = useProjectChoice();
  const apps = useQuery({
    ...appsPageQuery({ project, search: text, offset: 0, limit: 8 }),
    enabled: isOpen && project !== '',
  });
  const choices = useMemo(() => {
    const needle = text.toLowerCase();
    const pageChoices = pages.filter((p) => p.label.toLowerCase().includes(needle));
    const appChoices = (apps.data?.apps ?? []).map((app) => ({
      label: `${app.name} (${project})`,
      to: `/apps/${encodeURIComponent(app.name)}`,
    }));
    return [...appChoices, ...pageChoices];
  }, [text, apps.data]);
  const go = (to: string) => {
    setIsOpen(false);
    setText('');
    void navigate(to);
  };
  return (
    <Dialog.Root open={isOpen} onOpenChange={setIsOpen}>
      <Dialog.Trigger className="button button-quiet" aria-keyshortcuts="Control+K Meta+K">
        Jump to… <kbd>Ctrl K</kbd>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" aria-describedby={undefined}>
          <Dialog.Title>Jump to</Dialog.Title>
          <input
            autoFocus
            className="input"
            aria-label="App or page name"
            role="combobox"
            aria-expanded="true"
            aria-controls="switcher-choices"
            aria-activedescendant={choices[active] === undefined ? undefined : `switcher-choice-${active}`}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              setActive(0);
            }}
            onKeyDown={(event) => {
              if (event.key === 'ArrowDown') setActive((i) => Math.min(i + 1, choices.length - 1));
              else if (event.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
              else if (event.key === 'Enter' && choices[active] !== undefined) go(choices[active].to);
              else return;
              event.preventDefault();
            }}
          />
          <ul id="switcher-choices" role="listbox" className="switcher-list" aria-label="Matches">
            {choices.map((choice, index) => (
              <li
                key={choice.to}
                id={`switcher-choice-${index}`}
                role="option"
                aria-selected={index === active}
                className={index === active ? 'is-active' : undefined}
                onClick={() => go(choice.to)}
              >
                {choice.label}
              </li>
            ))}
          </ul>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
