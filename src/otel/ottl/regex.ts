// Go (RE2) regular expressions as JavaScript RegExps: Alloy configs write
// named groups as (?P<name>...) and flags as a leading (?i) / (?s) / (?m).
// Replacement templates use Go's $1 / ${1} / ${name}.

export function goRegExp(pattern: string, extraFlags = ''): RegExp {
  let src = pattern.replace(/\(\?P</g, '(?<');
  let flags = extraFlags;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1].includes('U')) throw new Error(`regular expression ${JSON.stringify(pattern)}: the U flag is not supported`);
    flags += lead[1];
    src = src.slice(lead[0].length);
  }
  try {
    return new RegExp(src, [...new Set(flags)].join(''));
  } catch (e) {
    throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

/** A Go Expand template ($1, ${1}, ${name}, $$) as a JavaScript replacement string. */
export function goReplacement(template: string): string {
  return template.replace(/\$\$|\$\{(\w+)\}|\$(\d+)|\$([A-Za-z_]\w*)|\$/g, (m, braced?: string, num?: string, name?: string) => {
    if (m === '$$') return '$$';
    const ref = braced ?? num ?? name;
    if (ref === undefined) return '$$';
    return /^\d+$/.test(ref) ? `$${ref}` : `$<${ref}>`;
  });
}
