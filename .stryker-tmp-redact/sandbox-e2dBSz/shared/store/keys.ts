/**
 * Item keys. Every key below an account starts with that account's SID, so a request can only ever address
 * its own account's items: tenant isolation comes from the key, not from a check that could be forgotten.
 *
 *   pk                          sk                      item
 *   ACCOUNT#<AC>                #ACCOUNT                account (auth token hash)
 *   APIKEY#<SK>                 #APIKEY                 API key (secret hash)
 *   ACCOUNT#<AC>                SERVICE#<VA>            service
 *   ACCOUNT#<AC>                PUSHCREDENTIAL#<CR>     push credential (Notify v1; sealed secret)
 *   SERVICE#<AC>#<VA>           ENTITY#<identity>       entity (+ its push factor count)
 *   SERVICE#<AC>#<VA>           WEBHOOK#<YW>            webhook
 *   SERVICE#<AC>#<VA>           #WEBHOOKS               the service's webhook count (its limit)
 *   ENTITY#<AC>#<VA>#<identity> FACTOR#<YF>             factor
 *   ENTITY#<AC>#<VA>#<identity> CHALLENGE#<YC>          challenge
 *   ENTITY#<AC>#<VA>#<identity> TIMER#<YC>              expiry timer: its TTL is the challenge's expiration
 *   CREDENTIAL#<CR>             #CREDENTIAL             push factor's device key, found by JWT `kid`
 *   ACCESSTOKEN#<YK>            #ACCESSTOKEN            enrollment token (hash), single use
 */
// @ts-nocheck

export const Keys = {
  account: (accountSid: string) => ({ pk: `ACCOUNT#${accountSid}`, sk: '#ACCOUNT' }),
  apiKey: (keySid: string) => ({ pk: `APIKEY#${keySid}`, sk: '#APIKEY' }),
  service: (accountSid: string, serviceSid: string) => ({
    pk: `ACCOUNT#${accountSid}`,
    sk: `SERVICE#${serviceSid}`,
  }),
  servicesOf: (accountSid: string) => ({ pk: `ACCOUNT#${accountSid}`, skPrefix: 'SERVICE#' }),
  pushCredential: (accountSid: string, sid: string) => ({
    pk: `ACCOUNT#${accountSid}`,
    sk: `PUSHCREDENTIAL#${sid}`,
  }),
  pushCredentialsOf: (accountSid: string) => ({ pk: `ACCOUNT#${accountSid}`, skPrefix: 'PUSHCREDENTIAL#' }),
  entity: (accountSid: string, serviceSid: string, identity: string) => ({
    pk: `SERVICE#${accountSid}#${serviceSid}`,
    sk: `ENTITY#${identity}`,
  }),
  entitiesOf: (accountSid: string, serviceSid: string) => ({
    pk: `SERVICE#${accountSid}#${serviceSid}`,
    skPrefix: 'ENTITY#',
  }),
  webhook: (accountSid: string, serviceSid: string, sid: string) => ({
    pk: `SERVICE#${accountSid}#${serviceSid}`,
    sk: `WEBHOOK#${sid}`,
  }),
  webhooksOf: (accountSid: string, serviceSid: string) => ({
    pk: `SERVICE#${accountSid}#${serviceSid}`,
    skPrefix: 'WEBHOOK#',
  }),
  webhookCount: (accountSid: string, serviceSid: string) => ({
    pk: `SERVICE#${accountSid}#${serviceSid}`,
    sk: '#WEBHOOKS',
  }),
  entityPartition: (accountSid: string, serviceSid: string, identity: string) =>
    `ENTITY#${accountSid}#${serviceSid}#${identity}`,
  factor: (accountSid: string, serviceSid: string, identity: string, factorSid: string) => ({
    pk: Keys.entityPartition(accountSid, serviceSid, identity),
    sk: `FACTOR#${factorSid}`,
  }),
  factorsOf: (accountSid: string, serviceSid: string, identity: string) => ({
    pk: Keys.entityPartition(accountSid, serviceSid, identity),
    skPrefix: 'FACTOR#',
  }),
  challenge: (accountSid: string, serviceSid: string, identity: string, challengeSid: string) => ({
    pk: Keys.entityPartition(accountSid, serviceSid, identity),
    sk: `CHALLENGE#${challengeSid}`,
  }),
  challengesOf: (accountSid: string, serviceSid: string, identity: string) => ({
    pk: Keys.entityPartition(accountSid, serviceSid, identity),
    skPrefix: 'CHALLENGE#',
  }),
  timer: (accountSid: string, serviceSid: string, identity: string, challengeSid: string) => ({
    pk: Keys.entityPartition(accountSid, serviceSid, identity),
    sk: `TIMER#${challengeSid}`,
  }),
  credential: (credentialSid: string) => ({ pk: `CREDENTIAL#${credentialSid}`, sk: '#CREDENTIAL' }),
  accessToken: (sid: string) => ({ pk: `ACCESSTOKEN#${sid}`, sk: '#ACCESSTOKEN' }),
};

export type ItemKey = { pk: string; sk: string };
export type Collection = { pk: string; skPrefix: string };
