import crypto from 'node:crypto';

// References are read aloud over the phone and copied from SMS by hand: no 0/O, 1/I/L.
// Each character is drawn at random (31^6 ≈ 887 million), so one reference says nothing
// about another; uniqueness is enforced by the database and a clash is simply redrawn.
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const GROUP = 3;

/** A new random case reference such as `K7M-4QX`. */
export function generateCaseReference(random: (max: number) => number = crypto.randomInt): string {
  const pick = () => REFERENCE_ALPHABET[random(REFERENCE_ALPHABET.length)];
  const group = () => Array.from({ length: GROUP }, pick).join('');
  return `${group()}-${group()}`;
}

/**
 * The canonical form of a reference as a person typed it (any case, spaces or no dash), or
 * undefined when it cannot be one.
 */
export function normaliseCaseReference(input: string): string | undefined {
  const compact = input.normalize('NFKC').toUpperCase().replace(/[\s\-–—_.]/g, '');
  if (compact.length !== GROUP * 2) return undefined;
  if (![...compact].every((character) => REFERENCE_ALPHABET.includes(character))) return undefined;
  return `${compact.slice(0, GROUP)}-${compact.slice(GROUP)}`;
}
