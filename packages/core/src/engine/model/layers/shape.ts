/**
 * Padding of a convolution or pooling along one axis: a symmetric count (PyTorch's `padding=p`),
 * TensorFlow's `'same'` (output = ceil(n / stride), the odd cell after) or `'valid'` (none).
 */
export type Padding1D = number | 'same' | 'valid';

/** Output length along one axis; 0 or less means the input is too small. */
export function outSize(n: number, kernel: number, stride: number, pad: Padding1D): number {
  if (pad === 'same') return Math.ceil(n / stride);
  const p = pad === 'valid' ? 0 : pad;
  return Math.floor((n + 2 * p - kernel) / stride) + 1;
}

/** Cells padded [before, after] along one axis, TensorFlow style for `'same'`. */
export function padAmounts(n: number, kernel: number, stride: number, pad: Padding1D): [number, number] {
  if (pad === 'valid') return [0, 0];
  if (typeof pad === 'number') return [pad, pad];
  const out = Math.ceil(n / stride);
  const total = Math.max((out - 1) * stride + kernel - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
