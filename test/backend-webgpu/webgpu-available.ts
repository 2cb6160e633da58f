/**
 * Whether the webgpu tests can run here: a WebGPU adapter that `--backend webgpu` accepts (a software
 * one included: CI has Mesa's llvmpipe behind Dawn's OpenGL ES backend). Without one every webgpu
 * test file is skipped with one SKIPPED line, unless ASL_RUN_REQUIRE_WEBGPU=1 (set by `.ci/run`),
 * where it fails instead.
 */
import { findAdapter } from '../../src/core/backend/webgpu/activate';

const found = findAdapter('any');

/** Why there is no adapter (Dawn's reason, or the missing package), or undefined when there is one. */
export const WEBGPU_UNAVAILABLE = typeof found === 'string' ? found : undefined;

/** The adapter the tests run on, where there is one. */
export const WEBGPU_ADAPTER = typeof found === 'string' ? undefined : found;

export const WEBGPU_REQUIRED = process.env.ASL_RUN_REQUIRE_WEBGPU === '1';

/** `describe` where the tests can (or must) run, `describe.skip` elsewhere. */
export const describeWebgpu = WEBGPU_UNAVAILABLE && !WEBGPU_REQUIRED ? describe.skip : describe;

/** One test per file: fails when an adapter is required and missing, else prints the SKIPPED notice where there is none. */
export function itReportsTheAdapter(what: string): void {
  it(`runs ${what} on a WebGPU adapter, or says in one line why not`, () => {
    if (WEBGPU_UNAVAILABLE && WEBGPU_REQUIRED) throw new Error(`ASL_RUN_REQUIRE_WEBGPU=1 but no WebGPU adapter is usable (${WEBGPU_UNAVAILABLE})`);
    // The notice shows in jest's output; the suite is reported as skipped.
    if (WEBGPU_UNAVAILABLE) console.log(`SKIPPED: ${what} on webgpu — ${WEBGPU_UNAVAILABLE}`);
    expect(WEBGPU_UNAVAILABLE === undefined || !WEBGPU_REQUIRED).toBe(true);
  });
}
