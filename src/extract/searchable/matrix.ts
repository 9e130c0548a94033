/**
 * Affine transforms as PDF writes them, [a b c d e f]: a point (x, y) goes to
 * (a·x + c·y + e, b·x + d·y + f). Coordinates are PDF's, y pointing up.
 */
export type Matrix = readonly [number, number, number, number, number, number];

export const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** The transform that applies `first`, then `second` (not named "then": a module exporting `then` is taken for a promise when imported dynamically). */
export function compose(first: Matrix, second: Matrix): Matrix {
  const [a, b, c, d, e, f] = first;
  const [a2, b2, c2, d2, e2, f2] = second;
  return [a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2, e * b2 + f * d2 + f2];
}

/** Applies the transforms left to right. */
export function chain(...matrices: Matrix[]): Matrix {
  return matrices.reduce((result, next) => compose(result, next), IDENTITY);
}

export function scale(x: number, y: number): Matrix {
  return [x, 0, 0, y, 0, 0];
}

export function translate(x: number, y: number): Matrix {
  return [1, 0, 0, 1, x, y];
}

/** Counter-clockwise by `radians` around (cx, cy). */
export function rotateAround(radians: number, cx: number, cy: number): Matrix {
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  return chain(translate(-cx, -cy), [cos, sin, -sin, cos, 0, 0], translate(cx, cy));
}

export function invert(m: Matrix): Matrix {
  const [a, b, c, d, e, f] = m;
  const det = a * d - b * c;
  if (det === 0) throw new Error('the transform is not invertible');
  return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det];
}

export function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/**
 * A unit square (y up) holding an image that was turned clockwise by `degrees` before it was
 * read, back to the unit square of the image as it was: what was read on the turned image lands
 * where it is on the original.
 */
export function unturn(degrees: 0 | 90 | 180 | 270): Matrix {
  switch (degrees) {
    case 0:
      return IDENTITY;
    case 90:
      return [0, 1, -1, 0, 1, 0];
    case 180:
      return [-1, 0, 0, -1, 1, 1];
    case 270:
      return [0, -1, 1, 0, 0, 1];
  }
}

/** Numbers as a content stream writes them: no exponent, no needless digits. */
export function formatNumber(value: number): string {
  const rounded = Math.round(value * 1e6) / 1e6;
  return Object.is(rounded, -0) ? '0' : rounded.toFixed(6).replace(/\.?0+$/, '');
}

export function formatMatrix(m: Matrix): string {
  return m.map(formatNumber).join(' ');
}
