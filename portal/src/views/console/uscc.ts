/**
 * The unified social credit code (统一社会信用代码) check of GB 32100-2015, for the console's forms to flag a
 * wrong check character while the clerk types. Ported from src/catalog/schemas/uscc.ts (the portal does not
 * import src/); test/portal/console-form.test.ts checks that both agree on every code it tries.
 *
 * Layout: authority (1), category (1), division (6 digits), organisation code (9), check character (1).
 */

/** The 31 characters GB 32100-2015 allows; I, O, Z, S and V are left out so that they are not read as digits. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const

/** The shape of an 18-character code, without the check-character arithmetic. */
export const USCC_STRUCTURE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/

/**
 * The check character of the first 17 characters; undefined when they are not 17 characters of the charset.
 *
 * @example
 * usccCheckCharacter('91350100M000100Y4') // => '3'
 */
export function usccCheckCharacter(first17: string): string | undefined {
  if (first17.length !== 17) return undefined
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const value = USCC_CHARSET.indexOf(first17.charAt(i))
    if (value < 0) return undefined
    sum += value * WEIGHTS[i]!
  }
  return USCC_CHARSET.charAt((31 - (sum % 31)) % 31)
}

/** True when `code` is shaped like a USCC (length, charset, division digits), whatever its check character. */
export function hasUsccStructure(code: string): boolean {
  return USCC_STRUCTURE.test(code)
}

/**
 * True when `code` has the structure and the right check character (upper case only, as the standard writes it).
 *
 * @example
 * isValidUscc('91350100M000100Y43') // => true
 * isValidUscc('91350100M000100Y44') // => false
 */
export function isValidUscc(code: string): boolean {
  return hasUsccStructure(code) && usccCheckCharacter(code.slice(0, 17)) === code.charAt(17)
}
