import type { PodTemplateSpec } from "@kube-netsim/model";

// Alphabet of k8s.io/apimachinery/pkg/util/rand (no vowels, no confusable digits).
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/**
 * Encodes a string with the "safe" alphabet, one character per input byte
 * (k8s.io/apimachinery/pkg/util/rand SafeEncodeString: alphanums[int(b) % len]).
 *
 * @example
 * ```ts
 * safeEncodeString("566cffdb74"); // "9bbx44zwc8": no vowels, so no accidental words in pod names
 * ```
 */
export function safeEncodeString(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** 32-bit FNV-1a of a string's UTF-16 code units folded to bytes (ASCII input in practice). */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c > 0x7f) {
      // Fold non-ASCII code units as two bytes so every input is covered deterministically.
      h = Math.imul(h ^ (c >>> 8), 0x01000193) >>> 0;
      c &= 0xff;
    }
    h = Math.imul(h ^ c, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// Canonical JSON: object keys sorted, so that the hash does not depend on key order.
function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
}

/**
 * The `pod-template-hash` of a pod template, as the Deployment controller computes it.
 *
 * @remarks
 * Upstream (pkg/controller/controller_utils.go ComputeHash) hashes the template with
 * 32-bit FNV-1a over a deep printout of the Go struct, adds the collision count, and
 * encodes the decimal number with {@link safeEncodeString}: that is why ReplicaSet
 * names look like `api-7c9f9d5b6f`. We hash a canonical JSON of the template (Go's
 * printout cannot be reproduced outside Go), so our hashes have the same form and
 * properties (same template -> same hash; any change -> a new ReplicaSet) but not
 * the same values as a real cluster.
 *
 * @example
 * ```ts
 * computePodTemplateHash(deployment.spec.template) // e.g. "5d4b9c8f7"
 * ```
 */
export function computePodTemplateHash(template: PodTemplateSpec, collisionCount: number = 0): string {
  let text = canonical(template);
  if (collisionCount > 0) text += `#${collisionCount}`;
  return safeEncodeString(String(fnv1a32(text)));
}
