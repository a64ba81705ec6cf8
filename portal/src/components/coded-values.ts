/**
 * Claims whose values are codes (`pension`, `active`) and the message keys of their words in each language
 * (基本养老保险, 正常参保): the SD-JWT VC type metadata names claims, not the values of an enum, so the portal does.
 * The words live in the bank page's messages (`verify.values`); the wallet shows the same words.
 */
const CODED: Record<string, string> = {
  'insurances.*.type': 'verify.values.insuranceType',
  'insurances.*.status': 'verify.values.insuranceStatus',
}

/** The words for a coded claim value at `path` (`insurances.*.type`), or the value itself when it has none. */
export function codedWord(path: string, value: string, t: (key: string) => string, te: (key: string) => boolean): string {
  const key = Object.hasOwn(CODED, path) ? `${CODED[path]}.${value}` : undefined
  return key && te(key) ? t(key) : value
}
