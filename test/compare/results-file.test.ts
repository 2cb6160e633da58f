import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findShardFiles, mergeShardFiles, RESULTS_VERSION, writeShardResults } from '../../src/compare/results-file';
import { planCells, shardCells } from '../../src/compare/plan';
import type { CellResult } from '../../src/compare/cell-result';
import { cells, PLAN } from './fixtures';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-run-merge-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Writes shard `index` of `count` of the fixture sweep into `dir`. */
function writeShard(dir: string, index: number, count: number, plan = PLAN): string {
  return writeShardResults(dir, { version: RESULTS_VERSION, plan, shard: { index, count }, cells: shardCells(cells(), { index, count }) });
}

describe('merging shard results', () => {
  it('joins shards from separate folders in plan order, with run folders relative to the output', () => {
    const dirs = [0, 1, 2].map((i) => path.join(root, `ok-${i}`));
    dirs.forEach((d, i) => writeShard(d, i, 3));
    const out = path.join(root, 'merged');
    const merged = mergeShardFiles(findShardFiles(dirs), out);
    const strip = (c: CellResult) => ({ ...c, runDir: undefined });
    expect(merged.cells.map(strip)).toEqual(cells().map(strip));
    expect(merged.cells.map(({ task, loss, seed }) => ({ task, loss, seed }))).toEqual(planCells(PLAN));
    expect(merged.cells[4].runDir).toBe(path.join('..', 'ok-1', 'runs', 'multilabel', 'asl', 'seed-1'));
    expect(merged.cells.find((c) => c.status === 'n-a')!.runDir).toBeUndefined();
    expect(merged).toMatchObject({ version: RESULTS_VERSION, plan: PLAN });
    expect(merged.shard).toBeUndefined();
  });

  it('finds every shard file in one shared folder', () => {
    const shared = path.join(root, 'shared');
    writeShard(shared, 1, 2);
    writeShard(shared, 0, 2);
    expect(findShardFiles([shared]).map((f) => path.basename(f))).toEqual(['results-shard-0-of-2.json', 'results-shard-1-of-2.json']);
    expect(mergeShardFiles(findShardFiles([shared]), shared).cells).toHaveLength(cells().length);
  });

  it('refuses incomplete, repeated or mismatched shards with one clear line', () => {
    const a = writeShard(path.join(root, 'bad-a'), 0, 3);
    const b = writeShard(path.join(root, 'bad-b'), 2, 3);
    expect(() => mergeShardFiles([a, b], root)).toThrow('compare merge: missing shard 1/3');
    const again = writeShard(path.join(root, 'bad-c'), 0, 3);
    expect(() => mergeShardFiles([a, again], root)).toThrow(`${again}: shard 0 is also in ${a}`);
    const other = writeShard(path.join(root, 'bad-d'), 1, 3, { ...PLAN, seeds: [0, 1] });
    expect(() => mergeShardFiles([a, other], root)).toThrow(`${other}: its sweep plan differs from ${a}'s`);
    const four = writeShard(path.join(root, 'bad-e'), 1, 4);
    expect(() => mergeShardFiles([a, four], root)).toThrow(`${four}: shard of 4, but ${a} is a shard of 3`);
    fs.mkdirSync(path.join(root, 'empty'));
    expect(() => findShardFiles([path.join(root, 'empty')])).toThrow('empty: holds no results-shard-I-of-N.json');
  });
});
