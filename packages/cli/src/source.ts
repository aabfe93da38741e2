import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments } from "yaml";
import type { Document, Node as YamlNode } from "yaml";
import { formatFieldError } from "@kube-netsim/model";
import type { FieldError } from "@kube-netsim/model";

/**
 * One problem with the input: where (file, 1-based line and column, when known) and what.
 *
 * @example
 * ```ts
 * const p: Problem = { file: "api.yaml", line: 8, col: 7, message: 'Service "api": spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive' };
 * formatProblem(p); // 'api.yaml:8:7: Service "api": spec.ports[0].targetPort: Invalid value: 70000: ...'
 * ```
 */
export interface Problem {
  /** The file (as the user named it), or `<inline>` / `<args>`. */
  readonly file?: string;
  /** 1-based line. */
  readonly line?: number;
  /** 1-based column. */
  readonly col?: number;
  /** The message, e.g. `Service "api": spec.ports[0].targetPort: Invalid value: 70000: ...`. */
  readonly message: string;
}

/**
 * `file:line:col: message` (the parts that are known).
 *
 * @example
 * ```ts
 * formatProblem({ file: "s.yaml", line: 3, col: 5, message: "clients[0].rate: Invalid value: -1: must be > 0" });
 * // "s.yaml:3:5: clients[0].rate: Invalid value: -1: must be > 0"
 * ```
 */
export function formatProblem(p: Problem): string {
  const where = p.file === undefined ? "" : p.line === undefined ? `${p.file}: ` : `${p.file}:${p.line}:${p.col ?? 1}: `;
  return where + p.message;
}

/**
 * Bad input: a scenario file, a manifest or a command-line argument the CLI cannot use.
 * Its message has one line per problem, `file:line:col: field.path: ...`; the CLI prints
 * it and exits with status 2.
 *
 * @example
 * ```ts
 * try { loadScenarioFile("bad.yaml"); } catch (e) { if (e instanceof InputError) console.error(e.message); }
 * ```
 */
export class InputError extends Error {
  /** Every problem found, in file order. */
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const sorted = inFileOrder(problems);
    super(sorted.map(formatProblem).join("\n"));
    this.name = "InputError";
    this.problems = sorted;
  }
}

/** Problems grouped by file (in order of first mention), then by line and column; ties keep their order. */
function inFileOrder(problems: readonly Problem[]): readonly Problem[] {
  const fileRank = new Map<string | undefined, number>();
  for (const p of problems) if (!fileRank.has(p.file)) fileRank.set(p.file, fileRank.size);
  return problems
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        (fileRank.get(a.p.file) as number) - (fileRank.get(b.p.file) as number) ||
        (a.p.line ?? 0) - (b.p.line ?? 0) ||
        (a.p.col ?? 0) - (b.p.col ?? 0) ||
        a.i - b.i,
    )
    .map((x) => x.p);
}

/**
 * One YAML document of a file, with what is needed to point at its fields.
 *
 * @example
 * ```ts
 * const docs: SourceDocument[] = parseYamlDocuments(readFileSync("api.yaml", "utf8"), "api.yaml");
 * docs.map((d) => [d.index, (d.value as { kind: string }).kind]); // [[0, "Deployment"], [1, "Service"]]
 * ```
 */
export interface SourceDocument {
  /** The file name, as given. */
  readonly file: string;
  /** The document's value as plain JavaScript (maps to objects). */
  readonly value: unknown;
  /** @internal The parsed document. */
  readonly doc: Document.Parsed;
  /** @internal Offsets to lines. */
  readonly lines: LineCounter;
  /** Index of the document in its file (0-based). */
  readonly index: number;
}

/**
 * Parses a (multi-document) YAML text, keeping positions. Empty documents (a trailing
 * `---`) are skipped.
 * @throws InputError with `file:line:col` for every YAML syntax error.
 *
 * @example
 * ```ts
 * parseYamlDocuments("kind: Service\n---\nkind: Pod\n---\n", "two.yaml").length; // 2 (the empty trailing document is skipped)
 * parseYamlDocuments("a: [1,\n", "bad.yaml");
 * // throws InputError: "bad.yaml:2:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"
 * ```
 */
export function parseYamlDocuments(text: string, file: string): SourceDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const problems: Problem[] = [];
  const out: SourceDocument[] = [];
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      problems.push({ file, line: pos?.line, col: pos?.col, message: `YAML: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}` });
    }
  }
  if (!Array.isArray(docs)) {
    // An empty stream parses to an EmptyStream; nothing to report.
  }
  if (problems.length > 0) throw new InputError(problems);
  list.forEach((doc, index) => {
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return; // an empty document
    out.push({ file, value: doc.toJS({ maxAliasCount: 100 }) as unknown, doc, lines, index });
  });
  return out;
}

/**
 * Splits `spec.ports[0].targetPort` / `metadata.labels[app.kubernetes.io/name]` into keys and indexes.
 *
 * @example
 * ```ts
 * splitFieldPath("spec.ports[0].targetPort");               // ["spec", "ports", 0, "targetPort"]
 * splitFieldPath("metadata.labels[app.kubernetes.io/name]"); // ["metadata", "labels", "app.kubernetes.io/name"]
 * ```
 */
export function splitFieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(/^[0-9]+$/.test(m[2]) ? Number(m[2]) : m[2]);
  }
  return out;
}

/**
 * The position of a field in a document: the key of the deepest part of `path` that
 * exists (so a missing field points at its parent), 1-based.
 *
 * @example
 * ```ts
 * const yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports:\n    - port: 80\n      targetPort: 70000\n";
 * const [doc] = parseYamlDocuments(yaml, "api.yaml");
 * locate(doc, "spec.ports[0].targetPort"); // { line: 8, col: 7 }
 * locate(doc, "spec.selector");            // { line: 5, col: 1 }: missing, so its parent `spec`
 * ```
 */
export function locate(src: SourceDocument, path: string | readonly (string | number)[]): { line: number; col: number } {
  const parts = typeof path === "string" ? splitFieldPath(path) : path;
  let node: unknown = src.doc.contents;
  let at: number | undefined = (node as YamlNode | null)?.range?.[0];
  for (const part of parts) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      at = (pair.key as YamlNode).range?.[0] ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number" && part < node.items.length) {
      node = node.items[part];
      at = (node as YamlNode | null)?.range?.[0] ?? at;
    } else break;
  }
  const pos = src.lines.linePos(at ?? 0);
  return { line: pos.line, col: pos.col };
}

/** A problem at a field of a document; `prefix` goes before the field error (e.g. `Service "api": `). */
export function problemAt(src: SourceDocument, fieldPathInDoc: string, error: FieldError | string, prefix: string = ""): Problem {
  const { line, col } = locate(src, fieldPathInDoc);
  return { file: src.file, line, col, message: prefix + (typeof error === "string" ? error : formatFieldError(error)) };
}
