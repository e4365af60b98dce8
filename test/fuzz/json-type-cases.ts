/**
 * Wrong types in every field of every request body: each field (and each container) of a
 * valid body is replaced, one at a time, by values of other JSON types (a number for a string,
 * a numeric string for an integer, a fraction for an integer, an object for an array ...),
 * drawn from the seeded random source. The server must refuse each with a 400 whose message
 * names the field: a request that passes means a value was coerced or a field ignored.
 */

import { commitBodies } from "./commit-bodies.js";
import { type FuzzCase, type FuzzTargets, type Random, refused } from "./fuzz-case.js";
import { type BodyEndpoint, bodyEndpoints, type Json, jsonText, RawNumber } from "./request-bodies.js";

/** A path into a JSON value: keys and indexes. */
type JsonPath = readonly (string | number)[];

/** Values of other types than `v`'s, to put in its place. */
function wrongTypes(v: Json, integerField: boolean): Json[] {
  if (v instanceof RawNumber || typeof v === "number")
    return integerField ? ["1", true, [], {}, 1.5, new RawNumber("-0.5")] : ["1", true, [], {}];
  if (typeof v === "string") return [5, true, [], {}, new RawNumber("-0")];
  if (typeof v === "boolean") return ["true", 1, 0, [], {}];
  if (Array.isArray(v)) return [{}, "x", 5, true];
  if (v !== null && typeof v === "object") return [[], "x", 5, false];
  return [];
}

/** Every path in a value, containers included (the root excluded). */
function paths(v: Json, at: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = at.length > 0 ? [at] : [];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v !== null && typeof v === "object" && !(v instanceof RawNumber))
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** `v` with the value at `path` replaced. */
function replaced(v: Json, path: JsonPath, value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? replaced(x, rest, value) : x));
  const o = v as Record<string, Json>;
  return Object.fromEntries(
    Object.entries(o).map(([k, x]) => [k, k === head ? replaced(x, rest, value) : x]),
  );
}

/** The value at `path`. */
const at = (v: Json, path: JsonPath): Json =>
  path.reduce<Json>((x, k) => (x as Record<string | number, Json>)[k]!, v);

/** `a.b[0].c` for messages. */
const pathText = (path: JsonPath) =>
  path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");

/** The last key of a path (what the server's message must name). */
const lastKey = (path: JsonPath) => [...path].reverse().find((k) => typeof k === "string") as string;

/**
 * Fields that are maps of free-form values (their keys are data, not fields): replacing a
 * value there by a number is refused (values are strings), but the map's own keys are not
 * fields to name.
 */
const MAP_FIELDS = new Set(["properties", "updates", "summary", "headers", "config"]);

/** Keys the decoders read as integers (an integer-valued field, where a fraction is wrong). */
const isIntegerKey = (k: string) => /(^|-)(id|ids|ms|version|number|bytes|size|rows|requested|keep)$/.test(k);

/** The type cases of one endpoint body: `perField` wrong values for each field. */
function typeCases(label: string, e: Pick<BodyEndpoint, "target">, body: Json, rnd: Random): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (const path of paths(body)) {
    const value = at(body, path);
    const key = lastKey(path);
    if (key === undefined) continue;
    // Inside a free-form map only the values matter; the path names the map's key.
    const parentKey = path.length > 1 ? path[path.length - 2] : undefined;
    const inMap = typeof parentKey === "string" && MAP_FIELDS.has(parentKey) && typeof value === "string";
    const candidates = wrongTypes(value, typeof key === "string" && isIntegerKey(key)).filter(
      (x) =>
        // A map value must be a string: other scalars are refused, containers too.
        !(inMap && x instanceof RawNumber) &&
        // A boolean is an expression (always true / always false, as Iceberg Java reads it).
        !(key === "filter" && typeof x === "boolean") &&
        // A string literal converts to the column's type when bound ("1" for a long, as in Java).
        !(key === "value" && path.includes("filter") && typeof x === "string"),
    );
    if (candidates.length === 0) continue;
    for (let n = 0; n < 2; n++) {
      const wrong = rnd.pick(candidates);
      out.push({
        name: `${label}: ${pathText(path)} = ${jsonText(wrong)}`,
        method: "POST",
        target: e.target,
        body: jsonText(replaced(body, path, wrong)),
        expect: { ...refused(400), mentions: key },
      });
    }
  }
  return out;
}

/**
 * Wrong-typed variants of every endpoint body and of a commit carrying each table update and
 * requirement type.
 */
export function jsonTypeCases(t: FuzzTargets, rnd: Random): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (const e of bodyEndpoints(t)) out.push(...typeCases(e.label, e, e.body, rnd));
  for (const c of commitBodies(t)) out.push(...typeCases(c.label, c, c.body, rnd));
  // Names are unique in a run: draws may repeat a replacement.
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.name) && seen.add(c.name));
}
