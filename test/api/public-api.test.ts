/**
 * The package's public API as a user gets it: `require('asl-run')` / `import … from 'asl-run'` by
 * the package name (resolved through package.json's `exports`, as in a project that installed it),
 * run in a child process against the built dist/. The metrics it exports are checked against the
 * reference values of the fixtures (the ASL code's mAP, pycocotools' COCOeval); their full oracle
 * tests live beside their sources' tests.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** Runs `source` with Node in the package root and returns what it printed as JSON. */
function runNode(source: string, args: string[] = []): unknown {
  const r = spawnSync(process.execPath, [...args, '-e', source], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const EXPORTED_FUNCTIONS = [
  'initBackend', 'activeBackend', 'createLoss', 'registerLoss', 'listLosses', 'createContainer', 'loadPluginFile',
  'multilabelMAP', 'multilabelMetrics', 'classificationMetrics', 'topKAccuracy', 'cocoEvaluate', 'namedCocoStats',
];

describe("the package 'asl-run'", () => {
  it('exports the training API and the metrics to CommonJS and ES modules', () => {
    const expected = Object.fromEntries(EXPORTED_FUNCTIONS.map((n) => [n, 'function']));
    const typesOf = `Object.fromEntries(${JSON.stringify(EXPORTED_FUNCTIONS)}.map((n) => [n, typeof api[n]]))`;
    const cjs = runNode(`const api = require('asl-run'); console.log(JSON.stringify(${typesOf}))`);
    expect(cjs).toEqual(expected);
    const esm = runNode(
      `import * as api from 'asl-run'; import { multilabelMAP, cocoEvaluate } from 'asl-run'; ` +
        `console.log(JSON.stringify({ ...${typesOf}, named: [typeof multilabelMAP, typeof cocoEvaluate] }))`,
      ['--input-type=module'],
    );
    expect(esm).toEqual({ ...expected, named: ['function', 'function'] });
  });

  it("gives the reference's multi-label mAP and pycocotools' COCO stats through the package name", () => {
    const result = runNode(`
      const { multilabelMAP, cocoEvaluate } = require('asl-run');
      const fs = require('fs');
      const asl = JSON.parse(fs.readFileSync(${JSON.stringify(path.join(FIXTURES, 'asl_reference.json'))}, 'utf8'));
      const coco = JSON.parse(fs.readFileSync(${JSON.stringify(path.join(FIXTURES, 'cocoeval_reference.json'))}, 'utf8'));
      console.log(JSON.stringify({
        map: asl.map.map((c) => [multilabelMAP(c.preds, c.targets).mAP, c.mAP]),
        coco: coco.cases.map((c) => [cocoEvaluate(c.gt, c.dt).stats, c.stats]),
      }));`) as { map: [number, number][]; coco: [number[], number[]][] };
    expect(result.map.length).toBeGreaterThan(0);
    for (const [ours, reference] of result.map) expect(Math.abs(ours - reference)).toBeLessThan(1e-9);
    expect(result.coco.length).toBeGreaterThan(0);
    for (const [ours, reference] of result.coco) {
      expect(ours).toHaveLength(12);
      ours.forEach((v, i) => expect(Math.abs(v - reference[i])).toBeLessThan(1e-9));
    }
  });
});
