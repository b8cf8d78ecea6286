// Every error a user can meet carries a stable code (SKY_*) and a sentence
// that says what went wrong and where. Codes are part of the public
// interface: scripts match on them, so never rename one.

/**
 * Codes in use (add new ones where they are raised, and list them in the
 * README's error table): SKY_USAGE, SKY_FILE_NOT_FOUND, SKY_COALITION_JSON,
 * SKY_COALITION_INVALID, SKY_SCENARIO_UNKNOWN, SKY_ASTERIX_*, SKY_PCAP_*,
 * SKY_PLOT_UNKNOWN_SENSOR, SKY_TRUTH_INVALID, SKY_TRACKS_INVALID, SKY_UDP_BIND.
 */
export type SkyErrorCode = `SKY_${string}`;

export class SkyError extends Error {
  readonly code: SkyErrorCode;
  /** Byte offset or 1-based line in `file`, when the error points into a file. */
  readonly offset: number | undefined;
  readonly file: string | undefined;

  constructor(code: SkyErrorCode, message: string, where: { file?: string; offset?: number } = {}) {
    super(message);
    this.name = 'SkyError';
    this.code = code;
    this.offset = where.offset;
    this.file = where.file;
  }

  /** One line for a terminal: `SKY_X: message`. */
  toLine(): string {
    return `${this.code}: ${this.message}`;
  }
}

export function isSkyError(e: unknown): e is SkyError {
  return e instanceof SkyError;
}

/**
 * Counts bad input by code, so every rejected block or line is visible in
 * the run summary without stopping the pipeline. Each code is logged once.
 */
export class ErrorCounter {
  private readonly counts = new Map<string, number>();
  private readonly first = new Map<string, string>();

  add(code: string, line: string): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    if (!this.first.has(code)) this.first.set(code, line);
  }

  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  count(code: string): number {
    return this.counts.get(code) ?? 0;
  }

  /** code → { count, first message } for summaries. */
  summary(): Record<string, { count: number; first: string }> {
    const out: Record<string, { count: number; first: string }> = {};
    for (const [code, count] of this.counts) out[code] = { count, first: this.first.get(code) ?? '' };
    return out;
  }
}
