/**
 * Unknown-field check for Kubernetes objects. kubernetes-models' validate() is generated from the
 * OpenAPI schemas but ignores properties the schema does not define (a typo such as `readinesProbe`
 * passes), and the package ships its schemas only as compiled validators. Its TypeScript declarations,
 * generated from the same OpenAPI schemas, name every property, so the TypeScript checker walks each
 * object against the interface of its kind and reports every property the interface does not have.
 *
 * Custom resources without models (PodMonitor, PrometheusRule) are checked against the small
 * interfaces in prometheus-operator-types.ts the same way.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from './files.js';

export interface KindRef {
  apiVersion: string;
  kind: string;
}

/** The kubernetes-models module of a kind: `v1/ConfigMap`, `apps/v1/Deployment`, ... */
export const modelModule = (k: KindRef): string => `kubernetes-models/${k.apiVersion}/${k.kind}`;

const LOCAL_TYPES: Record<string, string> = {
  'monitoring.coreos.com/v1/PodMonitor': 'PodMonitor',
  'monitoring.coreos.com/v1/PrometheusRule': 'PrometheusRule',
};

const keyOf = (k: KindRef): string => `${k.apiVersion}/${k.kind}`;

/** Builds one TypeScript program for the given kinds and returns a checker of objects against them. */
export function createFieldChecker(kinds: readonly KindRef[]): (obj: KindRef & Record<string, unknown>) => string[] {
  const unique = [...new Map(kinds.map((k) => [keyOf(k), k])).values()];
  // the virtual file sits in tests/deploy/support so that node_modules and the local types resolve
  const entry = join(ROOT, 'tests/deploy/support/__k8s_kinds__.ts');
  const lines: string[] = [];
  const members: string[] = [];
  unique.forEach((k, i) => {
    const local = LOCAL_TYPES[keyOf(k)];
    if (local) lines.push(`import type { ${local} as T${i} } from './prometheus-operator-types.js';`);
    else lines.push(`import type { I${k.kind} as T${i} } from '${modelModule(k)}';`);
    members.push(`  ${JSON.stringify(keyOf(k))}: T${i};`);
  });
  const source = `${lines.join('\n')}\nexport interface Kinds {\n${members.join('\n')}\n}\n`;

  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    name === entry ? ts.createSourceFile(name, source, lang, true) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === entry || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === entry ? source : readFile(name));

  const program = ts.createProgram([entry], options, host);
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  // an import that does not resolve would make every field "any" and the check vacuous
  if (problems.length > 0) throw new Error(`cannot load the Kubernetes types:\n${problems.join('\n')}`);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry)!;
  const decl = file.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Kinds',
  )!;
  const kindsType = checker.getTypeAtLocation(decl.name);

  const typeOfProperty = (sym: ts.Symbol): ts.Type => checker.getTypeOfSymbolAtLocation(sym, file);

  function walk(value: unknown, type: ts.Type, path: string, out: string[]): void {
    if (value === null || typeof value !== 'object') return; // scalar types are validate()'s job
    const t = checker.getNonNullableType(type);
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    const members = t.isUnion() ? t.types : [t];
    if (Array.isArray(value)) {
      const arrays = members.filter((m) => checker.isArrayType(m));
      if (arrays.length === 0) {
        out.push(`${path}: a list where the schema has ${checker.typeToString(t)}`);
        return;
      }
      const element = checker.getTypeArguments(arrays[0] as ts.TypeReference)[0]!;
      value.forEach((v, i) => {
        walk(v, element, `${path}[${i}]`, out);
      });
      return;
    }
    const objects = members.filter((m) => m.flags & ts.TypeFlags.Object && !checker.isArrayType(m));
    if (objects.length === 0) {
      out.push(`${path}: an object where the schema has ${checker.typeToString(t)}`);
      return;
    }
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      let found: ts.Type | undefined;
      for (const o of objects) {
        const prop = checker.getPropertyOfType(o, key);
        if (prop) {
          found = typeOfProperty(prop);
          break;
        }
        const index = checker.getIndexTypeOfType(o, ts.IndexKind.String);
        if (index) {
          found = index;
          break;
        }
      }
      const p = path === '' ? key : `${path}.${key}`;
      if (found === undefined)
        out.push(`${p}: unknown field (not in ${objects.map((o) => checker.typeToString(o)).join(' | ')})`);
      else walk(v, found, p, out);
    }
  }

  return (obj) => {
    const sym = checker.getPropertyOfType(kindsType, keyOf(obj));
    if (sym === undefined) return [`no schema loaded for ${keyOf(obj)}`];
    const out: string[] = [];
    walk(obj, typeOfProperty(sym), '', out);
    return out;
  };
}
