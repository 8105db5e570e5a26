// Types of format.js (a browser module without a build step) for the node tests.
export function isIsoTime(v: unknown): boolean;
export function ago(iso: string, now?: number): string;
export function seconds(n: number): string;
export function millis(n: number): string;
export function isDurationKey(key: string): boolean;
export function durationText(v: unknown): string;
export function tone(word: string): 'good' | 'bad' | 'warn' | 'neutral';
export function labelsText(labels: Record<string, string>): string;
export function matches(query: string, texts: unknown[]): boolean;
export function percent(fraction: number): string;
