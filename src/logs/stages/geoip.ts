// stage.geoip: looks up the IP in an extracted value in a MaxMind DB file
// (.mmdb, read with mmdb-lib) and adds geoip_* fields to the extracted map:
// city/country/continent/location/postal/timezone/subdivision for a City
// database, country and continent for a Country one, the autonomous system
// for an ASN one; custom_lookups take any field of the record by JMESPath.
import fs from 'node:fs';
import net from 'node:net';
import { Reader } from 'mmdb-lib';
import type { StageEnv } from './env.js';
import { compilePath, type CompiledPath } from './jmespath.js';
import type { Stage, StageEntry } from './types.js';
import { scalarString } from './values.js';

export interface GeoIPArgs {
  db?: string;
  source?: string;
  db_type?: string;
  custom_lookups?: Record<string, string>;
}

type Rec = Record<string, any>;

const english = (o: Rec | undefined): string => o?.names?.en ?? '';

function setIf(out: Record<string, unknown>, key: string, v: string): void {
  if (v !== '') out[key] = v;
}

function countryFields(r: Rec, out: Record<string, unknown>): void {
  setIf(out, 'geoip_country_name', english(r.country));
  setIf(out, 'geoip_country_code', r.country?.iso_code ?? '');
  setIf(out, 'geoip_continent_name', english(r.continent));
  setIf(out, 'geoip_continent_code', r.continent?.code ?? '');
}

function cityFields(r: Rec, out: Record<string, unknown>): void {
  setIf(out, 'geoip_city_name', english(r.city));
  countryFields(r, out);
  setIf(out, 'geoip_postal_code', r.postal?.code ?? '');
  setIf(out, 'geoip_timezone', r.location?.time_zone ?? '');
  const lat = Number(r.location?.latitude ?? 0);
  const lon = Number(r.location?.longitude ?? 0);
  if (lat !== 0 || lon !== 0) {
    out.geoip_location_latitude = lat;
    out.geoip_location_longitude = lon;
  }
  // The most specific subdivision is the last one.
  const subs: Rec[] = Array.isArray(r.subdivisions) ? r.subdivisions : [];
  if (subs.length > 0) {
    setIf(out, 'geoip_subdivision_name', english(subs[subs.length - 1]));
    setIf(out, 'geoip_subdivision_code', subs[subs.length - 1].iso_code ?? '');
  }
}

function asnFields(r: Rec, out: Record<string, unknown>): void {
  const n = Number(r.autonomous_system_number ?? 0);
  if (n !== 0) out.geoip_autonomous_system_number = n;
  setIf(out, 'geoip_autonomous_system_organization', r.autonomous_system_organization ?? '');
}

const BY_TYPE: Record<string, (r: Rec, out: Record<string, unknown>) => void> = { city: cityFields, country: countryFields, asn: asnFields };

export function geoipStage(args: GeoIPArgs, env: StageEnv = {}): Stage {
  if (!args.db) throw new Error('stage.geoip: db path cannot be empty');
  if (args.source === undefined || args.source === '') throw new Error('stage.geoip: source cannot be empty');
  const dbType = args.db_type ?? '';
  if (dbType === '' && args.custom_lookups === undefined) throw new Error('stage.geoip: db type or values need to be set');
  if (dbType !== '' && !BY_TYPE[dbType]) throw new Error(`stage.geoip: db type should be either city, asn or country, got "${dbType}"`);
  const lookups: [string, CompiledPath][] = Object.entries(args.custom_lookups ?? {}).map(([key, expr]) => {
    try {
      return [key, compilePath(expr || key)];
    } catch (err) {
      throw new Error(`stage.geoip: could not compile JMES expression for "${key}": ${(err as Error).message}`);
    }
  });
  if (env.checkOnly) return { name: 'geoip', process: () => true };
  let reader: Reader<Rec>;
  try {
    reader = new Reader<Rec>(fs.readFileSync(args.db));
  } catch (err) {
    throw new Error(`stage.geoip: cannot open MaxMind DB ${args.db}: ${(err as Error).message}`);
  }
  const source = args.source;
  const populate = dbType ? BY_TYPE[dbType] : undefined;
  const log = env.logger;
  return {
    name: 'geoip',
    process(e: StageEntry) {
      if (!(source in e.extracted)) return true;
      const ip = scalarString(e.extracted[source]);
      if (ip === undefined) return true;
      const family = net.isIP(ip);
      if (family === 0) {
        log?.warn({ stage: 'geoip', source: ip }, 'source is not an ip');
        return true;
      }
      let record: Rec | null;
      try {
        if (family === 6 && reader.metadata.ipVersion === 4) throw new Error('you attempted to look up an IPv6 address in an IPv4-only database');
        record = reader.get(ip);
      } catch (err) {
        log?.warn({ stage: 'geoip', ip, err: (err as Error).message }, 'unable to look up the ip');
        return true;
      }
      if (!record) return true;
      populate?.(record, e.extracted);
      for (const [key, path] of lookups) {
        const v = path(record);
        if (v !== undefined && v !== null) e.extracted[key] = v;
      }
      return true;
    },
  };
}
