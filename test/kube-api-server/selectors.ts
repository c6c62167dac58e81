// Label selectors (string and LabelSelector forms) and the field selectors the server supports.
import { errors } from './status.js';
import { dig, isPlainObject, type KubeObject } from './util.js';

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_./]*[a-z0-9A-Z])?)$/;
const VALUE = /^(([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?)$/;

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key)) throw errors.badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value)) throw errors.badRequest(`unable to parse requirement: invalid label value "${value}" in selector "${selector}"`);
  return value;
}

function parseRequirement(part: string, selector: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (set) {
    const values = set[3]!.split(',').map((v) => checkValue(v.trim(), selector));
    return { op: set[2] as 'in' | 'notin', key: checkKey(set[1]!, selector), values };
  }
  const binary = /^([^!=\s]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
  if (binary) {
    const op = binary[2] === '!=' ? 'neq' : 'eq';
    return { op, key: checkKey(binary[1]!, selector), value: checkValue(binary[3]!.trim(), selector) };
  }
  if (part.startsWith('!')) return { op: 'notexists', key: checkKey(part.slice(1).trim(), selector) };
  return { op: 'exists', key: checkKey(part, selector) };
}

function matcher(requirements: Requirement[]): LabelMatcher {
  return (labels) => {
    const l = labels ?? {};
    return requirements.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      const value = l[r.key];
      switch (r.op) {
        case 'eq':
          return has && value === r.value;
        case 'neq':
          return !has || value !== r.value;
        case 'in':
          return has && r.values.includes(value!);
        case 'notin':
          return !has || !r.values.includes(value!);
        case 'exists':
          return has;
        case 'notexists':
          return !has;
      }
    });
  };
}

/** Parses a `labelSelector` query string (`a=b,c!=d,e in (f,g),h,!i`). Throws 400 on bad syntax. */
export function parseLabelSelector(selector: string | null | undefined): LabelMatcher {
  if (!selector) return () => true;
  return matcher(splitTopLevel(selector).map((part) => parseRequirement(part, selector)));
}

/** Converts a metav1.LabelSelector object ({matchLabels, matchExpressions}) to a matcher. */
export function labelSelectorObject(selector: unknown): LabelMatcher | undefined {
  if (!isPlainObject(selector)) return undefined;
  const requirements: Requirement[] = [];
  const matchLabels = isPlainObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) requirements.push({ op: 'eq', key, value: String(value) });
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const expr of expressions) {
    if (!isPlainObject(expr)) continue;
    const key = String(expr.key);
    const values = Array.isArray(expr.values) ? expr.values.map(String) : [];
    switch (expr.operator) {
      case 'In':
        requirements.push({ op: 'in', key, values });
        break;
      case 'NotIn':
        requirements.push({ op: 'notin', key, values });
        break;
      case 'Exists':
        requirements.push({ op: 'exists', key });
        break;
      case 'DoesNotExist':
        requirements.push({ op: 'notexists', key });
        break;
    }
  }
  if (requirements.length === 0) return undefined;
  return matcher(requirements);
}

/** The metav1.LabelSelector rendered as a query string, as kubectl does when listing by a selector. */
export function selectorToString(selector: unknown): string {
  if (!isPlainObject(selector) || !isPlainObject(selector.matchLabels)) return '';
  return Object.entries(selector.matchLabels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

const FIELD_PATHS: Record<string, string[]> = {
  'metadata.name': ['metadata', 'name'],
  'metadata.namespace': ['metadata', 'namespace'],
  'status.phase': ['status', 'phase'],
  'spec.nodeName': ['spec', 'nodeName'],
  type: ['type'],
  'involvedObject.name': ['involvedObject', 'name'],
  'involvedObject.kind': ['involvedObject', 'kind'],
  'involvedObject.uid': ['involvedObject', 'uid'],
};

export type ObjectMatcher = (object: KubeObject) => boolean;

/** Parses a `fieldSelector` (`metadata.name=x`, `!=`, `==`, comma-joined). Unknown fields → 400. */
export function parseFieldSelector(selector: string | null | undefined): ObjectMatcher {
  if (!selector) return () => true;
  const tests = selector
    .split(',')
    .filter((p) => p.trim() !== '')
    .map((part) => {
      const m = /^\s*([^!=\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(part);
      if (!m) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
      const path = FIELD_PATHS[m[1]!];
      if (!path) throw errors.badRequest(`field label not supported: ${m[1]}`);
      const negate = m[2] === '!=';
      const want = m[3]!;
      return (object: KubeObject) => (String(dig(object, ...path) ?? '') === want) !== negate;
    });
  return (object) => tests.every((t) => t(object));
}
