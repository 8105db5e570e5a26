// Reading a Prometheus (the remote-write receiver of the parity oracles) over
// its HTTP API: series and instant vectors, keyed without the `scraper`
// external label that tells the two scrapers apart.
export type Series = Record<string, string>;

export interface Vector {
  result: { metric: Series; value: [number, string] }[];
}

/** A series' identity apart from which scraper wrote it. */
export const seriesKey = (s: Series): string =>
  JSON.stringify(Object.keys(s).filter((k) => k !== 'scraper').sort().map((k) => [k, s[k]]));

/** GET an API path; a non-success answer throws with Prometheus's error. */
export async function promApi<T>(base: string, p: string): Promise<T> {
  const r = await fetch(base + p);
  const j = (await r.json()) as { status: string; data: T; error?: string };
  if (j.status !== 'success') throw new Error(`${p}: ${j.error}`);
  return j.data;
}
