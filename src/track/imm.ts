// Interacting Multiple Model filter (Blom & Bar-Shalom 1988) with two
// horizontal models over one state x = [e, n, vE, vN, omega]:
//   0  nearly constant velocity (omega held at 0), low process noise;
//   1  coordinated turn with the turn rate omega estimated (EKF), for the
//      15-25 degree bank turns airliners fly.
// Position is measured ([I2 0 0 0]). Each update mixes the models by their
// probabilities, predicts each, updates each, and re-weights them by their
// likelihood. Everything works in place on preallocated arrays.

export const NS = 5;
const NM = 2;

export interface ImmParams {
  /** White-acceleration spectral density of the CV model, m^2/s^3. */
  readonly qCv: number;
  /** Same for the turn model (speed changes during turns), m^2/s^3. */
  readonly qCt: number;
  /** Turn-rate random walk, rad^2/s^3. */
  readonly qTurn: number;
  /** Mean sojourn times in each model, s (set the switching probabilities). */
  readonly tauCvS: number;
  readonly tauCtS: number;
  /** Initial model probabilities [cv, ct]. */
  readonly mu0: readonly [number, number];
}

export const defaultImmParams: ImmParams = {
  qCv: 0.5,
  qCt: 2,
  qTurn: 4e-5,
  tauCvS: 60,
  tauCtS: 30,
  mu0: [0.8, 0.2],
};

/** Scratch shared by all filters (single-threaded, never held across calls). */
const mixX = [new Float64Array(NS), new Float64Array(NS)];
const mixP = [new Float64Array(NS * NS), new Float64Array(NS * NS)];
const cbar = new Float64Array(NM);
const PI = new Float64Array(NM * NM);
const T1 = new Float64Array(NS * NS);
const K = new Float64Array(NS * 2);
/** ctCoefficients' answer. */
const CT_COEF = new Float64Array(4);
/** Scratch of updatePda. */
const PDA_D = new Float64Array(NS);
const PDA_DK = new Float64Array(NS);
const PDA_SPREAD = new Float64Array(NS * NS);
const PDA_LOSS = new Float64Array(NS * NS);
const PDA_LIKE = new Float64Array(NM);
/** H F for a late plot: two rows of NS (updateLate). */
const HF = new Float64Array(2 * NS);

export class ImmFilter {
  readonly x = [new Float64Array(NS), new Float64Array(NS)];
  readonly P = [new Float64Array(NS * NS), new Float64Array(NS * NS)];
  readonly mu = new Float64Array(NM);

  constructor(private readonly prm: ImmParams = defaultImmParams) {}

  /** Start from a position measurement with velocity unknown (variance velVar). */
  init(e: number, n: number, rEE: number, rEN: number, rNN: number, velVar: number, turnVar = 0.03 ** 2): void {
    for (let j = 0; j < NM; j++) {
      const x = this.x[j]!, P = this.P[j]!;
      x.fill(0);
      P.fill(0);
      x[0] = e;
      x[1] = n;
      P[0] = rEE;
      P[1] = rEN;
      P[5] = rEN;
      P[6] = rNN;
      P[12] = velVar;
      P[18] = velVar;
      P[24] = j === 0 ? 1e-12 : turnVar;
    }
    this.mu[0] = this.prm.mu0[0];
    this.mu[1] = this.prm.mu0[1];
  }

  /** Model transition probabilities over dt: stay with prob exp(-dt/tau). */
  private transition(dt: number, i: number, j: number): number {
    if (i !== j) return 1 - this.transition(dt, i, i);
    return Math.exp(-Math.abs(dt) / (i === 0 ? this.prm.tauCvS : this.prm.tauCtS));
  }

  /**
   * Mix the models and predict each over dt into outX/outP (the filter is not
   * changed); returns the predicted model weights (c-bar) in `cbar`.
   */
  private mixPredict(dt: number, outX: Float64Array[], outP: Float64Array[]): void {
    // Transition probabilities over dt, once (two exponentials).
    for (let i = 0; i < NM; i++) for (let j = 0; j < NM; j++) PI[i * NM + j] = this.transition(dt, i, j);
    for (let j = 0; j < NM; j++) {
      let c = 0;
      for (let i = 0; i < NM; i++) c += PI[i * NM + j]! * this.mu[i]!;
      cbar[j] = c;
    }
    const xA = this.x[0]!, xB = this.x[1]!, PA = this.P[0]!, PB = this.P[1]!;
    for (let j = 0; j < NM; j++) {
      const x0 = outX[j]!, P0 = outP[j]!;
      const c = cbar[j]! || 1e-300;
      // Two models: the mix is wA * model 0 + wB * model 1 (wA + wB = 1).
      const wA = (PI[j]! * this.mu[0]!) / c, wB = (PI[NM + j]! * this.mu[1]!) / c;
      for (let k = 0; k < NS; k++) x0[k] = wA * xA[k]! + wB * xB[k]!;
      // Spread of the means, upper triangle then mirrored (P0 is symmetric).
      for (let r = 0; r < NS; r++) {
        const da = xA[r]! - x0[r]!, db = xB[r]! - x0[r]!;
        for (let s = r; s < NS; s++) {
          const v = wA * (PA[r * NS + s]! + da * (xA[s]! - x0[s]!)) + wB * (PB[r * NS + s]! + db * (xB[s]! - x0[s]!));
          P0[r * NS + s] = v;
          P0[s * NS + r] = v;
        }
      }
      if (j === 0) holdNoTurn(x0, P0);
      predictModel(j, x0, P0, dt, this.prm);
    }
  }

  /**
   * The combined prediction to dt ahead, into x4 ([e, n, vE, vN]) and P4
   * (4x4); the filter is not changed.
   */
  predictCombined(dt: number, x4: Float64Array, P4: Float64Array): void {
    this.mixPredict(dt, mixX, mixP);
    combine(mixX, mixP, cbar, x4, P4);
  }

  /** Predict by dt and update every model with position (zE, zN), covariance R. */
  update(dt: number, zE: number, zN: number, rEE: number, rEN: number, rNN: number): void {
    // Mixing reads every model's state, so it writes to scratch first.
    this.mixPredict(dt, mixX, mixP);
    for (let j = 0; j < NM; j++) {
      this.x[j]!.set(mixX[j]!);
      this.P[j]!.set(mixP[j]!);
    }
    let total = 0;
    for (let j = 0; j < NM; j++) {
      const x = this.x[j]!, P = this.P[j]!;
      const dE = zE - x[0]!, dN = zN - x[1]!;
      const sEE = P[0]! + rEE, sEN = P[1]! + rEN, sNN = P[6]! + rNN;
      const det = sEE * sNN - sEN * sEN;
      const iEE = sNN / det, iEN = -sEN / det, iNN = sEE / det;
      const d2 = dE * dE * iEE + 2 * dE * dN * iEN + dN * dN * iNN;
      const like = Math.exp(-0.5 * Math.min(d2, 200)) / (2 * Math.PI * Math.sqrt(det));
      for (let r = 0; r < NS; r++) {
        const p0 = P[r * NS]!, p1 = P[r * NS + 1]!;
        K[2 * r] = p0 * iEE + p1 * iEN;
        K[2 * r + 1] = p0 * iEN + p1 * iNN;
      }
      for (let r = 0; r < NS; r++) x[r]! += K[2 * r]! * dE + K[2 * r + 1]! * dN;
      // P <- P - K (H P); H P is P's first two rows.
      for (let k = 0; k < 2 * NS; k++) T1[k] = P[k]!;
      for (let r = 0; r < NS; r++) {
        for (let s = 0; s < NS; s++) P[r * NS + s]! -= K[2 * r]! * T1[s]! + K[2 * r + 1]! * T1[NS + s]!;
      }
      symmetrise(P);
      this.mu[j] = cbar[j]! * like;
      total += this.mu[j]!;
    }
    this.normaliseMu(total);
  }

  /** mu holds unnormalised weights summing to total: normalise (the prior c-bar if they vanished), keeping each model alive. */
  private normaliseMu(total: number): void {
    if (total > 0 && Number.isFinite(total)) for (let j = 0; j < NM; j++) this.mu[j]! /= total;
    else for (let j = 0; j < NM; j++) this.mu[j] = cbar[j]!;
    // Keep each model alive: a probability that reaches 0 can never recover.
    for (let j = 0; j < NM; j++) this.mu[j] = Math.min(1 - 1e-4, Math.max(1e-4, this.mu[j]!));
  }

  /**
   * Probabilistic data association (JPDA's update for one track): predict
   * by dt, then update each model with every plot k of the cluster weighted
   * by its association probability beta[k] (beta0 = 1 - sum: none of them
   * is this aircraft's). Per model the result is the moment-matched mixture
   * of "no plot" (the prediction) and each plot's Kalman update:
   *   x = x⁻ + Σ β_k K_k ν_k,
   *   P = β0 P⁻ + Σ β_k (P⁻ − K_k S_k K_k') + Σ β_k δ_k δ_k' − δ δ'
   * with δ_k = K_k ν_k and δ = Σ β_k δ_k (each plot keeps its own R). The
   * model probabilities move by the β-weighted likelihoods, and not at all
   * for the β0 share.
   * z holds [e, n] per plot, r holds [rEE, rEN, rNN] per plot.
   */
  updatePda(dt: number, count: number, z: Float64Array, r: Float64Array, beta: Float64Array): void {
    this.mixPredict(dt, mixX, mixP);
    let beta0 = 1;
    for (let k = 0; k < count; k++) beta0 -= beta[k]!;
    if (beta0 < 0) beta0 = 0;
    let total = 0;
    for (let j = 0; j < NM; j++) {
      const x = this.x[j]!, P = this.P[j]!;
      x.set(mixX[j]!);
      P.set(mixP[j]!);
      const delta = PDA_D;
      delta.fill(0);
      const spread = PDA_SPREAD;
      spread.fill(0);
      const loss = PDA_LOSS;
      loss.fill(0);
      let like = 0;
      for (let k = 0; k < count; k++) {
        const b = beta[k]!;
        if (!(b > 0)) continue;
        const dE = z[2 * k]! - x[0]!, dN = z[2 * k + 1]! - x[1]!;
        const sEE = P[0]! + r[3 * k]!, sEN = P[1]! + r[3 * k + 1]!, sNN = P[6]! + r[3 * k + 2]!;
        const det = sEE * sNN - sEN * sEN;
        const iEE = sNN / det, iEN = -sEN / det, iNN = sEE / det;
        const d2 = dE * dE * iEE + 2 * dE * dN * iEN + dN * dN * iNN;
        like += b * Math.exp(-0.5 * Math.min(d2, 200)) / (2 * Math.PI * Math.sqrt(det));
        for (let q = 0; q < NS; q++) {
          const p0 = P[q * NS]!, p1 = P[q * NS + 1]!;
          K[2 * q] = p0 * iEE + p1 * iEN;
          K[2 * q + 1] = p0 * iEN + p1 * iNN;
        }
        // δ_k and K_k (H P⁻): the covariance this plot's update removes.
        for (let q = 0; q < NS; q++) PDA_DK[q] = K[2 * q]! * dE + K[2 * q + 1]! * dN;
        for (let q = 0; q < NS; q++) {
          delta[q]! += b * PDA_DK[q]!;
          for (let c = 0; c < NS; c++) {
            loss[q * NS + c]! += b * (K[2 * q]! * P[c]! + K[2 * q + 1]! * P[NS + c]!);
            spread[q * NS + c]! += b * PDA_DK[q]! * PDA_DK[c]!;
          }
        }
      }
      for (let q = 0; q < NS; q++) x[q]! += delta[q]!;
      for (let q = 0; q < NS; q++) {
        for (let c = 0; c < NS; c++) P[q * NS + c]! += -loss[q * NS + c]! + spread[q * NS + c]! - delta[q]! * delta[c]!;
      }
      symmetrise(P);
      if (j === 0) holdNoTurn(x, P);
      PDA_LIKE[j] = beta0 < 1 ? like / (1 - beta0) : 0;
    }
    // The β0 share carries no information on the model: it keeps the prior c-bar.
    let mean = 0;
    for (let j = 0; j < NM; j++) mean += cbar[j]! * PDA_LIKE[j]!;
    for (let j = 0; j < NM; j++) {
      this.mu[j] = cbar[j]! * ((1 - beta0) * PDA_LIKE[j]! + beta0 * mean);
      total += this.mu[j]!;
    }
    this.normaliseMu(total);
  }

  /**
   * A plot older than the state (out of sequence: dtBack < 0 is its time
   * minus the state's) updates the state where it is, in time: each model
   * is retrodicted to the plot's time, x(τ|k) = f(x(k|k), dtBack), with
   * covariance F P F' + Q(|dtBack|), and the state at k is corrected through
   * the cross-covariance of x(k) with the retrodicted position,
   * P_xz = P(k|k) (H F)': W = P_xz S⁻¹, x += W ν, P -= W S W'. This is
   * Bar-Shalom's one-step-lag solution ("Update with out-of-sequence
   * measurements in tracking: exact solution", IEEE TAES 2002) without the
   * process-noise correlation terms: Q is added rather than removed, so the
   * retrodiction is a little pessimistic and the gain a little small, never
   * overconfident. The state's time and the model probabilities stay.
   */
  updateLate(dtBack: number, zE: number, zN: number, rEE: number, rEN: number, rNN: number): void {
    for (let j = 0; j < NM; j++) {
      const x = this.x[j]!, P = this.P[j]!;
      const xr = mixX[j]!, Pr = mixP[j]!;
      xr.set(x);
      Pr.set(P);
      // H F: the retrodicted position's sensitivity to the state at k.
      const hf = HF;
      hf.fill(0);
      hf[0] = 1;
      hf[NS + 1] = 1;
      if (j === 0) {
        hf[2] = dtBack;
        hf[NS + 3] = dtBack;
      } else {
        ctPositionRows(x, dtBack, hf);
      }
      predictModel(j, xr, Pr, dtBack, this.prm);
      const dE = zE - xr[0]!, dN = zN - xr[1]!;
      const sEE = Pr[0]! + rEE, sEN = Pr[1]! + rEN, sNN = Pr[6]! + rNN;
      const det = sEE * sNN - sEN * sEN;
      if (!(det > 0)) continue;
      const iEE = sNN / det, iEN = -sEN / det, iNN = sEE / det;
      // Pxz (NS x 2) = P (H F)'.
      for (let r = 0; r < NS; r++) {
        let a = 0, b = 0;
        for (let k = 0; k < NS; k++) {
          a += P[r * NS + k]! * hf[k]!;
          b += P[r * NS + k]! * hf[NS + k]!;
        }
        T1[2 * r] = a;
        T1[2 * r + 1] = b;
      }
      // W = Pxz S^-1; x += W ν; P -= W Pxz'.
      for (let r = 0; r < NS; r++) {
        K[2 * r] = T1[2 * r]! * iEE + T1[2 * r + 1]! * iEN;
        K[2 * r + 1] = T1[2 * r]! * iEN + T1[2 * r + 1]! * iNN;
      }
      for (let r = 0; r < NS; r++) x[r]! += K[2 * r]! * dE + K[2 * r + 1]! * dN;
      for (let r = 0; r < NS; r++) {
        for (let c = 0; c < NS; c++) P[r * NS + c]! -= K[2 * r]! * T1[2 * c]! + K[2 * r + 1]! * T1[2 * c + 1]!;
      }
      symmetrise(P);
      if (j === 0) holdNoTurn(x, P);
    }
  }

  /** The current combined estimate ([e, n, vE, vN] and its 4x4 covariance). */
  current(x4: Float64Array, P4: Float64Array): void {
    combine(this.x, this.P, this.mu, x4, P4);
  }

  /** Replace the state with another filter's (track merging). */
  copyFrom(o: ImmFilter): void {
    for (let j = 0; j < NM; j++) {
      this.x[j]!.set(o.x[j]!);
      this.P[j]!.set(o.P[j]!);
    }
    this.mu.set(o.mu);
  }
}

/** The CV model holds no turn: its omega is zero by definition, with no variance or correlation. */
function holdNoTurn(x: Float64Array, P: Float64Array): void {
  x[4] = 0;
  for (let k = 0; k < NS; k++) {
    P[4 * NS + k] = 0;
    P[k * NS + 4] = 0;
  }
  P[24] = 1e-12;
}

function symmetrise(P: Float64Array): void {
  for (let r = 0; r < NS; r++) {
    for (let s = r + 1; s < NS; s++) {
      const m = 0.5 * (P[r * NS + s]! + P[s * NS + r]!);
      P[r * NS + s] = m;
      P[s * NS + r] = m;
    }
  }
}

/** Moment-matched combination of the models, first four state components. */
function combine(xs: Float64Array[], Ps: Float64Array[], w: Float64Array, x4: Float64Array, P4: Float64Array): void {
  let tot = 0;
  for (let j = 0; j < NM; j++) tot += w[j]!;
  x4.fill(0);
  P4.fill(0);
  for (let j = 0; j < NM; j++) for (let k = 0; k < 4; k++) x4[k]! += (w[j]! / tot) * xs[j]![k]!;
  for (let j = 0; j < NM; j++) {
    const x = xs[j]!, P = Ps[j]!, wj = w[j]! / tot;
    for (let r = 0; r < 4; r++) {
      const dr = x[r]! - x4[r]!;
      for (let s = 0; s < 4; s++) P4[r * 4 + s]! += wj * (P[r * NS + s]! + dr * (x[s]! - x4[s]!));
    }
  }
}


/** Predict model j in place: x <- f(x), P <- F P F' + Q. */
function predictModel(j: number, x: Float64Array, P: Float64Array, dt: number, prm: ImmParams): void {
  if (j === 0) predictCvInPlace(x, P, dt);
  else predictCtInPlace(x, P, dt);
  // Q: white acceleration per axis (|dt| so a slightly late plot stays sane), plus the turn-rate walk.
  const q = j === 0 ? prm.qCv : prm.qCt;
  const ad = Math.abs(dt);
  const q11 = (q * ad * ad * ad) / 3, q12 = ((q * ad * ad) / 2) * Math.sign(dt || 1), q22 = q * ad;
  P[0]! += q11; P[2]! += q12; P[10]! += q12; P[12]! += q22;
  P[6]! += q11; P[8]! += q12; P[16]! += q12; P[18]! += q22;
  if (j === 1) P[24]! += prm.qTurn * ad;
  symmetrise(P);
}

/**
 * The coordinated turn's position coefficients over dt at turn rate w, into
 * CT_COEF = [a, b, da/dw, db/dw]: e += a vE − b vN, n += b vE + a vN, with
 * a = sin(w dt)/w and b = (1 − cos(w dt))/w (their series about w = 0,
 * where the exact forms lose digits).
 */
function ctCoefficients(w: number, dt: number, c: number, s: number): Float64Array {
  const wt = w * dt;
  const k = CT_COEF;
  if (Math.abs(wt) < 1e-4) {
    k[0] = dt * (1 - (wt * wt) / 6);
    k[1] = 0.5 * w * dt * dt;
    k[2] = (-w * dt * dt * dt) / 3;
    k[3] = 0.5 * dt * dt;
  } else {
    k[0] = s / w;
    k[1] = (1 - c) / w;
    k[2] = (dt * c) / w - s / (w * w);
    k[3] = (dt * s) / w - (1 - c) / (w * w);
  }
  return k;
}

/** The position rows of the coordinated-turn Jacobian at x over dt, into rows (2 x NS). */
function ctPositionRows(x: Float64Array, dt: number, rows: Float64Array): void {
  const w = x[4]!, vE = x[2]!, vN = x[3]!;
  const k = ctCoefficients(w, dt, Math.cos(w * dt), Math.sin(w * dt));
  const a = k[0]!, b = k[1]!, da = k[2]!, db = k[3]!;
  rows[0] = 1; rows[1] = 0; rows[2] = a; rows[3] = -b; rows[4] = da * vE - db * vN;
  rows[NS] = 0; rows[NS + 1] = 1; rows[NS + 2] = b; rows[NS + 3] = a; rows[NS + 4] = db * vE + da * vN;
}

/**
 * Constant velocity: F = I except F[e,vE] = F[n,vN] = dt, so F P F' is two
 * row operations and two column operations (20 multiply-adds, not 250).
 */
function predictCvInPlace(x: Float64Array, P: Float64Array, dt: number): void {
  x[0]! += dt * x[2]!;
  x[1]! += dt * x[3]!;
  for (let s = 0; s < NS; s++) {
    P[s]! += dt * P[2 * NS + s]!;
    P[NS + s]! += dt * P[3 * NS + s]!;
  }
  for (let r = 0; r < NS; r++) {
    P[r * NS]! += dt * P[r * NS + 2]!;
    P[r * NS + 1]! += dt * P[r * NS + 3]!;
  }
}

/**
 * Coordinated turn, EKF: x <- f(x), P <- F P F' with the Jacobian F written
 * out (rows e, n, vE, vN depend on vE, vN and omega; e and n on themselves;
 * omega on itself), so F P F' is row and then column combinations of three
 * or four terms instead of two dense 5x5 products.
 */
export function predictCtInPlace(x: Float64Array, P: Float64Array, dt: number): void {
  const w = x[4]!, vE = x[2]!, vN = x[3]!;
  const wt = w * dt;
  const c = Math.cos(wt), s = Math.sin(wt);
  const k = ctCoefficients(w, dt, c, s);
  const a = k[0]!, b = k[1]!, da = k[2]!, db = k[3]!;
  // d(state)/d(omega): the Jacobian's last column.
  const f04 = da * vE - db * vN, f14 = db * vE + da * vN;
  const f24 = -dt * (s * vE + c * vN), f34 = dt * (c * vE - s * vN);
  x[0] = x[0]! + a * vE - b * vN;
  x[1] = x[1]! + b * vE + a * vN;
  x[2] = c * vE - s * vN;
  x[3] = s * vE + c * vN;
  // T = F P (rows), then P = T F' (columns).
  for (let k = 0; k < NS; k++) {
    const p0 = P[k]!, p1 = P[NS + k]!, p2 = P[2 * NS + k]!, p3 = P[3 * NS + k]!, p4 = P[4 * NS + k]!;
    T1[k] = p0 + a * p2 - b * p3 + f04 * p4;
    T1[NS + k] = p1 + b * p2 + a * p3 + f14 * p4;
    T1[2 * NS + k] = c * p2 - s * p3 + f24 * p4;
    T1[3 * NS + k] = s * p2 + c * p3 + f34 * p4;
    T1[4 * NS + k] = p4;
  }
  for (let r = 0; r < NS; r++) {
    const o = r * NS;
    const t0 = T1[o]!, t1 = T1[o + 1]!, t2 = T1[o + 2]!, t3 = T1[o + 3]!, t4 = T1[o + 4]!;
    P[o] = t0 + a * t2 - b * t3 + f04 * t4;
    P[o + 1] = t1 + b * t2 + a * t3 + f14 * t4;
    P[o + 2] = c * t2 - s * t3 + f24 * t4;
    P[o + 3] = s * t2 + c * t3 + f34 * t4;
    P[o + 4] = t4;
  }
}
