import { advertisedHttpUrl, chooseAdvertiseAddress, resolveJoinAddresses, splitHostPort } from './addresses.js';

describe('join addresses', () => {
  test('split host and port in every notation', () => {
    expect(splitHostPort('10.0.0.1:80')).toEqual({ host: '10.0.0.1', port: 80 });
    expect(splitHostPort('alloy.svc')).toEqual({ host: 'alloy.svc', port: undefined });
    expect(splitHostPort('[::1]:7946')).toEqual({ host: '::1', port: 7946 });
    expect(splitHostPort('fe80::1')).toEqual({ host: 'fe80::1', port: undefined });
    expect(() => splitHostPort('host:http')).toThrow(/bad port/);
  });

  test('a DNS name stands for all its A/AAAA records, re-resolved on each call', async () => {
    let answers = [
      { address: '10.0.0.2', family: 4 },
      { address: 'fd00::3', family: 6 },
    ];
    const asked: string[] = [];
    const lookup = async (h: string) => {
      asked.push(h);
      if (h === 'missing.svc') throw new Error('ENOTFOUND missing.svc');
      return answers;
    };
    const r1 = await resolveJoinAddresses(['alloy.svc', '10.0.0.9:99', 'missing.svc'], 12346, lookup);
    expect(r1.addresses).toEqual(['10.0.0.2:12346', '10.0.0.9:99', '[fd00::3]:12346']);
    expect(r1.errors).toEqual(['missing.svc: ENOTFOUND missing.svc']);
    answers = [{ address: '10.0.0.4', family: 4 }];
    const r2 = await resolveJoinAddresses(['alloy.svc:7000'], 12346, lookup);
    expect(r2.addresses).toEqual(['10.0.0.4:7000']);
    expect(asked).toEqual(['alloy.svc', 'missing.svc', 'alloy.svc']);
  });

  test('the real resolver answers for localhost', async () => {
    const r = await resolveJoinAddresses(['localhost:5'], 1);
    expect(r.addresses.length).toBeGreaterThan(0);
    for (const a of r.addresses) expect(a.endsWith(':5')).toBe(true);
  });

  test('advertise address: flag, then specific listen host, then interfaces', () => {
    const ifs = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [
        { address: 'fe80::1', family: 'IPv6', internal: false },
        { address: '10.2.3.4', family: 'IPv4', internal: false },
      ],
    } as any;
    expect(chooseAdvertiseAddress({ advertiseAddress: '1.2.3.4', listenHost: '0.0.0.0' }, 7, ifs)).toBe('1.2.3.4:7');
    expect(chooseAdvertiseAddress({ advertiseAddress: '1.2.3.4:9', listenHost: '0.0.0.0' }, 7, ifs)).toBe('1.2.3.4:9');
    expect(chooseAdvertiseAddress({ listenHost: '127.0.0.3' }, 7, ifs)).toBe('127.0.0.3:7');
    expect(chooseAdvertiseAddress({ listenHost: '0.0.0.0' }, 7, ifs)).toBe('10.2.3.4:7');
    expect(() => chooseAdvertiseAddress({ listenHost: '::', advertiseInterfaces: ['wlan9'] }, 7, ifs)).toThrow(/set --cluster.advertise-address/);
  });
});

describe('advertised HTTP address', () => {
  test('a wildcard listen host becomes the advertised host; a specific one is kept', () => {
    expect(advertisedHttpUrl('http://0.0.0.0:12345', '10.0.0.7')).toBe('http://10.0.0.7:12345');
    expect(advertisedHttpUrl('http://[::]:12345', 'fd00::7')).toBe('http://[fd00::7]:12345');
    // The default port is implied, as in any URL.
    expect(advertisedHttpUrl('http://[::]:80', '10.0.0.7')).toBe('http://10.0.0.7');
    expect(advertisedHttpUrl('http://127.0.0.3:4000/', '10.0.0.7')).toBe('http://127.0.0.3:4000');
    expect(advertisedHttpUrl('https://alloy-0.alloy:443', '10.0.0.7')).toBe('https://alloy-0.alloy');
    expect(() => advertisedHttpUrl('127.0.0.1:80', 'x')).toThrow(/not an http\(s\) URL|not a URL/);
    expect(() => advertisedHttpUrl('nonsense', 'x')).toThrow(/"nonsense" is not a URL/);
  });
});
