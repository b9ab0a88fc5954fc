/** A failure the page shows as it is: `message` is for a person, `status` is the demo API's answer. */
export class DemoError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The Verify error code behind it, when there is one (shown beside the message). */
    readonly code?: number,
  ) {
    super(message);
  }
}

/** What a person should read for the Verify errors a sign-up or sign-in meets; the rest shows Verify's own words. */
const EXPLAINED: Record<number, string> = {
  60310: 'Too many failed attempts: this authenticator is locked for now. Wait a minute, then try again.',
  60311: 'That code is not right, or it was used already. Type the code your app shows now.',
  60323: 'The challenge expired. Start signing in again.',
  60381: 'The passkey’s signature did not verify.',
};

/**
 * A failed twilio-node call as a `DemoError`: Verify's errors (a `RestException` with `status` and `code`)
 * keep their status and get an explanation; a Verify that cannot be reached is a 502 saying so.
 */
export function fromVerify(error: unknown, verifyUrl: string): DemoError {
  if (error instanceof DemoError) return error;
  const { status, code, message } = (error ?? {}) as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof status === 'number' && typeof code === 'number') {
    const explained = EXPLAINED[code] ?? `Verify refused it: ${String(message)}`;
    return new DemoError(status >= 400 && status < 500 ? status : 502, explained, code);
  }
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN)$/.test(code)) {
    return new DemoError(
      502,
      `The Verify service at ${verifyUrl} is not answering (${code}): is npm start running?`,
    );
  }
  return new DemoError(500, `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
}
