/**
 * Configuration values as `config show` prints them: every secret masked wherever it sits, in the
 * table and in --json alike, while references (env:NAME, file:PATH) stay readable, since they
 * say where a secret comes from and are no secret themselves.
 */

export const MASK = '***';

/** Settings whose values are secrets however they are written. */
const SECRET_SETTINGS = new Set(['pdf.passwords']);

/** Object keys that name a secret: an inline value under one of them is masked whole. */
const SECRET_KEY = /(password|passwd|secret|token|api[-_]?key|credential)s?$/i;

/** URL query parameters that carry credentials (libpq's password=, presigned S3 URLs...). */
const SECRET_PARAMETER = /([?&;](?:password|passwd|pass|pwd|sslpassword|secret|token|access_token|api[-_]?key|key|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|awsaccesskeyid)=)[^&;#\s"']*/gi;

/** scheme://userinfo@ up to the last @ of the authority (a password may hold a raw @). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"']*)@/gi;

const REFERENCE = /^(env|file):/;

/** One setting (a dotted path) as it may be shown. */
export function maskSetting(settingPath: string, value: unknown): unknown {
  if (SECRET_SETTINGS.has(settingPath)) return Array.isArray(value) ? value.map(() => MASK) : value === undefined ? value : MASK;
  const key = settingPath.slice(settingPath.lastIndexOf('.') + 1);
  if (SECRET_KEY.test(key) && typeof value === 'string' && !REFERENCE.test(value)) return maskUrlCredentials(value, true);
  return maskValue(value);
}

function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskUrlCredentials(value);
  if (Array.isArray(value)) return value.map(maskValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, SECRET_KEY.test(key) && typeof child === 'string' && !REFERENCE.test(child) ? maskUrlCredentials(child, true) : maskValue(child)]));
  }
  return value;
}

/**
 * Passwords and tokens inside URLs anywhere in a string (an inline database URL, an endpoint or
 * baseURL with user:password@, a cmd: reference quoting one). `whole`: the string is a secret
 * itself unless it is a cmd: reference, whose command line is shown with its URLs masked.
 */
export function maskUrlCredentials(text: string, whole = false): string {
  if (whole && !text.startsWith('cmd:')) return MASK;
  return text
    .replace(USERINFO, (_match, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      if (colon >= 0) return `${scheme}${userinfo.slice(0, colon)}:${MASK}@`;
      // https://TOKEN@host is how tokens ride in web URLs; a database user name is no secret.
      return /^https?:/i.test(scheme) ? `${scheme}${MASK}@` : `${scheme}${userinfo}@`;
    })
    .replace(SECRET_PARAMETER, `$1${MASK}`);
}
