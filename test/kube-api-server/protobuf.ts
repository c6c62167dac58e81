// A small decoder for the Kubernetes protobuf request bodies kubectl's typed commands send
// (`kubectl create namespace|configmap|secret generic|deployment`). It reads the `k8s\0` envelope
// (runtime.Unknown) and decodes Namespace, ConfigMap, Secret and Deployment through a partial
// field-number schema; fields outside that schema are skipped. Anything else → 415.
import { ApiError } from './status.js';

type FieldType = 'string' | 'int' | 'bool' | 'bytes' | 'stringMap' | 'bytesMap' | 'intOrString' | 'skip' | Schema;
interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** Pointer fields in Go: a zero value is still sent and meaningful (e.g. replicas: 0). */
  keepZero?: boolean;
}
type Schema = { [field: number]: Field };

const OBJECT_META: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  11: { name: 'labels', type: 'stringMap' },
  12: { name: 'annotations', type: 'stringMap' },
  14: { name: 'finalizers', type: 'string', repeated: true },
};
const LABEL_SELECTOR: Schema = {
  1: { name: 'matchLabels', type: 'stringMap' },
  2: { name: 'matchExpressions', repeated: true, type: { 1: { name: 'key', type: 'string' }, 2: { name: 'operator', type: 'string' }, 3: { name: 'values', type: 'string', repeated: true } } },
};
const CONTAINER: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'image', type: 'string' },
  3: { name: 'command', type: 'string', repeated: true },
  4: { name: 'args', type: 'string', repeated: true },
  5: { name: 'workingDir', type: 'string' },
  6: {
    name: 'ports',
    repeated: true,
    type: { 1: { name: 'name', type: 'string' }, 2: { name: 'hostPort', type: 'int' }, 3: { name: 'containerPort', type: 'int' }, 4: { name: 'protocol', type: 'string' } },
  },
  7: { name: 'env', repeated: true, type: { 1: { name: 'name', type: 'string' }, 2: { name: 'value', type: 'string' } } },
  13: { name: 'terminationMessagePath', type: 'string' },
  14: { name: 'imagePullPolicy', type: 'string' },
  20: { name: 'terminationMessagePolicy', type: 'string' },
};
const POD_SPEC: Schema = {
  2: { name: 'containers', type: CONTAINER, repeated: true },
  3: { name: 'restartPolicy', type: 'string' },
  6: { name: 'dnsPolicy', type: 'string' },
  7: { name: 'nodeSelector', type: 'stringMap' },
  8: { name: 'serviceAccountName', type: 'string' },
};
const DEPLOYMENT_SPEC: Schema = {
  1: { name: 'replicas', type: 'int', keepZero: true },
  2: { name: 'selector', type: LABEL_SELECTOR },
  3: { name: 'template', type: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: POD_SPEC } } },
  4: {
    name: 'strategy',
    type: { 1: { name: 'type', type: 'string' }, 2: { name: 'rollingUpdate', type: { 1: { name: 'maxUnavailable', type: 'intOrString' }, 2: { name: 'maxSurge', type: 'intOrString' } } } },
  },
  5: { name: 'minReadySeconds', type: 'int' },
  6: { name: 'revisionHistoryLimit', type: 'int', keepZero: true },
  7: { name: 'paused', type: 'bool' },
  9: { name: 'progressDeadlineSeconds', type: 'int', keepZero: true },
};

const KINDS: Record<string, Schema> = {
  'v1/Namespace': { 1: { name: 'metadata', type: OBJECT_META } },
  'v1/ConfigMap': {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'data', type: 'stringMap' },
    3: { name: 'binaryData', type: 'bytesMap' },
    4: { name: 'immutable', type: 'bool' },
  },
  'v1/Secret': {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'data', type: 'bytesMap' },
    3: { name: 'type', type: 'string' },
    5: { name: 'immutable', type: 'bool' },
  },
  'apps/v1/Deployment': { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: DEPLOYMENT_SPEC } },
};

interface Wire {
  field: number;
  wireType: number;
  varint?: bigint;
  bytes?: Buffer;
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const byte = buf[i]!;
    result |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) === 0) return [result, i + 1];
  }
  throw new Error('truncated varint');
}

function fields(buf: Buffer): Wire[] {
  const out: Wire[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) {
      const [value, after] = readVarint(buf, at);
      out.push({ field, wireType, varint: value });
      at = after;
    } else if (wireType === 2) {
      const [length, after] = readVarint(buf, at);
      out.push({ field, wireType, bytes: buf.subarray(after, after + Number(length)) });
      at = after + Number(length);
    } else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
  return out;
}

function mapEntries(entries: Wire[], binary: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const parts = fields(entry.bytes ?? Buffer.alloc(0));
    const key = parts.find((p) => p.field === 1)?.bytes?.toString('utf8') ?? '';
    const value = parts.find((p) => p.field === 2)?.bytes ?? Buffer.alloc(0);
    out[key] = binary ? value.toString('base64') : value.toString('utf8');
  }
  return out;
}

function scalar(wire: Wire, field: Field): unknown {
  switch (field.type) {
    case 'string':
      return wire.bytes?.toString('utf8');
    case 'bytes':
      return wire.bytes?.toString('base64');
    case 'int':
      return Number(BigInt.asIntN(64, wire.varint ?? 0n));
    case 'bool':
      return wire.varint === 1n;
    case 'intOrString': {
      const parts = fields(wire.bytes ?? Buffer.alloc(0));
      const isString = parts.find((p) => p.field === 1)?.varint === 1n;
      return isString ? (parts.find((p) => p.field === 3)?.bytes?.toString('utf8') ?? '') : Number(parts.find((p) => p.field === 2)?.varint ?? 0n);
    }
    default:
      return decodeMessage(wire.bytes ?? Buffer.alloc(0), field.type as Schema);
  }
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const grouped = new Map<number, Wire[]>();
  for (const wire of fields(buf)) grouped.set(wire.field, [...(grouped.get(wire.field) ?? []), wire]);
  for (const [number, wires] of grouped) {
    const field = schema[number];
    if (!field || field.type === 'skip') continue;
    let value: unknown;
    if (field.type === 'stringMap' || field.type === 'bytesMap') value = mapEntries(wires, field.type === 'bytesMap');
    else if (field.repeated) value = wires.map((w) => scalar(w, field));
    else value = scalar(wires[wires.length - 1]!, field);
    if (field.keepZero ? value !== undefined : !isZero(value)) out[field.name] = value;
  }
  return out;
}

/** Decodes a `application/vnd.kubernetes.protobuf` body into the JSON form of the object. */
export function decodeKubeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\u0000') {
    throw new ApiError(400, 'BadRequest', 'protobuf body without the k8s envelope');
  }
  const envelope = fields(body.subarray(4));
  const typeMeta = fields(envelope.find((w) => w.field === 1)?.bytes ?? Buffer.alloc(0));
  const apiVersion = typeMeta.find((w) => w.field === 1)?.bytes?.toString('utf8') ?? '';
  const kind = typeMeta.find((w) => w.field === 2)?.bytes?.toString('utf8') ?? '';
  const schema = KINDS[`${apiVersion}/${kind}`];
  if (!schema) {
    throw new ApiError(415, 'UnsupportedMediaType', `this test server decodes protobuf only for Namespace, ConfigMap, Secret and Deployment (got ${apiVersion} ${kind}); send JSON`);
  }
  const raw = envelope.find((w) => w.field === 2)?.bytes ?? Buffer.alloc(0);
  return { apiVersion, kind, ...decodeMessage(raw, schema) };
}
