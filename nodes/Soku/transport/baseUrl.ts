/**
 * One Base URL rule for the node and the credential test: trailing slashes and a pasted /v1 are
 * dropped, and the key only travels over https:// (plain http:// is allowed for loopback test servers).
 * The credential test is declarative (n8n evaluates it), so the same rule is also written as
 * expressions here, next to the function; a test checks both agree.
 */

export const DEFAULT_BASE_URL = 'https://api.mysoku.io';

/** Loopback hosts that may use http:// (test servers on this machine). */
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

export function normaliseBaseUrl(value: unknown): string {
	const text = typeof value === 'string' && value.trim() ? value.trim() : DEFAULT_BASE_URL;
	return text.replace(/\/+$/, '').replace(/\/v1$/i, '').replace(/\/+$/, '');
}

export const BASE_URL_RULE =
	'The Base URL in the Soku credential must start with https:// (http:// only for localhost, 127.0.0.1 and [::1])';

/** Why the key may not be sent to this (normalised) Base URL, or undefined when it may. */
export function baseUrlProblem(baseUrl: string): string | undefined {
	const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(baseUrl);
	if (!match) return `${BASE_URL_RULE}; got "${baseUrl.slice(0, 80)}"`;
	const scheme = match[1].toLowerCase();
	// Without the user info (it may hold a password), which ends at the last '@' as in WHATWG URL parsing.
	const host = match[2].slice(match[2].lastIndexOf('@') + 1);
	if (scheme === 'https' && host) return undefined;
	if (scheme === 'http' && LOOPBACK_HOST.test(host)) return undefined;
	return `${BASE_URL_RULE}; got ${scheme}://${host}`;
}

/** The credential value as an n8n expression (the credential test cannot import code). */
const VALUE = `String($credentials.baseUrl || "${DEFAULT_BASE_URL}").trim()`;
const NORMALISED = `(${VALUE} || "${DEFAULT_BASE_URL}").replace(/\\/+$/, "").replace(/\\/v1$/i, "").replace(/\\/+$/, "")`;
const ALLOWED = `/^(https:\\/\\/[^\\/?#]+|http:\\/\\/(localhost|127\\.0\\.0\\.1|\\[::1\\])(:\\d+)?($|[\\/?#]))/i.test(${NORMALISED})`;

/**
 * Credential test baseURL: the normalised Base URL, or, when it breaks the https rule, a host under the
 * reserved .invalid domain, so nothing (and no key) leaves n8n even on versions without allowedDomains.
 */
export const CREDENTIAL_TEST_BASE_URL = `={{ ${ALLOWED} ? ${NORMALISED} : "https://base-url-must-use-https.invalid" }}`;

/**
 * Credential test allowedDomains: n8n 2.x refuses a URL outside this list before sending, and shows the
 * list in its message, so a Base URL that breaks the https rule fails with the rule in words.
 */
export const CREDENTIAL_TEST_ALLOWED_DOMAINS = `={{ ${ALLOWED} ? undefined : "none (${BASE_URL_RULE.replace(/"/g, '')})" }}`;
