// Errors about the bytes of a feed. They are data, not program faults: a
// stack trace says nothing about a damaged block, and capturing one is most
// of the cost of a rejected record (a garbage feed can bring millions a
// second), so they are built without one. Errors thrown at callers who pass
// impossible values to the encoders keep their stack (new SkyError).

import { SkyError, type SkyErrorCode } from '../core/errors.ts';

export function dataError(code: SkyErrorCode, message: string, where: { offset?: number } = {}): SkyError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new SkyError(code, message, where);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
