// The stability levels of Alloy's featuregate, and the rule between them:
// a feature may be used when it is at least as stable as --stability.level.
// A language fact (stdlib functions carry levels too), so it stands on the ground floor.
export type StabilityLevel = 'experimental' | 'public-preview' | 'generally-available';

/** In Alloy's order for help texts. */
export const STABILITY_LEVELS: readonly StabilityLevel[] = ['generally-available', 'public-preview', 'experimental'];

const RANK: Record<StabilityLevel, number> = { experimental: 1, 'public-preview': 2, 'generally-available': 3 };

export function parseStabilityLevel(s: string): StabilityLevel {
  if ((STABILITY_LEVELS as readonly string[]).includes(s)) return s as StabilityLevel;
  throw new Error(`invalid stability level ${JSON.stringify(s)} (allowed: ${STABILITY_LEVELS.join(', ')})`);
}

/** True when a feature at `stability` may be used with the minimum level `min`. */
export function permits(min: StabilityLevel, stability: StabilityLevel): boolean {
  return RANK[stability] >= RANK[min];
}

/** Alloy's featuregate.CheckAllowed message, or undefined when allowed. */
export function stabilityError(feature: string, stability: StabilityLevel, min: StabilityLevel): string | undefined {
  if (permits(min, stability)) return undefined;
  return (
    `${feature} is at stability level "${stability}", which is below the minimum allowed stability level "${min}". ` +
    `Use --stability.level command-line flag to enable "${stability}" features`
  );
}
