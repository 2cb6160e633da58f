/**
 * Bad images through the real CLI: without --skip-bad one line naming the file and exit 1; with it
 * every skip counted by kind and split on the summary line and in metrics.json; a split left with
 * no usable image stops the run (no model saved as its result); a declared COCO size that is not
 * the file's is an error or a counted `size` skip.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir } from './run-cli';

const work = tmpDir('asl-run-skips-');
const clean = path.join(work, 'clean');
const scenes = path.join(work, 'scenes');
const multilabel = ['--task', 'multilabel', '--epochs', '2', '--batch-size', '8', '--image-size', '32', '--backend', 'wasm', '--quiet'];
const detection = ['--task', 'detection', '--epochs', '1', '--batch-size', '8', '--image-size', '64', '--backend', 'wasm', '--no-ema', '--quiet'];

const lastLine = (text: string): string | undefined => text.trim().split('\n').pop();
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** A copy of `from` at `name` with `change` applied to it. */
function variant(from: string, name: string, change: (dir: string) => void): string {
  const dir = path.join(work, name);
  fs.cpSync(from, dir, { recursive: true });
  change(dir);
  return dir;
}

function editJson(file: string, edit: (value: any) => void): void {
  const value = readJson(file);
  edit(value);
  fs.writeFileSync(file, JSON.stringify(value));
}

/** Not an image at all, and a PNG cut after its header (the magic number passes, decoding fails). */
const garble = (file: string) => fs.writeFileSync(file, 'not an image');
const truncate = (file: string) => fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 80));

/** Neither a model nor metrics saved: nothing poses as the run's result. */
function expectNoResult(run: string): void {
  expect(fs.existsSync(path.join(run, 'model'))).toBe(false);
  expect(fs.existsSync(path.join(run, 'metrics.json'))).toBe(false);
}

beforeAll(() => {
  expect(cli(['data', 'make', 'mnist-multilabel', '--out', clean, '--options', '{"trainCount":32,"valCount":16}']).status).toBe(0);
  expect(cli(['data', 'make', 'mnist-detection', '--out', scenes, '--options', '{"trainCount":16,"valCount":6}']).status).toBe(0);
});

describe('images that fail to decode', () => {
  let corrupt: string;
  beforeAll(() => {
    corrupt = variant(clean, 'corrupt', (dir) => {
      garble(path.join(dir, 'train', '000003.png'));
      truncate(path.join(dir, 'train', '000007.png'));
      truncate(path.join(dir, 'val', '000002.png'));
    });
  });

  it('stop the run with one line naming the file, without --skip-bad', () => {
    const run = path.join(work, 'strict');
    const r = cli([...multilabel, '--data', corrupt, '--out', run]);
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toMatch(new RegExp(`^asl-run: ${corrupt}/train/00000[37]\\.png: (not a PNG or JPEG file|cannot decode image \\(.+\\))$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expectNoResult(run);
  });

  it('are counted once each with --skip-bad, by kind and split, beside the bad records', () => {
    const data = variant(corrupt, 'corrupt-records', (dir) =>
      editJson(path.join(dir, 'annotations', 'instances_train.json'), (coco) => (coco.annotations[0].category_id = 999)));
    const run = path.join(work, 'lenient');
    const r = cli([...multilabel, '--data', data, '--out', run, '--skip-bad']);
    expect(r.status).toBe(0);
    // Two epochs and two evaluations (live and EMA weights) each met the bad files again.
    expect(r.stdout).toMatch(/^multilabel\/asl: mAP .*, skipped 4 \(record 1, decode 3\)\)\n$/);
    expect(readJson(path.join(run, 'metrics.json')).skipped).toEqual({
      total: 4,
      byKind: { record: 1, decode: 3, size: 0 },
      bySplit: { train: 3, val: 1 },
      first: expect.stringContaining(`${data}/annotations/instances_train.json: annotation`),
    });
    // eval reads the val split only, with the run's --skip-bad.
    const e = cli(['eval', '--run', run, '--backend', 'wasm', '--quiet']);
    expect(e.status).toBe(0);
    expect(JSON.parse(e.stdout).skipped).toEqual({
      total: 1, byKind: { record: 0, decode: 1, size: 0 }, bySplit: { train: 0, val: 1 }, first: expect.stringMatching(new RegExp(`^${data}/val/000002\\.png: cannot decode image \\(.+\\)$`)),
    });
  });
});

describe('a split with no usable image', () => {
  it('stops before training when every training image fails to decode', () => {
    const data = variant(clean, 'train-all-bad', (dir) => {
      for (const name of fs.readdirSync(path.join(dir, 'train'))) garble(path.join(dir, 'train', name));
    });
    const run = path.join(work, 'no-train');
    const r = cli([...multilabel, '--data', data, '--out', run, '--skip-bad']);
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toMatch(
      new RegExp(`^asl-run: train split \\(${data}/annotations/instances_train\\.json\\): no usable images: 32 of its 32 images could not be read or decoded \\(skipped by --skip-bad\\); first: ${data}/train/000001\\.png: not a PNG or JPEG file$`),
    );
    expect(fs.existsSync(run)).toBe(false);
  });

  it('stops before training when every validation image fails to decode, instead of reporting mAP 0', () => {
    const data = variant(clean, 'val-all-bad', (dir) => {
      for (const name of fs.readdirSync(path.join(dir, 'val'))) truncate(path.join(dir, 'val', name));
    });
    const run = path.join(work, 'no-val');
    const r = cli([...multilabel, '--data', data, '--out', run, '--skip-bad']);
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toMatch(
      new RegExp(`^asl-run: val split \\(${data}/annotations/instances_val\\.json\\): no usable images: 16 of its 16 images could not be read or decoded \\(skipped by --skip-bad\\); first: ${data}/val/000001\\.png: cannot decode image`),
    );
    expect(fs.existsSync(run)).toBe(false);
  });

  it('names an empty or fully skipped train split as the train split, before reading val', () => {
    const data = path.join(work, 'csv');
    fs.cpSync(path.join(clean, 'train'), path.join(data, 'img'), { recursive: true });
    fs.writeFileSync(path.join(data, 'val.csv'), 'image,tags\nimg/000001.png,seven\n');
    fs.writeFileSync(path.join(data, 'train.csv'), 'image,tags\n');
    const empty = cli([...multilabel, '--data', data, '--out', path.join(work, 'csv-empty')]);
    expect(empty.status).toBe(1);
    expect(lastLine(empty.stderr)).toBe(`asl-run: train split (${data}/train.csv): no usable images: it lists none`);
    fs.writeFileSync(path.join(data, 'train.csv'), 'image,tags\nimg/gone.png,seven\nimg/000002.png,\n');
    const skipped = cli([...multilabel, '--data', data, '--out', path.join(work, 'csv-skipped'), '--skip-bad']);
    expect(skipped.status).toBe(1);
    expect(lastLine(skipped.stderr)).toMatch(
      new RegExp(`^asl-run: train split \\(${data}/train\\.csv\\): no usable images: --skip-bad skipped 2 bad records, leaving none; first: ${data}/train\\.csv:2: `),
    );
  });
});

describe('declared COCO image sizes', () => {
  let data: string;
  let image: string;
  beforeAll(() => {
    data = variant(scenes, 'resized', (dir) =>
      editJson(path.join(dir, 'annotations', 'instances_val.json'), (coco) => {
        coco.images[1].width = 256;
        image = coco.images[1].file_name;
      }));
  });

  it('are checked against the image file: one line naming the file and both sizes', () => {
    const run = path.join(work, 'size-strict');
    const r = cli([...detection, '--data', data, '--out', run]);
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      `asl-run: ${data}/annotations/instances_val.json: image 2: declared size 256x128, but the image file ${data}/val/${image} is 128x128`,
    );
    expect(fs.existsSync(run)).toBe(false);
  });

  it('or skipped and counted as size skips with --skip-bad', () => {
    const run = path.join(work, 'size-lenient');
    const r = cli([...detection, '--data', data, '--out', run, '--skip-bad']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^detection\/bce: AP .*, skipped 1 \(size 1\)\)\n$/);
    expect(readJson(path.join(run, 'metrics.json')).skipped).toMatchObject({ total: 1, byKind: { record: 0, decode: 0, size: 1 }, bySplit: { train: 0, val: 1 } });
  });
});
