/**
 * Unified social credit code (统一社会信用代码) per GB 32100-2015.
 *
 * Layout of the 18 characters:
 * - 1: registration authority code (登记管理部门代码, e.g. `9` market supervision, `5` civil affairs)
 * - 2: organisation category code (机构类别代码)
 * - 3–8: administrative division code (登记管理机关行政区划码), digits
 * - 9–17: organisation code (主体标识码)
 * - 18: check character
 *
 * Only the charset of positions 1–2 is checked: the authority and category tables
 * have grown since 2015 and a stale table would reject real codes.
 */

/** The 31 characters GB 32100-2015 allows; I, O, Z, S and V are excluded to avoid confusion with digits. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const

/** Structure of an 18-character USCC, without the check-character arithmetic. */
export const USCC_STRUCTURE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/

/**
 * Computes the GB 32100-2015 check character for the first 17 characters of a USCC.
 *
 * @throws RangeError if `first17` is not 17 characters from {@link USCC_CHARSET}.
 * @example
 * usccCheckCharacter('91350100M000100Y4') // => '3'
 */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) {
    throw new RangeError(`USCC body must be 17 characters, got ${first17.length}`)
  }
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const value = USCC_CHARSET.indexOf(first17.charAt(i))
    if (value < 0) {
      throw new RangeError(`USCC body has a character outside the GB 32100-2015 charset at position ${i + 1}`)
    }
    sum += value * WEIGHTS[i]!
  }
  return USCC_CHARSET.charAt((31 - (sum % 31)) % 31)
}

/**
 * True when `code` has the GB 32100-2015 structure and a correct check character.
 * Lower-case input is rejected: the standard defines upper-case only.
 *
 * @example
 * isValidUscc('91350100M000100Y43') // => true
 * isValidUscc('91350100M000100Y44') // => false
 */
export function isValidUscc(code: string): boolean {
  if (!hasUsccStructure(code)) return false
  return usccCheckCharacter(code.slice(0, 17)) === code.charAt(17)
}

/**
 * True when `code` is shaped like a USCC (length, charset, division digits) regardless of the
 * check character; lets callers tell a typo in the check character from a malformed code.
 */
export function hasUsccStructure(code: string): boolean {
  return USCC_STRUCTURE.test(code)
}
