// deploy/k8s (issue 15): each kustomization renders with `kubectl kustomize`, every rendered object
// validates against the Kubernetes API schemas (kubernetes-models, no download) and has no field the
// API does not know (TypeScript's excess-property check over the same package's types: the schemas
// themselves allow unknown fields, which `kubectl apply` refuses), and the manifests keep what the
// platform needs: probes on the ops ports, non-root read-only pods, resources, autoscaling,
// disruption budgets, NetworkPolicies that admit exactly the callers, TLS at the Ingress, migrations
// before the services, a drain on shutdown, no secret values outside the development overlay.
//
// kubectl is no Debian package, but it ships with this machine image (/usr/bin/kubectl): where it is
// missing this test FAILS, it never skips.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { SERVICE_CLIENTS } from '@clinicult/rbac';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { DATABASE_SERVICES, DESIGN_PROCESSES, hasCommand, root, run } from './repo.js';

const K8S = 'deploy/k8s';
const OVERLAYS = ['development', 'production'] as const;
/** A deployment in several regions (issue 16): the platform plane once, one overlay per cluster. */
const REGION_CLUSTERS = ['eu-1', 'us-1'] as const;
const REGION_OVERLAYS = ['regions/platform', ...REGION_CLUSTERS.map((c) => `regions/${c}`)];
type Overlay = (typeof OVERLAYS)[number];

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** The model (schema) of every kind the kustomizations may render; a new kind needs its model here. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
};
/** The same kinds' TypeScript interfaces (module, interface) for the unknown-field check. */
const TYPES: Record<string, [string, string]> = {
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'apps/v1/StatefulSet': ['kubernetes-models/apps/v1/StatefulSet', 'IStatefulSet'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'IHorizontalPodAutoscaler'],
  'networking.k8s.io/v1/Ingress': ['kubernetes-models/networking.k8s.io/v1/Ingress', 'IIngress'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'INetworkPolicy'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'],
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Namespace': ['kubernetes-models/v1/Namespace', 'INamespace'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'ISecret'],
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
};

const KIT_SERVICES = DESIGN_PROCESSES.filter((name) => !name.endsWith('-web'));
const WEB_APPS = DESIGN_PROCESSES.filter((name) => name.endsWith('-web'));
/** What may reach the gateway and the web apps: the ingress controller's pods (base/ingress.yaml). */
const INGRESS_PEER = 'namespace:ingress-nginx/pod:ingress-nginx';
/** What may reach the ops ports: the metrics scraper's namespace. */
const MONITORING_PEER = 'namespace:monitoring';
/** The image's node user (Dockerfile: USER node). */
const NODE_UID = 1000;
/** Variables whose values are secrets: never a literal or a ConfigMap value. */
const SECRET_VARIABLES = /^(DATABASE_URL(_[A-Z]+)?|MFA_SECRET_KEY|SMTP_URL|REDIS_URL|MYSQL_ROOT_PASSWORD|SERVICE_KEY|SERVICE_JWKS)$/;

// --- rendering ------------------------------------------------------------------------------------

function kubectl(): string {
  for (const candidate of ['kubectl', '/usr/bin/kubectl']) if (hasCommand(candidate)) return candidate;
  throw new Error(
    'kubectl is missing: this test renders deploy/k8s with `kubectl kustomize` and must not skip. ' +
      'It ships with this machine image as /usr/bin/kubectl (it is no Debian package): install kubectl ' +
      '(https://kubernetes.io/docs/tasks/tools/) or put it on PATH.',
  );
}

const renders = new Map<string, K8sObject[]>();
/** `kubectl kustomize deploy/k8s/<dir>`, parsed (cached). */
function render(dir: string): K8sObject[] {
  const cached = renders.get(dir);
  if (cached) return cached;
  const result = run(kubectl(), ['kustomize', `${K8S}/${dir}`]);
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kubectl kustomize ${K8S}/${dir} failed:\n${result.stderr}${result.stdout}`);
  const docs = parseAllDocuments(result.stdout);
  const objects = docs.map((doc) => {
    if (doc.errors.length) throw new Error(`${dir}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as K8sObject;
  });
  renders.set(dir, objects);
  return objects;
}
const overlay = (name: Overlay) => render(`overlays/${name}`);

const typeKey = (o: K8sObject) => `${o.apiVersion}/${o.kind}`;
const id = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
const ofKind = <T>(objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind) as unknown as (T & K8sObject)[];

// --- reading the rendered objects -------------------------------------------------------------------

/** The Deployments of DESIGN.md's processes (the development overlay adds MySQL, Redis and mail). */
function appDeployments(objects: K8sObject[]): (IDeployment & K8sObject)[] {
  return ofKind<IDeployment>(objects, 'Deployment').filter((d) => DESIGN_PROCESSES.includes(d.metadata.name));
}
function deploymentOf(objects: K8sObject[], name: string): IDeployment & K8sObject {
  const found = appDeployments(objects).find((d) => d.metadata.name === name);
  if (!found) throw new Error(`no Deployment ${name}`);
  return found;
}
function podSpec(workload: IDeployment | IStatefulSet): IPodSpec {
  const spec = workload.spec?.template.spec;
  if (!spec) throw new Error(`${workload.metadata?.name}: no pod spec`);
  return spec;
}
function mainContainer(d: IDeployment): IContainer {
  const container = podSpec(d).containers.find((c) => c.name === d.metadata?.name);
  if (!container) throw new Error(`${d.metadata?.name}: no container named like the Deployment`);
  return container;
}
function allContainers(workload: IDeployment | IStatefulSet): IContainer[] {
  const spec = podSpec(workload);
  return [...(spec.initContainers ?? []), ...spec.containers];
}

type EnvSource = { value: string } | { secret: string; key: string } | { configMap: string; key: string };
/** A container's environment: literal values and ConfigMap keys resolved, secrets as references. */
function environment(objects: K8sObject[], container: IContainer): Map<string, EnvSource> {
  const configMaps = ofKind<IConfigMap>(objects, 'ConfigMap');
  const configValue = (name: string, key: string) => configMaps.find((c) => c.metadata.name === name)?.data?.[key];
  const env = new Map<string, EnvSource>();
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name;
    if (!name) throw new Error(`${container.name}: envFrom other than a ConfigMap`);
    const data = configMaps.find((c) => c.metadata.name === name)?.data;
    if (!data) throw new Error(`${container.name}: envFrom names a missing ConfigMap ${name}`);
    for (const [key, value] of Object.entries(data)) env.set(key, { value });
  }
  for (const item of container.env ?? []) {
    const ref = item.valueFrom;
    if (ref?.secretKeyRef) env.set(item.name, { secret: ref.secretKeyRef.name!, key: ref.secretKeyRef.key });
    else if (ref?.configMapKeyRef) {
      const value = configValue(ref.configMapKeyRef.name!, ref.configMapKeyRef.key);
      if (value === undefined) throw new Error(`${container.name}: ${item.name} names a missing ConfigMap key ${ref.configMapKeyRef.key}`);
      env.set(item.name, { value });
    } else if (ref) throw new Error(`${container.name}: ${item.name} from neither a Secret nor a ConfigMap`);
    else env.set(item.name, { value: item.value ?? '' });
  }
  return env;
}
function literal(env: Map<string, EnvSource>, name: string): string | undefined {
  const source = env.get(name);
  return source && 'value' in source ? source.value : undefined;
}
function portOf(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
/** Whether a label selector (matchLabels and matchExpressions) selects these labels. */
function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  return (
    matches(selector.matchLabels, labels) &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const value = labels[key];
      if (operator === 'In') return value !== undefined && values.includes(value);
      if (operator === 'NotIn') return value === undefined || !values.includes(value);
      if (operator === 'Exists') return value !== undefined;
      if (operator === 'DoesNotExist') return value === undefined;
      throw new Error(`unknown selector operator ${operator}`);
    })
  );
}

/** Which services each Deployment calls: its env values of the form http://<Service>:<its port>. */
function callGraph(objects: K8sObject[]): Map<string, Set<string>> {
  const services = ofKind<IService>(objects, 'Service');
  const callersOf = new Map<string, Set<string>>();
  for (const d of appDeployments(objects)) {
    for (const source of environment(objects, mainContainer(d)).values()) {
      if (!('value' in source)) continue;
      const m = /^http:\/\/([a-z][a-z0-9-]*):(\d+)$/.exec(source.value);
      const callee = m && services.find((s) => s.metadata.name === m[1] && s.spec?.ports?.some((p) => p.port === Number(m[2])));
      if (!callee) continue;
      if (!callersOf.has(m[1]!)) callersOf.set(m[1]!, new Set());
      callersOf.get(m[1]!)!.add(d.metadata.name);
    }
  }
  return callersOf;
}

/** A NetworkPolicy peer as a short name: pod:<name>, namespace:<name>, namespace:<ns>/pod:<name>. */
function peerName(peer: INetworkPolicyPeer): string {
  const keys = Object.keys(peer);
  const pod = peer.podSelector;
  const ns = peer.namespaceSelector;
  const podName = pod?.matchLabels?.['app.kubernetes.io/name'];
  const nsName = ns?.matchLabels?.['kubernetes.io/metadata.name'];
  const simple = (s: typeof pod) => s && !s.matchExpressions && Object.keys(s.matchLabels ?? {}).length === 1;
  if (keys.length === 1 && pod && podName && simple(pod)) return `pod:${podName}`;
  if (keys.length === 1 && ns && nsName && simple(ns)) return `namespace:${nsName}`;
  if (keys.length === 2 && ns && pod && nsName && podName && simple(ns) && simple(pod)) return `namespace:${nsName}/pod:${podName}`;
  return JSON.stringify(peer);
}

/** Every (peer, port) the NetworkPolicies admit to pods with these labels; '*' for "anyone"/"any port". */
function admitted(objects: K8sObject[], labels: Record<string, string>, container: IContainer): Set<string> {
  const pairs = new Set<string>();
  for (const policy of ofKind<INetworkPolicy>(objects, 'NetworkPolicy')) {
    const spec = policy.spec!;
    if (!selects(spec.podSelector ?? {}, labels)) continue;
    for (const rule of spec.ingress ?? []) {
      const peers = rule.from?.length ? rule.from.map(peerName) : ['*'];
      const ports = rule.ports?.length ? rule.ports.map((p) => String(portOf(container, p.port) ?? '*')) : ['*'];
      for (const peer of peers) for (const port of ports) pairs.add(`${peer} → ${port}`);
    }
  }
  return pairs;
}

// --- the repository's side ------------------------------------------------------------------------

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
}
const compose = parseYaml(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

/** The TypeScript sources of a process (no tests, nothing generated), where its configuration is read. */
function sourcesOf(service: string): string {
  const dirs = service === 'gateway' ? ['gateway/src'] : service.endsWith('-web') ? [`clients/${service}/server`] : [`subgraphs/${service}/src`];
  // the kit's configuration is every kit service's: AUTH_URL, REDIS_URL, JWT_*, …
  const files = service.endsWith('-web') ? ['packages/web-server/src/config.ts'] : ['packages/kit/src/config.ts'];
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) return ['__tests__', 'generated', '__generated__', '__fixtures__'].includes(e.name) ? [] : walk(rel);
      return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
    });
  return [...dirs.flatMap(walk), ...files].map((f) => readFileSync(path.join(root, f), 'utf8')).join('\n');
}
const reads = (service: string, variable: string) => new RegExp(`\\b${variable}\\b`).test(sourcesOf(service));

/** The source a `node <pkg>/dist/<file>.js` entry is built from (src/ or, for the web apps, server/). */
function sourceOfEntry(entry: string): string | undefined {
  const m = /^(.+)\/dist\/(.+)\.js$/.exec(entry);
  if (!m) return undefined;
  return [`${m[1]}/src/${m[2]}.ts`, `${m[1]}/server/${m[2]}.ts`].find((f) => existsSync(path.join(root, f)));
}

/** The kit's shutdown grace (packages/kit/src/config.ts: SHUTDOWN_GRACE_MS' default), in seconds. */
function kitShutdownGraceSeconds(): number {
  const config = readFileSync(path.join(root, 'packages/kit/src/config.ts'), 'utf8');
  const m = /SHUTDOWN_GRACE_MS:.*\.default\(([\d_]+)\)/.exec(config);
  if (!m) throw new Error('packages/kit/src/config.ts: no SHUTDOWN_GRACE_MS default found');
  return Number(m[1]!.replace(/_/g, '')) / 1000;
}

function memoryMi(quantity: string | number | undefined): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(String(quantity));
  if (!m) throw new Error(`memory ${String(quantity)}: expected Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

/**
 * kustomize writes long Secret data as base64 broken into lines, which the API server decodes (Go's
 * base64 skips line breaks) but kubernetes-models' "byte" format refuses: join the lines first.
 */
function forValidation(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(Object.entries(object.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\r?\n/g, '')]));
  return { ...object, data };
}

// --- the tests ------------------------------------------------------------------------------------

describe('deploy/k8s renders with kubectl kustomize', () => {
  test('kubectl is installed (the test fails, never skips, without it)', () => {
    expect(kubectl()).toBeTruthy();
  });

  test.each(['base', ...[...OVERLAYS, ...REGION_OVERLAYS].map((o) => `overlays/${o}`)])('%s renders', (dir) => {
    expect(render(dir).length).toBeGreaterThan(0);
  });
});

describe('every rendered object is valid for the Kubernetes API (kubernetes-models)', () => {
  const dirs = ['base', ...[...OVERLAYS, ...REGION_OVERLAYS].map((o) => `overlays/${o}`)];

  test.each(dirs)('%s: each object validates against its schema', (dir) => {
    const problems: string[] = [];
    for (const object of render(dir)) {
      const Model = MODELS[typeKey(object)];
      if (!Model) {
        problems.push(`${id(object)}: no model for ${typeKey(object)} (add it to MODELS and TYPES)`);
        continue;
      }
      try {
        new Model(forValidation(object) as never).validate();
      } catch (error) {
        problems.push(`${id(object)}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('no object has a field the API does not know (TypeScript excess-property check)', () => {
    const objects = dirs.flatMap((dir) => render(dir).map((object) => ({ dir, object })));
    const kinds = [...new Set(objects.map(({ object }) => typeKey(object)))];
    const header = kinds.map((kind, i) => {
      const type = TYPES[kind];
      if (!type) throw new Error(`no TypeScript type for ${kind} (add it to TYPES)`);
      return `import type { ${type[1]} as T${i} } from '${type[0]}';`;
    });
    // one object per line, so a diagnostic's line names the object
    const body = objects.map(({ object }, i) => `export const o${i}: T${kinds.indexOf(typeKey(object))} = ${JSON.stringify(object)};`);
    const file = path.join(root, 'tests/ops/src/__rendered_manifests__.ts');
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts'],
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    const text = [...header, ...body].join('\n');
    host.getSourceFile = (name, language, ...rest) =>
      name === file ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === file || fileExists(name);
    const program = ts.createProgram([file], options, host);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
      const where = objects[line - header.length];
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ').slice(0, 400);
      return where ? `${where.dir}: ${id(where.object)}: ${message}` : message;
    });
    expect(problems).toEqual([]);
  });
});

describe.each(OVERLAYS)('overlays/%s', (name) => {
  const objects = () => overlay(name);
  const production = name === 'production';

  test("runs every process of DESIGN.md, each with the entry point its build makes", () => {
    const deployments = appDeployments(objects());
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...DESIGN_PROCESSES].sort());
    for (const d of deployments) {
      for (const container of allContainers(d)) {
        const [node, entry] = container.command ?? [];
        expect([d.metadata.name, node]).toEqual([d.metadata.name, 'node']);
        // e.g. clients/clinic-web/dist/main.js ← clients/clinic-web/server/main.ts (never dist/server.js)
        expect([d.metadata.name, entry, sourceOfEntry(entry ?? '')]).toEqual([d.metadata.name, entry, expect.any(String)]);
      }
      const image = mainContainer(d).image;
      expect(image).toMatch(production ? /^[a-z0-9.-]+\/.+:[\w.-]+$|@sha256:/ : /:dev$/);
    }
  });

  test('each service is probed on its ops port (PORT + 5000): startup and liveness /healthz, readiness /readyz', () => {
    const ops = readFileSync(path.join(root, 'packages/kit/src/ops.ts'), 'utf8');
    expect(ops).toContain("app.get('/healthz'");
    expect(ops).toContain("app.get('/readyz'");
    expect(ops).toContain('servicePort + 5000');
    for (const service of KIT_SERVICES) {
      const container = mainContainer(deploymentOf(objects(), service));
      const port = Number(literal(environment(objects(), container), 'PORT'));
      const probes = {
        startup: [container.startupProbe?.httpGet?.path, portOf(container, container.startupProbe?.httpGet?.port)],
        readiness: [container.readinessProbe?.httpGet?.path, portOf(container, container.readinessProbe?.httpGet?.port)],
        liveness: [container.livenessProbe?.httpGet?.path, portOf(container, container.livenessProbe?.httpGet?.port)],
      };
      expect([service, probes]).toEqual([
        service,
        { startup: ['/healthz', port + 5000], readiness: ['/readyz', port + 5000], liveness: ['/healthz', port + 5000] },
      ]);
    }
  });

  test('the web apps are probed on what their server answers: /healthz on PORT (it has no ops port)', () => {
    const server = readFileSync(path.join(root, 'packages/web-server/src/server.ts'), 'utf8');
    expect(server).toContain("app.get('/healthz'");
    // should the web server grow a /readyz, probe readiness there (and change this test)
    expect(server).not.toContain('/readyz');
    for (const app of WEB_APPS) {
      const container = mainContainer(deploymentOf(objects(), app));
      const port = Number(literal(environment(objects(), container), 'PORT'));
      for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
        expect([app, probe?.httpGet?.path, portOf(container, probe?.httpGet?.port)]).toEqual([app, '/healthz', port]);
      }
      expect(literal(environment(objects(), container), 'HOST')).toBe('0.0.0.0');
    }
  });

  test('every pod runs as the non-root node user on a read-only root, without privileges or a service-account token', () => {
    const workloads = [...ofKind<IDeployment>(objects(), 'Deployment'), ...ofKind<IStatefulSet>(objects(), 'StatefulSet')];
    const problems: string[] = [];
    for (const w of workloads) {
      const spec = podSpec(w);
      const app = DESIGN_PROCESSES.includes(w.metadata.name);
      if (spec.automountServiceAccountToken !== false) problems.push(`${id(w)}: automountServiceAccountToken is not false`);
      if (spec.enableServiceLinks !== false) problems.push(`${id(w)}: enableServiceLinks is not false`);
      if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push(`${id(w)}: shares a host namespace`);
      for (const c of allContainers(w)) {
        const pod = spec.securityContext ?? {};
        const sc = c.securityContext ?? {};
        const runAsUser = sc.runAsUser ?? pod.runAsUser;
        const where = `${id(w)} container ${c.name}`;
        if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
        if (app ? runAsUser !== NODE_UID : !runAsUser) problems.push(`${where}: runAsUser ${runAsUser}`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
        if (sc.privileged) problems.push(`${where}: privileged`);
        if (!sc.capabilities?.drop?.includes('ALL') || sc.capabilities.add?.length) problems.push(`${where}: capabilities not dropped`);
        if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault') problems.push(`${where}: seccompProfile is not RuntimeDefault`);
        // the one writable place of an app container: /tmp, an emptyDir
        if (app) {
          const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
          const volume = spec.volumes?.find((v) => v.name === tmp?.name);
          if (!volume?.emptyDir) problems.push(`${where}: no emptyDir at /tmp`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('every container requests CPU and memory and is limited; V8 heap below the memory limit', () => {
    const workloads = [...ofKind<IDeployment>(objects(), 'Deployment'), ...ofKind<IStatefulSet>(objects(), 'StatefulSet')];
    const problems: string[] = [];
    for (const w of workloads) {
      for (const c of allContainers(w)) {
        const r = c.resources;
        if (!r?.requests?.cpu || !r.requests.memory) problems.push(`${id(w)} ${c.name}: no CPU and memory requests`);
        if (!r?.limits?.cpu || !r.limits.memory) problems.push(`${id(w)} ${c.name}: no CPU and memory limits`);
        const heap = /--max-old-space-size=(\d+)/.exec(c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '');
        if (heap && Number(heap[1]) >= memoryMi(r?.limits?.memory)) problems.push(`${id(w)} ${c.name}: heap ${heap[1]} Mi ≥ limit`);
      }
      if (DESIGN_PROCESSES.includes(w.metadata.name) && !/--max-old-space-size=/.test(JSON.stringify(mainContainer(w as IDeployment).env))) {
        problems.push(`${id(w)}: no --max-old-space-size in NODE_OPTIONS`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every process has a Service, an HorizontalPodAutoscaler (autoscaling/v2) that owns its replicas, and a PodDisruptionBudget', () => {
    const hpas = ofKind<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler');
    const pdbs = ofKind<IPodDisruptionBudget>(objects(), 'PodDisruptionBudget');
    const services = ofKind<IService>(objects(), 'Service');
    // every one is stateless (state lives in MySQL and Redis): none is excluded from autoscaling
    for (const d of appDeployments(objects())) {
      const service = d.metadata.name;
      const labels = d.spec?.template.metadata?.labels;
      expect([service, matches(d.spec?.selector.matchLabels, labels)]).toEqual([service, true]);
      // a replica count in the Deployment would reset the autoscaler's on every apply
      expect([service, d.spec?.replicas]).toEqual([service, undefined]);

      const own = hpas.filter((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === service);
      expect([service, own.length, own[0]?.apiVersion]).toEqual([service, 1, 'autoscaling/v2']);
      const hpa = own[0]!.spec!;
      expect([service, hpa.scaleTargetRef.apiVersion]).toEqual([service, 'apps/v1']);
      expect(hpa.minReplicas).toBeGreaterThanOrEqual(production ? 2 : 1);
      expect(hpa.maxReplicas).toBeGreaterThanOrEqual(hpa.minReplicas!);
      expect(hpa.metrics?.length).toBeGreaterThan(0);

      const pdb = pdbs.filter((p) => matches(p.spec?.selector?.matchLabels, labels) && Object.keys(p.spec?.selector?.matchLabels ?? {}).length);
      expect([service, pdb.length]).toEqual([service, 1]);
      const budget = pdb[0]!.spec!;
      // evictions leave one pod serving at the autoscaler's minimum
      if (budget.maxUnavailable !== undefined) expect([service, budget.maxUnavailable]).toEqual([service, 1]);
      else expect(Number(budget.minAvailable)).toBeLessThan(hpa.minReplicas!);

      const container = mainContainer(d);
      const port = Number(literal(environment(objects(), container), 'PORT'));
      const svc = services.find((s) => s.metadata.name === service);
      expect([service, matches(svc?.spec?.selector, labels)]).toEqual([service, true]);
      const http = svc?.spec?.ports?.find((p) => p.name === 'http');
      expect([service, http?.port, portOf(container, http?.targetPort)]).toEqual([service, port, port]);
    }
  });

  test('NetworkPolicy: nothing is admitted by default', () => {
    const denyAll = ofKind<INetworkPolicy>(objects(), 'NetworkPolicy').filter(
      (p) =>
        Object.keys(p.spec?.podSelector ?? {}).length === 0 &&
        p.spec?.policyTypes?.includes('Ingress') &&
        (p.spec.ingress ?? []).length === 0,
    );
    expect(denyAll.length).toBe(1);
  });

  test('NetworkPolicy: the ingress controller reaches only the gateway and the web apps; each subgraph only its callers', () => {
    const graph = callGraph(objects());
    for (const d of appDeployments(objects())) {
      const service = d.metadata.name;
      const container = mainContainer(d);
      const port = Number(literal(environment(objects(), container), 'PORT'));
      const expected = new Set<string>();
      if (service === 'gateway' || WEB_APPS.includes(service)) expected.add(`${INGRESS_PEER} → ${port}`);
      for (const caller of graph.get(service) ?? []) expected.add(`pod:${caller} → ${port}`);
      if (KIT_SERVICES.includes(service)) expected.add(`${MONITORING_PEER} → ${port + 5000}`);
      const actual = admitted(objects(), d.spec!.template.metadata!.labels!, container);
      expect([service, [...actual].sort()]).toEqual([service, [...expected].sort()]);
    }
    // the callers named in DESIGN.md's shape: every subgraph is called at least by the gateway, auth by all
    for (const subgraph of KIT_SERVICES.filter((s) => s !== 'gateway')) expect(graph.get(subgraph)?.has('gateway')).toBe(true);
    expect([...(graph.get('auth') ?? [])].sort()).toEqual([...KIT_SERVICES].sort());
  });

  test("each process's configuration is docker-compose.yml's (internal URLs the same; left out only what its code never reads)", () => {
    const problems: string[] = [];
    for (const d of appDeployments(objects())) {
      const service = d.metadata.name;
      const env = environment(objects(), mainContainer(d));
      for (const [variable, composeValue] of Object.entries(compose.services[service]?.environment ?? {})) {
        const mine = env.get(variable);
        if (!mine) {
          if (reads(service, variable)) problems.push(`${service}: ${variable} (compose) is missing and its code reads it`);
          continue;
        }
        const internal = /^http:\/\/([a-z-]+):\d+$/.exec(String(composeValue));
        if (internal && DESIGN_PROCESSES.includes(internal[1]!) && literal(env, variable) !== composeValue) {
          problems.push(`${service}: ${variable} is ${literal(env, variable)}, compose says ${composeValue}`);
        }
      }
      const composeCommand = compose.services[service]?.command?.join(' ') ?? '';
      const command = mainContainer(d).command?.join(' ');
      // compose's web entry (dist/server.js) does not exist; everything else runs as compose runs it
      if (command !== composeCommand && sourceOfEntry(composeCommand.split(' ')[1] ?? '')) {
        problems.push(`${service}: runs ${command}, compose ${composeCommand}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('secret values come only from Secrets; the base and production hold none', () => {
    const problems: string[] = [];
    const workloads = [...ofKind<IDeployment>(objects(), 'Deployment'), ...ofKind<IStatefulSet>(objects(), 'StatefulSet')];
    for (const w of workloads) {
      for (const c of allContainers(w)) {
        for (const e of c.env ?? []) {
          if (SECRET_VARIABLES.test(e.name) && !e.valueFrom?.secretKeyRef) problems.push(`${id(w)} ${c.name}: ${e.name} is not a secretKeyRef`);
        }
        for (const variable of environment(objects(), c).keys()) {
          if (SECRET_VARIABLES.test(variable) && !c.env?.some((e) => e.name === variable)) problems.push(`${id(w)} ${c.name}: ${variable} from a ConfigMap`);
        }
      }
    }
    for (const cm of ofKind<IConfigMap>(objects(), 'ConfigMap')) {
      for (const [key, value] of Object.entries(cm.data ?? {})) {
        if (/:\/\/[^/\s:@]+:[^@\s]+@/.test(value) || /PASSWORD|SECRET/i.test(key)) problems.push(`${id(cm)}: ${key} looks like a secret`);
      }
    }
    expect(problems).toEqual([]);
    if (production) expect(ofKind<ISecret>(objects(), 'Secret').map(id)).toEqual([]);
    expect(ofKind<ISecret>(render('base'), 'Secret').map(id)).toEqual([]);
  });

  test("each service client mounts only its own private key, as compose's /run/secrets/<name>-service-key; auth the public keys", () => {
    const secretNames = (d: IDeployment) => (podSpec(d).volumes ?? []).flatMap((v) => (v.secret ? [v.secret.secretName!] : []));
    /** The file a container sees at `file`, as [Secret, key], from its secret volume mounts. */
    const mountedSecret = (d: IDeployment, file: string): [string, string] | undefined => {
      const container = mainContainer(d);
      for (const mount of container.volumeMounts ?? []) {
        const volume = podSpec(d).volumes?.find((v) => v.name === mount.name);
        const item = volume?.secret?.items?.find((i) => path.posix.join(mount.mountPath, i.path) === file);
        if (item) {
          expect([d.metadata?.name, volume!.secret!.defaultMode ?? 0o644]).toEqual([d.metadata?.name, 0o440]);
          return [volume!.secret!.secretName!, item.key];
        }
      }
      return undefined;
    };
    const base = (secret: string) => secret.replace(/-[a-z0-9]{10}$/, ''); // the generator's hash suffix
    const clients = Object.keys(SERVICE_CLIENTS).filter((s) => s !== 'auth');
    for (const service of clients) {
      const d = deploymentOf(objects(), service);
      const file = literal(environment(objects(), mainContainer(d)), 'SERVICE_KEY_FILE');
      expect([service, file]).toEqual([service, `/run/secrets/${service}-service-key`]);
      const [secret, key] = mountedSecret(d, file!) ?? [];
      expect([service, secret && base(secret), key]).toEqual([service, `clinicult-${service}-service-key`, `${service}.private.jwk.json`]);
      expect([service, secretNames(d)]).toEqual([service, [secret]]);
    }
    const auth = deploymentOf(objects(), 'auth');
    expect(literal(environment(objects(), mainContainer(auth)), 'SERVICE_JWKS_FILE')).toBe('/run/secrets/service-jwks');
    const [jwks, jwksKey] = mountedSecret(auth, '/run/secrets/service-jwks') ?? [];
    expect([jwks && base(jwks), jwksKey]).toEqual(['clinicult-service-jwks', 'services.jwks.json']);
    expect(secretNames(auth)).toEqual([jwks]);
    for (const service of DESIGN_PROCESSES.filter((s) => s !== 'auth' && !clients.includes(s))) {
      expect([service, secretNames(deploymentOf(objects(), service))]).toEqual([service, []]);
    }
  });

  test('the Ingress (networking.k8s.io/v1) ends TLS for the api, app and console hosts, and the public URLs name them', () => {
    const ingresses = ofKind<IIngress>(objects(), 'Ingress');
    expect(ingresses.length).toBe(1);
    const spec = ingresses[0]!.spec!;
    const hostOf = (service: string) => spec.rules?.find((r) => r.http?.paths.some((p) => p.backend.service?.name === service))?.host;
    const hosts = { gateway: hostOf('gateway'), 'clinic-web': hostOf('clinic-web'), 'admin-web': hostOf('admin-web') };
    for (const [service, host] of Object.entries(hosts)) {
      expect([service, host]).toEqual([service, expect.stringMatching(/^[a-z0-9.-]+$/)]);
      const route = spec.rules!.find((r) => r.host === host)!.http!.paths[0]!;
      expect([service, route.path, route.pathType, route.backend.service?.port?.name]).toEqual([service, '/', 'Prefix', 'http']);
    }
    expect(spec.tls?.length).toBeGreaterThan(0);
    for (const tls of spec.tls ?? []) expect(tls.secretName).toBeTruthy();
    const tlsHosts = (spec.tls ?? []).flatMap((t) => t.hosts ?? []);
    expect(Object.values(hosts).filter((h) => !tlsHosts.includes(h!))).toEqual([]);
    // the overlays replace the base's placeholders
    const baseHosts = ofKind<IIngress>(render('base'), 'Ingress')[0]!.spec!.rules!.map((r) => r.host);
    expect(Object.values(hosts).filter((h) => baseHosts.includes(h))).toEqual([]);

    const settings = (key: string) =>
      ofKind<IConfigMap>(objects(), 'ConfigMap').find((c) => c.metadata.name.startsWith('clinicult-settings'))?.data?.[key];
    expect(settings('GATEWAY_PUBLIC_URL')).toBe(`https://${hosts.gateway}`);
    expect(settings('CLINIC_WEB_PUBLIC_URL')).toBe(`https://${hosts['clinic-web']}`);
    expect(settings('ADMIN_WEB_PUBLIC_URL')).toBe(`https://${hosts['admin-web']}`);
    const webOrigins = [`https://${hosts['clinic-web']}`, `https://${hosts['admin-web']}`].sort();
    expect(settings('ALLOWED_ORIGINS')?.split(',').sort()).toEqual(webOrigins);
    expect(settings('WEBAUTHN_ORIGINS')?.split(',').sort()).toEqual(webOrigins);
    const rpId = settings('WEBAUTHN_RP_ID')!;
    for (const host of [hosts['clinic-web'], hosts['admin-web']]) expect(host === rpId || host!.endsWith(`.${rpId}`)).toBe(true);
  });

  test("migrations run before the services: each database's owner migrates it in an initContainer, with its own user", () => {
    const prismaServices = readdirSync(path.join(root, 'prisma'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(path.join(root, 'prisma', e.name, 'schema.prisma')))
      .map((e) => e.name);
    expect([...prismaServices].sort()).toEqual([...DATABASE_SERVICES].sort());
    const owners = appDeployments(objects()).filter((d) => environment(objects(), mainContainer(d)).has('DATABASE_URL'));
    expect(owners.map((d) => d.metadata.name).sort()).toEqual([...DATABASE_SERVICES].sort());
    for (const d of owners) {
      const service = d.metadata.name;
      expect(readdirSync(path.join(root, 'prisma', service, 'migrations')).length).toBeGreaterThan(0);
      const first = podSpec(d).initContainers?.[0];
      expect([service, first?.command]).toEqual([service, ['node', 'packages/db/dist/cli.js', 'migrate', service]]);
      expect([service, first?.image]).toEqual([service, mainContainer(d).image]);
      const url = environment(objects(), first!).get(`DATABASE_URL_${service.toUpperCase()}`);
      expect([service, url]).toEqual([service, environment(objects(), mainContainer(d)).get('DATABASE_URL')]);
      expect(literal(environment(objects(), first!), 'NODE_ENV')).toBe(literal(environment(objects(), mainContainer(d)), 'NODE_ENV'));
    }
    expect(existsSync(path.join(root, 'packages/db/src/cli.ts'))).toBe(true);
  });

  test('shutdown: endpoints are dropped (preStop sleep) before the drain, all inside the grace period', () => {
    const kitGrace = kitShutdownGraceSeconds();
    for (const d of appDeployments(objects())) {
      const service = d.metadata.name;
      const container = mainContainer(d);
      const preStop = container.lifecycle?.preStop;
      const exec = preStop?.exec?.command ?? [];
      const sleep = preStop?.sleep?.seconds ?? (exec[0] === 'sleep' ? Number(exec[1]) : NaN);
      expect([service, sleep >= 3]).toEqual([service, true]);
      const env = environment(objects(), container);
      // the kit exits after SHUTDOWN_GRACE_MS at the latest; the web server closes all connections after 2 s
      const drain = WEB_APPS.includes(service) ? 2 : Number(literal(env, 'SHUTDOWN_GRACE_MS') ?? kitGrace * 1000) / 1000;
      const grace = podSpec(d).terminationGracePeriodSeconds ?? 30;
      expect([service, grace >= sleep + drain + 5]).toEqual([service, true]);
    }
  });
});

describe('overlays/production: Secrets created out of band, documented', () => {
  test('every Secret the pods and the Ingress name is in docs/kubernetes.md', () => {
    const objects = overlay('production');
    const names = new Set<string>();
    for (const w of ofKind<IDeployment>(objects, 'Deployment')) {
      for (const v of podSpec(w).volumes ?? []) if (v.secret?.secretName) names.add(v.secret.secretName);
      for (const c of allContainers(w)) for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) names.add(`${e.valueFrom.secretKeyRef.name}`);
    }
    for (const i of ofKind<IIngress>(objects, 'Ingress')) for (const t of i.spec?.tls ?? []) if (t.secretName) names.add(t.secretName);
    const docs = readFileSync(path.join(root, 'docs/kubernetes.md'), 'utf8');
    expect([...names].filter((n) => !docs.includes(n))).toEqual([]);
    expect(names.size).toBeGreaterThanOrEqual(DATABASE_SERVICES.length + 4);
  });

  test('docs/kubernetes.md walks through keys, the MFA key, applying, waiting for the migrations and the first operator', () => {
    const docs = readFileSync(path.join(root, 'docs/kubernetes.md'), 'utf8');
    for (const step of [
      'npm run keys:generate',
      'openssl rand -base64 32',
      'kubectl apply -k deploy/k8s/overlays/production',
      'kubectl -n clinicult rollout status',
      'create-operator.js',
      'docker/mysql/init.sql',
    ]) {
      expect([step, docs.includes(step)]).toEqual([step, true]);
    }
  });
});

describe('overlays/development: its own MySQL and Redis, development secrets', () => {
  const objects = () => overlay('development');
  const secretData = (name: string) => {
    const secret = ofKind<ISecret>(objects(), 'Secret').find((s) => s.metadata.name.replace(/-[a-z0-9]{10}$/, '') === name);
    if (!secret) throw new Error(`no Secret ${name}`);
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  };

  test('Redis evicts only keys with a TTL (volatile-lru): the event streams are never evicted', () => {
    const redis = ofKind<IDeployment>(objects(), 'Deployment').find((d) => podSpec(d).containers.some((c) => c.image?.startsWith('redis:')));
    const container = podSpec(redis!).containers[0]!;
    const argv = [...(container.command ?? []), ...(container.args ?? [])];
    expect(argv[argv.indexOf('--maxmemory-policy') + 1]).toBe('volatile-lru');
    expect(argv).toContain('--maxmemory');
    expect(secretData('clinicult-redis').REDIS_URL).toBe('redis://redis:6379');
  });

  test("MySQL starts from copies of docker/mysql/, with compose's environment; each DATABASE_URL is its service's user", () => {
    const originals = readdirSync(path.join(root, 'docker/mysql'));
    const copies = readdirSync(path.join(root, K8S, 'overlays/development/mysql'));
    expect(copies.sort()).toEqual([...originals].sort());
    for (const file of originals) {
      const copy = readFileSync(path.join(root, K8S, 'overlays/development/mysql', file), 'utf8');
      expect([file, copy === readFileSync(path.join(root, 'docker/mysql', file), 'utf8')]).toEqual([file, true]);
    }
    const mysql = ofKind<IStatefulSet>(objects(), 'StatefulSet').find((s) => s.metadata.name === 'mysql');
    const container = podSpec(mysql!).containers[0]!;
    const env = environment(objects(), container);
    expect(Object.keys(compose.services.mysql?.environment ?? {}).filter((v) => !env.has(v))).toEqual([]);
    const passwords = secretData('clinicult-mysql');
    for (const service of DATABASE_SERVICES) {
      const url = new URL(secretData(`clinicult-${service}`).DATABASE_URL!);
      expect([service, url.username, url.hostname, url.pathname]).toEqual([service, service, 'mysql', `/clinicult_${service}`]);
      const variable = `MYSQL_${service.toUpperCase()}_PASSWORD`;
      expect([service, env.get(variable)]).toEqual([service, { secret: expect.stringMatching(/^clinicult-mysql-/), key: variable }]);
      expect([service, decodeURIComponent(url.password)]).toEqual([service, passwords[variable]]);
    }
    // the files the image's entrypoint runs, in compose's order
    const init = podSpec(mysql!).volumes?.find((v) => v.name === 'init')?.configMap?.items?.map((i) => i.path);
    const composeInit = (compose.services.mysql as { volumes?: string[] } | undefined)?.volumes
      ?.map((v) => /\/docker-entrypoint-initdb\.d\/([^:]+)/.exec(v)?.[1])
      .filter(Boolean);
    expect(init).toEqual(composeInit);
  });

  test('every Secret the pods name is generated (the TLS certificate is the developer\'s: docs/kubernetes.md)', () => {
    const generated = new Set(ofKind<ISecret>(objects(), 'Secret').map((s) => s.metadata.name));
    const missing: string[] = [];
    for (const w of [...ofKind<IDeployment>(objects(), 'Deployment'), ...ofKind<IStatefulSet>(objects(), 'StatefulSet')]) {
      for (const v of podSpec(w).volumes ?? []) if (v.secret?.secretName && !generated.has(v.secret.secretName)) missing.push(v.secret.secretName);
      for (const c of allContainers(w)) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref && !(generated.has(ref.name!) && ofKind<ISecret>(objects(), 'Secret').find((s) => s.metadata.name === ref.name)?.data?.[ref.key])) {
            missing.push(`${ref.name}/${ref.key}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test('the development service keys are development keys (kid dev-…, refused in production), and auth has their public halves', () => {
    const jwks = JSON.parse(secretData('clinicult-service-jwks')['services.jwks.json']!) as Record<string, { keys: Record<string, string>[] }>;
    const clients = Object.keys(SERVICE_CLIENTS).filter((s) => s !== 'auth');
    expect(Object.keys(jwks).sort()).toEqual([...clients].sort());
    for (const service of clients) {
      const key = JSON.parse(secretData(`clinicult-${service}-service-key`)[`${service}.private.jwk.json`]!) as Record<string, string>;
      expect([service, key.kid?.startsWith('dev-'), key.crv, typeof key.d]).toEqual([service, true, 'Ed25519', 'string']);
      const published = jwks[service]!.keys;
      expect(published.map((k) => [k.kid, k.x, k.d])).toEqual([[key.kid, key.x, undefined]]);
    }
  });
});

describe('overlays/regions: the platform plane once, each cluster its own (issue 16)', () => {
  const PLATFORM = ['auth', 'users', 'admin', 'admin-web'];
  const CLUSTER = ['gateway', 'patients', 'visits', 'clinic', 'audit', 'clinic-web'];
  const platform = () => render('overlays/regions/platform');
  const cluster = (name: string) => render(`overlays/regions/${name}`);
  const envOf = (objects: K8sObject[], service: string) => environment(objects, mainContainer(deploymentOf(objects, service)));
  const names = (objects: K8sObject[], kind: string) => ofKind<K8sObject>(objects, kind).map((o) => o.metadata.name).sort();

  test('the platform runs auth, users, admin and the console; each cluster the gateway, the clinical services and the staff app; each process once', () => {
    expect(appDeployments(platform()).map((d) => d.metadata.name).sort()).toEqual([...PLATFORM].sort());
    for (const name of REGION_CLUSTERS) expect(appDeployments(cluster(name)).map((d) => d.metadata.name).sort()).toEqual([...CLUSTER].sort());
    // what goes with a process goes with it: its Service, autoscaler, disruption budget and policy
    for (const [objects, processes] of [[platform(), PLATFORM], ...REGION_CLUSTERS.map((c) => [cluster(c), CLUSTER] as const)] as const) {
      for (const kind of ['Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) expect(names(objects, kind)).toEqual([...processes].sort());
      expect(names(objects, 'NetworkPolicy')).toEqual(['default-deny-ingress', ...processes].sort());
    }
  });

  test.each(REGION_CLUSTERS)("%s: every process knows its cluster, clinic reads its cluster's stream only, and the platform is called across regions over TLS", (name) => {
    const objects = cluster(name);
    for (const service of ['gateway', 'patients', 'visits', 'clinic', 'audit']) expect(literal(envOf(objects, service), 'CLUSTER')).toBe(name);
    expect(literal(envOf(objects, 'clinic'), 'CLUSTERS')).toBe(name);
    for (const service of ['gateway', 'patients', 'visits', 'clinic', 'audit']) {
      expect(literal(envOf(objects, service), 'AUTH_URL')).toMatch(/^https:\/\/auth\.platform\./);
    }
    for (const service of ['gateway', 'patients']) {
      expect(literal(envOf(objects, service), 'USERS_URL')).toMatch(/^https:\/\/users\.platform\./);
      expect(literal(envOf(objects, service), 'ADMIN_URL')).toMatch(/^https:\/\/admin\.platform\./);
    }
    // clinic's staff directory asks the platform's users for names
    expect(literal(envOf(objects, 'clinic'), 'USERS_URL')).toMatch(/^https:\/\/users\.platform\./);
    // each region's API in every place that sends people or tokens there
    const apiUrls = JSON.parse(literal(envOf(objects, 'gateway'), 'CLUSTER_API_URLS')!) as Record<string, string>;
    expect(Object.keys(apiUrls).sort()).toEqual([...REGION_CLUSTERS]);
    expect(literal(envOf(objects, 'clinic-web'), 'CLUSTER_API_URLS')).toBe(JSON.stringify(apiUrls));
    expect(`${literal(envOf(objects, 'gateway'), 'PUBLIC_URL')}/graphql`).toBe(apiUrls[name]);
    // the public Ingress: this region's API and staff app, no console
    const hosts = ofKind<IIngress>(objects, 'Ingress').find((i) => i.metadata.name === 'clinicult')!.spec!.rules!.map((r) => r.host);
    expect(hosts).toEqual([new URL(apiUrls[name]!).host, `app.${name}.clinicult.example.org`]);
  });

  test('the platform: auth, users and admin reach every cluster\'s Redis (a Secret), admin each cluster\'s counts, auth names each region\'s API; none has a CLUSTER', () => {
    const objects = platform();
    for (const service of ['auth', 'users', 'admin']) {
      expect(envOf(objects, service).get('CLUSTER_REDIS_URLS')).toEqual({ secret: 'clinicult-cluster-redis', key: 'CLUSTER_REDIS_URLS' });
      expect(envOf(objects, service).has('CLUSTER')).toBe(false);
    }
    const admin = envOf(objects, 'admin');
    expect(literal(admin, 'CLUSTERS')!.split(',')).toEqual([...REGION_CLUSTERS]);
    expect(Object.keys(JSON.parse(literal(admin, 'CLUSTER_SERVICES')!)).sort()).toEqual([...REGION_CLUSTERS]);
    expect(Object.keys(JSON.parse(literal(envOf(objects, 'auth'), 'CLUSTER_API_URLS')!)).sort()).toEqual([...REGION_CLUSTERS]);
    const hosts = ofKind<IIngress>(objects, 'Ingress').find((i) => i.metadata.name === 'clinicult')!.spec!.rules!.map((r) => r.host);
    expect(hosts).toEqual(['console.clinicult.example.org']);
  });

  test('what crosses a region comes through the internal ingress, each to its own port, and the hosts are the ones the configuration names', () => {
    const internal = (objects: K8sObject[]) => ofKind<IIngress>(objects, 'Ingress').find((i) => i.metadata.name === 'clinicult-internal')!;
    const backends = (objects: K8sObject[]) =>
      internal(objects).spec!.rules!.map((r) => `${r.host} → ${r.http!.paths[0]!.backend.service!.name}`);
    const regions = JSON.parse(literal(envOf(platform(), 'admin'), 'CLUSTER_SERVICES')!) as Record<string, { patients: string; visits: string }>;
    for (const name of REGION_CLUSTERS) {
      expect(backends(cluster(name))).toEqual([`${new URL(regions[name]!.patients).host} → patients`, `${new URL(regions[name]!.visits).host} → visits`]);
      for (const service of ['patients', 'visits']) {
        const d = deploymentOf(cluster(name), service);
        const port = mainContainer(d).ports!.find((p) => p.name === 'http')!.containerPort;
        expect(admitted(cluster(name), d.spec!.template.metadata!.labels!, mainContainer(d))).toContain(`namespace:ingress-internal/pod:ingress-nginx → ${port}`);
      }
    }
    const gateway = envOf(cluster('eu-1'), 'gateway');
    expect(backends(platform())).toEqual([
      `${new URL(literal(gateway, 'AUTH_URL')!).host} → auth`,
      `${new URL(literal(gateway, 'USERS_URL')!).host} → users`,
      `${new URL(literal(gateway, 'ADMIN_URL')!).host} → admin`,
    ]);
    for (const service of ['auth', 'users', 'admin']) {
      const d = deploymentOf(platform(), service);
      const port = mainContainer(d).ports!.find((p) => p.name === 'http')!.containerPort;
      const admits = [...admitted(platform(), d.spec!.template.metadata!.labels!, mainContainer(d))].filter((a) => a.startsWith('namespace:ingress-internal'));
      expect(admits).toEqual([`namespace:ingress-internal/pod:ingress-nginx → ${port}`]);
    }
  });

  test('every variable a region overlay sets is one its service reads', () => {
    const added = ['CLUSTER', 'CLUSTERS', 'CLUSTER_API_URLS', 'CLUSTER_REDIS_URLS', 'CLUSTER_SERVICES'];
    const problems: string[] = [];
    for (const objects of [platform(), ...REGION_CLUSTERS.map(cluster)]) {
      for (const d of appDeployments(objects)) {
        for (const variable of added) if (envOf(objects, d.metadata.name).has(variable) && !reads(d.metadata.name, variable)) problems.push(`${d.metadata.name}: ${variable}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
