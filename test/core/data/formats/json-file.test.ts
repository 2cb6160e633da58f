import * as path from 'path';
import { jsonErrorOffset, readJsonFile } from '../../../../src/core/data/formats/json-file';
import { expectDataError, makeTmpDir, removeDir, writeText } from './fixtures';

describe('readJsonFile', () => {
  let dir: string;
  beforeAll(() => (dir = makeTmpDir('json')));
  afterAll(() => removeDir(dir));

  it('parses valid JSON and drops a BOM', () => {
    const file = writeText(path.join(dir, 'ok.json'), '\ufeff{"a": [1, 2.5e3, "x\\u0041"], "b": null}');
    expect(readJsonFile(file)).toEqual({ a: [1, 2500, 'xA'], b: null });
  });

  it('names file, line and column of the first bad character', () => {
    const file = writeText(path.join(dir, 'bad.json'), '{\n  "images": [],\n  "x": tru\n}');
    expectDataError(() => readJsonFile(file), `${file}: malformed JSON at line 3, column 11: unexpected "\\n"`);
    const cut = writeText(path.join(dir, 'cut.json'), '{"a": [1, 2');
    expectDataError(() => readJsonFile(cut), `${cut}: malformed JSON at line 1, column 12: unexpected end of file`);
    expectDataError(() => readJsonFile(path.join(dir, 'none.json')), `${path.join(dir, 'none.json')}: cannot read JSON file (ENOENT)`);
  });

  it('locates errors where V8 reports a position, and agrees with it', () => {
    // V8's own "at position N" is the oracle for the scanner.
    const cases = ['{"a":1,}', '[1,2 3]', '{"a" 1}', '{"a":1}x', '[1, -]', '{"a":"b\u0001"}', '[01]', '{"a":1 "b":2}', '"\\u12"', '{"a":"\\x"}'];
    let compared = 0;
    for (const text of cases) {
      let message = '';
      try {
        JSON.parse(text);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).not.toBe('');
      const v8 = /at position (\d+)/.exec(message);
      if (v8) {
        expect([text, jsonErrorOffset(text)]).toEqual([text, Number(v8[1])]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(5);
  });
});
