// Test support: writes a small MaxMind DB (.mmdb) file following the
// published MaxMind DB File Format Specification 2.0 (binary search tree of
// 24-bit records, 16-byte separator, data section, metadata after the
// "\xAB\xCD\xEFMaxMind.com" marker), so stage.geoip can be tested against a
// real database file without shipping one. Networks must not overlap.

/** Forces an unsigned integer width in the data section (plain numbers are uint32 or double). */
export class MmdbUint {
  constructor(readonly bits: 16 | 32 | 64, readonly value: number | bigint) {}
}

export interface MmdbNetwork {
  /** "1.2.3.0/24" or, in an IPv6 database, "2001:db8::/32" (IPv4 networks then sit under ::/96). */
  cidr: string;
  data: unknown;
}

const TYPE = { pointer: 1, utf8: 2, double: 3, bytes: 4, uint16: 5, uint32: 6, map: 7, int32: 8, uint64: 9, uint128: 10, array: 11, boolean: 14, float: 15 };

function control(type: number, size: number): Buffer {
  const extended = type > 7;
  let first = extended ? 0 : type << 5;
  let sizeBytes: number[] = [];
  if (size < 29) first |= size;
  else if (size < 29 + 256) {
    first |= 29;
    sizeBytes = [size - 29];
  } else if (size < 285 + 65536) {
    first |= 30;
    const s = size - 285;
    sizeBytes = [s >> 8, s & 0xff];
  } else {
    first |= 31;
    const s = size - 65821;
    sizeBytes = [(s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff];
  }
  return Buffer.from(extended ? [first, type - 7, ...sizeBytes] : [first, ...sizeBytes]);
}

/** Big-endian bytes of an unsigned integer without leading zero bytes. */
function minimalBytes(v: bigint): Buffer {
  const out: number[] = [];
  while (v > 0n) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return Buffer.from(out);
}

export function encodeValue(v: unknown): Buffer {
  if (v instanceof MmdbUint) {
    const bytes = minimalBytes(BigInt(v.value));
    const type = v.bits === 16 ? TYPE.uint16 : v.bits === 32 ? TYPE.uint32 : TYPE.uint64;
    return Buffer.concat([control(type, bytes.length), bytes]);
  }
  if (typeof v === 'string') {
    const bytes = Buffer.from(v, 'utf8');
    return Buffer.concat([control(TYPE.utf8, bytes.length), bytes]);
  }
  if (typeof v === 'boolean') return control(TYPE.boolean, v ? 1 : 0);
  if (typeof v === 'bigint') return encodeValue(new MmdbUint(64, v));
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v < 2 ** 32) return encodeValue(new MmdbUint(32, v));
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return Buffer.concat([control(TYPE.double, 8), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([control(TYPE.array, v.length), ...v.map(encodeValue)]);
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    return Buffer.concat([control(TYPE.map, entries.length), ...entries.flatMap(([k, x]) => [encodeValue(k), encodeValue(x)])]);
  }
  throw new Error(`mmdb-writer: cannot encode ${String(v)}`);
}

/** Network address bits, most significant first. */
function networkBits(cidr: string, ipVersion: 4 | 6): boolean[] {
  const [addr, lenText] = cidr.split('/');
  const prefix = Number(lenText);
  let bits: boolean[];
  if (addr.includes(':')) {
    if (ipVersion === 4) throw new Error(`mmdb-writer: IPv6 network ${cidr} in an IPv4 database`);
    const [head, tail] = addr.split('::');
    const groups = (s: string | undefined) => (s ? s.split(':') : []);
    const h = groups(head);
    const tl = groups(tail);
    const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - tl.length).fill('0'), ...tl];
    bits = all.flatMap((g) => [...parseInt(g, 16).toString(2).padStart(16, '0')].map((c) => c === '1'));
    return bits.slice(0, prefix);
  }
  bits = addr.split('.').flatMap((o) => [...Number(o).toString(2).padStart(8, '0')].map((c) => c === '1'));
  // In an IPv6 database the IPv4 space is ::/96.
  return ipVersion === 6 ? [...new Array(96).fill(false), ...bits.slice(0, prefix)] : bits.slice(0, prefix);
}

interface TreeNode {
  children: (TreeNode | { data: number } | undefined)[];
}

export function buildMmdb(opts: { databaseType: string; networks: MmdbNetwork[]; ipVersion?: 4 | 6; languages?: string[] }): Buffer {
  const ipVersion = opts.ipVersion ?? 4;
  const dataParts: Buffer[] = [];
  const dataOffsets: number[] = [];
  let dataSize = 0;
  const root: TreeNode = { children: [undefined, undefined] };
  opts.networks.forEach((n, i) => {
    const enc = encodeValue(n.data);
    dataOffsets[i] = dataSize;
    dataParts.push(enc);
    dataSize += enc.length;
    const bits = networkBits(n.cidr, ipVersion);
    if (bits.length === 0) throw new Error('mmdb-writer: a /0 network is not supported');
    let node = root;
    for (let d = 0; d < bits.length - 1; d++) {
      const side = bits[d] ? 1 : 0;
      let next = node.children[side];
      if (next === undefined) node.children[side] = next = { children: [undefined, undefined] };
      if (!('children' in next)) throw new Error(`mmdb-writer: ${n.cidr} overlaps another network`);
      node = next;
    }
    const last = bits[bits.length - 1] ? 1 : 0;
    if (node.children[last] !== undefined) throw new Error(`mmdb-writer: ${n.cidr} overlaps another network`);
    node.children[last] = { data: i };
  });
  // Number the nodes breadth-first; the root is node 0.
  const order: TreeNode[] = [];
  const index = new Map<TreeNode, number>();
  for (const queue = [root]; queue.length > 0; ) {
    const n = queue.shift()!;
    index.set(n, order.length);
    order.push(n);
    for (const c of n.children) if (c && 'children' in c) queue.push(c);
  }
  const nodeCount = order.length;
  const tree = Buffer.alloc(nodeCount * 6);
  order.forEach((n, i) => {
    n.children.forEach((c, side) => {
      const record = c === undefined ? nodeCount : 'children' in c ? index.get(c)! : nodeCount + 16 + dataOffsets[c.data];
      tree.writeUIntBE(record, i * 6 + side * 3, 3);
    });
  });
  const metadata = encodeValue({
    node_count: new MmdbUint(32, nodeCount),
    record_size: new MmdbUint(16, 24),
    ip_version: new MmdbUint(16, ipVersion),
    database_type: opts.databaseType,
    languages: opts.languages ?? ['en'],
    binary_format_major_version: new MmdbUint(16, 2),
    binary_format_minor_version: new MmdbUint(16, 0),
    build_epoch: new MmdbUint(64, 1_700_000_000n),
    description: { en: 'alloy-ts test database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...dataParts, Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com'), metadata]);
}
