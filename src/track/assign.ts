// Optimal rectangular linear assignment: the shortest augmenting path method
// of Jonker and Volgenant (Computing 38, 1987) in the rectangular form given
// by D. F. Crouse, "On implementing 2D rectangular assignment algorithms",
// IEEE Trans. Aerospace and Electronic Systems 52(4), 2016, section III.
// Used by the tracker's global-nearest-neighbour association and by the
// evaluation's GOSPA metric; it is a hot path, so the inner loop is plain
// typed-array arithmetic with no allocation and no closures.

import { SkyError } from '../core/errors.ts';

export interface Assignment {
  /** Column assigned to each row, -1 when the row is unassigned. */
  readonly rowToCol: Int32Array;
  /** Row assigned to each column, -1 when the column is unassigned. */
  readonly colToRow: Int32Array;
  /** Sum of the cost of the assigned (allowed) pairs. */
  readonly totalCost: number;
}

/**
 * Minimum-cost assignment of rows to columns for an nRows x nCols cost
 * matrix (row-major Float64Array). Entries >= `forbidden` (default Infinity)
 * may not be assigned. Returns rowToCol (Int32Array, -1 = unassigned),
 * colToRow and the total cost. Rectangular in both directions. Optimal:
 * shortest augmenting path (Jonker–Volgenant / Crouse 2016).
 *
 * What is optimised. With no forbidden entries, exactly min(nRows, nCols)
 * pairs are assigned, at minimum total cost. Forbidden entries are replaced
 * by a finite penalty larger than any possible difference in allowed cost,
 * the full min(nRows, nCols) problem is solved, and pairs that landed on a
 * forbidden entry are then un-assigned. The result therefore assigns as many
 * rows as the allowed entries permit (maximum cardinality) and, among those
 * assignments, has the least total cost. Rows whose entries are all
 * forbidden stay unassigned.
 *
 * Gated GNN, where leaving a row unassigned may be *cheaper* than assigning
 * it, is not maximum cardinality: the caller expresses it by appending one
 * dummy column per row, an nRows x (nCols + nRows) matrix in which dummy
 * column nCols + i holds row i's non-assignment cost and every other dummy
 * entry is forbidden. A row assigned to a dummy column is then "unassigned"
 * at its stated price, and the minimum is the true gated GNN optimum.
 *
 * Throws SKY_ASSIGN_INVALID when the matrix length does not match the shape
 * or an entry is NaN or -Infinity (a caller bug, never valid input).
 */
export function solveAssignment(
  cost: Float64Array,
  nRows: number,
  nCols: number,
  forbidden: number = Infinity,
): Assignment {
  if (!Number.isInteger(nRows) || !Number.isInteger(nCols) || nRows < 0 || nCols < 0) {
    throw new SkyError('SKY_ASSIGN_INVALID', `assignment shape ${nRows} x ${nCols} must be non-negative integers`);
  }
  if (cost.length !== nRows * nCols) {
    throw new SkyError(
      'SKY_ASSIGN_INVALID',
      `assignment cost matrix has ${cost.length} entries, ${nRows} x ${nCols} needs ${nRows * nCols}`,
    );
  }
  const rowToCol = new Int32Array(nRows).fill(-1);
  const colToRow = new Int32Array(nCols).fill(-1);
  if (nRows === 0 || nCols === 0) return { rowToCol, colToRow, totalCost: 0 };

  // One scan finds the allowed cost range (for the forbidden penalty) and
  // rejects entries no optimum can be defined for.
  let minAllowed = Infinity;
  let maxAllowed = -Infinity;
  let anyForbidden = false;
  for (let k = 0; k < cost.length; k++) {
    const c = cost[k]!;
    if (Number.isNaN(c) || c === -Infinity) {
      throw new SkyError(
        'SKY_ASSIGN_INVALID',
        `assignment cost at row ${Math.floor(k / nCols)}, column ${k % nCols} is ${c}`,
      );
    }
    if (c >= forbidden) anyForbidden = true;
    else {
      if (c < minAllowed) minAllowed = c;
      if (c > maxAllowed) maxAllowed = c;
    }
  }
  if (minAllowed === Infinity) return { rowToCol, colToRow, totalCost: 0 };

  // The solver wants at most as many rows as columns; a tall matrix is
  // solved as its transpose by swapping the strides, without copying.
  const transposed = nRows > nCols;
  const n = transposed ? nCols : nRows; // rows of the (virtual) wide matrix
  const m = transposed ? nRows : nCols; // columns of the wide matrix
  const rowStride = transposed ? 1 : nCols;
  const colStride = transposed ? nCols : 1;

  // Penalty for a forbidden entry, chosen so that an assignment with one
  // forbidden pair fewer is always cheaper: trading a forbidden pair for an
  // allowed one changes the allowed sum by at most max + (n - 1) * span.
  const span = maxAllowed - minAllowed;
  const penalty = anyForbidden ? (n + 1) * span + Math.abs(maxAllowed) + Math.abs(minAllowed) + 1 : 0;
  if (!Number.isFinite(penalty)) {
    throw new SkyError('SKY_ASSIGN_INVALID', `assignment costs span ${span}, too wide to penalise forbidden entries`);
  }

  // Dual variables and the matching of the wide problem.
  const u = new Float64Array(n);
  const v = new Float64Array(m);
  const colForRow = new Int32Array(n).fill(-1);
  const rowForCol = new Int32Array(m).fill(-1);
  // Per augmentation: shortest reduced path length to each column, the row
  // preceding each column on that path, the rows and columns already
  // scanned, and the columns still to scan (kept compact by swap-remove).
  const shortest = new Float64Array(m);
  const pathRow = new Int32Array(m);
  const remaining = new Int32Array(m);
  const scannedRows = new Int32Array(n);
  const scannedCols = new Int32Array(m);

  for (let startRow = 0; startRow < n; startRow++) {
    shortest.fill(Infinity);
    // Scan columns in reverse index order, as Crouse does, so that ties go
    // to the lower-indexed free column; any order is optimal.
    for (let j = 0; j < m; j++) remaining[j] = m - 1 - j;
    let nRemaining = m;
    let nScannedRows = 0;
    let nScannedCols = 0;
    let minPath = 0;
    let row = startRow;
    let sink = -1;

    while (sink === -1) {
      scannedRows[nScannedRows++] = row;
      let lowest = Infinity;
      let lowestAt = -1;
      const base = row * rowStride;
      const ur = u[row]!;
      for (let it = 0; it < nRemaining; it++) {
        const col = remaining[it]!;
        let c = cost[base + col * colStride]!;
        if (c >= forbidden) c = penalty;
        const reduced = minPath + c - ur - v[col]!;
        if (reduced < shortest[col]!) {
          pathRow[col] = row;
          shortest[col] = reduced;
        }
        const s = shortest[col]!;
        // Prefer a free column on ties: it ends the search one step sooner.
        if (s < lowest || (s === lowest && rowForCol[col] === -1)) {
          lowest = s;
          lowestAt = it;
        }
      }
      // Every entry is finite after the penalty substitution, so a column
      // is always reachable; this guards against a broken invariant only.
      if (lowestAt === -1) throw new SkyError('SKY_ASSIGN_INVALID', 'assignment has no feasible augmenting path');
      minPath = lowest;
      const col = remaining[lowestAt]!;
      scannedCols[nScannedCols++] = col;
      remaining[lowestAt] = remaining[--nRemaining]!;
      if (rowForCol[col] === -1) sink = col;
      else row = rowForCol[col]!;
    }

    // Dual update keeps reduced costs non-negative and tight on the matching.
    u[startRow] = u[startRow]! + minPath;
    for (let k = 0; k < nScannedRows; k++) {
      const r = scannedRows[k]!;
      if (r !== startRow) u[r] = u[r]! + minPath - shortest[colForRow[r]!]!;
    }
    for (let k = 0; k < nScannedCols; k++) {
      const c = scannedCols[k]!;
      v[c] = v[c]! - (minPath - shortest[c]!);
    }

    // Augment: flip the alternating path from the sink back to startRow.
    let col = sink;
    for (;;) {
      const r = pathRow[col]!;
      rowForCol[col] = r;
      const previous = colForRow[r]!;
      colForRow[r] = col;
      if (r === startRow) break;
      col = previous;
    }
  }

  // Back to the caller's orientation, dropping pairs on forbidden entries.
  let totalCost = 0;
  for (let r = 0; r < n; r++) {
    const c = colForRow[r]!;
    const value = cost[r * rowStride + c * colStride]!;
    if (value >= forbidden) continue;
    totalCost += value;
    const row = transposed ? c : r;
    const column = transposed ? r : c;
    rowToCol[row] = column;
    colToRow[column] = row;
  }
  return { rowToCol, colToRow, totalCost };
}
