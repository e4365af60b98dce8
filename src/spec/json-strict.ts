/**
 * Strict JSON checks for text that comes from outside (HTTP request bodies), beyond what
 * `JSON.parse` enforces: RFC 8259 section 4 says object names SHOULD be unique and leaves
 * behaviour with duplicates unpredictable (`JSON.parse` keeps the last one silently);
 * section 6 allows numbers that no IEEE 754 double can hold (`1e999999` parses as
 * `Infinity`, which JSON cannot even write back); and nesting depth is unbounded, while the
 * recursive decoders behind a request are not. One pass over the text, no allocation but a
 * key set per open object; metadata files written by other engines are not checked (they
 * go through the lenient {@link parseJson} path).
 */

/** Default deepest nesting of arrays and objects accepted by {@link findStrictJsonIssue}. */
export const DEFAULT_MAX_JSON_DEPTH = 256;

/** What {@link findStrictJsonIssue} found wrong, and where. */
export interface StrictJsonIssue {
  /** `duplicate-key`, `non-finite-number` or `too-deep`. */
  readonly kind: "duplicate-key" | "non-finite-number" | "too-deep";
  /** JSON path of the value at fault below the root, e.g. `.properties.a` or `.updates[2]` ("" = root). */
  readonly path: string;
  /** 1-based line and column of the token at fault. */
  readonly line: number;
  readonly column: number;
  /** What is wrong, without the position, e.g. `duplicate key "name"`. */
  readonly message: string;
}

/** One open array or object of the scan. */
interface Frame {
  /** Keys seen so far (objects), or undefined (arrays). */
  readonly keys: Set<string> | undefined;
  /** Objects: the next string is a key. */
  expectKey: boolean;
  /** Objects: the current key; arrays: the current index. */
  at: string | number;
}

/**
 * Scans JSON text for the first duplicate object key, number that is not a finite double,
 * or nesting deeper than `maxDepth`. The text is assumed to be syntactically valid JSON
 * (check it with `JSON.parse` as well; on invalid text the scan stops or reports nonsense,
 * but never throws or loops).
 * @param maxDepth deepest nesting accepted (default {@link DEFAULT_MAX_JSON_DEPTH})
 * @returns the first issue, or undefined when there is none
 */
export function findStrictJsonIssue(
  text: string,
  maxDepth = DEFAULT_MAX_JSON_DEPTH,
): StrictJsonIssue | undefined {
  const stack: Frame[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string literal: a key when the innermost object expects one.
      const start = i;
      let escaped = false;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) {
          escaped = true;
          i++;
        } else if (d === 34) break;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const raw = text.slice(start + 1, i);
        let key = raw;
        if (escaped) {
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            return undefined; // invalid text: JSON.parse reports it
          }
        }
        top.at = key;
        if (top.keys.has(key))
          return issue(text, start, stack, "duplicate-key", `duplicate key ${JSON.stringify(key)}`);
        top.keys.add(key);
        top.expectKey = false;
      }
      continue;
    }
    if (c === 123 || c === 91) {
      // `{` or `[`
      if (stack.length >= maxDepth)
        return issue(text, i, stack, "too-deep", `nesting is deeper than ${maxDepth} levels`);
      stack.push(
        c === 123
          ? { keys: new Set(), expectKey: true, at: "" }
          : { keys: undefined, expectKey: false, at: 0 },
      );
      continue;
    }
    if (c === 125 || c === 93) {
      stack.pop();
      continue;
    }
    if (c === 44) {
      // `,`: the next key, or the next element.
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
      continue;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      const start = i;
      let fractional = false;
      let j = i + 1;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === 46 || d === 101 || d === 69) fractional = true;
        else if (!((d >= 48 && d <= 57) || d === 43 || d === 45)) break;
      }
      i = j - 1;
      // Integers without fraction or exponent are exact (bigint beyond 2^53); only the others
      // can overflow a double.
      if (fractional) {
        const token = text.slice(start, j);
        if (!Number.isFinite(Number(token)))
          return issue(
            text,
            start,
            stack,
            "non-finite-number",
            `number ${token.length > 40 ? `${token.slice(0, 40)}...` : token} is out of the range of a double`,
          );
      }
    }
  }
  return undefined;
}

function issue(
  text: string,
  offset: number,
  stack: readonly Frame[],
  kind: StrictJsonIssue["kind"],
  message: string,
): StrictJsonIssue {
  // The innermost object names no key yet while it expects one (a duplicate is reported on it).
  let path = "";
  for (const f of stack) {
    if (!f.keys) path += `[${f.at}]`;
    else if (!f.expectKey) path += `.${String(f.at)}`;
  }
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf("\n"); k >= 0 && k < offset; k = text.indexOf("\n", k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { kind, path, line, column: offset - lineStart + 1, message };
}
