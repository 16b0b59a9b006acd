/** The project a page is asked to show: the URL's `?project=`, else the last one chosen (kept in localStorage). */
const storageKey = 'slipway-project';

/** The project asked for ('' for none). */
export function wantedProject(params: URLSearchParams): string {
  return params.get('project') ?? localStorage.getItem(storageKey) ?? '';
}

/** Remembers the project chosen, for the next page that names none. */
export function rememberProject(name: string): void {
  localStorage.setItem(storageKey, name);
}
