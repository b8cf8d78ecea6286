// Constant-velocity Kalman filter in a horizontal east-north plane.
// State x = [e, n, vE, vN] (m, m/s); covariance P is 4x4 row-major. Pure
// functions over Float64Arrays that work in place: the filter knows nothing
// of plots, sensors or sockets.

export const NX = 4;

/** Scratch space reused by every call, so predict/update allocate nothing. */
const tmp = new Float64Array(16);

/**
 * x <- F x, P <- F P F' + Q for a time step dt (which may be slightly
 * negative for a late plot: the process noise then uses |dt|).
 * Q is the continuous white-noise-acceleration model with spectral density
 * qM2S3 (m^2/s^3) per axis: [[dt^3/3, dt^2/2], [dt^2/2, dt]] * q
 * (Bar-Shalom, Li, Kirubarajan 2001, section 6.2.2).
 */
export function predictCv(x: Float64Array, P: Float64Array, dt: number, qM2S3: number): void {
  x[0]! += dt * x[2]!;
  x[1]! += dt * x[3]!;
  // F P: rows 0,1 gain dt times rows 2,3.
  for (let j = 0; j < 4; j++) {
    tmp[j] = P[j]! + dt * P[8 + j]!;
    tmp[4 + j] = P[4 + j]! + dt * P[12 + j]!;
    tmp[8 + j] = P[8 + j]!;
    tmp[12 + j] = P[12 + j]!;
  }
  // (F P) F': columns 0,1 gain dt times columns 2,3.
  for (let i = 0; i < 4; i++) {
    const r = 4 * i;
    P[r] = tmp[r]! + dt * tmp[r + 2]!;
    P[r + 1] = tmp[r + 1]! + dt * tmp[r + 3]!;
    P[r + 2] = tmp[r + 2]!;
    P[r + 3] = tmp[r + 3]!;
  }
  const a = Math.abs(dt);
  const q11 = (qM2S3 * a * a * a) / 3;
  const q12 = (qM2S3 * a * a) / 2 * Math.sign(dt || 1);
  const q22 = qM2S3 * a;
  P[0]! += q11; P[2]! += q12; P[8]! += q12; P[10]! += q22;
  P[5]! += q11; P[7]! += q12; P[13]! += q12; P[15]! += q22;
}

/** Innovation of a position measurement z = (e, n) with covariance R (3 values: ee, en, nn). */
export interface Innovation {
  /** Residual e, n. */
  readonly dE: number;
  readonly dN: number;
  /** Innovation covariance S = H P H' + R (symmetric 2x2). */
  readonly sEE: number;
  readonly sEN: number;
  readonly sNN: number;
  /** Squared Mahalanobis distance d' S^-1 d. */
  readonly d2: number;
  readonly detS: number;
}

export function innovation(x: Float64Array, P: Float64Array, zE: number, zN: number, rEE: number, rEN: number, rNN: number): Innovation {
  const dE = zE - x[0]!;
  const dN = zN - x[1]!;
  const sEE = P[0]! + rEE;
  const sEN = P[1]! + rEN;
  const sNN = P[5]! + rNN;
  const detS = sEE * sNN - sEN * sEN;
  const d2 = (dE * dE * sNN - 2 * dE * dN * sEN + dN * dN * sEE) / detS;
  return { dE, dN, sEE, sEN, sNN, d2, detS };
}

/** Kalman update with H = [I2 0]: x += K d, P -= K S K' where K = P H' S^-1. */
export function updatePosition(x: Float64Array, P: Float64Array, inn: Innovation): void {
  const inv = 1 / inn.detS;
  const iEE = inn.sNN * inv;
  const iEN = -inn.sEN * inv;
  const iNN = inn.sEE * inv;
  // K (4x2) = P[:, 0:2] S^-1
  for (let i = 0; i < 4; i++) {
    const p0 = P[4 * i]!;
    const p1 = P[4 * i + 1]!;
    tmp[2 * i] = p0 * iEE + p1 * iEN;
    tmp[2 * i + 1] = p0 * iEN + p1 * iNN;
  }
  for (let i = 0; i < 4; i++) x[i]! += tmp[2 * i]! * inn.dE + tmp[2 * i + 1]! * inn.dN;
  // P <- P - K (H P) where H P is P's first two rows; computed from a copy of those rows.
  for (let j = 0; j < 8; j++) tmp[8 + j] = P[j]!;
  for (let i = 0; i < 4; i++) {
    const k0 = tmp[2 * i]!;
    const k1 = tmp[2 * i + 1]!;
    for (let j = 0; j < 4; j++) P[4 * i + j]! -= k0 * tmp[8 + j]! + k1 * tmp[12 + j]!;
  }
  // Keep P exactly symmetric against round-off.
  for (let i = 0; i < 4; i++) {
    for (let j = i + 1; j < 4; j++) {
      const m = 0.5 * (P[4 * i + j]! + P[4 * j + i]!);
      P[4 * i + j] = m;
      P[4 * j + i] = m;
    }
  }
}
