// pods/log: query options with kubelet semantics, follow streams, container restarts.
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';

let api: KubeEmulator;

beforeAll(async () => {
  api = await startKubeEmulator();
  api.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'one', namespace: 'default' },
    spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'i' }] },
    status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] },
  });
  api.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'two', namespace: 'default' },
    spec: { nodeName: 'n1', initContainers: [{ name: 'init', image: 'i' }], containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i' }] },
    status: { phase: 'Running' },
  });
});
afterAll(async () => {
  await api.close();
});

const logUrl = (pod: string, q = '') => `${api.url}/api/v1/namespaces/default/pods/${pod}/log${q ? `?${q}` : ''}`;

async function text(pod: string, q = ''): Promise<{ status: number; body: string }> {
  const r = await fetch(logUrl(pod, q));
  return { status: r.status, body: await r.text() };
}

describe('pods/log', () => {
  test('timestamps, sinceTime (whole seconds), sinceSeconds, tailLines, limitBytes', async () => {
    api.logs.append('default', 'one', 'app', ['first', 'second', 'third'], [
      '2020-01-02T03:04:05.123456789Z',
      '2020-01-02T03:04:06.000000001Z',
      '2020-01-02T03:04:06.999999999Z',
    ]);
    expect((await text('one')).body).toBe('first\nsecond\nthird\n');
    expect((await text('one', 'timestamps=true&tailLines=1')).body).toBe('2020-01-02T03:04:06.999999999Z third\n');
    // sinceTime is truncated to the second: 03:04:06.5 means "from 03:04:06".
    expect((await text('one', 'sinceTime=2020-01-02T03:04:06.5Z')).body).toBe('second\nthird\n');
    expect((await text('one', 'sinceTime=2020-01-02T03:04:06Z&tailLines=1')).body).toBe('third\n');
    expect((await text('one', 'limitBytes=8')).body).toBe('first\nse');
    expect((await text('one', 'sinceSeconds=60')).body).toBe('');
    api.logs.append('default', 'one', 'app', ['now']);
    expect((await text('one', 'sinceSeconds=60')).body).toBe('now\n');
    const ts = (await text('one', 'timestamps=true&tailLines=1')).body;
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z now\n$/);
  });

  test('container selection errors are the apiserver 400s', async () => {
    const amb = await text('two');
    expect(amb.status).toBe(400);
    expect(JSON.parse(amb.body).message).toBe('a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [init]');
    const bad = await text('two', 'container=zzz');
    expect(JSON.parse(bad.body).message).toBe('container zzz is not valid for pod two');
    expect((await text('two', 'container=init')).status).toBe(200);
    expect((await text('missing')).status).toBe(404);
    const prev = await text('two', 'container=a&previous=true');
    expect(prev.status).toBe(400);
    expect(JSON.parse(prev.body).message).toBe('previous terminated container "a" in pod "two" not found');
  });

  test('follow streams appended lines and ends when the container restarts; previous=true keeps the old log', async () => {
    api.logs.append('default', 'two', 'a', ['before']);
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 5000);
    const res = await fetch(logUrl('two', 'container=a&follow=true'), { signal: ctrl.signal });
    const reader = res.body!.getReader();
    let got = '';
    const readUntil = async (want: string) => {
      while (!got.includes(want)) {
        const { value, done } = await reader.read();
        if (done) return true;
        got += Buffer.from(value).toString('utf8');
      }
      return false;
    };
    await readUntil('before\n');
    api.logs.append('default', 'two', 'a', ['live-1', 'live-2']);
    await readUntil('live-2\n');
    api.logs.restartContainer('default', 'two', 'a');
    const ended = await readUntil('never');
    clearTimeout(timer);
    expect(ended).toBe(true);
    expect(got).toBe('before\nlive-1\nlive-2\n');

    api.logs.append('default', 'two', 'a', ['after-restart']);
    expect((await text('two', 'container=a')).body).toBe('after-restart\n');
    expect((await text('two', 'container=a&previous=true')).body).toBe('before\nlive-1\nlive-2\n');
    const pod = api.get('v1', 'Pod', 'default', 'two');
    expect(pod.status.containerStatuses.find((s: any) => s.name === 'a').restartCount).toBe(1);
  });

  test('a follow stream ends when the pod is deleted', async () => {
    api.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gone', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    api.logs.append('default', 'gone', 'c', ['x']);
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 5000);
    const res = await fetch(logUrl('gone', 'follow=true'), { signal: ctrl.signal });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('x\n');
    api.remove('v1', 'Pod', 'default', 'gone');
    const end = await reader.read();
    clearTimeout(timer);
    expect(end.done).toBe(true);
  });

  test('append to an unknown container is a clear error', () => {
    expect(() => api.logs.append('default', 'one', 'nope', ['x'])).toThrow('logs: pod default/one has no container nope (has: app)');
  });
});
