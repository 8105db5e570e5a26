// The JSON API, fetched by URL relative to the page so the UI works under
// any --server.http.ui-path-prefix.

export async function getJSON(path) {
  const res = await fetch(`api/v0/web/${path}`, { cache: 'no-store', headers: { accept: 'application/json' } });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`${path}: HTTP ${res.status} with a body that is not JSON`);
  }
  if (!res.ok) throw new Error(body?.error ?? `${path}: HTTP ${res.status}`);
  return body;
}
