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

/**
 * The offset of the first character at which `text` is not valid JSON (text.length for a
 * premature end). Only called after JSON.parse failed, so speed does not matter.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const stop = (): never => {
    throw new SyntaxStop(i);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expectWord = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) stop();
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) stop();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (const end = i + 4; i < end; ) if (!/[0-9a-fA-F]/.test(text[++i] ?? '')) stop();
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) stop();
      }
      i++;
    }
    if (i >= text.length) stop();
    i++;
  };
  const digits = (): void => {
    if (!(text[i] >= '0' && text[i] <= '9')) stop();
    while (text[i] >= '0' && text[i] <= '9') i++;
  };
  const number = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const value = (): void => {
    skipSpace();
    const ch = text[i];
    if (ch === '{') container('}', true);
    else if (ch === '[') container(']', false);
    else if (ch === '"') string();
    else if (ch === 't') expectWord('true');
    else if (ch === 'f') expectWord('false');
    else if (ch === 'n') expectWord('null');
    else if (ch === '-' || (ch >= '0' && ch <= '9')) number();
    else stop();
  };
  const container = (close: string, isObject: boolean): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      if (isObject) {
        skipSpace();
        if (text[i] !== '"') stop();
        string();
        skipSpace();
        if (text[i] !== ':') stop();
        i++;
      }
      value();
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) {
        i++;
        return;
      }
      stop();
    }
  };
  try {
    value();
    skipSpace();
    if (i < text.length) stop();
  } catch (err) {
    if (err instanceof SyntaxStop) return Math.min(err.offset, text.length);
    throw err;
  }
  return text.length;
}
