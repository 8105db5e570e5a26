/**
 * A value that must never be shown (UI, API, logs). Components unwrap it with
 * `reveal()` only where the plain text is needed (an HTTP header, a TLS key).
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '(secret)';
  }
  toJSON(): string {
    return '(secret)';
  }
}

export function revealString(v: string | Secret | undefined | null): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : v.reveal();
}
