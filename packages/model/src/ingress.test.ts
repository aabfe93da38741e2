import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFieldError } from "./field-error.js";
import { hostMatches, matchIngress, pathMatchLength, validateIngress } from "./ingress.js";
import type { Ingress, IngressRule, PathType } from "./ingress.js";

const backend = (name: string, number = 80) => ({ service: { name, port: { number } } });

function ingress(name: string, rules: IngressRule[], extra: Partial<Ingress["spec"]> = {}): Ingress {
  return { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name }, spec: { rules, ...extra } };
}

const messages = (obj: unknown): string[] => validateIngress(obj).map(formatFieldError);

describe("validateIngress", () => {
  it("accepts a valid Ingress", () => {
    const ok = ingress("web", [
      { host: "shop.example.com", http: { paths: [{ path: "/api", pathType: "Prefix", backend: backend("api") }] } },
      { host: "*.example.com", http: { paths: [{ path: "/", pathType: "Exact", backend: { service: { name: "web", port: { name: "http" } } } }] } },
      { http: { paths: [{ pathType: "ImplementationSpecific", backend: backend("web") }] } },
    ], { ingressClassName: "nginx" });
    expect(messages(ok)).toEqual([]);
  });

  const cases: [string, unknown, string[]][] = [
    ["neither rules nor defaultBackend", ingress("a", []), ["spec: Invalid value: \"\": either `defaultBackend` or `rules` must be specified"]],
    [
      "pathType missing",
      ingress("a", [{ http: { paths: [{ path: "/", backend: backend("api") } as never] } }]),
      ["spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"],
    ],
    [
      "pathType unknown",
      ingress("a", [{ http: { paths: [{ path: "/", pathType: "Regex" as PathType, backend: backend("api") }] } }]),
      ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
    ],
    [
      "relative Prefix path",
      ingress("a", [{ http: { paths: [{ path: "api", pathType: "Prefix", backend: backend("api") }] } }]),
      ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'],
    ],
    [
      "path with // and ending /.",
      ingress("a", [{ http: { paths: [{ path: "/a//b/.", pathType: "Exact", backend: backend("api") }] } }]),
      [
        "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/.\": must not contain '//'",
        "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/.\": cannot end with '/.'",
      ],
    ],
    [
      "IP as host",
      ingress("a", [{ host: "10.0.0.1", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("api") }] } }]),
      ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'],
    ],
    [
      "bad wildcard",
      ingress("a", [{ host: "foo.*.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("api") }] } }]),
      [
        "spec.rules[0].host: Invalid value: \"foo.*.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
    [
      "both port name and number",
      ingress("a", [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { name: "http", number: 80 } } } }] } }]),
      ['spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number'],
    ],
    [
      "no port",
      ingress("a", [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: {} } } }] } }]),
      ["spec.rules[0].http.paths[0].backend: Required value: port name or number is required"],
    ],
    [
      "port number out of range",
      ingress("a", [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("api", 70000) }] } }]),
      ["spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive"],
    ],
    [
      "service name missing and no http paths",
      ingress("a", [{ http: { paths: [] } }], { defaultBackend: { service: { name: "", port: { number: 80 } } } }),
      ["spec.defaultBackend.service.name: Required value", "spec.rules[0].http.paths: Required value"],
    ],
    [
      "no service backend",
      ingress("a", [], { defaultBackend: {} }),
      ['spec.defaultBackend: Invalid value: "": resource or service backend is required'],
    ],
    [
      "bad ingressClassName",
      ingress("a", [], { defaultBackend: backend("api"), ingressClassName: "Nginx" }),
      [
        "spec.ingressClassName: Invalid value: \"Nginx\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
  ];
  cases.push(
    ["apiVersion missing", { kind: "Ingress", metadata: { name: "a" }, spec: { defaultBackend: backend("api") } }, ["apiVersion: Required value"]],
    ["old apiVersion", { ...ingress("a", [], { defaultBackend: backend("api") }), apiVersion: "networking.k8s.io/v1beta1" }, ['apiVersion: Unsupported value: "networking.k8s.io/v1beta1": supported values: "networking.k8s.io/v1"']],
    ["name missing", { ...ingress("a", [], { defaultBackend: backend("api") }), metadata: {} }, ["metadata.name: Required value: name or generateName is required"]],
  );
  it.each(cases)("%s", (_name, obj, expected) => {
    expect(messages(obj)).toEqual(expected);
  });
});

describe("path matching (the Ingress docs' examples table)", () => {
  // kubernetes.io/docs/concepts/services-networking/ingress/#examples
  const table: [PathType, string, string, boolean][] = [
    ["Prefix", "/", "/anything", true],
    ["Exact", "/foo", "/foo", true],
    ["Exact", "/foo", "/bar", false],
    ["Exact", "/foo", "/foo/", false],
    ["Exact", "/foo/", "/foo", false],
    ["Prefix", "/foo", "/foo", true],
    ["Prefix", "/foo", "/foo/", true],
    ["Prefix", "/foo/", "/foo", true],
    ["Prefix", "/foo/", "/foo/", true],
    ["Prefix", "/aaa/bb", "/aaa/bbb", false],
    ["Prefix", "/aaa/bbb", "/aaa/bbb", true],
    ["Prefix", "/aaa/bbb/", "/aaa/bbb", true],
    ["Prefix", "/aaa/bbb", "/aaa/bbb/", true],
    ["Prefix", "/aaa/bbb", "/aaa/bbb/ccc", true],
    ["Prefix", "/aaa/bbb", "/aaa/bbbxyz", false],
  ];
  it.each(table)("%s %s vs %s -> %s", (type, p, req, match) => {
    expect(pathMatchLength(type, p, req) >= 0).toBe(match);
  });

  it("Prefix matches exactly the requests whose elements start with the path's elements (property)", () => {
    const seg = fc.stringMatching(/^[a-c]{1,2}$/);
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 3 }), fc.array(seg, { maxLength: 4 }), (p, r) => {
        const expected = p.length <= r.length && p.every((e, i) => e === r[i]);
        return (pathMatchLength("Prefix", "/" + p.join("/"), "/" + r.join("/")) >= 0) === expected;
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe("hosts", () => {
  const table: [string | undefined, string, boolean][] = [
    ["foo.bar.com", "foo.bar.com", true],
    ["*.foo.com", "bar.foo.com", true],
    ["*.foo.com", "baz.bar.foo.com", false],
    ["*.foo.com", "foo.com", false],
    [undefined, "anything.example", true],
  ];
  it.each(table)("%s vs %s -> %s", (rule, host, match) => expect(hostMatches(rule, host)).toBe(match));
});

describe("matchIngress", () => {
  const web = ingress("web", [
    { host: "shop.example.com", http: { paths: [
      { path: "/", pathType: "Prefix", backend: backend("web") },
      { path: "/api", pathType: "Prefix", backend: backend("api") },
      { path: "/api", pathType: "Exact", backend: backend("api-exact") },
    ] } },
    { host: "*.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("wild") }] } },
    { http: { paths: [{ path: "/static", pathType: "Prefix", backend: backend("static") }] } },
  ]);
  const cases: [string, string, string | undefined][] = [
    ["shop.example.com", "/api/v1", "api"],
    ["shop.example.com", "/api", "api-exact"],
    ["shop.example.com", "/apis", "web"],
    ["SHOP.example.com:8080", "/", "web"],
    ["blog.example.com", "/api", "wild"],
    ["other.test", "/static/a.css", "static"],
    ["other.test", "/", undefined],
  ];
  it.each(cases)("%s%s -> %s", (host, path, svc) => {
    expect(matchIngress([web], host, path)?.backend.service?.name).toBe(svc);
  });

  it("falls back to a defaultBackend, and names the match", () => {
    const dflt = ingress("fallback", [], { defaultBackend: backend("default-web") });
    expect(matchIngress([web, dflt], "other.test", "/")?.key).toBe("fallback: defaultBackend");
    expect(matchIngress([web, dflt], "shop.example.com", "/api/x")?.key).toBe("web: shop.example.com/api (Prefix)");
  });
});
