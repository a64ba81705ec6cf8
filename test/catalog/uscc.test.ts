import { describe, expect, it } from 'vitest'
import { hasUsccStructure, isValidUscc, usccCheckCharacter, USCC_CHARSET } from '../../src/catalog/schemas/uscc.js'
import { NANJING_USCC } from '../fixtures/claims.js'

const vectors = {
  pass: [
    // Codes circulating as real published examples; each was checked against this implementation.
    { name: 'published 91350100M000100Y43', code: '91350100M000100Y43' },
    { name: 'published 91110000600037341L', code: '91110000600037341L' },
    { name: 'published, all digits', code: '914403001922038216' },
    { name: 'published, check character G', code: '9144030071526726XG' },
    { name: 'published, check character B', code: '91330100799655058B' },
    { name: 'fixture 鼓楼区', code: NANJING_USCC.gulou },
    { name: 'fixture 建邺区', code: NANJING_USCC.jianye },
    { name: 'fixture 江宁区', code: NANJING_USCC.jiangning },
    { name: 'fixture 玄武区', code: NANJING_USCC.xuanwu },
    { name: 'sum divisible by 31 gives check character 0', code: '91320106MA1X000000' },
  ],
  fail: [
    { name: 'wrong check character', code: '91350100M000100Y44' },
    { name: 'check character off by one position', code: '91110000600037341K' },
    // 913201007162738628 circulates as an example but its check character is N.
    { name: 'circulating example with a bad check character', code: '913201007162738628' },
    { name: 'two characters transposed', code: '91351000M000100Y43' },
    { name: 'lower case', code: '91350100m000100y43' },
    { name: 'letter I is excluded', code: '91350100MI00100Y43' },
    { name: 'letter O is excluded', code: '91350100MO00100Y43' },
    { name: 'letter Z is excluded', code: '91350100MZ00100Y43' },
    { name: 'letter S is excluded', code: '91350100MS00100Y43' },
    { name: 'letter V is excluded', code: '91350100MV00100Y43' },
    { name: 'letter in the division code', code: '9135A100M000100Y43' },
    { name: '17 characters', code: '91350100M000100Y4' },
    { name: '19 characters', code: '91350100M000100Y433' },
    { name: 'empty', code: '' },
    { name: 'surrounding whitespace', code: ' 91350100M000100Y43' },
    { name: 'full-width digits', code: '９１350100M000100Y43' },
  ],
}

describe('isValidUscc', () => {
  it.each(vectors.pass)('accepts $name', ({ code }) => {
    expect(isValidUscc(code)).toBe(true)
  })

  it.each(vectors.fail)('rejects $name', ({ code }) => {
    expect(isValidUscc(code)).toBe(false)
  })
})

describe('usccCheckCharacter', () => {
  it.each(vectors.pass)('reproduces the check character of $name', ({ code }) => {
    expect(usccCheckCharacter(code.slice(0, 17))).toBe(code.charAt(17))
  })

  it('maps a weighted sum divisible by 31 to 0, not to 31', () => {
    const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    const body = '91320106MA1X00000'
    const sum = [...body].reduce((acc, ch, i) => acc + USCC_CHARSET.indexOf(ch) * weights[i]!, 0)
    expect(sum % 31).toBe(0)
    expect(usccCheckCharacter(body)).toBe('0')
  })

  it('only produces characters from the GB 32100-2015 charset', () => {
    const produced = new Set<string>()
    for (let n = 0; n < 2000; n++) produced.add(usccCheckCharacter(`91320106MA1X${String(n).padStart(5, '0')}`))
    expect([...produced].every((c) => USCC_CHARSET.includes(c))).toBe(true)
    expect(produced.size).toBe(31)
  })

  it.each([
    { name: '16 characters', body: '91350100M000100Y' },
    { name: '18 characters', body: '91350100M000100Y43' },
    { name: 'excluded letter O', body: '91350100MO00100Y4' },
  ])('throws RangeError for $name', ({ body }) => {
    expect(() => usccCheckCharacter(body)).toThrow(RangeError)
  })
})

describe('hasUsccStructure', () => {
  it('accepts a well-formed code whose check character is wrong', () => {
    expect(hasUsccStructure('91350100M000100Y44')).toBe(true)
    expect(isValidUscc('91350100M000100Y44')).toBe(false)
  })

  it('rejects a code with an excluded letter', () => {
    expect(hasUsccStructure('91350100MO00100Y43')).toBe(false)
  })
})
