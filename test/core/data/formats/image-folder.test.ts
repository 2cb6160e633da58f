import * as fs from 'fs';
import * as path from 'path';
import { readImageFolder } from '../../../../src/core/data/formats/image-folder';
import { expectDataError, reasonsOf, makeTmpDir, removeDir, writeImage, writeText } from './fixtures';

describe('readImageFolder', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTmpDir('folder');
    writeImage(path.join(dir, 'train', 'dog', 'b.PNG'));
    writeImage(path.join(dir, 'train', 'dog', 'a.JpG'));
    writeImage(path.join(dir, 'train', 'dog', 'nested', 'c.jpeg'));
    writeText(path.join(dir, 'train', 'dog', 'notes.txt'), 'not an image');
    writeImage(path.join(dir, 'train', 'cat', 'z.png'));
    writeImage(path.join(dir, 'train', '.ipynb_checkpoints', 'x.png'));
    writeImage(path.join(dir, 'train', 'cat', '.hidden.png'));
    writeText(path.join(dir, 'train', 'README'), 'top-level files are ignored');
    writeImage(path.join(dir, 'val', 'dog', 'v.png'));
    writeImage(path.join(dir, 'val', 'emu', 'w.png'));
    fs.mkdirSync(path.join(dir, 'val', 'cat'));
  });
  afterAll(() => removeDir(dir));

  it('reads sorted class folders, image extensions in any case, nested folders, ignoring hidden and other files', () => {
    const ds = readImageFolder(path.join(dir, 'train'), { skipBad: false });
    expect(ds.classes).toEqual(['cat', 'dog']);
    const t = path.join(dir, 'train');
    expect(ds.records).toEqual([
      { file: path.join(t, 'cat', 'z.png'), label: 0 },
      { file: path.join(t, 'dog', 'a.JpG'), label: 1 },
      { file: path.join(t, 'dog', 'b.PNG'), label: 1 },
      { file: path.join(t, 'dog', 'nested', 'c.jpeg'), label: 1 },
    ]);
  });

  it('checks a validation split against the training classes; empty class folders are errors', () => {
    const val = path.join(dir, 'val');
    const classes = ['cat', 'dog'];
    const unknown = `${path.join(val, 'emu')}: val class 'emu' is not among the training classes`;
    const empty = `${path.join(val, 'cat')}: class folder has no .jpg/.png/.jpeg images`;
    expectDataError(() => readImageFolder(val, { skipBad: false }, classes), empty);
    const ds = readImageFolder(val, { skipBad: true }, classes);
    expect(ds.classes).toEqual(classes);
    expect(ds.records).toEqual([{ file: path.join(val, 'dog', 'v.png'), label: 1 }]);
    expect(reasonsOf(ds)).toEqual([empty, unknown]);
  });

  it('fails clearly on a missing folder or one without class folders', () => {
    expectDataError(() => readImageFolder(path.join(dir, 'nope'), { skipBad: true }), `${path.join(dir, 'nope')}: image folder not found`);
    const flat = path.join(dir, 'flat');
    writeImage(path.join(flat, 'a.png'));
    expectDataError(() => readImageFolder(flat, { skipBad: true }), `${flat}: no class folders (expected flat/<class>/<image>.png|jpg|jpeg)`);
  });
});
