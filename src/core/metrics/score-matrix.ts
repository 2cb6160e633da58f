/**
 * The [rows, cols] inputs of the classification metrics (scores, probabilities, multi-hot
 * targets), taken either as rows (number[][] or typed-array rows) or as one flat row-major array
 * with its shape, validated once and read through a single flat view.
 */

/** A dense row-major matrix: element (i, j) is data[i * cols + j]; data.length = rows * cols. */
export interface FlatMatrix {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

/** Rows of equal length (number[][], Float32Array[], ...) or a flat matrix with its shape. */
export type MatrixInput = ReadonlyArray<ArrayLike<number>> | FlatMatrix;

function isFlatMatrix(input: MatrixInput): input is FlatMatrix {
  return !Array.isArray(input) && typeof (input as FlatMatrix).rows === 'number';
}

function assertCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a non-negative integer, got ${n}`);
}

/**
 * Flat view of `input`. Rows are copied into one Float64Array (they must all have the same
 * length); a flat matrix is used as it is after its shape is checked. `what` names the argument
 * in error messages (e.g. "multilabelMAP: scores").
 */
export function toFlatMatrix(input: MatrixInput, what: string): FlatMatrix {
  if (isFlatMatrix(input)) {
    assertCount(input.rows, `${what}.rows`);
    assertCount(input.cols, `${what}.cols`);
    if (input.data.length !== input.rows * input.cols) {
      throw new Error(`${what}: data has ${input.data.length} values, expected rows * cols = ${input.rows * input.cols}`);
    }
    return input;
  }
  if (!Array.isArray(input)) throw new Error(`${what} must be an array of rows or { data, rows, cols }`);
  const rows = input.length;
  const cols = rows > 0 ? input[0].length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = input[i];
    if (row === null || typeof row !== 'object' || row.length !== cols) {
      throw new Error(`${what}[${i}] must be a row of ${cols} numbers (the length of row 0), got ${row?.length ?? typeof row}`);
    }
    for (let j = 0; j < cols; j++) data[i * cols + j] = row[j];
  }
  return { data, rows, cols };
}

/** Throws unless both matrices have the same shape. */
export function assertSameShape(a: FlatMatrix, b: FlatMatrix, what: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`${what}: shapes differ, [${a.rows}, ${a.cols}] vs [${b.rows}, ${b.cols}]`);
  }
}

/** Throws at the first NaN or infinite entry, naming its position. */
export function assertFinite(m: FlatMatrix, what: string): void {
  for (let p = 0; p < m.data.length; p++) {
    if (!Number.isFinite(m.data[p])) {
      throw new Error(`${what}[${Math.floor(p / m.cols)}][${p % m.cols}] must be a finite number, got ${m.data[p]}`);
    }
  }
}

/** Throws at the first entry outside [lo, hi] (NaN included), naming its position. */
export function assertInRange(m: FlatMatrix, lo: number, hi: number, what: string, hint: string): void {
  for (let p = 0; p < m.data.length; p++) {
    const v = m.data[p];
    if (!(v >= lo && v <= hi)) {
      throw new Error(`${what}[${Math.floor(p / m.cols)}][${p % m.cols}] must be in [${lo}, ${hi}] ${hint}, got ${v}`);
    }
  }
}

/** Throws at the first entry that is neither 0 nor 1 (multi-hot targets). */
export function assertBinary(m: FlatMatrix, what: string): void {
  for (let p = 0; p < m.data.length; p++) {
    const v = m.data[p];
    if (v !== 0 && v !== 1) {
      throw new Error(`${what}[${Math.floor(p / m.cols)}][${p % m.cols}] must be 0 or 1, got ${v}`);
    }
  }
}
