// Typed reads of untrusted JSON (a custom resource as the API returns it).
// The API emulator, like an API server without schema validation, stores
// whatever users send: every read checks the type and names the field path
// in its error, so a bad CR is reported precisely and never crashes us.

export class FieldError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A cursor on one JSON object with its path for messages. */
export class Reader {
  constructor(
    readonly value: Record<string, unknown>,
    readonly path: string,
  ) {}

  static of(v: unknown, path: string): Reader {
    if (v === undefined || v === null) return new Reader({}, path);
    if (!isObject(v)) throw new FieldError(path, `expected an object, got ${kindOf(v)}`);
    return new Reader(v, path);
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  str(key: string): string | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new FieldError(this.at(key), `expected a string, got ${kindOf(v)} ${JSON.stringify(v)}`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new FieldError(this.at(key), `expected a boolean, got ${kindOf(v)} ${JSON.stringify(v)}`);
    return v;
  }

  int(key: string, min = 0): number | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new FieldError(this.at(key), `expected an integer, got ${kindOf(v)} ${JSON.stringify(v)}`);
    if (v < min) throw new FieldError(this.at(key), `must be at least ${min}, got ${v}`);
    return v;
  }

  /** An int-or-string field (targetPort, expr). */
  intOrString(key: string): string | number | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return v;
    throw new FieldError(this.at(key), `expected an integer or a string, got ${kindOf(v)} ${JSON.stringify(v)}`);
  }

  strArray(key: string): string[] {
    const v = this.value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new FieldError(this.at(key), `expected a list of strings, got ${kindOf(v)}`);
    return v.map((x, i) => {
      if (typeof x !== 'string') throw new FieldError(`${this.at(key)}[${i}]`, `expected a string, got ${kindOf(x)} ${JSON.stringify(x)}`);
      return x;
    });
  }

  strMap(key: string): Record<string, string> {
    const v = this.value[key];
    if (v === undefined || v === null) return {};
    if (!isObject(v)) throw new FieldError(this.at(key), `expected a map of strings, got ${kindOf(v)}`);
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') throw new FieldError(`${this.at(key)}.${k}`, `expected a string, got ${kindOf(x)} ${JSON.stringify(x)}`);
    }
    return v as Record<string, string>;
  }

  obj(key: string): Reader | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    return Reader.of(v, this.at(key));
  }

  /** Each element of a list of objects, as a Reader with an indexed path. */
  objArray(key: string): Reader[] {
    const v = this.value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new FieldError(this.at(key), `expected a list, got ${kindOf(v)}`);
    return v.map((x, i) => Reader.of(x, `${this.at(key)}[${i}]`));
  }

  /** Raw list (for callers that want per-element error handling). */
  list(key: string): unknown[] {
    const v = this.value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new FieldError(this.at(key), `expected a list, got ${kindOf(v)}`);
    return v;
  }
}
