/** A key or list index on the way to a value in a parsed document. */
export type JsonPathSegment = string | number;

export interface JsonProblem {
  /** Offset in the text where the problem is. */
  offset: number;
  /** What is wrong, in words that quote nothing of the text: it may be a file that is not JSON at all. */
  reason: string;
  /** For a key that appears twice in one object: the key, and the offset of its first occurrence. */
  duplicate?: { key: string; first: number };
}

/** Documents here are a few levels deep; deeper nesting is refused rather than recursed into. */
export const MAX_JSON_DEPTH = 512;

/**
 * The first syntax error or repeated key in `text`, or undefined when it is valid JSON with unique keys.
 * JSON.parse keeps the last of two equal keys silently, and V8's syntax messages quote the text, so
 * callers parse with JSON.parse and ask this for the problem to report. One pass, linear in the text.
 */
export function jsonProblem(text: string): JsonProblem | undefined {
  const scanner = new JsonScanner(text);
  return scanner.run();
}

/**
 * Offset of the key (or list item) at `path` in valid JSON `text`: where its member's key starts, or
 * where the item starts; for a path that does not exist, the deepest part of it that does.
 */
export function jsonOffsetOf(text: string, path: readonly JsonPathSegment[]): number | undefined {
  let best = -1;
  let bestDepth = -1;
  const scanner = new JsonScanner(text, (at, offset) => {
    const depth = at.length;
    if (depth > path.length || depth <= bestDepth) return;
    for (let k = 0; k < depth; k++) if (at[k] !== path[k]) return;
    best = offset;
    bestDepth = depth;
  });
  if (scanner.run()) return undefined;
  return best < 0 ? scanner.start : best;
}

type Visit = (path: readonly JsonPathSegment[], offset: number) => void;

const WS = /[ \t\n\r]*/y;
// eslint-disable-next-line no-control-regex -- a string runs until a quote, a backslash or a control character
const STRING_RUN = /[^"\\\u0000-\u001f]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

class Fail {
  constructor(
    readonly offset: number,
    readonly reason: string,
    readonly duplicate?: JsonProblem['duplicate'],
  ) {}
}

/** A recursive-descent JSON checker (RFC 8259), with the path of every member it passes. */
class JsonScanner {
  private i = 0;
  private readonly path: JsonPathSegment[] = [];
  /** Where the top-level value starts. */
  start = 0;

  constructor(
    private readonly text: string,
    private readonly visit?: Visit,
  ) {}

  run(): JsonProblem | undefined {
    try {
      if (this.text.charCodeAt(0) === 0xfeff) this.i = 1;
      this.ws();
      this.start = this.i;
      this.value(0);
      this.ws();
      if (this.i < this.text.length) this.fail('text after the end of the document');
      return undefined;
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      return { offset: Math.min(e.offset, this.text.length), reason: e.reason, ...(e.duplicate ? { duplicate: e.duplicate } : {}) };
    }
  }

  private fail(reason: string, offset = this.i): never {
    throw new Fail(offset, this.i >= this.text.length ? 'unexpected end of the document' : reason);
  }

  private ws(): void {
    WS.lastIndex = this.i;
    WS.test(this.text);
    this.i = WS.lastIndex;
  }

  private value(depth: number): void {
    if (depth >= MAX_JSON_DEPTH) this.fail(`values nested more than ${MAX_JSON_DEPTH} levels deep`);
    this.ws();
    const c = this.text[this.i];
    if (c === '{') return this.object(depth + 1);
    if (c === '[') return this.array(depth + 1);
    if (c === '"') return void this.string();
    if (c === 't') return this.literal('true');
    if (c === 'f') return this.literal('false');
    if (c === 'n') return this.literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    this.fail('expected a value (a string, number, object, list, true, false or null)');
  }

  private object(depth: number): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === '}') return void this.i++;
    const seen = new Map<string, number>();
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') this.fail('expected a key in double quotes');
      const at = this.i;
      const key = this.string();
      const first = seen.get(key);
      if (first !== undefined) throw new Fail(at, 'repeated key', { key, first });
      seen.set(key, at);
      this.path.push(key);
      this.visit?.(this.path, at);
      this.ws();
      if (this.text[this.i] !== ':') this.fail('expected ":" after a key');
      this.i++;
      this.value(depth);
      this.path.pop();
      this.ws();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] === '}') return void this.i++;
      else this.fail('expected "," or "}" after a value');
    }
  }

  private array(depth: number): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === ']') return void this.i++;
    for (let index = 0; ; index++) {
      this.ws();
      this.path.push(index);
      this.visit?.(this.path, this.i);
      this.value(depth);
      this.path.pop();
      this.ws();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] === ']') return void this.i++;
      else this.fail('expected "," or "]" after a value');
    }
  }

  /** Reads a string and returns its value (escapes decoded only when it has any). */
  private string(): string {
    const start = this.i;
    this.i++;
    let escaped = false;
    for (;;) {
      STRING_RUN.lastIndex = this.i;
      STRING_RUN.test(this.text);
      this.i = STRING_RUN.lastIndex;
      const c = this.text[this.i];
      if (c === '"') break;
      if (c !== '\\') this.fail('a control character (or the end of the document) inside a string');
      escaped = true;
      const e = this.text[this.i + 1];
      if (e === 'u') {
        HEX4.lastIndex = this.i + 2;
        if (!HEX4.test(this.text)) this.fail('an invalid \\u escape in a string', this.i + 1);
        this.i += 6;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
        this.i += 2;
      } else {
        this.fail('an invalid escape in a string', this.i + 1);
      }
    }
    this.i++;
    const raw = this.text.slice(start, this.i);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  private literal(word: string): void {
    for (const c of word) {
      if (this.text[this.i] !== c) this.fail('expected a value (a string, number, object, list, true, false or null)');
      this.i++;
    }
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    if (!NUMBER.test(this.text)) this.fail('an invalid number');
    this.i = NUMBER.lastIndex;
    // `01` and `1.` are not JSON numbers: whatever follows must end the value.
    const next = this.text[this.i];
    if (next !== undefined && /[0-9.eE]/.test(next)) this.fail('an invalid number');
  }
}
