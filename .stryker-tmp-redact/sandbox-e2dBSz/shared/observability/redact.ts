/**
 * The last guard before a log line leaves the function. Log lines are built from chosen fields (never a
 * request body, a header or a stored item), so nothing secret should reach this point; this catches what a
 * future change lets slip: a field whose name says it holds a secret loses its value, and strings are
 * scanned for the shapes of the secrets this service handles. Every scan is linear in the input.
 */
// @ts-nocheck
function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() {
    return ns;
  }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryCov_9fa48() {
  var ns = stryNS_9fa48();
  var cov = ns.mutantCoverage || (ns.mutantCoverage = {
    static: {},
    perTest: {}
  });
  function cover() {
    var c = cov.static;
    if (ns.currentTestId) {
      c = cov.perTest[ns.currentTestId] = cov.perTest[ns.currentTestId] || {};
    }
    var a = arguments;
    for (var i = 0; i < a.length; i++) {
      c[a[i]] = (c[a[i]] || 0) + 1;
    }
  }
  stryCov_9fa48 = cover;
  cover.apply(null, arguments);
}
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) {
    if (ns.activeMutant === id) {
      if (ns.hitCount !== void 0 && ++ns.hitCount > ns.hitLimit) {
        throw new Error('Stryker: Hit count limit reached (' + ns.hitCount + ')');
      }
      return true;
    }
    return false;
  }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
export const REDACTED = stryMutAct_9fa48("0") ? "" : (stryCov_9fa48("0"), '[REDACTED]');

/** Field names (lower case, without `_`/`-`) whose values are never logged, whatever they hold. */
const SECRET_NAMES = new Set(stryMutAct_9fa48("1") ? [] : (stryCov_9fa48("1"), [stryMutAct_9fa48("2") ? "" : (stryCov_9fa48("2"), 'code'), stryMutAct_9fa48("3") ? "" : (stryCov_9fa48("3"), 'otp'), stryMutAct_9fa48("4") ? "" : (stryCov_9fa48("4"), 'totp'), stryMutAct_9fa48("5") ? "" : (stryCov_9fa48("5"), 'pin'), stryMutAct_9fa48("6") ? "" : (stryCov_9fa48("6"), 'payload'), stryMutAct_9fa48("7") ? "" : (stryCov_9fa48("7"), 'body'), stryMutAct_9fa48("8") ? "" : (stryCov_9fa48("8"), 'headers'), stryMutAct_9fa48("9") ? "" : (stryCov_9fa48("9"), 'binding'), stryMutAct_9fa48("10") ? "" : (stryCov_9fa48("10"), 'assertion'), stryMutAct_9fa48("11") ? "" : (stryCov_9fa48("11"), 'credentials')]));
/** Parts of field names that mark a secret: `auth_token`, `authPayload`, `private_key`, `Authorization`… */
const SECRET_NAME_PARTS = stryMutAct_9fa48("12") ? [] : (stryCov_9fa48("12"), [stryMutAct_9fa48("13") ? "" : (stryCov_9fa48("13"), 'secret'), stryMutAct_9fa48("14") ? "" : (stryCov_9fa48("14"), 'token'), stryMutAct_9fa48("15") ? "" : (stryCov_9fa48("15"), 'password'), stryMutAct_9fa48("16") ? "" : (stryCov_9fa48("16"), 'authoriz'), stryMutAct_9fa48("17") ? "" : (stryCov_9fa48("17"), 'authpayload'), stryMutAct_9fa48("18") ? "" : (stryCov_9fa48("18"), 'jwt'), stryMutAct_9fa48("19") ? "" : (stryCov_9fa48("19"), 'sealed'), stryMutAct_9fa48("20") ? "" : (stryCov_9fa48("20"), 'privatekey'), stryMutAct_9fa48("21") ? "" : (stryCov_9fa48("21"), 'signature'), stryMutAct_9fa48("22") ? "" : (stryCov_9fa48("22"), 'cookie')]);

/** Whether a field of this name may carry a secret. */
export function isSecretName(name: string): boolean {
  if (stryMutAct_9fa48("23")) {
    {}
  } else {
    stryCov_9fa48("23");
    const normalized = stryMutAct_9fa48("24") ? name.toUpperCase().replace(/[^a-z0-9]/g, '') : (stryCov_9fa48("24"), name.toLowerCase().replace(stryMutAct_9fa48("25") ? /[a-z0-9]/g : (stryCov_9fa48("25"), /[^a-z0-9]/g), stryMutAct_9fa48("26") ? "Stryker was here!" : (stryCov_9fa48("26"), '')));
    return stryMutAct_9fa48("29") ? SECRET_NAMES.has(normalized) && SECRET_NAME_PARTS.some(part => normalized.includes(part)) : stryMutAct_9fa48("28") ? false : stryMutAct_9fa48("27") ? true : (stryCov_9fa48("27", "28", "29"), SECRET_NAMES.has(normalized) || (stryMutAct_9fa48("30") ? SECRET_NAME_PARTS.every(part => normalized.includes(part)) : (stryCov_9fa48("30"), SECRET_NAME_PARTS.some(stryMutAct_9fa48("31") ? () => undefined : (stryCov_9fa48("31"), part => normalized.includes(part))))));
  }
}

/** `Authorization` header values: `Basic …`, `Bearer …`. */
const AUTH_SCHEME = stryMutAct_9fa48("35") ? /\b(basic|bearer)(\s+)[^A-Za-z0-9+/=._~-]{8,}/gi : stryMutAct_9fa48("34") ? /\b(basic|bearer)(\s+)[A-Za-z0-9+/=._~-]/gi : stryMutAct_9fa48("33") ? /\b(basic|bearer)(\S+)[A-Za-z0-9+/=._~-]{8,}/gi : stryMutAct_9fa48("32") ? /\b(basic|bearer)(\s)[A-Za-z0-9+/=._~-]{8,}/gi : (stryCov_9fa48("32", "33", "34", "35"), /\b(basic|bearer)(\s+)[A-Za-z0-9+/=._~-]{8,}/gi);
/** A compact JWS/JWT (its header is JSON, so Base64url of `{"` starts it: `eyJ`). */
const JWT = stryMutAct_9fa48("41") ? /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[^A-Za-z0-9_-]*/g : stryMutAct_9fa48("40") ? /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]/g : stryMutAct_9fa48("39") ? /eyJ[A-Za-z0-9_-]*\.[^A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g : stryMutAct_9fa48("38") ? /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]\.[A-Za-z0-9_-]*/g : stryMutAct_9fa48("37") ? /eyJ[^A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g : stryMutAct_9fa48("36") ? /eyJ[A-Za-z0-9_-]\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g : (stryCov_9fa48("36", "37", "38", "39", "40", "41"), /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g);
/** A sealed secret (`v1.<wrapped key>.<iv>.<ciphertext>.<tag>`, shared/crypto/secret-sealer.ts). */
const SEALED = stryMutAct_9fa48("49") ? /\bv1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*\.[^A-Za-z0-9+/=]+/g : stryMutAct_9fa48("48") ? /\bv1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]/g : stryMutAct_9fa48("47") ? /\bv1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[^A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]+/g : stryMutAct_9fa48("46") ? /\bv1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]\.[A-Za-z0-9+/=]+/g : stryMutAct_9fa48("45") ? /\bv1\.[A-Za-z0-9+/=]+\.[^A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]+/g : stryMutAct_9fa48("44") ? /\bv1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]\.[A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]+/g : stryMutAct_9fa48("43") ? /\bv1\.[^A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]+/g : stryMutAct_9fa48("42") ? /\bv1\.[A-Za-z0-9+/=]\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]+/g : (stryCov_9fa48("42", "43", "44", "45", "46", "47", "48", "49"), /\bv1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]+/g);
/** Runs of letters and digits, each judged whole below. */
const WORD = stryMutAct_9fa48("51") ? /[^A-Za-z0-9]+/g : stryMutAct_9fa48("50") ? /[A-Za-z0-9]/g : (stryCov_9fa48("50", "51"), /[A-Za-z0-9]+/g);
/** An auth token or API key secret: 32 hex digits on their own (a SID has its two-letter prefix). */
const HEX_SECRET = stryMutAct_9fa48("55") ? /^[^0-9a-f]{32}$/ : stryMutAct_9fa48("54") ? /^[0-9a-f]$/ : stryMutAct_9fa48("53") ? /^[0-9a-f]{32}/ : stryMutAct_9fa48("52") ? /[0-9a-f]{32}$/ : (stryCov_9fa48("52", "53", "54", "55"), /^[0-9a-f]{32}$/);
/** A TOTP secret: Base32 (A–Z, 2–7), 16 characters or more, with at least one digit. */
const BASE32_SECRET = stryMutAct_9fa48("59") ? /^[^A-Z2-7]{16,}$/ : stryMutAct_9fa48("58") ? /^[A-Z2-7]$/ : stryMutAct_9fa48("57") ? /^[A-Z2-7]{16,}/ : stryMutAct_9fa48("56") ? /[A-Z2-7]{16,}$/ : (stryCov_9fa48("56", "57", "58", "59"), /^[A-Z2-7]{16,}$/);
function redactWord(word: string): string {
  if (stryMutAct_9fa48("60")) {
    {}
  } else {
    stryCov_9fa48("60");
    if (stryMutAct_9fa48("62") ? false : stryMutAct_9fa48("61") ? true : (stryCov_9fa48("61", "62"), HEX_SECRET.test(word))) return REDACTED;
    if (stryMutAct_9fa48("65") ? BASE32_SECRET.test(word) || /[2-7]/.test(word) : stryMutAct_9fa48("64") ? false : stryMutAct_9fa48("63") ? true : (stryCov_9fa48("63", "64", "65"), BASE32_SECRET.test(word) && (stryMutAct_9fa48("66") ? /[^2-7]/ : (stryCov_9fa48("66"), /[2-7]/)).test(word))) return REDACTED;
    return word;
  }
}

/** The string with every secret-shaped part replaced by `[REDACTED]`. */
export function redactString(text: string): string {
  if (stryMutAct_9fa48("67")) {
    {}
  } else {
    stryCov_9fa48("67");
    return text.replace(AUTH_SCHEME, stryMutAct_9fa48("68") ? `` : (stryCov_9fa48("68"), `$1$2${REDACTED}`)).replace(JWT, REDACTED).replace(SEALED, REDACTED).replace(WORD, redactWord);
  }
}

/** Deeper than any log field needs: anything below is replaced, which also ends cycles. */
const MAX_DEPTH = 8;

/**
 * A copy of `value` fit for a log line: values of secret-named fields replaced (booleans and null kept:
 * they cannot carry a secret, and `tokenInvalidated: true` says something), every string scanned, errors
 * as `{ name, message, stack }`.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (stryMutAct_9fa48("69")) {
    {}
  } else {
    stryCov_9fa48("69");
    if (stryMutAct_9fa48("72") ? typeof value !== 'string' : stryMutAct_9fa48("71") ? false : stryMutAct_9fa48("70") ? true : (stryCov_9fa48("70", "71", "72"), typeof value === (stryMutAct_9fa48("73") ? "" : (stryCov_9fa48("73"), 'string')))) return redactString(value);
    if (stryMutAct_9fa48("76") ? value === null && typeof value !== 'object' : stryMutAct_9fa48("75") ? false : stryMutAct_9fa48("74") ? true : (stryCov_9fa48("74", "75", "76"), (stryMutAct_9fa48("78") ? value !== null : stryMutAct_9fa48("77") ? false : (stryCov_9fa48("77", "78"), value === null)) || (stryMutAct_9fa48("80") ? typeof value === 'object' : stryMutAct_9fa48("79") ? false : (stryCov_9fa48("79", "80"), typeof value !== (stryMutAct_9fa48("81") ? "" : (stryCov_9fa48("81"), 'object')))))) return value;
    if (stryMutAct_9fa48("85") ? depth < MAX_DEPTH : stryMutAct_9fa48("84") ? depth > MAX_DEPTH : stryMutAct_9fa48("83") ? false : stryMutAct_9fa48("82") ? true : (stryCov_9fa48("82", "83", "84", "85"), depth >= MAX_DEPTH)) return REDACTED;
    if (stryMutAct_9fa48("87") ? false : stryMutAct_9fa48("86") ? true : (stryCov_9fa48("86", "87"), value instanceof Error)) {
      if (stryMutAct_9fa48("88")) {
        {}
      } else {
        stryCov_9fa48("88");
        return redact(stryMutAct_9fa48("89") ? {} : (stryCov_9fa48("89"), {
          name: value.name,
          message: value.message,
          stack: value.stack
        }), stryMutAct_9fa48("90") ? depth - 1 : (stryCov_9fa48("90"), depth + 1));
      }
    }
    if (stryMutAct_9fa48("92") ? false : stryMutAct_9fa48("91") ? true : (stryCov_9fa48("91", "92"), Array.isArray(value))) return value.map(stryMutAct_9fa48("93") ? () => undefined : (stryCov_9fa48("93"), item => redact(item, stryMutAct_9fa48("94") ? depth - 1 : (stryCov_9fa48("94"), depth + 1))));
    const copy: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(value)) {
      if (stryMutAct_9fa48("95")) {
        {}
      } else {
        stryCov_9fa48("95");
        const keep = stryMutAct_9fa48("98") ? (field === null || typeof field === 'boolean') && !isSecretName(name) : stryMutAct_9fa48("97") ? false : stryMutAct_9fa48("96") ? true : (stryCov_9fa48("96", "97", "98"), (stryMutAct_9fa48("100") ? field === null && typeof field === 'boolean' : stryMutAct_9fa48("99") ? false : (stryCov_9fa48("99", "100"), (stryMutAct_9fa48("102") ? field !== null : stryMutAct_9fa48("101") ? false : (stryCov_9fa48("101", "102"), field === null)) || (stryMutAct_9fa48("104") ? typeof field !== 'boolean' : stryMutAct_9fa48("103") ? false : (stryCov_9fa48("103", "104"), typeof field === (stryMutAct_9fa48("105") ? "" : (stryCov_9fa48("105"), 'boolean')))))) || (stryMutAct_9fa48("106") ? isSecretName(name) : (stryCov_9fa48("106"), !isSecretName(name))));
        copy[name] = keep ? redact(field, stryMutAct_9fa48("107") ? depth - 1 : (stryCov_9fa48("107"), depth + 1)) : REDACTED;
      }
    }
    return copy;
  }
}