/** Hash routes, so the built page works from file:// in Electron and from the web bridge alike. */
export type Route =
  | { page: 'import' }
  | { page: 'compose' }
  | { page: 'review' }
  | { page: 'campaign'; id: number }
  | { page: 'history' }
  | { page: 'settings' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  switch (parts[0]) {
    case 'compose':
      return { page: 'compose' };
    case 'review':
      return { page: 'review' };
    case 'campaign': {
      const id = Number(parts[1]);
      return Number.isInteger(id) && id > 0 ? { page: 'campaign', id } : { page: 'history' };
    }
    case 'history':
      return { page: 'history' };
    case 'settings':
      return { page: 'settings' };
    default:
      return { page: 'import' };
  }
}

export function href(r: Route): string {
  return r.page === 'campaign' ? `#/campaign/${r.id}` : `#/${r.page}`;
}

export function go(r: Route): void {
  window.location.hash = href(r);
}
