import { allocateGrayPgm, type Raster } from './raster.js';

/**
 * Small skews (a sheet fed in at an angle) found and straightened before OCR, the same way for
 * both engines. The tesseract command has no deskew of its own: on skew.pdf (1.9 degrees) it read
 * a CER of 0.39 where the straightened page reads 0.01. tesseract.js's rotateAuto did this inside
 * the engine at the cost of a second layout analysis of every page.
 *
 * The angle is found as leptonica's pixFindSkewSweep finds it: on a reduced, binarized page,
 * the angle whose row projection has the sharpest steps (differential square sum) is the one
 * text lines run along.
 */

/** Angles below this are left alone (tesseract.js's rotateAuto ignored below 0.005 rad). */
const MIN_DEGREES = 0.3;
/** Scanners skew a few degrees at most; past this a page is rotated, not skewed. */
const MAX_DEGREES = 6;
/** The sweep runs on a page about this wide. */
const SWEEP_WIDTH = 500;
/** Best score over the score at zero degrees: below this the "skew" is noise. */
const MIN_GAIN = 1.1;

export interface Skew {
  /** Clockwise angle of the text lines, in degrees. */
  degrees: number;
  /** Best score over the worst of the sweep: how distinct the winning angle is. */
  confidence: number;
}

export function estimateSkew(raster: Raster): Skew {
  const { gray, width, height } = raster;
  if (!gray || width < 50 || height < 50) return { degrees: 0, confidence: 0 };
  const reduction = Math.max(1, Math.floor(width / SWEEP_WIDTH));
  const points = inkPoints(gray, width, height, reduction);
  if (points.xs.length < 200) return { degrees: 0, confidence: 0 };
  const rows = Math.ceil(height / reduction);
  const columns = Math.ceil(width / reduction);
  const score = (degrees: number) => differentialSquareSum(points, rows, columns, Math.tan((degrees * Math.PI) / 180));
  let best = { degrees: 0, score: score(0) };
  const atZero = best.score;
  let worst = atZero;
  const consider = (degrees: number) => {
    const value = score(degrees);
    if (value > best.score) best = { degrees, score: value };
    if (value < worst) worst = value;
  };
  for (let degrees = -MAX_DEGREES; degrees <= MAX_DEGREES + 1e-9; degrees += 0.5) consider(degrees);
  // Then finer around the best angle so far, twice.
  for (const step of [0.1, 0.02]) {
    const around = best.degrees;
    for (let index = -5; index <= 5; index += 1) if (index !== 0) consider(around + index * step);
  }
  if (best.score < atZero * MIN_GAIN) return { degrees: 0, confidence: worst > 0 ? atZero / worst : 0 };
  return { degrees: Math.round(best.degrees * 100) / 100, confidence: worst > 0 ? best.score / worst : 0 };
}

/** The page turned so that its text lines run level again, or the page itself when it is level. */
export function straighten(raster: Raster): { raster: Raster; degrees: number } {
  const skew = estimateSkew(raster);
  if (Math.abs(skew.degrees) < MIN_DEGREES || Math.abs(skew.degrees) > MAX_DEGREES) return { raster, degrees: 0 };
  return { raster: rotateByAngle(raster, -skew.degrees), degrees: skew.degrees };
}

/** Dark pixels (below the page's mid gray) of the page reduced by `reduction`, as coordinates. */
function inkPoints(gray: Uint8Array, width: number, height: number, reduction: number): { xs: Int32Array; ys: Int32Array } {
  const columns = Math.floor(width / reduction);
  const rows = Math.floor(height / reduction);
  // A block is ink when any of its pixels is: thin strokes survive the reduction (leptonica ORs them).
  const ink = new Uint8Array(columns * rows);
  let count = 0;
  for (let y = 0; y < rows * reduction; y += 1) {
    const blockRow = Math.floor(y / reduction) * columns;
    const row = y * width;
    for (let x = 0; x < columns * reduction; x += 1) {
      if ((gray[row + x] as number) < 128) {
        const block = blockRow + Math.floor(x / reduction);
        if (ink[block] === 0) {
          ink[block] = 1;
          count += 1;
        }
      }
    }
  }
  const xs = new Int32Array(count);
  const ys = new Int32Array(count);
  let next = 0;
  for (let block = 0; block < ink.length; block += 1) {
    if (ink[block] === 0) continue;
    xs[next] = block % columns;
    ys[next] = Math.floor(block / columns);
    next += 1;
  }
  return { xs, ys };
}

function differentialSquareSum(points: { xs: Int32Array; ys: Int32Array }, rows: number, columns: number, slope: number): number {
  const margin = Math.ceil(Math.abs(slope) * columns) + 2;
  const counts = new Int32Array(rows + 2 * margin);
  const { xs, ys } = points;
  for (let index = 0; index < xs.length; index += 1) {
    const row = Math.round((ys[index] as number) - (xs[index] as number) * slope) + margin;
    if (row >= 0 && row < counts.length) counts[row] = (counts[row] as number) + 1;
  }
  let sum = 0;
  for (let row = 1; row < counts.length; row += 1) {
    const step = (counts[row] as number) - (counts[row - 1] as number);
    sum += step * step;
  }
  return sum;
}

/**
 * The page turned by `degrees` (clockwise positive) about its centre, white outside: three shears
 * (horizontal, vertical, horizontal) of whole-pixel shifts, as leptonica turns small angles. Each
 * shear moves runs of pixels without interpolating, ten times faster than resampling, and for a
 * few degrees tesseract reads the result as well.
 */
export function rotateByAngle(raster: Raster, degrees: number): Raster {
  const { gray, width, height } = raster;
  if (!gray) return raster;
  const radians = (degrees * Math.PI) / 180;
  const outer = -Math.tan(radians / 2);
  const middle = Math.sin(radians);
  const first = new Uint8Array(width * height);
  shearRows(gray, first, width, height, outer);
  const second = new Uint8Array(width * height);
  shearColumns(first, second, width, height, middle);
  const { image, gray: out } = allocateGrayPgm(width, height);
  shearRows(second, out, width, height, outer);
  return { image, width, height, scale: raster.scale, gray: out };
}

/** Each row moved sideways by (its distance from the middle row) x factor. */
function shearRows(from: Uint8Array, to: Uint8Array, width: number, height: number, factor: number): void {
  to.fill(255);
  const middle = (height - 1) / 2;
  for (let y = 0; y < height; y += 1) {
    const shift = Math.round((y - middle) * factor);
    const row = y * width;
    const start = Math.max(0, shift);
    const end = Math.min(width, width + shift);
    if (end > start) to.set(from.subarray(row + start - shift, row + end - shift), row + start);
  }
}

/** Each column moved up or down by (its distance from the middle column) x factor. */
function shearColumns(from: Uint8Array, to: Uint8Array, width: number, height: number, factor: number): void {
  to.fill(255);
  const middle = (width - 1) / 2;
  const shifts = new Int32Array(width);
  for (let x = 0; x < width; x += 1) shifts[x] = Math.round((x - middle) * factor);
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    for (let x = 0; x < width; x += 1) {
      const source = y - (shifts[x] as number);
      if (source >= 0 && source < height) to[row + x] = from[source * width + x] as number;
    }
  }
}
