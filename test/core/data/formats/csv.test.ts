import * as path from 'path';
import { readCsvMultiLabel, readCsvSingleLabel } from '../../../../src/core/data/formats/csv';
import { parseCsv } from '../../../../src/core/data/formats/csv-parse';
import { expectDataError, reasonsOf, makeTmpDir, removeDir, writeImage, writeText } from './fixtures';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, line breaks in quotes, CRLF, BOM and blank lines', () => {
    const text = '\ufeffimage,tags\r\n"a,1.png","x ""y"""\r\n\r\nb,"multi\nline"\n  c , d \n\n';
    expect(parseCsv(text, 'f.csv')).toEqual([
      { line: 1, fields: ['image', 'tags'] },
      { line: 2, fields: ['a,1.png', 'x "y"'] },
      { line: 4, fields: ['b', 'multi\nline'] },
      { line: 6, fields: ['c', 'd'] },
    ]);
    expect(parseCsv('a,b\r\nc,\r\n"",d', 'f.csv')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', ''] },
      { line: 3, fields: ['', 'd'] },
    ]);
  });

  it('rejects broken quoting with the line', () => {
    expectDataError(() => parseCsv('image,tags\na,"open\n\n', 'f.csv'), 'f.csv:2: unterminated quoted field');
    expectDataError(() => parseCsv('image,tags\n"a"b,c\n', 'f.csv'), 'f.csv:2: unexpected character "b" after a closing quote');
  });
});

describe('CSV readers', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTmpDir('csv');
    for (const name of ['p1.jpg', 'p2.png', 'p3.jpeg', 'sub/p4.png', 'img/q1.png']) writeImage(path.join(dir, name));
  });
  afterAll(() => removeDir(dir));
  const csv = (name: string, text: string): string => writeText(path.join(dir, name), text);

  it('reads multi-label rows: extension optional, sorted unique tags, folders relative to the CSV', () => {
    const file = csv('train.csv', '\ufeffimage_name,tags\r\np1,haze primary\r\n"p2.png","primary  road road"\r\n\r\np3,clear\r\nsub/p4,haze\r\n');
    const ds = readCsvMultiLabel(file, { skipBad: false });
    expect(ds.classes).toEqual(['clear', 'haze', 'primary', 'road']);
    expect(ds.records).toEqual([
      { file: path.join(dir, 'p1.jpg'), labels: [1, 2] },
      { file: path.join(dir, 'p2.png'), labels: [2, 3] },
      { file: path.join(dir, 'p3.jpeg'), labels: [0] },
      { file: path.join(dir, 'sub', 'p4.png'), labels: [1] },
    ]);
    expect(reasonsOf(ds)).toEqual([]);
  });

  it('maps a validation split onto the training classes', () => {
    const file = csv('val.csv', 'image,tags\np1,road\np2,water road\n');
    expectDataError(() => readCsvMultiLabel(file, { skipBad: false }, ['haze', 'road']), `${file}:3: tag 'water' is not among the training classes`);
    const ds = readCsvMultiLabel(file, { skipBad: true }, ['haze', 'road']);
    expect(ds.classes).toEqual(['haze', 'road']);
    expect(ds.records).toEqual([{ file: path.join(dir, 'p1.jpg'), labels: [1] }]);
    expect(ds.skipped).toHaveLength(1);
  });

  it('takes images from imageDir when given', () => {
    const file = csv('other.csv', 'image,tags\nq1,a\n');
    expect(readCsvMultiLabel(file, { skipBad: false, imageDir: path.join(dir, 'img') }).records).toEqual([{ file: path.join(dir, 'img', 'q1.png'), labels: [0] }]);
  });

  it('names file and line for each bad row, and skipBad counts them', () => {
    const file = csv('bad.csv', 'image,tags\np1,a\np2,b,extra\n,c\np1,d\nnope,e\np3,\np3.jpeg,f\n');
    const reasons = [
      `${file}:3: expected 2 fields, got 3`,
      `${file}:4: empty image name`,
      `${file}:5: image 'p1' already listed on line 2`,
      `${file}:6: image 'nope' not found in ${dir} (also tried .jpg, .png, .jpeg)`,
      `${file}:7: no tags (a multi-label record needs at least one)`,
    ];
    expectDataError(() => readCsvMultiLabel(file, { skipBad: false }), reasons[0]);
    const ds = readCsvMultiLabel(file, { skipBad: true });
    expect(reasonsOf(ds)).toEqual(reasons);
    expect(ds.records.map((r) => path.basename(r.file))).toEqual(['p1.jpg', 'p3.jpeg']);
    expect(ds.classes).toEqual(['a', 'f']);
    // allowEmpty keeps the untagged row as an empty label set.
    const lenient = readCsvMultiLabel(file, { skipBad: true, allowEmpty: true });
    expect(lenient.records.map((r) => r.labels)).toEqual([[0], [], [1]]);
  });

  it('requires a header naming the columns', () => {
    const file = csv('nohead.csv', 'p1,a\np2,b\n');
    expectDataError(() => readCsvMultiLabel(file, { skipBad: true }), `${file}:1: header must name an image column (image|image_name|filename|file) and a tags column (tags|labels), got 'p1,a'`);
    const empty = csv('empty.csv', '\n\n');
    expectDataError(() => readCsvSingleLabel(empty, { skipBad: true }), `${empty}: empty file (a header row 'image,label' is required)`);
  });

  it('reads single-label rows with classes from the data or from training', () => {
    const file = csv('single.csv', 'label,image\ncat,p1\ndog,p2.png\ncat,sub/p4\n');
    const ds = readCsvSingleLabel(file, { skipBad: false });
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect(ds.records.map((r) => [path.basename(r.file), r.label])).toEqual([['p1.jpg', 0], ['p2.png', 1], ['p4.png', 0]]);
    const val = readCsvSingleLabel(file, { skipBad: true }, ['ant', 'dog']);
    expect(val.records.map((r) => r.label)).toEqual([1]);
    expect(reasonsOf(val)).toEqual([`${file}:2: label 'cat' is not among the training classes`, `${file}:4: label 'cat' is not among the training classes`]);
    const blank = csv('blank.csv', 'image,label\np1,\n');
    expectDataError(() => readCsvSingleLabel(blank, { skipBad: false }), `${blank}:2: empty label`);
  });
});
