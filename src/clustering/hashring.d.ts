// Minimal typing of the `hashring` package (it ships none): only what ring.ts uses.
declare module 'hashring' {
  interface RingPoint {
    value: number;
    server: string;
  }
  type Servers = string | string[] | Record<string, number | { weight?: number; vnodes?: number }>;
  class HashRing {
    constructor(servers: Servers, algorithm?: string | ((key: string) => Buffer), options?: Record<string, unknown>);
    /** Sorted continuum points. */
    ring: RingPoint[];
    get(key: string): string | undefined;
  }
  export default HashRing;
}
