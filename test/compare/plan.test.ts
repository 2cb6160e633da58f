import * as path from 'path';
import { cellRunDir, parseDataFlags, parseNameList, parseShard, planCells, seedList, shardCells } from '../../src/compare/plan';

describe('sweep planning', () => {
  it('plans tasks × losses × seeds in the given order', () => {
    const cells = planCells({ tasks: ['multilabel', 'singlelabel'], losses: ['bce', 'asl'], seeds: [0, 1, 2] });
    expect(cells).toHaveLength(12);
    expect(cells.slice(0, 4)).toEqual([
      { task: 'multilabel', loss: 'bce', seed: 0 },
      { task: 'multilabel', loss: 'bce', seed: 1 },
      { task: 'multilabel', loss: 'bce', seed: 2 },
      { task: 'multilabel', loss: 'asl', seed: 0 },
    ]);
    expect(cells[11]).toEqual({ task: 'singlelabel', loss: 'asl', seed: 2 });
    expect(cellRunDir(cells[11])).toBe(path.join('runs', 'singlelabel', 'asl', 'seed-2'));
  });

  it('seeds run from the base', () => {
    expect(seedList(3, 0)).toEqual([0, 1, 2]);
    expect(seedList(2, 10)).toEqual([10, 11]);
    expect(() => seedList(0, 0)).toThrow('--seeds: expected a positive integer, got 0');
    expect(() => seedList(2, -1)).toThrow('--seed-base');
  });

  it('shards partition the cells round robin, whatever the count', () => {
    const cells = Array.from({ length: 11 }, (_, i) => i);
    expect(shardCells(cells, { index: 0, count: 3 })).toEqual([0, 3, 6, 9]);
    expect(shardCells(cells, { index: 1, count: 3 })).toEqual([1, 4, 7, 10]);
    expect(shardCells(cells, { index: 2, count: 3 })).toEqual([2, 5, 8]);
    for (const count of [1, 2, 4, 11, 15]) {
      const union = Array.from({ length: count }, (_, index) => shardCells(cells, { index, count })).flat().sort((a, b) => a - b);
      expect(union).toEqual(cells);
    }
  });

  it('parses --shard I/N (0-based) and rejects anything else', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3/4 ')).toEqual({ index: 3, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/3', 'a/b', '2', '1/2/3']) expect(() => parseShard(bad)).toThrow(`--shard: expected I/N with 0 <= I < N (e.g. 0/4), got '${bad}'`);
  });

  it('parses name lists and refuses names that cannot be folders', () => {
    expect(parseNameList('--losses', 'bce, asl,,focal')).toEqual(['bce', 'asl', 'focal']);
    expect(() => parseNameList('--losses', '')).toThrow('--losses: give at least one name');
    expect(() => parseNameList('--losses', 'bce,../x')).toThrow("--losses: '../x' is not a plain name");
    expect(() => parseNameList('--tasks', 'multilabel,multilabel')).toThrow("--tasks: 'multilabel' is listed twice");
  });

  it('reads --data as TASK=DIR, or a bare DIR for a single task', () => {
    expect(parseDataFlags(['multilabel=/d/ml', 'singlelabel=/d/sl'], ['multilabel', 'singlelabel'])).toEqual({ multilabel: '/d/ml', singlelabel: '/d/sl' });
    expect(parseDataFlags(['/d/x=y'], ['multilabel'])).toEqual({ multilabel: '/d/x=y' });
    expect(() => parseDataFlags(['/d/ml'], ['multilabel', 'singlelabel'])).toThrow('--data /d/ml: with several tasks give TASK=DIR');
    expect(() => parseDataFlags(['multilabel=/a', 'multilabel=/b'], ['multilabel', 'singlelabel'])).toThrow('--data: two folders for task multilabel');
  });
});
