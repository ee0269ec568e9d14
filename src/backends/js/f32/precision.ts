/** The element type a network computes in (the spec's `precision`). */
export type Precision = 'f32' | 'f64';
