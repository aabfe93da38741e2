import { describe, expect, it } from "vitest";
import { InputError, formatProblem, locate, parseYamlDocuments, splitFieldPath } from "./source.js";
import { parseManifests } from "./manifests.js";

const TEXT = `# a comment
apiVersion: v1
kind: Service
metadata:
  name: api
  labels:
    app.kubernetes.io/name: api
spec:
  ports:
    - name: http
      port: 80
      targetPort: 70000
---
apiVersion: v1
kind: Node
metadata:
  name: node-9
  labels: { topology.kubernetes.io/zone: zone-z }
`;

describe("splitFieldPath", () => {
  it.each([
    ["spec.ports[0].targetPort", ["spec", "ports", 0, "targetPort"]],
    ["metadata.labels[app.kubernetes.io/name]", ["metadata", "labels", "app.kubernetes.io/name"]],
    ["spec.template.spec.containers[1].ports[12].containerPort", ["spec", "template", "spec", "containers", 1, "ports", 12, "containerPort"]],
    ["", []],
  ])("%s", (path, parts) => {
    expect(splitFieldPath(path)).toEqual(parts);
  });
});

describe("locate", () => {
  const docs = parseYamlDocuments(TEXT, "svc.yaml");
  it.each([
    ["a scalar field points at its key", "spec.ports[0].targetPort", { line: 12, col: 7 }],
    ["a list item points at the item", "spec.ports[0]", { line: 10, col: 7 }],
    ["a key with dots and a slash", "metadata.labels[app.kubernetes.io/name]", { line: 7, col: 5 }],
    ["a missing field points at its deepest existing parent", "spec.clusterIPs[0]", { line: 8, col: 1 }],
    ["the empty path is the document", "", { line: 2, col: 1 }],
  ])("%s", (_name, path, pos) => {
    expect(locate(docs[0], path)).toEqual(pos);
  });

  it("counts lines across documents", () => {
    expect(locate(docs[1], "metadata.name")).toEqual({ line: 17, col: 3 });
  });
});

describe("parseManifests", () => {
  it("reports the API server's error with file:line:col and keeps valid objects", () => {
    const { manifests, problems } = parseManifests(TEXT, "svc.yaml");
    expect(problems.map(formatProblem)).toEqual(['svc.yaml:12:7: Service "api": spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive']);
    expect(manifests.objects).toEqual([]);
    expect(manifests.nodes).toEqual([{ name: "node-9", zone: "zone-z", labels: { "topology.kubernetes.io/zone": "zone-z" } }]);
  });

  it("reads v1 Lists item by item (a field points at its key, a missing one at its list item)", () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: { name: a }\n    spec: { ports: [{ port: 80 }] }\n  - apiVersion: v1\n    kind: Service\n    metadata: { name: b }\n    spec: { ports: [{ port: 0 }] }\n`;
    const { manifests, problems } = parseManifests(list, "l.yaml");
    expect(manifests.objects.map((o) => o.metadata.name)).toEqual(["a"]);
    expect(problems.map(formatProblem)).toEqual(['l.yaml:11:23: Service "b": spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'l.yaml:11:21: Service "b": spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']);
  });

  it("accepts and ignores Namespaces; skips empty documents", () => {
    const { manifests, problems } = parseManifests("apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\n", "ns.yaml");
    expect(problems).toEqual([]);
    expect(manifests).toEqual({ objects: [], nodes: [] });
  });

  it("a YAML syntax error is an InputError with its position", () => {
    expect(() => parseYamlDocuments("a: [1, 2\nb: 3\n", "x.yaml")).toThrow(InputError);
    try {
      parseYamlDocuments("a: 1\na: 2\n", "dup.yaml");
    } catch (e) {
      expect((e as InputError).problems.map(formatProblem)).toEqual(["dup.yaml:2:1: YAML: Map keys must be unique"]);
    }
    expect.assertions(2);
  });
});
