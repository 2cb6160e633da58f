/**
 * Reading a JSON file with a useful error: V8's JSON.parse messages sometimes give no position (or
 * quote the whole text), so on failure a small syntax scanner finds where the text stops being JSON
 * and the error names the file, line and column.
 *
 * The scanner is kept rather than a library because both candidates misplace errors (29 malformed
 * texts, V8 giving a position for 21; command in docs/results.md): json-parse-even-better-errors@4.0.0
 * (its last release for Node 20) only reads V8's position, and reports offset 0 for 5 of the other 8
 * (`"x": tru` on line 3 reads as line 1, column 1); jsonc-parser@3.3.1 points at the start of the
 * offending token, not the character (agrees with V8 on 12 of 21: a control character 200
 * characters into a string is placed at the string's opening quote). This scanner agrees on 21 of 21.
 */
import { DataError } from '../records';
import { readTextFile } from './reader-support';

/** Parses `file` as JSON; malformed JSON throws `file: malformed JSON at line L, column C (...)`. */
export function readJsonFile(file: string): unknown {
  return parseJson(readTextFile(file, 'JSON file'), file);
}

/**
 * Parses JSON text; malformed text throws a DataError `source: malformed JSON at line L, column C: …`.
 * @param source names the text in the message (a file, or a flag such as --loss-params).
 */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const offset = jsonErrorOffset(text);
    const { line, column } = lineAndColumn(text, offset);
    const found = offset < text.length ? `unexpected ${JSON.stringify(text[offset])}` : 'unexpected end of file';
    throw new DataError(`${source}: malformed JSON at line ${line}, column ${column}: ${found}`);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class SyntaxStop {
  constructor(readonly offset: number) {}
}

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/** A JSON grammar walk that throws SyntaxStop at the first character that breaks it. */
class JsonScanner {
  private i = 0;

  constructor(private readonly text: string) {}

  /** The whole text as one JSON value; the offset where it stops being JSON, or text.length. */
  scan(): number {
    try {
      this.value();
      this.skipSpace();
      if (this.i < this.text.length) this.stop();
    } catch (err) {
      if (err instanceof SyntaxStop) return Math.min(err.offset, this.text.length);
      throw err;
    }
    return this.text.length;
  }

  /** The character at the cursor. */
  private get ch(): string | undefined {
    return this.text[this.i];
  }

  private stop(): never {
    throw new SyntaxStop(this.i);
  }

  private skipSpace(): void {
    while (this.ch !== undefined && ' \t\n\r'.includes(this.ch)) this.i++;
  }

  private expect(ch: string): void {
    if (this.ch !== ch) this.stop();
    this.i++;
  }

  private value(): void {
    this.skipSpace();
    const ch = this.ch;
    if (ch === '{') this.container('}', true);
    else if (ch === '[') this.container(']', false);
    else if (ch === '"') this.string();
    else if (ch === 't' || ch === 'f' || ch === 'n') for (const c of ch === 't' ? 'true' : ch === 'f' ? 'false' : 'null') this.expect(c);
    else if (ch === '-' || isDigit(ch)) this.number();
    else this.stop();
  }

  private string(): void {
    this.i++; // opening quote
    while (this.ch !== '"') {
      if (this.ch === undefined || this.text.charCodeAt(this.i) < 0x20) this.stop();
      if (this.ch === '\\') this.escape();
      this.i++;
    }
    this.i++;
  }

  /** At the backslash; leaves i on the escape's last character. */
  private escape(): void {
    this.i++;
    if (this.ch !== 'u') {
      if (this.ch === undefined || !'"\\/bfnrt'.includes(this.ch)) this.stop();
      return;
    }
    for (let k = 0; k < 4; k++) {
      this.i++;
      if (this.ch === undefined || !/[0-9a-fA-F]/.test(this.ch)) this.stop();
    }
  }

  private digits(): void {
    if (!isDigit(this.ch)) this.stop();
    while (isDigit(this.ch)) this.i++;
  }

  private number(): void {
    if (this.ch === '-') this.i++;
    if (this.ch === '0') this.i++;
    else this.digits();
    if (this.ch === '.') {
      this.i++;
      this.digits();
    }
    if (this.ch === 'e' || this.ch === 'E') {
      this.i++;
      const sign = this.ch as string | undefined;
      if (sign === '+' || sign === '-') this.i++;
      this.digits();
    }
  }

  private container(close: string, isObject: boolean): void {
    this.i++;
    this.skipSpace();
    if (this.ch === close) {
      this.i++;
      return;
    }
    for (;;) {
      if (isObject) this.member();
      this.value();
      this.skipSpace();
      if (this.ch === close) break;
      this.expect(',');
    }
    this.i++;
  }

  /** A member's key and colon. */
  private member(): void {
    this.skipSpace();
    if (this.ch !== '"') this.stop();
    this.string();
    this.skipSpace();
    this.expect(':');
  }
}

/**
 * The offset of the first character at which `text` is not valid JSON (text.length for a
 * premature end). Only called after JSON.parse failed, so speed does not matter.
 */
export function jsonErrorOffset(text: string): number {
  return new JsonScanner(text).scan();
}
