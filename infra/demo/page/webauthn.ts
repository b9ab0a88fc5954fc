/** The browser's side of passkeys: the credential as JSON for Verify, and its failures in plain words. */

/**
 * `PublicKeyCredential.toJSON()`: base64url fields, `{id, rawId, type, authenticatorAttachment, response}`,
 * which is the body Verify's VerifyFactor and ApproveChallenge take (it ignores the extra keys).
 */
export function toJson(credential: Credential | null): PublicKeyCredentialJSON {
  if (!(credential instanceof PublicKeyCredential)) throw new Error('The browser returned no passkey.');
  return credential.toJSON();
}

/** What a person should read when the browser's passkey call fails. */
export function passkeyFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  switch (error.name) {
    case 'NotAllowedError':
      return 'The passkey prompt was cancelled or timed out, or the authenticator could not verify you. Try again.';
    case 'InvalidStateError':
      return 'This authenticator already holds a passkey for you: sign in with it.';
    case 'SecurityError':
      return `Passkeys for this site work only at http://localhost:${location.port} (${error.message}).`;
    case 'AbortError':
      return 'The passkey prompt was aborted.';
    default:
      return error.message;
  }
}
