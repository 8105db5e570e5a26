// Expected groups of Prometheus's discovery/kubernetes/pod_test.go, checked against podTargets.
import { podTargets } from './pod.js';
import { clone, contextOf, makeNamespace, makeNode, makePods } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { Pod, TargetGroup } from './types.js';

const baseTarget = {
  __address__: '1.2.3.4:9000',
  __meta_kubernetes_pod_container_name: 'testcontainer',
  __meta_kubernetes_pod_container_image: 'testcontainer:latest',
  __meta_kubernetes_pod_container_port_name: 'testport',
  __meta_kubernetes_pod_container_port_number: '9000',
  __meta_kubernetes_pod_container_port_protocol: 'TCP',
  __meta_kubernetes_pod_container_init: 'false',
  __meta_kubernetes_pod_container_id: 'docker://a1b2c3d4e5f6',
};

function expectedPodGroup(ns: string): TargetGroup {
  return {
    source: `pod/${ns}/testpod`,
    targets: [{ ...baseTarget }],
    labels: {
      __meta_kubernetes_pod_name: 'testpod',
      __meta_kubernetes_namespace: ns,
      __meta_kubernetes_pod_node_name: 'testnode',
      __meta_kubernetes_pod_ip: '1.2.3.4',
      __meta_kubernetes_pod_host_ip: '2.3.4.5',
      __meta_kubernetes_pod_ready: 'true',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_uid: 'abc123',
    },
  };
}

function makeMultiPortPods(): Pod {
  return {
    metadata: {
      name: 'testpod',
      namespace: 'default',
      labels: { 'test/label': 'testvalue' },
      annotations: { 'test/annotation': 'testannotationvalue' },
      uid: 'abc123',
      ownerReferences: [{ kind: 'testcontrollerkind', name: 'testcontrollername', controller: true }],
    },
    spec: {
      nodeName: 'testnode',
      containers: [
        {
          name: 'testcontainer0',
          image: 'testcontainer0:latest',
          ports: [
            { name: 'testport0', protocol: 'TCP', containerPort: 9000 },
            { name: 'testport1', protocol: 'UDP', containerPort: 9001 },
          ],
        },
        { name: 'testcontainer1', image: 'testcontainer1:latest' },
      ],
    },
    status: {
      podIP: '1.2.3.4',
      hostIP: '2.3.4.5',
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'testcontainer0', containerID: 'docker://a1b2c3d4e5f6' },
        { name: 'testcontainer1', containerID: 'containerd://6f5e4d3c2b1a' },
      ],
    },
  };
}

function ownedPod(kind: string, name: string): Pod {
  const pod = makePods('default');
  pod.metadata!.uid = 'pod123';
  pod.metadata!.ownerReferences = [{ kind, name, controller: true }];
  return pod;
}

function ownedExpected(kind: string, name: string, extra: Record<string, string>): TargetGroup {
  const g = expectedPodGroup('default');
  Object.assign(g.labels, {
    __meta_kubernetes_pod_uid: 'pod123',
    __meta_kubernetes_pod_controller_kind: kind,
    __meta_kubernetes_pod_controller_name: name,
    ...extra,
  });
  return g;
}

describe('pod role (Prometheus pod_test.go)', () => {
  test('BeforeRun: multi-port pod, container without ports, labels, annotations, controller', () => {
    expect(podTargets(makeMultiPortPods())).toEqual({
      source: 'pod/default/testpod',
      targets: [
        {
          __address__: '1.2.3.4:9000',
          __meta_kubernetes_pod_container_name: 'testcontainer0',
          __meta_kubernetes_pod_container_image: 'testcontainer0:latest',
          __meta_kubernetes_pod_container_port_name: 'testport0',
          __meta_kubernetes_pod_container_port_number: '9000',
          __meta_kubernetes_pod_container_port_protocol: 'TCP',
          __meta_kubernetes_pod_container_init: 'false',
          __meta_kubernetes_pod_container_id: 'docker://a1b2c3d4e5f6',
        },
        {
          __address__: '1.2.3.4:9001',
          __meta_kubernetes_pod_container_name: 'testcontainer0',
          __meta_kubernetes_pod_container_image: 'testcontainer0:latest',
          __meta_kubernetes_pod_container_port_name: 'testport1',
          __meta_kubernetes_pod_container_port_number: '9001',
          __meta_kubernetes_pod_container_port_protocol: 'UDP',
          __meta_kubernetes_pod_container_init: 'false',
          __meta_kubernetes_pod_container_id: 'docker://a1b2c3d4e5f6',
        },
        {
          __address__: '1.2.3.4',
          __meta_kubernetes_pod_container_name: 'testcontainer1',
          __meta_kubernetes_pod_container_image: 'testcontainer1:latest',
          __meta_kubernetes_pod_container_init: 'false',
          __meta_kubernetes_pod_container_id: 'containerd://6f5e4d3c2b1a',
        },
      ],
      labels: {
        __meta_kubernetes_pod_name: 'testpod',
        __meta_kubernetes_namespace: 'default',
        __meta_kubernetes_pod_label_test_label: 'testvalue',
        __meta_kubernetes_pod_labelpresent_test_label: 'true',
        __meta_kubernetes_pod_annotation_test_annotation: 'testannotationvalue',
        __meta_kubernetes_pod_annotationpresent_test_annotation: 'true',
        __meta_kubernetes_pod_node_name: 'testnode',
        __meta_kubernetes_pod_ip: '1.2.3.4',
        __meta_kubernetes_pod_host_ip: '2.3.4.5',
        __meta_kubernetes_pod_ready: 'true',
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_uid: 'abc123',
        __meta_kubernetes_pod_controller_kind: 'testcontrollerkind',
        __meta_kubernetes_pod_controller_name: 'testcontrollername',
      },
    });
  });

  test('InitContainer: init container target, Pending phase, not ready', () => {
    const pod = makePods('default');
    pod.status!.phase = 'Pending';
    pod.status!.conditions = [{ type: 'Ready', status: 'False' }];
    pod.spec!.initContainers = [{ name: 'initcontainer', image: 'initcontainer:latest' }];
    pod.status!.initContainerStatuses = [{ name: 'initcontainer', containerID: 'containerd://6f5e4d3c2b1a' }];
    const expected = expectedPodGroup('default');
    expected.targets.push({
      __address__: '1.2.3.4',
      __meta_kubernetes_pod_container_name: 'initcontainer',
      __meta_kubernetes_pod_container_image: 'initcontainer:latest',
      __meta_kubernetes_pod_container_init: 'true',
      __meta_kubernetes_pod_container_id: 'containerd://6f5e4d3c2b1a',
    });
    expected.labels.__meta_kubernetes_pod_phase = 'Pending';
    expected.labels.__meta_kubernetes_pod_ready = 'false';
    expect(podTargets(pod)).toEqual(expected);
  });

  test('Add / Update: the plain pod', () => {
    expect(podTargets(makePods('default'))).toEqual(expectedPodGroup('default'));
  });

  test('Update from a pod without phase/conditions: ready is "unknown" before the update', () => {
    const pod = makePods('default');
    pod.metadata!.uid = 'xyz321';
    delete pod.status!.phase;
    delete pod.status!.conditions;
    delete pod.status!.containerStatuses;
    const g = podTargets(pod);
    expect(g.labels.__meta_kubernetes_pod_ready).toBe('unknown');
    expect(g.labels.__meta_kubernetes_pod_phase).toBe('');
    expect(g.targets[0].__meta_kubernetes_pod_container_id).toBe('');
  });

  test('UpdateEmptyPodIP / Delete: an empty group under the same source', () => {
    const pod = makePods('default');
    pod.status!.podIP = '';
    expect(podTargets(pod)).toEqual({ source: 'pod/default/testpod', labels: {}, targets: [] });
  });

  test('Namespaces / OwnNamespace: the namespace label follows the pod', () => {
    for (const ns of ['ns1', 'ns2', 'own-ns']) expect(podTargets(makePods(ns))).toEqual(expectedPodGroup(ns));
  });

  test('WithNodeMetadata and UpdateNode: node name, labels, labelpresent', () => {
    for (const lbls of [{ l1: 'v1' }, { l2: 'v2' }] as Record<string, string>[]) {
      const ctx = contextOf({ nodes: [makeNode('testnode', '', '', lbls)] });
      const expected = expectedPodGroup('default');
      expected.labels.__meta_kubernetes_node_name = 'testnode';
      for (const [k, v] of Object.entries(lbls)) {
        expected.labels[`__meta_kubernetes_node_label_${k}`] = v;
        expected.labels[`__meta_kubernetes_node_labelpresent_${k}`] = 'true';
      }
      expect(podTargets(makePods('default'), ctx)).toEqual(expected);
    }
  });

  test('WithNodeSelector: a pod whose node is filtered out yields an empty group', () => {
    const ctx = contextOf({ nodes: [makeNode('worker-node', '10.0.0.1', '', { 'node-type': 'worker' })] });
    const onWorker = makePods('default');
    Object.assign(onWorker.metadata!, { name: 'pod-on-worker', uid: 'worker-pod-123' });
    onWorker.spec!.nodeName = 'worker-node';
    onWorker.status!.podIP = '192.168.1.1';
    const onFiltered = clone(onWorker);
    Object.assign(onFiltered.metadata!, { name: 'pod-on-filtered-node', uid: 'filtered-pod-456' });
    onFiltered.spec!.nodeName = 'filtered-node';
    onFiltered.status!.podIP = '192.168.1.2';
    expect(podTargets(onWorker, ctx)).toEqual({
      source: 'pod/default/pod-on-worker',
      targets: [{ ...baseTarget, __address__: '192.168.1.1:9000' }],
      labels: {
        __meta_kubernetes_namespace: 'default',
        __meta_kubernetes_pod_name: 'pod-on-worker',
        __meta_kubernetes_pod_ip: '192.168.1.1',
        __meta_kubernetes_pod_ready: 'true',
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_node_name: 'worker-node',
        __meta_kubernetes_pod_host_ip: '2.3.4.5',
        __meta_kubernetes_pod_uid: 'worker-pod-123',
        __meta_kubernetes_node_name: 'worker-node',
        __meta_kubernetes_node_label_node_type: 'worker',
        __meta_kubernetes_node_labelpresent_node_type: 'true',
      },
    });
    expect(podTargets(onFiltered, ctx)).toEqual({ source: 'pod/default/pod-on-filtered-node', labels: {}, targets: [] });
  });

  test('WithNamespaceMetadata and its update', () => {
    const cases: { labels: Record<string, string>; annotations: Record<string, string> }[] = [
      { labels: { app: 'web', tier: 'frontend' }, annotations: { maintainer: 'devops', build: 'v3.4.5' } },
      {
        labels: { app: 'service', tier: 'backend', zone: 'us-east' },
        annotations: { maintainer: 'sre', build: 'v4.5.6', deployment: 'canary' },
      },
    ];
    for (const c of cases) {
      const ctx = contextOf({ namespaces: [makeNamespace('test-ns', c.labels, c.annotations)] });
      const expected = expectedPodGroup('test-ns');
      for (const [k, v] of Object.entries(c.labels)) {
        expected.labels[`__meta_kubernetes_namespace_label_${k}`] = v;
        expected.labels[`__meta_kubernetes_namespace_labelpresent_${k}`] = 'true';
      }
      for (const [k, v] of Object.entries(c.annotations)) {
        expected.labels[`__meta_kubernetes_namespace_annotation_${k}`] = v;
        expected.labels[`__meta_kubernetes_namespace_annotationpresent_${k}`] = 'true';
      }
      expect(podTargets(makePods('test-ns'), ctx)).toEqual(expected);
    }
  });

  test('WithDeployment (and its update): deployment name through the ReplicaSet owner', () => {
    const rs = { metadata: { name: 'testdeployment-rs-abc', namespace: 'default', ownerReferences: [{ kind: 'Deployment', name: 'testdeployment', controller: true }] } };
    const ctx = contextOf({ replicaSets: [rs] });
    expect(podTargets(ownedPod('ReplicaSet', 'testdeployment-rs-abc'), ctx)).toEqual(
      ownedExpected('ReplicaSet', 'testdeployment-rs-abc', { __meta_kubernetes_pod_deployment_name: 'testdeployment' }),
    );
  });

  test('WithJob (and its update): job name', () => {
    const ctx = contextOf({ jobs: [{ metadata: { name: 'testjob', namespace: 'default' } }], jobName: true });
    expect(podTargets(ownedPod('Job', 'testjob'), ctx)).toEqual(
      ownedExpected('Job', 'testjob', { __meta_kubernetes_pod_job_name: 'testjob' }),
    );
  });

  test('WithCronJob under job=true: only the job name', () => {
    expect(podTargets(ownedPod('Job', 'testcronjob-job-abc'), contextOf({ jobName: true }))).toEqual(
      ownedExpected('Job', 'testcronjob-job-abc', { __meta_kubernetes_pod_job_name: 'testcronjob-job-abc' }),
    );
  });

  test('WithCronJobUpdate under cronjob=true: cronjob name through the Job owner', () => {
    const job = { metadata: { name: 'testcronjob-job-abc', namespace: 'default', ownerReferences: [{ kind: 'CronJob', name: 'testcronjob', controller: true }] } };
    expect(podTargets(ownedPod('Job', 'testcronjob-job-abc'), contextOf({ jobs: [job] }))).toEqual(
      ownedExpected('Job', 'testcronjob-job-abc', { __meta_kubernetes_pod_cronjob_name: 'testcronjob' }),
    );
  });

  test('label and annotation names are sanitized; non-controller owners are ignored', () => {
    const pod = makePods('default');
    pod.metadata!.labels = { 'app.kubernetes.io/name': 'x', 'ünï-cödé': 'y', 'a😀b': 'z' };
    pod.metadata!.ownerReferences = [{ kind: 'ReplicaSet', name: 'rs', controller: false }];
    const g = podTargets(pod);
    expect(g.labels.__meta_kubernetes_pod_label_app_kubernetes_io_name).toBe('x');
    expect(g.labels.__meta_kubernetes_pod_label__n__c_d_).toBe('y');
    expect(g.labels.__meta_kubernetes_pod_label_a_b).toBe('z');
    expect(g.labels.__meta_kubernetes_pod_controller_kind).toBeUndefined();
  });

  test('IPv6 pod IPs are bracketed in __address__', () => {
    const pod = makePods('default');
    pod.status!.podIP = 'fd00::1';
    expect(podTargets(pod).targets[0].__address__).toBe('[fd00::1]:9000');
  });
});
