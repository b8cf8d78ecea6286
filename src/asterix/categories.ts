// The categories this codec knows, by ASTERIX category number. Editions are
// the ones in src/asterix/generated (one edition per category: a recording
// from an older edition whose UAP differs decodes wrongly, not with an error).

import type { CategoryDef } from './spec.ts';
import { cat021 } from './generated/cat021.ts';
import { cat034 } from './generated/cat034.ts';
import { cat048 } from './generated/cat048.ts';
import { cat062 } from './generated/cat062.ts';
import { cat065 } from './generated/cat065.ts';

export { cat021, cat034, cat048, cat062, cat065 };

const BY_CAT: ReadonlyMap<number, CategoryDef> = new Map([cat021, cat034, cat048, cat062, cat065].map((d) => [d.cat, d]));

export function categoryDef(cat: number): CategoryDef | undefined {
  return BY_CAT.get(cat);
}

export const KNOWN_CATEGORIES: readonly number[] = [...BY_CAT.keys()].sort((a, b) => a - b);
