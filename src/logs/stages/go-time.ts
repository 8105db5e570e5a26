// Go's time.Parse layouts ("2006-01-02T15:04:05.000Z07:00"), which
// stage.timestamp's `format` is written in: the layout is the reference time
// Mon Jan 2 15:04:05 MST 2006 written the way the input writes it. This is
// a port of the behaviour of Go's parser (chunk recognition, fixed/loose
// digit counts, optional fractions after seconds, zone forms, day range
// check), not of its code. Results are nanoseconds since the epoch (bigint).

// --- layout chunks -------------------------------------------------------

type Std =
  | 'longMonth' | 'month' | 'numMonth' | 'zeroMonth'
  | 'longWeekDay' | 'weekDay'
  | 'day' | 'underDay' | 'zeroDay' | 'underYearDay' | 'zeroYearDay'
  | 'hour' | 'hour12' | 'zeroHour12' | 'minute' | 'zeroMinute' | 'second' | 'zeroSecond'
  | 'longYear' | 'year' | 'PM' | 'pm' | 'TZ'
  | 'iso8601TZ' | 'iso8601SecondsTZ' | 'iso8601ShortTZ' | 'iso8601ColonTZ' | 'iso8601ColonSecondsTZ'
  | 'numTZ' | 'numSecondsTZ' | 'numShortTZ' | 'numColonTZ' | 'numColonSecondsTZ'
  | 'fracSecond0' | 'fracSecond9';

interface Chunk {
  prefix: string;
  std?: Std;
  /** Digits of a fractional-second chunk. */
  digits?: number;
  suffix: string;
}

const STD0X: Std[] = ['zeroMonth', 'zeroDay', 'zeroHour12', 'zeroMinute', 'zeroSecond', 'year'];

const startsWithLower = (s: string) => s.length > 0 && s[0] >= 'a' && s[0] <= 'z';
const isDigitAt = (s: string, i: number) => i < s.length && s[i] >= '0' && s[i] <= '9';

function nextStdChunk(layout: string): Chunk {
  const at = (i: number, std: Std, len: number, extra: Partial<Chunk> = {}): Chunk => ({ prefix: layout.slice(0, i), std, suffix: layout.slice(i + len), ...extra });
  for (let i = 0; i < layout.length; i++) {
    const rest = layout.slice(i);
    switch (layout[i]) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return at(i, 'longMonth', 7);
          if (!startsWithLower(rest.slice(3))) return at(i, 'month', 3);
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return at(i, 'longWeekDay', 6);
          if (!startsWithLower(rest.slice(3))) return at(i, 'weekDay', 3);
        }
        if (rest.startsWith('MST')) return at(i, 'TZ', 3);
        break;
      case '0':
        if (rest.length >= 2 && rest[1] >= '1' && rest[1] <= '6') return at(i, STD0X[rest.charCodeAt(1) - 49], 2);
        if (rest.startsWith('002')) return at(i, 'zeroYearDay', 3);
        break;
      case '1':
        if (rest.startsWith('15')) return at(i, 'hour', 2);
        return at(i, 'numMonth', 1);
      case '2':
        if (rest.startsWith('2006')) return at(i, 'longYear', 4);
        return at(i, 'day', 1);
      case '_':
        if (rest.startsWith('_2')) {
          // "_2006" is a literal "_" followed by the long year.
          if (rest.startsWith('_2006')) return { prefix: layout.slice(0, i + 1), std: 'longYear', suffix: layout.slice(i + 5) };
          return at(i, 'underDay', 2);
        }
        if (rest.startsWith('__2')) return at(i, 'underYearDay', 3);
        break;
      case '3':
        return at(i, 'hour12', 1);
      case '4':
        return at(i, 'minute', 1);
      case '5':
        return at(i, 'second', 1);
      case 'P':
        if (rest.startsWith('PM')) return at(i, 'PM', 2);
        break;
      case 'p':
        if (rest.startsWith('pm')) return at(i, 'pm', 2);
        break;
      case '-':
        if (rest.startsWith('-070000')) return at(i, 'numSecondsTZ', 7);
        if (rest.startsWith('-07:00:00')) return at(i, 'numColonSecondsTZ', 9);
        if (rest.startsWith('-0700')) return at(i, 'numTZ', 5);
        if (rest.startsWith('-07:00')) return at(i, 'numColonTZ', 6);
        if (rest.startsWith('-07')) return at(i, 'numShortTZ', 3);
        break;
      case 'Z':
        if (rest.startsWith('Z070000')) return at(i, 'iso8601SecondsTZ', 7);
        if (rest.startsWith('Z07:00:00')) return at(i, 'iso8601ColonSecondsTZ', 9);
        if (rest.startsWith('Z0700')) return at(i, 'iso8601TZ', 5);
        if (rest.startsWith('Z07:00')) return at(i, 'iso8601ColonTZ', 6);
        if (rest.startsWith('Z07')) return at(i, 'iso8601ShortTZ', 3);
        break;
      case '.':
      case ',':
        if (rest[1] === '0' || rest[1] === '9') {
          const ch = rest[1];
          let j = 1;
          while (rest[j] === ch) j++;
          if (!isDigitAt(rest, j)) return at(i, ch === '0' ? 'fracSecond0' : 'fracSecond9', j, { digits: j - 1 });
        }
        break;
    }
  }
  return { prefix: layout, suffix: '' };
}

// --- parsing -------------------------------------------------------------

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT = (names: string[]) => names.map((n) => n.slice(0, 3));

/** Zone information found in the input. */
export type ParsedZone = { kind: 'none' } | { kind: 'utc' } | { kind: 'offset'; seconds: number } | { kind: 'name'; name: string };

export interface ParsedTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  zone: ParsedZone;
}

class ParseError extends Error {}

/** Skips a literal: a space in the layout matches any run of spaces in the value. */
function skip(value: string, prefix: string): string {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') throw new ParseError('bad');
      prefix = prefix.replace(/^ +/, '');
      value = value.replace(/^ +/, '');
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) throw new ParseError('bad');
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

/** One or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] {
  if (!isDigitAt(s, 0)) throw new ParseError('bad');
  if (!isDigitAt(s, 1)) {
    if (fixed) throw new ParseError('bad');
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}

function getnum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + (s.charCodeAt(i) - 48);
  if (i === 0 || (fixed && i !== 3)) throw new ParseError('bad');
  return [n, s.slice(i)];
}

function lookup(names: string[], value: string): [number, string] {
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (value.length >= n.length && value.slice(0, n.length).toLowerCase() === n.toLowerCase()) return [i, value.slice(n.length)];
  }
  throw new ParseError('bad');
}

/** value[0] is '.' or ',', then nbytes-1 digits -> nanoseconds. */
function parseNanoseconds(value: string, nbytes: number): number {
  if (value[0] !== '.' && value[0] !== ',') throw new ParseError('bad');
  const digits = value.slice(1, Math.min(nbytes, 10));
  if (!/^\d+$/.test(digits)) throw new ParseError('bad');
  return Number(digits.padEnd(9, '0'));
}

/** Length of a zone abbreviation at the start of value (Go's rules), 0 if none. */
function zoneNameLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4;
  if (value.startsWith('GMT')) {
    const m = /^GMT([+-]\d{1,2})?/.exec(value)!;
    return m[0].length;
  }
  let n = 0;
  while (n < 6 && n < value.length && value[n] >= 'A' && value[n] <= 'Z') n++;
  if (n === 3) return 3;
  if (n === 4 && (value[3] === 'T' || value.startsWith('WITA'))) return 4;
  if (n === 5 && value[4] === 'T') return 5;
  return 0;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Parses value by a Go layout; throws Error("parsing time ...") when it does not fit. */
export function parseGoLayout(layout: string, value: string): ParsedTime {
  const original = value;
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pmSet = false;
  let amSet = false;
  let zone: ParsedZone = { kind: 'none' };
  const fail = (why: string): never => {
    throw new Error(`parsing time ${JSON.stringify(original)} as ${JSON.stringify(layout)}: ${why}`);
  };
  const range = (what: string) => fail(`${what} out of range`);
  try {
    for (;;) {
      const c = nextStdChunk(layout);
      value = skip(value, c.prefix);
      if (!c.std) {
        if (value.length !== 0) fail(`extra text: ${JSON.stringify(value)}`);
        break;
      }
      layout = c.suffix;
      switch (c.std) {
        case 'year': {
          if (value.length < 2 || !/^\d\d/.test(value)) throw new ParseError('bad');
          year = Number(value.slice(0, 2));
          year += year >= 69 ? 1900 : 2000;
          value = value.slice(2);
          break;
        }
        case 'longYear':
          if (value.length < 4 || !/^\d{4}/.test(value)) throw new ParseError('bad');
          year = Number(value.slice(0, 4));
          value = value.slice(4);
          break;
        case 'month':
          [month, value] = lookup(SHORT(LONG_MONTHS), value);
          month++;
          break;
        case 'longMonth':
          [month, value] = lookup(LONG_MONTHS, value);
          month++;
          break;
        case 'numMonth':
        case 'zeroMonth':
          [month, value] = getnum(value, c.std === 'zeroMonth');
          if (month <= 0 || month > 12) range('month');
          break;
        case 'weekDay':
          [, value] = lookup(SHORT(LONG_DAYS), value);
          break;
        case 'longWeekDay':
          [, value] = lookup(LONG_DAYS, value);
          break;
        case 'day':
        case 'underDay':
        case 'zeroDay':
          if (c.std === 'underDay' && value[0] === ' ') value = value.slice(1);
          [day, value] = getnum(value, c.std === 'zeroDay');
          break;
        case 'underYearDay':
        case 'zeroYearDay':
          for (let i = 0; i < 2; i++) if (c.std === 'underYearDay' && value[0] === ' ') value = value.slice(1);
          [yday, value] = getnum3(value, c.std === 'zeroYearDay');
          if (yday < 1 || yday > 366) range('day-of-year');
          break;
        case 'hour':
          [hour, value] = getnum(value, false);
          if (hour >= 24) range('hour');
          break;
        case 'hour12':
        case 'zeroHour12':
          [hour, value] = getnum(value, c.std === 'zeroHour12');
          if (hour > 12) range('hour');
          break;
        case 'minute':
        case 'zeroMinute':
          [minute, value] = getnum(value, c.std === 'zeroMinute');
          if (minute >= 60) range('minute');
          break;
        case 'second':
        case 'zeroSecond': {
          [second, value] = getnum(value, c.std === 'zeroSecond');
          if (second >= 60) range('second');
          // A fraction after the seconds is accepted even when the layout has none.
          if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
            const next = nextStdChunk(layout).std;
            if (next === 'fracSecond0' || next === 'fracSecond9') break;
            let n = 2;
            while (isDigitAt(value, n)) n++;
            nanos = parseNanoseconds(value, n);
            value = value.slice(n);
          }
          break;
        }
        case 'PM':
        case 'pm': {
          if (value.length < 2) throw new ParseError('bad');
          const p = value.slice(0, 2);
          value = value.slice(2);
          const [pm, am] = c.std === 'PM' ? ['PM', 'AM'] : ['pm', 'am'];
          if (p === pm) pmSet = true;
          else if (p === am) amSet = true;
          else throw new ParseError('bad');
          break;
        }
        case 'iso8601TZ':
        case 'iso8601ShortTZ':
        case 'iso8601ColonTZ':
        case 'iso8601SecondsTZ':
        case 'iso8601ColonSecondsTZ':
        case 'numTZ':
        case 'numShortTZ':
        case 'numColonTZ':
        case 'numSecondsTZ':
        case 'numColonSecondsTZ': {
          if (c.std.startsWith('iso8601') && value[0] === 'Z') {
            value = value.slice(1);
            zone = { kind: 'utc' };
            break;
          }
          const form = c.std.replace(/^(iso8601|num)/, '');
          let parts: [string, string, string, string];
          if (form === 'ColonTZ') {
            if (value.length < 6 || value[3] !== ':') throw new ParseError('bad');
            parts = [value[0], value.slice(1, 3), value.slice(4, 6), '00'];
            value = value.slice(6);
          } else if (form === 'ShortTZ') {
            if (value.length < 3) throw new ParseError('bad');
            parts = [value[0], value.slice(1, 3), '00', '00'];
            value = value.slice(3);
          } else if (form === 'ColonSecondsTZ') {
            if (value.length < 9 || value[3] !== ':' || value[6] !== ':') throw new ParseError('bad');
            parts = [value[0], value.slice(1, 3), value.slice(4, 6), value.slice(7, 9)];
            value = value.slice(9);
          } else if (form === 'SecondsTZ') {
            if (value.length < 7) throw new ParseError('bad');
            parts = [value[0], value.slice(1, 3), value.slice(3, 5), value.slice(5, 7)];
            value = value.slice(7);
          } else {
            if (value.length < 5) throw new ParseError('bad');
            parts = [value[0], value.slice(1, 3), value.slice(3, 5), '00'];
            value = value.slice(5);
          }
          const [sign, hh, mm, ss] = parts;
          const [h] = getnum(hh, true);
          const [m] = getnum(mm, true);
          const [s] = getnum(ss, true);
          if (h > 24) range('time zone offset hour');
          if (m > 60) range('time zone offset minute');
          if (s > 60) range('time zone offset second');
          if (sign !== '+' && sign !== '-') throw new ParseError('bad');
          const off = (h * 60 + m) * 60 + s;
          zone = { kind: 'offset', seconds: sign === '-' ? -off : off };
          break;
        }
        case 'TZ': {
          if (value.startsWith('UTC')) {
            zone = { kind: 'utc' };
            value = value.slice(3);
            break;
          }
          const n = zoneNameLength(value);
          if (n === 0) throw new ParseError('bad');
          zone = { kind: 'name', name: value.slice(0, n) };
          value = value.slice(n);
          break;
        }
        case 'fracSecond0': {
          const n = 1 + c.digits!;
          if (value.length < n) throw new ParseError('bad');
          nanos = parseNanoseconds(value, n);
          value = value.slice(n);
          break;
        }
        case 'fracSecond9': {
          if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break;
          let i = 0;
          while (isDigitAt(value, i + 1)) i++;
          nanos = parseNanoseconds(value, 1 + i);
          value = value.slice(1 + i);
          break;
        }
      }
    }
  } catch (err) {
    if (err instanceof ParseError) fail(`cannot parse ${JSON.stringify(value)} as ${JSON.stringify(layout)}`);
    throw err;
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    let m = 1;
    let d = yday;
    while (m < 12 && d > daysIn(m, year)) d -= daysIn(m++, year);
    if ((month >= 0 && month !== m) || (day >= 0 && day !== d)) fail('day-of-year does not match month or day');
    month = m;
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) fail('day out of range');
  return { year, month, day, hour, minute, second, nanos, zone };
}

// --- instants ------------------------------------------------------------

/** Days since 1970-01-01 of a proleptic Gregorian date; days past the month's end roll over. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Throws for a name that is not an IANA time zone. */
export function checkZone(zone: string): void {
  formatter(zone);
}

/** The zone's UTC offset (seconds) and abbreviation at an instant. */
function zoneAt(zone: string, epochSec: number): { offset: number; abbr: string } {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(epochSec * 1000)).map((p) => [p.type, p.value]));
  let y = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') y = 1 - y;
  const wall = daysFromCivil(y, Number(parts.month), Number(parts.day)) * 86400 + Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
  return { offset: wall - epochSec, abbr: parts.timeZoneName ?? '' };
}

/** Seconds since the epoch of a wall-clock time in an IANA zone (the earlier instant in a fold). */
function wallToEpoch(wallSec: number, zone: string): number {
  const off1 = zoneAt(zone, wallSec).offset;
  const t1 = wallSec - off1;
  const off2 = zoneAt(zone, t1).offset;
  return off1 === off2 ? t1 : wallSec - off2;
}

/**
 * The instant of parsed components. A zone in the input wins; without one
 * the time is wall-clock time in `location` (an IANA name), else UTC. A zone
 * abbreviation counts as `location`'s when it is that zone's abbreviation
 * at the time (as Go looks it up), else as offset 0 (Go's fabricated zone),
 * except "GMT+h" which carries its hours.
 */
export function toEpochNs(p: ParsedTime, location?: string): bigint {
  const wall = daysFromCivil(p.year, p.month, p.day) * 86400 + p.hour * 3600 + p.minute * 60 + p.second;
  let sec: number;
  switch (p.zone.kind) {
    case 'utc':
      sec = wall;
      break;
    case 'offset':
      sec = wall - p.zone.seconds;
      break;
    case 'name': {
      const inLoc = location ? wallToEpoch(wall, location) : undefined;
      if (inLoc !== undefined && zoneAt(location!, inLoc).abbr === p.zone.name) sec = inLoc;
      else if (/^GMT[+-]\d/.test(p.zone.name)) sec = wall - Number(p.zone.name.slice(3)) * 3600;
      else sec = wall;
      break;
    }
    default:
      sec = location ? wallToEpoch(wall, location) : wall;
  }
  return BigInt(sec) * 1_000_000_000n + BigInt(p.nanos);
}
