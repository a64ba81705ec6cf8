// The bank verification page words every check of a result (portal/src/views/verify/check-messages.ts): the
// portal does not import the server's code, so this keeps its lists equal to the verifier's closed sets
// (src/verifying/check-codes.ts, README's table) and its sentences complete in both languages.
import { describe, expect, it } from 'vitest'
import { CHECKS } from '../../src/verifying/check-codes.js'
import { CHECK_NAMES, FAILED, PASSED, checkSentence } from '../../portal/src/views/verify/check-messages.js'

const VERIFIER_CODES = [...new Set(Object.values(CHECKS).flatMap((c) => [...c.codes]))].sort()
const HAN = /\p{Script=Han}/u

describe('the verification page’s check sentences', () => {
  it('name every check of the verifier, in its order, and every code any check fails with', () => {
    expect([...CHECK_NAMES]).toEqual(Object.keys(CHECKS))
    expect(Object.keys(PASSED).sort()).toEqual([...CHECK_NAMES].sort())
    expect(Object.keys(FAILED).sort()).toEqual(VERIFIER_CODES)
  })

  it('say each passed and each failed check in Chinese and in English, with the credential named', () => {
    for (const [check, { codes }] of Object.entries(CHECKS)) {
      for (const ok of [true, false]) {
        for (const code of ok ? ['OK'] : codes) {
          const zh = checkSentence({ check, ok, code }, 'BusinessLicenseCredential', 'zh-CN')
          const en = checkSentence({ check, ok, code }, 'BusinessLicenseCredential', 'en')
          expect(zh, `${check} ${code}`).toMatch(HAN)
          expect(en, `${check} ${code}`).not.toMatch(HAN)
          expect(en, `${check} ${code}`).toMatch(/^[A-Z]/)
          for (const sentence of [zh, en]) {
            expect(sentence).not.toMatch(/[{}]|ERR_|undefined/)
          }
        }
      }
    }
  })

  it('tell a revocation plainly, with the department’s reason when the result carries one', () => {
    const revoked = { check: 'status', ok: false, code: 'ERR_CREDENTIAL_REVOKED' }
    expect(checkSentence(revoked, 'BusinessLicenseCredential', 'zh-CN')).toBe('该营业执照已被发证部门撤销')
    expect(checkSentence(revoked, 'BusinessLicenseCredential', 'en')).toBe('The issuing department has revoked this business licence')
    expect(checkSentence({ ...revoked, reason: '企业已注销' }, 'BusinessLicenseCredential', 'zh-CN')).toBe(
      '该营业执照已被发证部门撤销（原因：企业已注销）',
    )
    expect(checkSentence({ ...revoked, reason: 'deregistered' }, 'BusinessLicenseCredential', 'en')).toBe(
      'The issuing department has revoked this business licence (reason: deregistered)',
    )
    expect(checkSentence({ ...revoked, reason: 42 }, 'PropertyCertificateCredential', 'zh-CN')).toBe('该不动产权证书已被发证部门撤销')
    expect(checkSentence(revoked, undefined, 'zh-CN')).toBe('该凭证已被发证部门撤销')
  })

  it('never tells an unknown check or code as a pass', () => {
    expect(checkSentence({ check: 'status', ok: false, code: 'ERR_FROM_A_NEWER_VERIFIER' }, undefined, 'zh-CN')).toBe(
      '检查项 status 未通过（代码 ERR_FROM_A_NEWER_VERIFIER）',
    )
    expect(checkSentence({ check: 'quantumSeal', ok: true, code: 'OK' }, undefined, 'en')).toBe('Check quantumSeal passed')
    expect(checkSentence({ check: 'proof', ok: false, code: 'ERR_MALFORMED_JWT' }, undefined, 'zh-CN')).toBe(
      '出示内容的数据格式不正确，无法读取',
    )
  })
})
