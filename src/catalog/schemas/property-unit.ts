/**
 * Real-estate unit number (不动产单元代码) per GB/T 37346-2019, 28 characters:
 *
 * | chars | part | example |
 * |---|---|---|
 * | 1–6 | county-level administrative division (县级行政区划) | `320106` 鼓楼区 |
 * | 7–9 | cadastral zone (地籍区) | `003` |
 * | 10–12 | cadastral sub-zone (地籍子区) | `005` |
 * | 13 | land ownership (所有权类型): G state, J collective, Z disputed | `G` |
 * | 14 | parcel type (宗地/宗海特征码), e.g. B construction land | `B` |
 * | 15–19 | parcel sequence (宗地顺序号) | `00123` |
 * | 20 | fixture type (定着物特征码): F building, L forest, Q structure, W none | `F` |
 * | 21–28 | fixture unit (定着物单元编号); `00000000` when W | `00010203` |
 *
 * The parcel-type letter is only checked to be A–Z: its table differs between land and sea areas.
 */
export const PROPERTY_UNIT_NUMBER_PATTERN = /^\d{12}[A-Z]{2}\d{5}[FLQW]\d{8}$/

const OWNERSHIP_TYPES = 'GJZ'
const NO_FIXTURE_UNIT = 'W00000000'

/**
 * True when `value` is a structurally valid GB/T 37346 real-estate unit number.
 *
 * @example
 * isValidPropertyUnitNumber('320106003005GB00123F00010203') // => true
 * isValidPropertyUnitNumber('320106003005GB00123W00000001') // => false, W means no fixture
 */
export function isValidPropertyUnitNumber(value: string): boolean {
  if (!PROPERTY_UNIT_NUMBER_PATTERN.test(value)) return false
  // Division codes start with a province digit 1–8; 0 or 9 is never assigned.
  if (value.charAt(0) === '0' || value.charAt(0) === '9') return false
  if (!OWNERSHIP_TYPES.includes(value.charAt(12))) return false
  const fixture = value.slice(19)
  if (fixture.charAt(0) === 'W') return fixture === NO_FIXTURE_UNIT
  return true
}
