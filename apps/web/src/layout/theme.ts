/** Dark and light themes: the system's choice unless the user picked one (kept in localStorage). */
export type Theme = 'light' | 'dark';

const storageKey = 'slipway-theme';

export function storedTheme(): Theme | undefined {
  const value = localStorage.getItem(storageKey);
  return value === 'light' || value === 'dark' ? value : undefined;
}

export function systemTheme(): Theme {
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset['theme'] = theme;
}

export function saveTheme(theme: Theme): void {
  localStorage.setItem(storageKey, theme);
  applyTheme(theme);
}
