// The ES256K fast path became node-crypto-verify.ts (ES256K, ES256, EdDSA); the low-S rule is re-exported for
// the SD-JWT verifier, which imports it from here.
export { hasHighS } from './node-crypto-verify.js'
