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
/** Text lines a page needs before its skew is believed. */
const MIN_LINES = 3;
/**
 * Best score per ink point below which the page has no lines to straighten: scattered dots score
 * about 2 per dot at any angle (each row's count varies by chance), text lines 20 and more.
 */
const MIN_SCORE_PER_POINT = 4;

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
  if (best.score < atZero * MIN_GAIN || best.score < points.xs.length * MIN_SCORE_PER_POINT) return { degrees: 0, confidence: worst > 0 ? atZero / worst : 0 };
  // One or two lines have no angle to speak of: letters' tops and tails line up at many angles.
  if (textLines(points, rows, columns, Math.tan((best.degrees * Math.PI) / 180)) < MIN_LINES) return { degrees: 0, confidence: 0 };
  return { degrees: Math.round(best.degrees * 100) / 100, confidence: worst > 0 ? best.score / worst : 0 };
}

/** Row over column projection sharpness beyond which the page's lines are taken to run that way. */
const DIRECTION_RATIO = 2;

/**
 * Whether the page's text lines run across (an upright or upside-down page) or up and down (a
 * page on its side), from how sharply the rows' and the columns' ink projections step: free
 * next to a reading, and it spares a sideways page the full reading that would come out garbage.
 */
export function lineDirection(raster: Raster): 'horizontal' | 'vertical' | 'unknown' {
  const { gray, width, height } = raster;
  if (!gray || width < 50 || height < 50) return 'unknown';
  const reduction = Math.max(1, Math.floor(Math.max(width, height) / SWEEP_WIDTH));
  const points = inkPoints(gray, width, height, reduction);
  if (points.xs.length < 200) return 'unknown';
  const rows = differentialSquareSum(points, Math.ceil(height / reduction), Math.ceil(width / reduction), 0);
  const columns = differentialSquareSum({ xs: points.ys, ys: points.xs }, Math.ceil(width / reduction), Math.ceil(height / reduction), 0);
  if (rows > columns * DIRECTION_RATIO) return 'horizontal';
  if (columns > rows * DIRECTION_RATIO) return 'vertical';
  return 'unknown';
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
    for (let column = 0; column < columns; column += 1) {
      // A block already found to hold ink needs no more looking at.
      if (ink[blockRow + column] !== 0) continue;
      for (let x = row + column * reduction, end = x + reduction; x < end; x += 1) {
        if ((gray[x] as number) < 128) {
          ink[blockRow + column] = 1;
          count += 1;
          break;
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

/** Rows of ink separated by gaps, along the slope: the page's text lines. */
function textLines(points: { xs: Int32Array; ys: Int32Array }, rows: number, columns: number, slope: number): number {
  const counts = rowCounts(points, rows, columns, slope);
  let most = 0;
  for (const count of counts) if (count > most) most = count;
  const threshold = Math.max(1, most * 0.15);
  let lines = 0;
  let inLine = false;
  for (const count of counts) {
    if (count >= threshold && !inLine) lines += 1;
    inLine = count >= threshold;
  }
  return lines;
}

/** How many ink points fall in each row when rows run along the slope. */
function rowCounts(points: { xs: Int32Array; ys: Int32Array }, rows: number, columns: number, slope: number): Int32Array {
  const margin = Math.ceil(Math.abs(slope) * columns) + 2;
  const counts = new Int32Array(rows + 2 * margin);
  const { xs, ys } = points;
  // Math.round(y - x * slope) + margin, rounded by truncation: the margin keeps it positive.
  const offset = margin + 0.5;
  for (let index = 0; index < xs.length; index += 1) {
    const row = ((ys[index] as number) - (xs[index] as number) * slope + offset) | 0;
    if (row >= 0 && row < counts.length) counts[row] = (counts[row] as number) + 1;
  }
  return counts;
}

function differentialSquareSum(points: { xs: Int32Array; ys: Int32Array }, rows: number, columns: number, slope: number): number {
  const counts = rowCounts(points, rows, columns, slope);
  let sum = 0;
  for (let row = 1; row < counts.length; row += 1) {
    const step = (counts[row] as number) - (counts[row - 1] as number);
    sum += step * step;
  }
  return sum;
}

/**
 * The page turned by `degrees` (clockwise positive) about its centre, white outside, resampled
 * bilinearly. (Three whole-pixel shears, leptonica's fast way, were half as costly but read
 * worse on small print: eurotext.tif went from a CER of 0.019 to 0.022.)
 */
export function rotateByAngle(raster: Raster, degrees: number): Raster {
  const { gray, width, height } = raster;
  if (!gray) return raster;
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const { image, gray: out } = allocateGrayPgm(width, height);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let y = 0; y < height; y += 1) {
    const dy = y - cy;
    // Where this row's first pixel comes from (the inverse rotation); each next pixel is one step on.
    let sx = -cos * cx + sin * dy + cx;
    let sy = sin * cx + cos * dy + cy;
    const row = y * width;
    for (let x = 0; x < width; x += 1, sx += cos, sy -= sin) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) {
        out[row + x] = 255;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const offset = y0 * width + x0;
      const top = (gray[offset] as number) + ((gray[offset + 1] as number) - (gray[offset] as number)) * fx;
      const bottom = (gray[offset + width] as number) + ((gray[offset + width + 1] as number) - (gray[offset + width] as number)) * fx;
      out[row + x] = (top + (bottom - top) * fy + 0.5) | 0;
    }
  }
  return { image, width, height, scale: raster.scale, gray: out };
}
