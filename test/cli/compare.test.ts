/**
 * `asl-run compare` end to end through the real CLI on tiny data: a whole sweep in one process;
 * the same sweep as two shards in two concurrent processes, one of them SIGKILLed mid-way and
 * rerun (finished cells skipped), merged: equal results and results.md; the report checked in a
 * headless Chromium; bad input answered with one line.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cli, cliAsync, ROOT, tmpDir } from './run-cli';
import { BROWSER_REQUIRED, browserSkipNotice, findBrowser, NO_BROWSER } from './browser';
import type { CompareResults } from '../../src/compare/results-file';

const CHROMIUM = findBrowser();
const REPORT_TEST = 'writes a report that renders in headless Chromium without errors';
if (!CHROMIUM && !BROWSER_REQUIRED) console.warn(browserSkipNotice(`asl-run compare › ${REPORT_TEST}`));
const work = tmpDir('asl-run-compare-');
const ml = path.join(work, 'ml');
const sl = path.join(work, 'sl');
const sweep = [
  'compare', '--tasks', 'multilabel,singlelabel', '--losses', 'bce,asl,poly-bce', '--seeds', '2',
  '--plugin', path.join(ROOT, 'examples', 'plugins', 'poly-loss.js'), '--data', `multilabel=${ml}`, '--data', `singlelabel=${sl}`,
  '--epochs', '2', '--image-size', '32', '--batch-size', '16', '--max-train-images', '64', '--log-every', '1', '--backend', 'wasm',
];
const single = path.join(work, 'single');

function readResults(dir: string, file = 'results.json'): CompareResults {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

/** The cells without what legitimately differs between runs: timings and where the run folder lies. */
function comparable(results: CompareResults) {
  return results.cells.map(({ wallSeconds: _w, trainImagesPerSecond: _i, runDir: _r, ...rest }) => rest);
}

function exitOf(child: ReturnType<typeof cliAsync>): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

beforeAll(() => {
  expect(cli(['data', 'make', 'mnist-multilabel', '--out', ml, '--options', '{"trainCount":64,"valCount":32}']).status).toBe(0);
  expect(cli(['data', 'make', 'mnist', '--out', sl, '--options', '{"trainCount":100,"valCount":100}']).status).toBe(0);
});

describe('asl-run compare', () => {
  it('runs every (task, loss, seed) cell, reports n/a where a loss has no form, and writes the three reports', () => {
    const r = cli([...sweep, '--out', single]);
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.status).toBe(0);
    const results = readResults(single);
    expect(results.cells.map((c) => `${c.task}/${c.loss}/${c.seed}:${c.status}:${c.lossUsed}`)).toEqual([
      'multilabel/bce/0:ok:bce', 'multilabel/bce/1:ok:bce', 'multilabel/asl/0:ok:asl', 'multilabel/asl/1:ok:asl',
      'multilabel/poly-bce/0:ok:poly-bce', 'multilabel/poly-bce/1:ok:poly-bce',
      'singlelabel/bce/0:ok:ce', 'singlelabel/bce/1:ok:ce', 'singlelabel/asl/0:ok:asl-single-label', 'singlelabel/asl/1:ok:asl-single-label',
      'singlelabel/poly-bce/0:n-a:null', 'singlelabel/poly-bce/1:n-a:null',
    ]);
    const cell = results.cells[2];
    const metrics = JSON.parse(fs.readFileSync(path.join(single, cell.runDir!, 'metrics.json'), 'utf8'));
    expect(cell.metrics).toEqual(metrics.metrics);
    expect(fs.readFileSync(path.join(single, cell.runDir!, 'config.json'), 'utf8')).toContain('"seed": 0');
    expect(cell.curve!.map((p) => p.epoch)).toEqual([1, 2]);
    expect(cell.probability!.source).toBe('step');
    expect(cell.probability!.x).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(results.cells[6].probability).toBeUndefined();
    expect(cell.wallSeconds).toBeGreaterThan(0);
    expect(cell.trainImagesPerSecond).toBeGreaterThan(0);
    const md = fs.readFileSync(path.join(single, 'results.md'), 'utf8');
    expect(r.stdout).toBe(md);
    expect(md).toContain('## multilabel — mAP');
    expect(md).toContain('## singlelabel — top1');
    expect(md).toMatch(/\| poly-bce \| n\/a: poly-bce is a sigmoid loss; singlelabel trains with softmax losses/);
    expect(md).toMatch(/\| asl \| asl-single-label \| 2\/2 \| \d+\.\d\d ± \d+\.\d\d \| [+-]\d+\.\d\d \(n=2\) \| \[/);
  });

  it('runs as two concurrent shard processes, one SIGKILLed and rerun; their merge equals the single-process sweep', async () => {
    const shards = [0, 1].map((i) => path.join(work, `shard-${i}`));
    const children = shards.map((dir, i) => cliAsync([...sweep, '--shard', `${i}/2`, '--out', dir]));
    // Shard 0 holds cells 0, 2, 4, …: multilabel/bce/0, multilabel/asl/0, … Kill it inside its second cell.
    const marker = path.join(shards[0], 'runs', 'multilabel', 'asl', 'seed-0', 'checkpoint', 'last.ckpt');
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = () => (fs.existsSync(marker) ? resolve() : Date.now() - started > 120_000 ? reject(new Error(`no ${marker}`)) : setTimeout(poll, 10));
      poll();
    });
    children[0].kill('SIGKILL');
    expect(await Promise.all(children.map(exitOf))).toEqual([null, 0]);
    expect(fs.existsSync(path.join(shards[0], 'results-shard-0-of-2.json'))).toBe(false);
    const rerun = cli([...sweep, '--shard', '0/2', '--out', shards[0]]);
    expect(rerun.status).toBe(0);
    expect(rerun.stderr).toMatch(/multilabel\/bce\/seed 0: finished earlier/);
    expect(rerun.stderr).toMatch(/multilabel\/asl\/seed 0: (resuming|finished earlier)/);
    expect(fs.readdirSync(shards[1])).toEqual(expect.arrayContaining(['results-shard-1-of-2.json', 'runs']));
    expect(fs.existsSync(path.join(shards[0], 'results.json'))).toBe(false);
    const merged = path.join(work, 'merged');
    const r = cli(['compare', 'merge', ...shards, '--out', merged]);
    expect(r.status).toBe(0);
    expect(comparable(readResults(merged))).toEqual(comparable(readResults(single)));
    expect(readResults(merged).plan).toEqual(readResults(single).plan);
    expect(fs.readFileSync(path.join(merged, 'results.md'), 'utf8')).toBe(fs.readFileSync(path.join(single, 'results.md'), 'utf8'));
    expect(fs.existsSync(path.join(merged, readResults(merged).cells[0].runDir!, 'metrics.json'))).toBe(true);
  });

  (CHROMIUM || BROWSER_REQUIRED ? it : it.skip)(REPORT_TEST, () => {
    if (!CHROMIUM) throw new Error(`ASL_RUN_REQUIRE_BROWSER=1 but ${NO_BROWSER}`);
    const page = `file://${path.join(single, 'report.html')}`;
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-logging=stderr', '--v=0'];
    const browse = (extra: string[]) =>
      spawnSync(CHROMIUM!, [...flags, `--user-data-dir=${tmpDir('asl-run-chromium-')}`, ...extra, page], { encoding: 'utf8', timeout: 60_000 });
    const dom = browse(['--dump-dom']);
    expect(dom.status).toBe(0);
    // multilabel: 5 charts (loss, mAP, final, probabilities, gap); singlelabel: 3.
    expect(dom.stdout).toContain('data-charts-rendered="8/8"');
    expect(dom.stderr).not.toMatch(/Uncaught|ERROR:CONSOLE|net::ERR/);
    const shot = path.join(work, 'report.png');
    const r = browse([`--screenshot=${shot}`, '--window-size=1200,2000']);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
  });

  it('--loss-grid trains one variant per parameter combination, each cell with its parameters, refusing a bad one before training', () => {
    const out = path.join(work, 'grid');
    const gridSweep = ['compare', '--tasks', 'multilabel', '--losses', 'bce,asl', '--seeds', '1', '--data', ml,
      '--epochs', '1', '--image-size', '32', '--batch-size', '16', '--max-train-images', '64', '--backend', 'wasm'];
    const r = cli([...gridSweep, '--loss-grid', 'asl={"gammaNeg":[1,4],"clip":[0]}', '--out', out]);
    expect(r.status).toBe(0);
    const results = readResults(out);
    expect(results.cells.map((c) => `${c.loss}:${c.status}:${c.lossUsed}`)).toEqual(['bce:ok:bce', 'asl@gammaNeg=1,clip=0:ok:asl', 'asl@gammaNeg=4,clip=0:ok:asl']);
    const lossParams = (cell: (typeof results.cells)[number]) => JSON.parse(fs.readFileSync(path.join(out, cell.runDir!, 'config.json'), 'utf8')).lossParams;
    expect(lossParams(results.cells[1])).toMatchObject({ gammaNeg: 1, clip: 0 });
    expect(lossParams(results.cells[2])).toMatchObject({ gammaNeg: 4, clip: 0 });
    // Different parameters train differently from the same seed.
    expect(results.cells[1].metrics).not.toEqual(results.cells[2].metrics);
    expect(fs.readFileSync(path.join(out, 'results.md'), 'utf8')).toMatch(/\| asl@gammaNeg=4,clip=0 \| asl \| 1\/1 \|/);
    const bad = cli([...gridSweep, '--loss-grid', 'asl={"gammaNeg":[-1]}', '--out', path.join(work, 'grid-bad')]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim().split('\n').pop()).toBe('asl-run: --loss-grid asl@gammaNeg=-1 on multilabel: asl: gammaNeg: expected a number >= 0, got -1');
    expect(fs.existsSync(path.join(work, 'grid-bad', 'runs'))).toBe(false);
  }, 120_000);

  it('answers bad input with one line', () => {
    const bad = (args: string[]) => {
      const r = cli(args);
      expect(r.status).not.toBe(0);
      return r.stderr.trim().split('\n').pop();
    };
    expect(bad(['compare', '--tasks', 'multilabel', '--losses', 'nope', '--out', path.join(work, 'x'), '--backend', 'wasm'])).toMatch(/^asl-run: --losses: unknown loss 'nope' \(known: .*\)/);
    expect(bad([...sweep, '--shard', '2/2', '--out', path.join(work, 'x')])).toBe("asl-run: --shard: expected I/N with 0 <= I < N (e.g. 0/4), got '2/2'");
    const threeEpochs = sweep.map((a, i) => (sweep[i - 1] === '--epochs' ? '3' : a));
    expect(bad([...threeEpochs, '--out', single])).toMatch(/config\.json: cell multilabel\/bce\/seed 0 was run with another config \(train\.epochs: 2 ≠ 3\); use another --out/);
    expect(bad(['compare', 'merge', work, '--out', path.join(work, 'y')])).toMatch(/holds no results-shard-I-of-N\.json/);
  });
});
