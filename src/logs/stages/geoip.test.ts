import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildPipeline, runPipeline, type StageBlock } from './pipeline.js';
import { geoipStage } from './geoip.js';
import { buildMmdb, MmdbUint } from '../../../e2e/lib/mmdb-writer.js';
import type { StageEntry } from './types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geoip-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeDb(name: string, databaseType: string, networks: { cidr: string; data: unknown }[], ipVersion: 4 | 6 = 4): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, buildMmdb({ databaseType, networks, ipVersion }));
  return file;
}

const kansas = {
  city: { geoname_id: new MmdbUint(32, 4393217), names: { en: 'Kansas City', de: 'Kansas City (Missouri)' } },
  continent: { code: 'NA', names: { en: 'North America' } },
  country: { iso_code: 'US', names: { en: 'United States' } },
  location: { latitude: 39.1027, longitude: -94.5778, time_zone: 'America/Chicago' },
  postal: { code: '64184' },
  subdivisions: [{ iso_code: 'XX', names: { en: 'Outer' } }, { iso_code: 'MO', names: { en: 'Missouri' } }],
  MyCompany: { DeptName: 'Platform', Subnet: '34.120.0.0/16' },
};
const CITY = writeDb('city.mmdb', 'GeoLite2-City', [{ cidr: '34.120.0.0/16', data: kansas }, { cidr: '10.0.0.0/8', data: { country: { iso_code: 'ZZ' } } }]);
const COUNTRY = writeDb('country.mmdb', 'GeoLite2-Country', [{ cidr: '34.120.0.0/16', data: { continent: kansas.continent, country: kansas.country } }]);
const ASN = writeDb('asn.mmdb', 'GeoLite2-ASN', [
  { cidr: '34.120.0.0/16', data: { autonomous_system_number: new MmdbUint(32, 396982), autonomous_system_organization: 'GOOGLE-CLOUD-PLATFORM' } },
  { cidr: '2001:db8::/32', data: { autonomous_system_number: 64500, autonomous_system_organization: 'DOC-V6' } },
], 6);

/** Extracted map after json (ip from client_ip) and geoip. */
function extracted(geoip: Record<string, unknown>, line: string): Record<string, unknown> {
  const stages = buildPipeline([{ name: 'stage.json', value: { expressions: { ip: 'client_ip' } } }, { name: 'stage.geoip', value: { source: 'ip', ...geoip } }], () => {});
  const e: StageEntry = { labels: {}, ts: 1n, line, extracted: {}, structuredMetadata: {} };
  for (const s of stages) s.process(e);
  const { ip: _ip, ...rest } = e.extracted;
  return rest;
}
const client = (ip: unknown) => JSON.stringify({ log: 'log message', client_ip: ip });

describe('stage.geoip', () => {
  it('db_type "city" adds city, country, continent, location, postal, timezone and the most specific subdivision', () => {
    expect(extracted({ db: CITY, db_type: 'city' }, client('34.120.177.193'))).toEqual({
      geoip_city_name: 'Kansas City',
      geoip_country_name: 'United States',
      geoip_country_code: 'US',
      geoip_continent_name: 'North America',
      geoip_continent_code: 'NA',
      geoip_location_latitude: 39.1027,
      geoip_location_longitude: -94.5778,
      geoip_postal_code: '64184',
      geoip_timezone: 'America/Chicago',
      geoip_subdivision_name: 'Missouri',
      geoip_subdivision_code: 'MO',
    });
    // Fields the record lacks are not set.
    expect(extracted({ db: CITY, db_type: 'city' }, client('10.1.2.3'))).toEqual({ geoip_country_code: 'ZZ' });
  });

  it('db_type "country" adds country and continent only', () => {
    expect(extracted({ db: COUNTRY, db_type: 'country' }, client('34.120.1.1'))).toEqual({
      geoip_country_name: 'United States',
      geoip_country_code: 'US',
      geoip_continent_name: 'North America',
      geoip_continent_code: 'NA',
    });
  });

  it('db_type "asn" adds the autonomous system, for IPv4 and IPv6 in an IPv6 database', () => {
    expect(extracted({ db: ASN, db_type: 'asn' }, client('34.120.177.193'))).toEqual({
      geoip_autonomous_system_number: 396982,
      geoip_autonomous_system_organization: 'GOOGLE-CLOUD-PLATFORM',
    });
    expect(extracted({ db: ASN, db_type: 'asn' }, client('2001:db8::7'))).toEqual({ geoip_autonomous_system_number: 64500, geoip_autonomous_system_organization: 'DOC-V6' });
  });

  it('custom_lookups take fields of the record by JMESPath ("" = the key), alone or with db_type', () => {
    const lookups = { department: 'MyCompany.DeptName', subnet: 'MyCompany.Subnet', city: 'city.names.de', postal: '' , missing: 'MyCompany.Nope' };
    expect(extracted({ db: CITY, custom_lookups: lookups }, client('34.120.177.193'))).toEqual({ department: 'Platform', subnet: '34.120.0.0/16', city: 'Kansas City (Missouri)', postal: { code: '64184' } });
    const both = extracted({ db: CITY, db_type: 'city', custom_lookups: { department: 'MyCompany.DeptName' } }, client('34.120.177.193'));
    expect(both.department).toBe('Platform');
    expect(both.geoip_city_name).toBe('Kansas City');
  });

  it('adds nothing for an address not in the database, a value that is not an IP, a missing source or an IPv6 address in an IPv4 database', () => {
    const warnings: string[] = [];
    const logger = { warn: (_o: object, msg: string) => warnings.push(msg), debug: () => {} };
    const stage = geoipStage({ db: CITY, source: 'ip', db_type: 'city' }, { logger });
    const run = (ex: Record<string, unknown>) => {
      const e: StageEntry = { labels: {}, ts: 1n, line: 'l', extracted: { ...ex }, structuredMetadata: {} };
      expect(stage.process(e)).toBe(true);
      return e.extracted;
    };
    expect(run({ ip: '8.8.8.8' })).toEqual({ ip: '8.8.8.8' });
    expect(run({ ip: 'not-an-ip' })).toEqual({ ip: 'not-an-ip' });
    expect(run({})).toEqual({});
    expect(run({ ip: '2001:db8::1' })).toEqual({ ip: '2001:db8::1' });
    expect(warnings).toEqual(['source is not an ip', 'unable to look up the ip']);
  });

  it('results reach labels through stage.labels', () => {
    const blocks: StageBlock[] = [
      { name: 'stage.json', value: { expressions: { ip: 'client_ip' } } },
      { name: 'stage.geoip', value: { source: 'ip', db: ASN, db_type: 'asn' } },
      { name: 'stage.labels', value: { values: { geoip_autonomous_system_number: '', geoip_autonomous_system_organization: '' } } },
    ];
    const [out] = runPipeline(buildPipeline(blocks, () => {}), [{ labels: {}, ts: 1n, line: client('34.120.9.9') }]);
    expect(out.labels).toEqual({ geoip_autonomous_system_number: '396982', geoip_autonomous_system_organization: 'GOOGLE-CLOUD-PLATFORM' });
  });

  it('rejects bad configuration naming the stage', () => {
    const build = (v: Record<string, unknown>) => () => buildPipeline([{ name: 'stage.geoip', value: v }], () => {});
    expect(build({ source: 'ip', db_type: 'city' })).toThrow(/stage.geoip \(stage 1\): db path cannot be empty/);
    expect(build({ db: CITY, source: '', db_type: 'city' })).toThrow(/source cannot be empty/);
    expect(build({ db: CITY, source: 'ip' })).toThrow(/db type or values need to be set/);
    expect(build({ db: CITY, source: 'ip', db_type: 'isp' })).toThrow(/db type should be either city, asn or country/);
    expect(build({ db: path.join(dir, 'nope.mmdb'), source: 'ip', db_type: 'city' })).toThrow(/stage.geoip \(stage 1\): cannot open MaxMind DB .*nope.mmdb/);
    expect(build({ db: CITY, source: 'ip', custom_lookups: { a: 'x[?' } })).toThrow(/could not compile JMES expression for "a"/);
  });
});
