// Where each locator places the first error in malformed JSON; V8's "at position N" is the oracle where it gives one.
// Run after `npm run build` as `node docs/measurements/json-error-locators.js DIR`, DIR holding the two libraries (see docs/results.md).
const fromDir = (name) => require(require.resolve(name, { paths: [require('path').resolve(process.argv[2])] }));
const { parse } = fromDir('jsonc-parser');
const jpebe = fromDir('json-parse-even-better-errors');
const { jsonErrorOffset } = require(require('path').resolve(__dirname, '../../dist/core/data/formats/json-file.js'));
const cases = ['{"a":1,}', '[1,2 3]', '{"a" 1}', '{"a":1}x', '[1, -]', '{"a":"b\u0001"}', '[01]', '{"a":1 "b":2}', '{\n  "images": [],\n  "x": tru\n}', '{"a": [1, 2', '{"a": /*c*/ 1}', '// c\n{}', '{"a":"\\x"}', '{"a":NaN}', '{"a":1.}', '{"a":.5}', "{'a':1}", '[1,]', '', '   ', '{"a":1}}', '"\\u12"', '{"a":-}', '[1e]', '{"a":"x\n"}', '[true false]', '{a:1}', '{"a":1,,"b":2}', '{"caption":"' + 'word '.repeat(40) + '\u0002"}'];
const locators = {
  'hand-written scanner': (t) => jsonErrorOffset(t),
  'jsonc-parser@3.3.1': (t) => { const e = []; parse(t, e, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false }); return e[0]?.offset; },
  'json-parse-even-better-errors@4.0.0': (t) => { try { jpebe(t); } catch (e) { return e.position; } },
};
let withPos = 0; const agree = {}; const zeroElsewhere = {};
for (const t of cases) {
  let m; try { JSON.parse(t); continue; } catch (e) { m = /at position (\d+)/.exec(e.message); }
  if (m) withPos++;
  for (const [name, f] of Object.entries(locators)) {
    const at = f(t);
    if (m && at === Number(m[1])) agree[name] = (agree[name] ?? 0) + 1;
    if (!m && at === 0 && t.trim() !== '' && !t.startsWith('//')) zeroElsewhere[name] = (zeroElsewhere[name] ?? 0) + 1;
  }
}
console.log(`${cases.length} malformed texts, V8 gives a position for ${withPos}`);
for (const name of Object.keys(locators)) console.log(`${name}: agrees with V8 on ${agree[name] ?? 0}/${withPos}; reports offset 0 for ${zeroElsewhere[name] ?? 0} of the ${cases.length - withPos} without a V8 position whose error is not at offset 0`);
